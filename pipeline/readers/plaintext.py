"""Plain-text transcripts: the fallback reader for any human-readable text.

Line shapes understood (one file may mix the labelled ones):

* `Naam: tekst`, `NAAM: tekst`, `Jan de Vries: tekst`, `Ashlee Kupor (SL): tekst`,
  `Verkoper: ...` / `Klant: ...`;
* the same behind a timestamp: `[mm:ss] Naam: tekst`, `[hh:mm:ss] Naam: tekst`, `(mm:ss) ...`,
  or a bare `mm:ss Naam: tekst`;
* Otter.ai: a header `Naam  0:42` (two or more spaces or a tab before the time), the text on
  the lines below, a blank line;
* Zoom in-meeting transcript: a header `[Naam] HH:MM:SS`, then the text, then a blank line.
  Those times are wall-clock times; they become offsets from the first header.

Which `Naam:` prefixes are speakers is decided by `_text_common.credible_labels` (so "Let op: ..."
or "Tip: ..." stay text). A line without a speaker marker continues the current speaker's turn;
a timestamped line without a label starts a new segment for the same speaker. When the file
uses Otter/Zoom headers at least as often as `Naam:` prefixes, prefixes are not looked for.

Bare text without any speaker marker (Whisper's .txt) is read, one segment per line, with
speaker None: it is a transcript, and the pipeline later refuses it for having no speakers
(E204) rather than calling it an unknown format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.errors import ErrorCode, ReadError
from pipeline.raw import RawSegment, RawTranscript
from pipeline.readers._text_common import (
    credible_labels,
    label_syntax_ok,
    lines_of,
    parse_timestamp,
    split_label,
)

FORMAT = "plaintext"

_ZOOM_HEADER = re.compile(
    r"^\[(?P<name>[^\[\]]{1,60})\][ \t]+(?P<ts>\d{1,2}:\d{2}(?::\d{2})?)(?:[ \t]+(?P<rest>.*))?$"
)
_OTTER_HEADER = re.compile(r"^(?P<name>\S[^\t]{0,59}?)(?: {2,}|\t+)(?P<ts>\d{1,2}:\d{2}(?::\d{2})?)$")
_TS_PREFIX = re.compile(
    r"^(?:\[(?P<b>[^\[\]]{1,20})\]|\((?P<p>[^()]{1,20})\)"
    r"|(?P<bare>-?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?)(?=[ \t]))"
    r"[ \t]*(?:[-–—][ \t]+)?(?P<rest>.*)$"
)


@dataclass(slots=True)
class _Line:
    kind: str  # "header", "label", "text"
    body: str
    speaker: str | None = None
    ts: float | None = None
    strong: bool = False
    style: str = ""


@dataclass(slots=True)
class _Turn:
    speaker: str | None
    start: float | None
    parts: list[str] = field(default_factory=list)


def matches(text: str) -> bool:
    """Any text that reads like language: some letters, and letters are a fair share of it."""
    try:
        sample = text[:20000]
        visible = len(sample) - sum(map(str.isspace, sample)) - sample.count("\ufeff")
        if not visible:
            return False
        letters = sum(map(str.isalpha, sample))
        return letters >= 2 and letters / visible >= 0.3
    except Exception:  # a sniff never raises
        return False


def _classify(line: str) -> _Line:
    stripped = line.strip()
    zoom = _ZOOM_HEADER.match(stripped)
    if zoom and parse_timestamp(zoom.group("name")) is None and zoom.group("name").strip():
        return _Line(
            "header",
            (zoom.group("rest") or "").strip(),
            zoom.group("name").strip(),
            parse_timestamp(zoom.group("ts")),
            True,
            "zoom",
        )
    otter = _OTTER_HEADER.match(line.rstrip())
    if otter and label_syntax_ok(otter.group("name").strip()):
        return _Line(
            "header", "", otter.group("name").strip(), parse_timestamp(otter.group("ts")), True, "otter"
        )
    ts: float | None = None
    body = stripped
    prefixed = _TS_PREFIX.match(stripped)
    if prefixed:
        raw_ts = prefixed.group("b") or prefixed.group("p") or prefixed.group("bare")
        parsed = parse_timestamp(raw_ts)
        if parsed is not None:
            ts, body = parsed, prefixed.group("rest").strip()
            if prefixed.group("bare") and split_label(body) is None:
                ts, body = None, stripped  # "10:30 is goed" is text, not a timestamp
    label = split_label(body)
    if label:
        return _Line("label", label[1], label[0], ts, ts is not None)
    return _Line("text", body, None, ts)


def read(text: str) -> RawTranscript:
    raw_lines = [ln for ln in lines_of(text) if ln.strip()]
    if not raw_lines:
        raise ReadError(ErrorCode.NO_SPEECH, "plain-text file holds no lines")
    lines = [_classify(ln) for ln in raw_lines]
    headers = [ln for ln in lines if ln.kind == "header"]
    labelled = [ln for ln in lines if ln.kind == "label"]
    structural = bool(headers) and len(headers) >= len(labelled)
    accepted = (
        set()
        if structural
        else credible_labels([(ln.speaker or "", ln.strong) for ln in labelled], len(lines))
    )

    # Zoom header times are wall-clock: make them offsets from the first header.
    zoom_base = next((ln.ts for ln in headers if ln.style == "zoom" and ln.ts is not None), None)

    turns: list[_Turn] = []
    current: _Turn | None = None
    for ln, raw in zip(lines, raw_lines, strict=True):
        if ln.kind == "header":
            start = ln.ts
            if ln.style == "zoom" and start is not None and zoom_base is not None:
                start -= zoom_base
                if start < 0:  # past midnight
                    start += 86400
            current = _Turn(ln.speaker, start, [ln.body] if ln.body else [])
            turns.append(current)
        elif ln.kind == "label" and (ln.speaker or "").casefold() in accepted:
            current = _Turn(ln.speaker, ln.ts, [ln.body] if ln.body else [])
            turns.append(current)
        else:
            body = ln.body
            if ln.kind == "label":  # a rejected label: keep the words as written
                prefixed = _TS_PREFIX.match(raw.strip())
                body = prefixed.group("rest").strip() if prefixed and ln.ts is not None else raw.strip()
            if ln.ts is not None:
                current = _Turn(current.speaker if current else None, ln.ts, [body])
                turns.append(current)
            elif current is not None and (current.speaker is not None or not current.parts):
                current.parts.append(body)
            else:
                current = _Turn(None, None, [body])
                turns.append(current)

    segments = tuple(
        RawSegment(text=" ".join(t.parts).strip(), speaker=t.speaker, start=t.start, end=None)
        for t in turns
        if any(p.strip() for p in t.parts)
    )
    if not segments:
        raise ReadError(ErrorCode.NO_SPEECH, "plain-text file holds speaker headers but no text")
    style = (headers[0].style if structural else "labels") if (headers or accepted) else "bare"
    return RawTranscript(format=FORMAT, segments=segments, meta={"style": style})
