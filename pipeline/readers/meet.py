"""Google Meet recording captions (.vtt, often shared without a valid header).

Fixed-length cues (4 s). Each speaker's text follows a line `(Speaker Name)` alone on a line.
A second speaker inside the same cue follows a line `-` and a line holding one space, so two
speakers can share one cue (and its times). A cue that does not open with `(Name)` continues
the last speaker of the previous cue; text after a `-` without a `(Name)` has speaker None.
"""

from __future__ import annotations

import itertools
import re

from pipeline.errors import ErrorCode, ReadError
from pipeline.raw import RawSegment, RawTranscript
from pipeline.readers._text_common import (
    first_content_lines,
    iter_blocks,
    lines_of,
    looks_like_timing,
    parse_cues,
    strip_markup,
)

FORMAT = "meet"

_SPEAKER_LINE = re.compile(r"^\((?P<name>[^()\n]{1,60})\)$")
_WS = re.compile(r"\s+")


def matches(text: str) -> bool:
    """A timing line directly followed by a `(Name)` line, near the top of the file."""
    head = first_content_lines(text, 12)
    return any(looks_like_timing(a) and bool(_SPEAKER_LINE.match(b)) for a, b in itertools.pairwise(head))


def read(text: str) -> RawTranscript:
    lines = lines_of(text)
    blocks = [b for b in iter_blocks(lines) if not b[0].strip().startswith(("WEBVTT", "NOTE", "STYLE"))]
    cues, _ = parse_cues(blocks)
    if not cues:
        raise ReadError(ErrorCode.MALFORMED, "meet: no cues with a timing line")
    bad = sum(1 for c in cues if not c.timing_ok)
    if bad * 2 > len(cues):
        raise ReadError(ErrorCode.MALFORMED, f"meet: {bad} of {len(cues)} cues have unreadable times")
    segments: list[RawSegment] = []
    speaker: str | None = None
    for cue in cues:
        parts: list[str] = []
        for line in cue.lines:
            stripped = line.strip()
            named = _SPEAKER_LINE.match(stripped)
            if named or stripped == "-":
                _flush(segments, parts, speaker, cue.start, cue.end)
                speaker = (named.group("name").strip() or None) if named else None
            elif stripped:
                parts.append(strip_markup(stripped))
        _flush(segments, parts, speaker, cue.start, cue.end)
    return RawTranscript(format=FORMAT, segments=tuple(segments), meta={"cues": str(len(cues))})


def _flush(
    segments: list[RawSegment], parts: list[str], speaker: str | None, start: float | None, end: float | None
) -> None:
    body = _WS.sub(" ", " ".join(parts)).strip()
    if body:
        segments.append(RawSegment(text=body, speaker=speaker, start=start, end=end))
    parts.clear()
