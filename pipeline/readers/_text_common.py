"""Helpers shared by the text readers: timestamps, speaker labels, cue blocks, markup. Pure.

Timestamps
    `parse_timestamp` takes every clock form our users' tools write: `HH:MM:SS.mmm`, `MM:SS.mmm`
    (Whisper VTT), unpadded `0:0:5.320` (Teams), a leading `-` (Teams offsets before the
    transcription started), `,` as decimal mark (SRT) and bracketed `[mm:ss]` / `[hh:mm:ss]`.
    Field sizes are bounded so that absurd digit runs give None, never an overflow.

Speaker labels ("Naam: tekst")
    A colon near the start of a line is not always a speaker ("Let op: ...", "Tip: ...").
    `split_label` is the syntactic test: the label sits at line start, is at most
    `MAX_LABEL_WORDS` words and `MAX_LABEL_CHARS` characters, starts with a letter, holds no
    sentence punctuation, and the colon is followed by white space or the end of the line.
    `credible_labels` then decides which syntactic labels are speakers, looking at the whole file:

    * known non-speaker words ("Let op", "Tip", "Noot", "Opmerking", ...) never are;
    * generic role labels ("Verkoper", "Klant", "Spreker 1", "SPEAKER_00", ...) always are;
    * a label used at the start of two or more lines/cues is, if it looks like a name or is
      at most two words (recurrence is the strongest evidence);
    * a label used once is, only if it looks like a name (capitalised words and name
      particles such as "de", "van", "(SL)") and one of: the line also carries a timestamp;
      it is a multi-word name ("Jan de Vries"); exactly one label recurs (a conversation needs
      a second party, and this is the best candidate: "Sanne: ... / Ruud: ... / Sanne: ...");
      or no label recurs and labelled lines make up at least half of the file (a short
      "Jan: ... / Piet: ..." exchange).

    So in a file where two or more speakers recur, a once-only single word such as
    "Kortingscode:" stays text of the previous speaker.
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from pipeline.errors import ErrorCode, ReadError
from pipeline.raw import RawSegment

MAX_LABEL_WORDS = 5
MAX_LABEL_CHARS = 40

# ---------------------------------------------------------------- timestamps

_CLOCK = re.compile(r"^(?P<neg>-)?(?:(?P<h>\d{1,6}):)?(?P<m>\d{1,6}):(?P<s>\d{1,2})(?:[.,](?P<f>\d{1,9}))?$")
_BRACKETED = re.compile(r"^[\[(]\s*(?P<ts>[^\[\]()]{1,30}?)\s*[\])]$")
_DECIMAL = re.compile(r"^-?\d{1,9}(?:[.,]\d{1,9})?$")
_INTEGER = re.compile(r"^-?\d{1,12}$")


def parse_timestamp(text: str) -> float | None:
    """Seconds for a clock timestamp, or None when `text` is not one. Never raises."""
    text = text.strip().lstrip("\ufeff")
    bracketed = _BRACKETED.match(text)
    if bracketed:
        text = bracketed.group("ts")
    m = _CLOCK.match(text)
    if not m:
        return None
    hours = int(m.group("h") or 0)
    minutes = int(m.group("m"))
    seconds = int(m.group("s"))
    if seconds >= 60 or (m.group("h") is not None and minutes >= 60):
        return None
    frac = m.group("f")
    value = hours * 3600 + minutes * 60 + seconds + (float(f"0.{frac}") if frac else 0.0)
    return -value if m.group("neg") else value


def parse_seconds(text: str) -> float | None:
    """A plain decimal number of seconds ("6.68", "12,5"); None for anything else (inf/nan too)."""
    text = text.strip()
    if not _DECIMAL.match(text):
        return None
    return float(text.replace(",", "."))


def parse_int(text: str) -> int | None:
    text = text.strip()
    return int(text) if _INTEGER.match(text) else None


# ---------------------------------------------------------------- text cleanup

_TAG = re.compile(r"</?[a-zA-Z][^<>]{0,200}>|<\d[\d:.,]{3,20}>|</?[a-z]>")


def strip_markup(text: str) -> str:
    """Remove cue/HTML tags (<i>, <c.x>, <font ...>, <00:00:01.000>) then unescape entities."""
    return html.unescape(_TAG.sub("", text)).replace("\u00a0", " ").replace("\u200e", "")


def lines_of(text: str) -> list[str]:
    """Split decoded text into lines, tolerating a stray BOM and CR characters."""
    text = text.replace("\ufeff", "").replace("\r\n", "\n").replace("\r", "\n")
    return text.split("\n")


def first_content_lines(text: str, n: int) -> list[str]:
    """The first `n` non-blank lines, stripped (cheap sniffing helper)."""
    out: list[str] = []
    start = 0
    length = len(text)
    while start < length and len(out) < n:
        end = text.find("\n", start)
        if end < 0:
            end = length
        line = text[start:end].replace("\ufeff", "").strip()
        if line:
            out.append(line)
        start = end + 1
    return out


# ---------------------------------------------------------------- cue blocks (VTT, SRT, Meet)

TIMING = re.compile(r"^\s*(?P<start>\S+)\s+-->\s+(?P<end>\S+)(?:\s+(?P<settings>.*))?$")


def looks_like_timing(line: str) -> bool:
    m = TIMING.match(line)
    return m is not None and parse_timestamp(m.group("start")) is not None


@dataclass(frozen=True, slots=True)
class Cue:
    """One cue block: its index among cues (1-based), times (None if unreadable) and text lines."""

    index: int
    start: float | None
    end: float | None
    lines: tuple[str, ...]
    timing_ok: bool


def iter_blocks(lines: Sequence[str]) -> Iterator[list[str]]:
    """Blank-line separated blocks. A blank line right after a lone '-' stays inside the block
    (Google Meet writes '-' and a line holding one space between two speakers of one cue)."""
    block: list[str] = []
    for line in lines:
        if not line.strip():
            if block and block[-1].strip() == "-":
                continue
            if block:
                yield block
                block = []
            continue
        block.append(line.rstrip())
    if block:
        yield block


def parse_cues(blocks: Iterable[list[str]]) -> tuple[list[Cue], int]:
    """Cues from blocks; returns (cues, number of blocks without a timing line).

    A block is a cue when one of its first two lines is a timing line (`start --> end`);
    the line before it (if any) is the cue id. Blocks without one are ignored, as WebVTT says.
    """
    cues: list[Cue] = []
    skipped = 0
    for block in blocks:
        pos = next((i for i, ln in enumerate(block[:2]) if "-->" in ln), None)
        if pos is None:
            skipped += 1
            continue
        m = TIMING.match(block[pos])
        start = parse_timestamp(m.group("start")) if m else None
        end = parse_timestamp(m.group("end")) if m else None
        ok = start is not None and end is not None
        cues.append(
            Cue(
                index=len(cues) + 1,
                start=start,
                end=end if ok else None,
                lines=tuple(block[pos + 1 :]),
                timing_ok=ok,
            )
        )
    return cues, skipped


# ---------------------------------------------------------------- speaker labels

_LABEL_LINE = re.compile(r"^(?P<label>[^:\s][^:\n]{0,80}?)\s*:(?:[ \t]+(?P<rest>.*)|[ \t]*$)")
_FORBIDDEN = re.compile(r"[?!;,\"“”„…=<>{}\[\]|\\/@#*+%$€&~^`]")
_ABBREV_DOT = re.compile(r"(?<![^\s.(])[A-Za-zÀ-ÿ]{1,4}\.")
_PARTICLES = frozenset(
    {
        "van",
        "de",
        "der",
        "den",
        "het",
        "'t",
        "'s",
        "ten",
        "ter",
        "te",
        "el",
        "al",
        "la",
        "le",
        "du",
        "da",
        "di",
        "dos",
        "das",
        "del",
        "della",
        "von",
        "zu",
        "bin",
        "ben",
    }
)
_GENERIC = re.compile(
    r"^(?:verkoper|verkoopster|klant|beller|gebelde|prospect|adviseur|adviseuse|accountmanager|"
    r"medewerker|medewerkster|receptie|receptionist|interviewer|agent|seller|sales ?rep|rep|"
    r"customer|caller|callee|client|cliënt|"
    r"(?:spreker|speaker|spk|deelnemer|persoon|participant)[ _-]?(?:\d{1,3}|[a-z]))$",
    re.IGNORECASE,
)
NOT_SPEAKERS = frozenset(
    s.casefold()
    for s in (
        "let op",
        "let wel",
        "tip",
        "tips",
        "noot",
        "nb",
        "n.b.",
        "ps",
        "p.s.",
        "opmerking",
        "opmerkingen",
        "belangrijk",
        "waarschuwing",
        "conclusie",
        "samenvatting",
        "kortom",
        "dus",
        "maar",
        "en",
        "want",
        "oftewel",
        "bijvoorbeeld",
        "bijv.",
        "bv.",
        "bijv",
        "bv",
        "zie",
        "zie ook",
        "datum",
        "tijd",
        "onderwerp",
        "agenda",
        "locatie",
        "deelnemers",
        "aanwezig",
        "aanwezigen",
        "notitie",
        "notities",
        "actie",
        "acties",
        "actiepunt",
        "actiepunten",
        "vervolg",
        "vervolgstap",
        "vervolgstappen",
        "prijs",
        "totaal",
        "kosten",
        "email",
        "e-mail",
        "tel",
        "tel.",
        "telefoon",
        "website",
        "adres",
        "nou",
        "kijk",
        "ja",
        "nee",
        "oké",
        "ok",
        "okay",
        "goed",
        "zeg",
        "allez",
        "vraag",
        "antwoord",
        "resultaat",
        "uitkomst",
        "status",
        "titel",
        "duur",
        "note",
        "notes",
        "warning",
        "important",
        "summary",
        "subject",
        "date",
        "time",
        "re",
        "fw",
        "fwd",
        "update",
        "http",
        "https",
        "ftp",
        "mailto",
        "www",
        "transcript",
        "transcriptie",
        "opname",
        "gesprek",
        "call",
        "meeting",
        "vergadering",
        "wat",
        "hoe",
        "waarom",
        "dan",
        "dat",
        "dit",
        "toen",
        "nu",
        "eerst",
        "daarna",
        "ten eerste",
        "ten tweede",
        "stap 1",
        "stap 2",
        "optie 1",
        "optie 2",
    )
)


def split_label(line: str) -> tuple[str, str] | None:
    """(label, rest) when the line starts with something shaped like a speaker label."""
    m = _LABEL_LINE.match(line.lstrip(" \t\ufeff"))
    if not m:
        return None
    label = m.group("label").strip()
    if not label_syntax_ok(label):
        return None
    return label, (m.group("rest") or "").strip()


def label_syntax_ok(label: str) -> bool:
    if not label or len(label) > MAX_LABEL_CHARS or not label[0].isalpha():
        return False
    if len(label.split()) > MAX_LABEL_WORDS or _FORBIDDEN.search(label):
        return False
    # Only abbreviation dots: "Dhr. Jansen", "J.P. de Vries"; never a sentence end inside.
    if "." in label and label.count(".") != len(_ABBREV_DOT.findall(label)):
        return False
    return not re.search(r"\d{1,2}:\d{2}", label)


def name_like(label: str) -> bool:
    """Capitalised words, name particles, bracketed tags ("(SL)") or numbered labels."""
    words = label.split()
    if not words or not (words[0][0].isupper() or words[0][0].isdigit()):
        return False
    for word in words[1:]:
        bare = word.strip("()'’-")
        if not bare:
            continue
        if word.startswith("(") or bare[0].isupper() or bare[0].isdigit():
            continue
        if bare.casefold() in _PARTICLES or "_" in bare:
            continue
        return False
    return True


def is_generic_label(label: str) -> bool:
    return bool(_GENERIC.match(label.strip()))


def is_not_speaker(label: str) -> bool:
    return label.strip().casefold() in NOT_SPEAKERS


def _multiword_name(label: str) -> bool:
    words = label.split()
    capitals = [w for w in words if w[:1].isupper()]
    return len(words) >= 2 and len(capitals) >= 2 and name_like(label)


def credible_labels(candidates: Sequence[tuple[str, bool]], units: int) -> set[str]:
    """Which syntactic labels are speakers (casefolded set). See the module docstring.

    `candidates` holds one (label, strong) pair per line/cue that starts with a label; `strong`
    is True when that line also carries its own timestamp. `units` is the number of lines or
    cues in the file (the denominator for "labelled lines make up half of the file").
    """
    usable = [(lab, strong) for lab, strong in candidates if not is_not_speaker(lab)]
    counts = Counter(lab.casefold() for lab, _ in usable)
    recurring = sum(1 for n in counts.values() if n >= 2)
    dominated = units > 0 and len(usable) * 2 >= units
    once_ok = recurring == 1 or (recurring == 0 and dominated)
    accepted: set[str] = set()
    for lab, strong in usable:
        key = lab.casefold()
        if key in accepted:
            continue
        if is_generic_label(lab):
            accepted.add(key)
        elif counts[key] >= 2:
            if name_like(lab) or len(lab.split()) <= 2:
                accepted.add(key)
        elif name_like(lab) and (strong or _multiword_name(lab) or once_ok):
            accepted.add(key)
    return accepted


# ---------------------------------------------------------------- cue payloads -> segments

_VOICE = re.compile(r"<v(?:\.[^\s>]*)?(?:\s+(?P<name>[^>]*))?>", re.IGNORECASE)
_VOICE_END = re.compile(r"</v\s*>", re.IGNORECASE)
_WS = re.compile(r"\s+")


@dataclass(slots=True)
class _Piece:
    text: str
    speaker: str | None  # from a voice tag or JSON payload: always a speaker
    label: str | None  # a "Naam:" prefix still to be judged
    start: float | None
    end: float | None


def _clean(text: str) -> str:
    return _WS.sub(" ", strip_markup(text)).strip()


def _json_payload(payload: str) -> tuple[str | None, str] | None:
    """Teams metadataContent: a JSON object with speakerName/spokenText as the cue payload."""
    stripped = payload.strip()
    if not (stripped.startswith("{") and stripped.endswith("}")):
        return None
    try:
        doc = json.loads(stripped)
    except (ValueError, RecursionError):
        return None
    if not isinstance(doc, dict) or not isinstance(doc.get("spokenText"), str):
        return None
    name = doc.get("speakerName")
    return (name.strip() or None) if isinstance(name, str) else None, doc["spokenText"]


def _cue_pieces(cue: Cue) -> list[_Piece]:
    payload = "\n".join(cue.lines)
    meta = _json_payload(payload)
    if meta is not None:
        return [_Piece(_clean(meta[1]), meta[0], None, cue.start, cue.end)]
    pieces: list[_Piece] = []
    voices = list(_VOICE.finditer(payload))
    if voices:
        spans: list[tuple[str | None, str]] = [(None, payload[: voices[0].start()])]
        for i, v in enumerate(voices):
            stop = voices[i + 1].start() if i + 1 < len(voices) else len(payload)
            name = _clean(v.group("name") or "") or None
            spans.append((name, _VOICE_END.sub(" ", payload[v.end() : stop])))
        for name, body in spans:
            text = _clean(body)
            if text:
                pieces.append(_Piece(text, name, None, cue.start, cue.end))
        return pieces
    for line in cue.lines:
        text = _clean(line)
        if not text:
            continue
        label = split_label(text)
        if label is not None:
            pieces.append(_Piece(label[1], None, label[0], cue.start, cue.end))
        elif pieces:
            pieces[-1].text = f"{pieces[-1].text} {text}"
        else:
            pieces.append(_Piece(text, None, None, cue.start, cue.end))
    return pieces


def cue_segments(cues: Sequence[Cue], fmt: str) -> tuple[tuple[RawSegment, ...], dict[str, str]]:
    """Segments from VTT/SRT cues: voice tags, Teams JSON payloads or judged "Naam:" prefixes.

    A cue (or the text before the first voice tag) with no speaker marker continues the previous
    segment's speaker: Zoom and SRT exports split one turn over several cues and only some carry
    the name. Before the first marker the speaker is None.
    """
    if not cues:
        raise ReadError(ErrorCode.MALFORMED, f"{fmt}: no cues with a timing line")
    bad = sum(1 for c in cues if not c.timing_ok)
    if bad * 2 > len(cues):
        raise ReadError(ErrorCode.MALFORMED, f"{fmt}: {bad} of {len(cues)} cues have unreadable times")
    per_cue = [_cue_pieces(c) for c in cues]
    candidates = [(p.label, False) for pieces in per_cue for p in pieces if p.label is not None]
    accepted = credible_labels(candidates, len(cues))
    segments: list[RawSegment] = []
    speaker: str | None = None
    inherited = 0
    for pieces in per_cue:
        for p in pieces:
            text = p.text.strip()
            if p.speaker is not None:
                speaker = p.speaker
            elif p.label is not None and p.label.casefold() in accepted:
                speaker = p.label
            else:
                if p.label is not None:  # a rejected label: its words are text
                    text = f"{p.label}: {text}".strip()
                if speaker is not None:
                    inherited += 1
            if text:
                segments.append(RawSegment(text=text, speaker=speaker, start=p.start, end=p.end))
    meta = {"cues": str(len(cues))}
    if bad:
        meta["cues_with_bad_times"] = str(bad)
    if inherited:
        meta["cues_speaker_inherited"] = str(inherited)
    return tuple(segments), meta
