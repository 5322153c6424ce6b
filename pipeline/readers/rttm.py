"""NIST RTTM (pyannote and other diarisers): `SPEAKER <uri> <chan> <onset> <dur> <NA> <NA> <label> ...`.

Diarisation output holds who spoke when, but no words, so it cannot be coached on its own: `read`
refuses it with E203 (the file is still recognised, so it is not reported as an unknown
format). The rare RTTM that carries words as `LEXEME` rows (`LEXEME <uri> <chan> <onset> <dur>
<word> <subtype> <speaker> ...`) is read word by word.
"""

from __future__ import annotations

from pipeline.errors import ErrorCode, ReadError
from pipeline.raw import RawSegment, RawTranscript
from pipeline.readers._text_common import first_content_lines, lines_of, parse_seconds

FORMAT = "rttm"

_TYPES = frozenset(
    {
        "SPEAKER",
        "LEXEME",
        "SPKR-INFO",
        "SEGMENT",
        "NON-SPEECH",
        "NON-LEX",
        "FILLER",
        "NOSCORE",
        "NO_RT_METADATA",
        "A/P",
        "CB",
        "IP",
        "EDIT",
        "SU",
    }
)
_NA = "<NA>"


def _row_ok(fields: list[str]) -> bool:
    return (
        len(fields) >= 8
        and fields[0] in _TYPES
        and (fields[3] == _NA or parse_seconds(fields[3]) is not None)
        and (fields[4] == _NA or parse_seconds(fields[4]) is not None)
    )


def matches(text: str) -> bool:
    head = [ln for ln in first_content_lines(text, 8) if not ln.startswith((";;", "#"))]
    return bool(head) and all(_row_ok(ln.split()) for ln in head)


def read(text: str) -> RawTranscript:
    segments: list[RawSegment] = []
    turns = 0
    for number, line in enumerate(lines_of(text), start=1):
        fields = line.split()
        if not fields or fields[0].startswith((";;", "#")):
            continue
        if not _row_ok(fields):
            raise ReadError(ErrorCode.MALFORMED, f"rttm line {number}: not an RTTM row")
        if fields[0] == "SPEAKER":
            turns += 1
        elif fields[0] == "LEXEME" and fields[5] != _NA:
            onset = parse_seconds(fields[3])
            duration = parse_seconds(fields[4])
            end = onset + duration if onset is not None and duration is not None else None
            speaker = fields[7] if fields[7] != _NA else None
            segments.append(RawSegment(text=fields[5], speaker=speaker, start=onset, end=end))
    if not segments:
        raise ReadError(ErrorCode.NO_SPEECH, "RTTM holds speaker turns but no words")
    return RawTranscript(format=FORMAT, segments=tuple(segments), meta={"speaker_turns": str(turns)})
