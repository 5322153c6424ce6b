"""Helpers shared by the JSON readers: shape checks, time parsing, labels, word runs.

Everything here is pure. Every problem raises a coded `ReadError` whose detail names keys and
types only, never transcript text.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.errors import ErrorCode, ReadError
from pipeline.raw import RawSegment, RawTranscript

TICKS_PER_SECOND = 10_000_000  # Azure: 1 tick = 100 ns

_ISO_DURATION = re.compile(
    r"^(?P<sign>-)?P(?:(?P<d>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$",
    re.IGNORECASE,
)


def malformed(fmt: str, detail: str) -> ReadError:
    return ReadError(ErrorCode.MALFORMED, f"{fmt}: {detail}")


# --- shape checks -------------------------------------------------------------------------------


def as_dict(value: Any, fmt: str, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise malformed(fmt, f"{where} is {type_name(value)}, expected an object")
    return value


def as_list(value: Any, fmt: str, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise malformed(fmt, f"{where} is {type_name(value)}, expected a list")
    return value


def opt_list(value: Any, fmt: str, where: str) -> list[Any]:
    """A list, or [] when the key is absent or null."""
    return [] if value is None else as_list(value, fmt, where)


def opt_text(value: Any, fmt: str, where: str) -> str:
    """A string, or "" when absent or null. Numbers are accepted (a word can be "1")."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _number_text(value, fmt, where)
    raise malformed(fmt, f"{where} is {type_name(value)}, expected text")


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def first_dict(value: Any) -> dict[str, Any] | None:
    """The first element of a list when it is an object (for sniffing; never raises)."""
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return value[0]
    return None


# --- speaker labels -----------------------------------------------------------------------------


def label(value: Any, fmt: str, where: str) -> str | None:
    """A speaker label as the file names it: strings as they are, ints as str(int); blank -> None."""
    if value is None:
        return None
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _number_text(value, fmt, where)
    raise malformed(fmt, f"{where} is {type_name(value)}, expected a speaker label")


def _number_text(value: float, fmt: str, where: str) -> str:
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        raise malformed(fmt, f"{where} is not a finite number")
    return str(int(value)) if value.is_integer() else str(value)


# --- times --------------------------------------------------------------------------------------


def _finite(value: float, fmt: str, where: str) -> float:
    if not math.isfinite(value):
        raise malformed(fmt, f"{where} is not a finite time")
    return value


def _number(value: Any, fmt: str, where: str) -> float:
    """A JSON number or a numeric string ("0.860") as a finite float."""
    if isinstance(value, bool):
        raise malformed(fmt, f"{where} is a boolean, expected a time")
    if isinstance(value, int | float):
        try:
            return _finite(float(value), fmt, where)
        except OverflowError:
            raise malformed(fmt, f"{where} is out of range") from None
    if isinstance(value, str):
        try:
            return _finite(float(value.strip()), fmt, where)
        except ValueError:
            raise malformed(fmt, f"{where} is not a number") from None
    raise malformed(fmt, f"{where} is {type_name(value)}, expected a time")


def iso_duration(text: str, fmt: str, where: str) -> float:
    """ISO-8601 duration such as "PT7.48S" or "PT1M2.5S" -> seconds."""
    m = _ISO_DURATION.match(text.strip())
    if not m or not any(m.group(k) for k in ("d", "h", "m", "s")):
        raise malformed(fmt, f"{where} is not an ISO-8601 duration")
    total = (
        float(m.group("d") or 0) * 86400
        + float(m.group("h") or 0) * 3600
        + float(m.group("m") or 0) * 60
        + float(m.group("s") or 0)
    )
    return _finite(-total if m.group("sign") else total, fmt, where)


def _looks_iso(text: str) -> bool:
    return text.lstrip("-")[:1] in ("P", "p")


