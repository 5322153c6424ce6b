"""NIST STM (Kaldi/sclite reference transcripts): `uri channel speaker start end [<labels>] text`.

Times are seconds. `;;` lines are comments. Segments whose speaker is `inter_segment_gap` or
whose text is `ignore_time_segment_in_scoring` carry no speech and are skipped.
"""

from __future__ import annotations

import re

from pipeline.errors import ErrorCode, ReadError
from pipeline.raw import RawSegment, RawTranscript
from pipeline.readers._text_common import first_content_lines, lines_of, parse_seconds

FORMAT = "stm"

_ROW = re.compile(
    r"^(?P<uri>\S+)[ \t]+(?P<chan>[0-9A-Za-z]{1,2})[ \t]+(?P<speaker>\S+)[ \t]+"
    r"(?P<start>-?\d{1,9}(?:\.\d{1,9})?)[ \t]+(?P<end>-?\d{1,9}(?:\.\d{1,9})?)"
    r"(?:[ \t]+<(?P<labels>[^<>]*)>)?(?:[ \t]+(?P<text>.*))?$"
)
_SKIP_SPEAKERS = frozenset({"inter_segment_gap"})
_SKIP_TEXT = frozenset({"ignore_time_segment_in_scoring"})


def _row(line: str) -> re.Match[str] | None:
    m = _ROW.match(line.strip())
    if not m:
        return None
    start, end = parse_seconds(m.group("start")), parse_seconds(m.group("end"))
    if start is None or end is None or end < start:
        return None
    return m


def matches(text: str) -> bool:
    head = [ln for ln in first_content_lines(text, 8) if not ln.startswith(";;")]
    return bool(head) and all(_row(ln) is not None for ln in head)


def read(text: str) -> RawTranscript:
    segments: list[RawSegment] = []
    for number, line in enumerate(lines_of(text), start=1):
        if not line.strip() or line.lstrip().startswith(";;"):
            continue
        m = _row(line)
        if m is None:
            raise ReadError(ErrorCode.MALFORMED, f"stm line {number}: not an STM row")
        words = (m.group("text") or "").strip()
        if m.group("speaker") in _SKIP_SPEAKERS or words in _SKIP_TEXT or not words:
            continue
        segments.append(
            RawSegment(
                text=words,
                speaker=m.group("speaker"),
                start=parse_seconds(m.group("start")),
                end=parse_seconds(m.group("end")),
            )
        )
    if not segments:
        raise ReadError(ErrorCode.NO_SPEECH, "stm file holds no spoken text")
    return RawTranscript(format=FORMAT, segments=tuple(segments))
