"""WebVTT (Teams, Zoom, Whisper, most meeting tools).

* Header `WEBVTT` (anything after it on the line and header lines up to the first blank line
  are skipped); NOTE, STYLE and REGION blocks are skipped; cue ids (numbers, Teams GUIDs such
  as `…/18-0`) are ignored.
* Times: `HH:MM:SS.mmm`, Whisper's `MM:SS.mmm`, Teams' unpadded `0:0:5.320` and negative
  offsets. A cue with unreadable times keeps its text with times None; when more than half
  the cues are unreadable the file is refused (E205).
* Speakers: Teams `<v Naam>` voice spans (the closing `</v>` may be missing; several spans in
  one cue become several segments), Teams metadataContent (a JSON object with `speakerName`
  and `spokenText` as the payload), or a Zoom-style `Naam: ` prefix judged by
  `_text_common.credible_labels`. Other tags are dropped and HTML entities unescaped.
* A cue without any speaker marker continues the previous cue's speaker (Zoom writes the name
  on most cues but not all, and the unnamed ones continue the turn); before the first named
  cue the speaker is None. `meta["cues_speaker_inherited"]` counts such cues.
"""

from __future__ import annotations

from pipeline.errors import ErrorCode, ReadError
from pipeline.raw import RawTranscript
from pipeline.readers._text_common import cue_segments, first_content_lines, iter_blocks, lines_of, parse_cues

FORMAT = "vtt"

_SKIPPED_BLOCKS = ("NOTE", "STYLE", "REGION")


def matches(text: str) -> bool:
    head = first_content_lines(text, 1)
    return bool(head) and head[0].startswith("WEBVTT")


def _is_skipped(block: list[str]) -> bool:
    first = block[0].strip()
    return any(first == w or first.startswith((w + " ", w + "\t")) for w in _SKIPPED_BLOCKS)


def read(text: str) -> RawTranscript:
    lines = [ln for ln in lines_of(text)]
    while lines and not lines[0].strip():
        lines.pop(0)
    if not lines or not lines[0].strip().startswith("WEBVTT"):
        raise ReadError(ErrorCode.MALFORMED, "vtt: no WEBVTT header")
    blocks = list(iter_blocks(lines))
    header = blocks.pop(0)
    # A cue glued to the header (no blank line between): keep it.
    timing_at = next((i for i, ln in enumerate(header) if "-->" in ln), None)
    if timing_at is not None:
        blocks.insert(0, header[max(1, timing_at - 1) :])
    cues, _ = parse_cues(b for b in blocks if not _is_skipped(b))
    segments, meta = cue_segments(cues, FORMAT)
    return RawTranscript(format=FORMAT, segments=segments, meta=meta)
