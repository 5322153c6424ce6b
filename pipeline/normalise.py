"""RawTranscript -> utterance rows: ordering, merging of one speaker's consecutive segments, cleaning.

Pure functions; no I/O. Roles are decided in `pipeline.roles`, not here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from pipeline.raw import RawSegment

# Control and format characters (zero-width spaces, bidi marks, C0/C1 controls) become spaces.
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")


def clean_text(text: str) -> str:
    """NFC, no control characters, collapsed whitespace. Never changes words or case."""
    text = unicodedata.normalize("NFC", text)
    if not text.isprintable():  # every _INVISIBLE character is non-printable: skip the regex otherwise
        text = _INVISIBLE.sub(" ", text)
    return " ".join(text.split())  # str.split() and re's \s agree on what Unicode whitespace is


def order_segments(segments: Sequence[RawSegment]) -> list[RawSegment]:
    """Order by start time when every timed segment has one (stable: file order breaks ties).

    Overlapping speech is kept; untimed segments keep their file position.
    """
    if not segments or any(s.start is None for s in segments):
        return list(segments)
    return sorted(segments, key=lambda s: s.start if s.start is not None else 0.0)


def merge_segments(segments: Sequence[RawSegment], max_gap_s: float = 3.0) -> list[RawSegment]:
    """Merge consecutive segments of the same speaker into one utterance.

    Segments merge when the speaker label is identical and, if both have times, the pause
    between them is at most `max_gap_s`. Empty segments are dropped (they carry no speech).
    """
    out: list[RawSegment] = []
    for seg in order_segments(segments):
        text = clean_text(seg.text)
        if not text:
            continue
        if out:
            prev = out[-1]
            gap_ok = (
                prev.end is None
                or seg.start is None
                or seg.start - prev.end <= max_gap_s
            )
            if prev.speaker == seg.speaker and gap_ok:
                end = seg.end if seg.end is not None else prev.end
                if prev.end is not None and seg.end is not None:
                    end = max(prev.end, seg.end)
                out[-1] = RawSegment(
                    text=f"{prev.text} {text}",
                    speaker=prev.speaker,
                    start=prev.start if prev.start is not None else seg.start,
                    end=end,
                )
                continue
        out.append(RawSegment(text=text, speaker=seg.speaker, start=seg.start, end=seg.end))
    return out
