"""What a reader returns: the file's segments as the tool wrote them, before normalisation."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class RawSegment:
    """One piece of speech as the producer wrote it (a cue, a segment, a line, a word run).

    `speaker` is the label exactly as in the file (None when the file gives none);
    times are seconds from the start of the recording (None when the file has none).
    """

    text: str
    speaker: str | None = None
    start: float | None = None
    end: float | None = None


@dataclass(frozen=True, slots=True)
class RawTranscript:
    """A reader's output: a format name and ordered segments. Pure data, no I/O."""

    format: str
    segments: tuple[RawSegment, ...]
    meta: dict[str, str] = field(default_factory=dict)

    @property
    def has_speakers(self) -> bool:
        return any(s.speaker for s in self.segments)

    @property
    def has_times(self) -> bool:
        return any(s.start is not None for s in self.segments)