def seconds(value: Any, fmt: str, where: str) -> float | None:
    """Seconds from any of: 12.9, "12.900", "12.900s", "PT12.9S", {"seconds": "12", "nanos": 9e8}.

    None (absent) stays None.
    """
    if value is None:
        return None
    if isinstance(value, dict):
        secs = value.get("seconds")
        nanos = value.get("nanos")
        if secs is None and nanos is None and value:
            raise malformed(fmt, f"{where} has neither seconds nor nanos")
        total = (_number(secs, fmt, where) if secs is not None else 0.0) + (
            _number(nanos, fmt, where) / 1e9 if nanos is not None else 0.0
        )
        return _finite(total, fmt, where)
    if isinstance(value, str):
        text = value.strip()
        if _looks_iso(text):
            return iso_duration(text, fmt, where)
        if text[-1:] in ("s", "S"):
            text = text[:-1]
        return _number(text, fmt, where)
    return _number(value, fmt, where)


def millis(value: Any, fmt: str, where: str) -> float | None:
    """Integer (or numeric string) milliseconds -> seconds."""
    if value is None:
        return None
    return _number(value, fmt, where) / 1000.0


def ticks(value: Any, fmt: str, where: str) -> float | None:
    """Azure time: a number of 100 ns ticks, or an ISO-8601 duration string -> seconds."""
    if value is None:
        return None
    if isinstance(value, str) and _looks_iso(value.strip()):
        return iso_duration(value, fmt, where)
    return _number(value, fmt, where) / TICKS_PER_SECOND


# --- words and runs -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Word:
    """One token. `attach` means: glue to the previous token without a space (punctuation)."""

    text: str
    speaker: str | None = None
    start: float | None = None
    end: float | None = None
    attach: bool = False


def is_punctuation(text: str) -> bool:
    """True for tokens made only of punctuation ("." "," "?!")."""
    stripped = text.strip()
    return bool(stripped) and all(unicodedata.category(ch).startswith("P") for ch in stripped)


def join_words(words: Iterable[Word]) -> str:
    out: list[str] = []
    for w in words:
        token = w.text.strip()
        if not token:
            continue
        if out and not w.attach:
            out.append(" ")
        out.append(token)
    return "".join(out)


def speaker_runs(words: Sequence[Word]) -> list[RawSegment]:
    """Consecutive words of the same speaker -> one segment each (file order kept).

    Attached punctuation always stays with the word before it.
    """
    runs: list[list[Word]] = []
    for w in words:
        if runs and (w.attach or w.speaker == runs[-1][0].speaker):
            runs[-1].append(w)
        else:
            runs.append([w])
    out: list[RawSegment] = []
    for run in runs:
        text = join_words(run)
        if not text:
            continue
        starts = [w.start for w in run if w.start is not None]
        ends = [w.end for w in run if w.end is not None]
        out.append(
            RawSegment(
                text=text,
                speaker=run[0].speaker,
                start=starts[0] if starts else None,
                end=ends[-1] if ends else None,
            )
        )
    return out


def inherit_speakers(words: Sequence[Word], default: str | None) -> list[Word]:
    """Words without a speaker take the previous word's speaker, else `default`."""
    out: list[Word] = []
    current = default
    for w in words:
        if w.speaker is not None:
            current = w.speaker
            out.append(w)
        else:
            out.append(Word(w.text, current, w.start, w.end, w.attach))
    return out


def segment(text: str, speaker: str | None, start: float | None, end: float | None) -> RawSegment:
    return RawSegment(text=text.strip(), speaker=speaker, start=start, end=end)


def finish(fmt: str, segments: Iterable[RawSegment], meta: dict[str, str] | None = None) -> RawTranscript:
    """Drop empty segments; no text at all -> NO_SPEECH."""
    kept = tuple(s for s in segments if s.text.strip())
    if not kept:
        raise ReadError(ErrorCode.NO_SPEECH, f"{fmt} file holds no spoken text")
    return RawTranscript(format=fmt, segments=kept, meta=dict(meta or {}))
