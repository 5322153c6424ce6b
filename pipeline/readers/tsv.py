"""Tab-separated segments as the Whisper CLI writes them: header `start\\tend\\ttext`, then rows.

Whisper writes integer milliseconds; a value with a decimal mark is read as seconds. An optional
`speaker` column (header `start\\tend\\tspeaker\\ttext`) is honoured. The text column is the last
one and may hold anything but a tab. A row that does not fit is refused: E205 "row N: ...".
"""

from __future__ import annotations

from pipeline.errors import ErrorCode, ReadError
from pipeline.raw import RawSegment, RawTranscript
from pipeline.readers._text_common import first_content_lines, lines_of, parse_int, parse_seconds

FORMAT = "tsv"

_HEADERS = (("start", "end", "text"), ("start", "end", "speaker", "text"))


def _header(line: str) -> tuple[str, ...] | None:
    cols = tuple(c.strip().lower() for c in line.replace("\ufeff", "").split("\t"))
    return cols if cols in _HEADERS else None


def matches(text: str) -> bool:
    head = first_content_lines(text, 1)
    return bool(head) and _header(head[0]) is not None


def _time(value: str) -> float | None:
    as_int = parse_int(value)
    if as_int is not None:
        return as_int / 1000.0
    return parse_seconds(value)


def read(text: str) -> RawTranscript:
    lines = lines_of(text)
    rows = [(n, ln) for n, ln in enumerate(lines, start=1) if ln.strip()]
    if not rows or _header(rows[0][1]) is None:
        raise ReadError(ErrorCode.MALFORMED, "tsv: no start/end/text header")
    header = _header(rows[0][1]) or ()
    width = len(header)
    segments: list[RawSegment] = []
    for number, line in rows[1:]:
        cols = line.split("\t", width - 1)
        if len(cols) != width:
            raise ReadError(ErrorCode.MALFORMED, f"row {number}: expected {width} tab-separated columns")
        start, end = _time(cols[0]), _time(cols[1])
        if start is None or end is None:
            raise ReadError(ErrorCode.MALFORMED, f"row {number}: start/end are not numbers")
        speaker = (cols[2].strip() or None) if width == 4 else None
        segments.append(RawSegment(text=cols[-1].strip(), speaker=speaker, start=start, end=end))
    if not segments:
        raise ReadError(ErrorCode.NO_SPEECH, "tsv file holds a header but no rows")
    return RawTranscript(format=FORMAT, segments=tuple(segments))
