"""SubRip (.srt): numbered cues, `HH:MM:SS,mmm --> HH:MM:SS,mmm`, then the cue text.

Also reads headerless cue files that use `.` as decimal mark. Multi-line cue text is joined.
Speakers come from a `Naam: ` prefix at the start of a cue line (judged by
`_text_common.credible_labels`; several labelled lines in one cue become several segments) or
from `<v Naam>` tags; `<i>`, `<font>` and similar tags are dropped. A cue without a speaker
continues the previous speaker, and is speaker None before the first labelled cue (so a
Whisper .srt has no speakers at all).
"""

from __future__ import annotations

from pipeline.raw import RawTranscript
from pipeline.readers._text_common import (
    cue_segments,
    first_content_lines,
    iter_blocks,
    lines_of,
    looks_like_timing,
    parse_cues,
)

FORMAT = "srt"


def matches(text: str) -> bool:
    """A timing line (`start --> end`) among the first few lines, and no WEBVTT header."""
    head = first_content_lines(text, 6)
    if not head or head[0].startswith("WEBVTT"):
        return False
    return any(looks_like_timing(line) for line in head[:3])


def read(text: str) -> RawTranscript:
    cues, _ = parse_cues(iter_blocks(lines_of(text)))
    segments, meta = cue_segments(cues, FORMAT)
    return RawTranscript(format=FORMAT, segments=segments, meta=meta)
