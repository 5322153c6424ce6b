"""neecoach's own transcript format: JSON Lines, one utterance (or segment) per line.

Spec (docs/data-format.md, "neecoach JSONL transcripts"):

* one JSON object per line; blank lines are ignored;
* `speaker` (required): non-empty string, the speaker label;
* `text` (required): string (an empty string carries no speech);
* `start`, `end` (optional): seconds from the start of the call, finite numbers,
  `end >= start` when both are given; `null` is the same as absent;
* `call_id` (optional): string; when several lines give one, they must agree;
* any other key is ignored.

A line that breaks the spec refuses the whole file with E205 "line N: ..." (N counts every line,
blank ones included). The details never quote the transcript.
"""

from __future__ import annotations

import json
import math
from typing import Any

from pipeline.errors import ErrorCode, ReadError
from pipeline.raw import RawSegment, RawTranscript
from pipeline.readers._text_common import lines_of

FORMAT = "neecoach_jsonl"

_SNIFF_MAX_CHARS = 200_000


def _first_line(text: str) -> str:
    for line in lines_of(text[: _SNIFF_MAX_CHARS + 1]):
        if line.strip():
            return line.strip()
    return ""


def matches(text: str) -> bool:
    """First non-blank line is a flat JSON object with `speaker` and `text`."""
    line = _first_line(text)
    if not line.startswith("{") or len(line) > _SNIFF_MAX_CHARS:
        return False
    try:
        doc = json.loads(line)
    except (ValueError, RecursionError):
        return False
    return (
        isinstance(doc, dict)
        and "speaker" in doc
        and "text" in doc
        and not any(isinstance(v, dict | list) for v in doc.values())
    )


def _time(row: dict[str, Any], key: str, number: int) -> float | None:
    value = row.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ReadError(ErrorCode.MALFORMED, f"line {number}: {key!r} must be a number of seconds")
    return float(value)


def read(text: str) -> RawTranscript:
    segments: list[RawSegment] = []
    call_id: str | None = None
    call_id_line = 0
    for number, line in enumerate(lines_of(text), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as exc:
            msg = exc.msg if isinstance(exc, json.JSONDecodeError) else "invalid"
            raise ReadError(ErrorCode.MALFORMED, f"line {number}: not JSON ({msg})") from None
        except RecursionError:
            raise ReadError(ErrorCode.MALFORMED, f"line {number}: nested too deeply") from None
        if not isinstance(row, dict):
            raise ReadError(ErrorCode.MALFORMED, f"line {number}: not a JSON object")
        speaker = row.get("speaker")
        if not isinstance(speaker, str) or not speaker.strip():
            raise ReadError(ErrorCode.MALFORMED, f"line {number}: 'speaker' must be a non-empty string")
        words = row.get("text")
        if not isinstance(words, str):
            raise ReadError(ErrorCode.MALFORMED, f"line {number}: 'text' must be a string")
        start, end = _time(row, "start", number), _time(row, "end", number)
        if start is not None and end is not None and end < start:
            raise ReadError(ErrorCode.MALFORMED, f"line {number}: 'end' is before 'start'")
        if "call_id" in row and row["call_id"] is not None:
            this_id = row["call_id"]
            if not isinstance(this_id, str):
                raise ReadError(ErrorCode.MALFORMED, f"line {number}: 'call_id' must be a string")
            if call_id is None:
                call_id, call_id_line = this_id, number
            elif this_id != call_id:
                raise ReadError(
                    ErrorCode.MALFORMED, f"line {number}: 'call_id' differs from line {call_id_line}"
                )
        segments.append(RawSegment(text=words, speaker=speaker.strip(), start=start, end=end))
    if not segments:
        raise ReadError(ErrorCode.NO_SPEECH, "JSONL file holds no lines")
    meta = {"call_id": call_id} if call_id is not None else {}
    return RawTranscript(format=FORMAT, segments=tuple(segments), meta=meta)
