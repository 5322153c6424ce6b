"""Azure AI Speech JSON: batch transcription results and real-time (Speech SDK) results.

Batch: `{recognizedPhrases: [{channel, speaker?, offset|offsetInTicks, duration|durationInTicks|
durationTicks, nBest: [{display, ...}]}]}`. Speaker is an int from 1 (kept as "1", "2").
Real-time: a list of (or one) `{RecognitionStatus, Offset, Duration, SpeakerId?, NBest: [{Display}]
| DisplayText}` in PascalCase, times in ticks (100 ns). Key spellings drift between versions, so
keys are looked up case-insensitively. Without speakers, several channels become "ch_0", "ch_1".
"""

from __future__ import annotations

from typing import Any

from pipeline.raw import RawSegment, RawTranscript
from pipeline.readers._common import (
    as_dict,
    as_list,
    finish,
    label,
    opt_list,
    opt_text,
    segment,
    ticks,
)

FORMAT = "azure_speech"

_SKIP_STATUS = {"nomatch", "initialsilencetimeout", "babbletimeout", "error", "endofdictation"}


def _is_realtime(item: Any) -> bool:
    return isinstance(item, dict) and (
        "NBest" in item or "RecognitionStatus" in item or "DisplayText" in item
    )


def matches(doc: Any) -> bool:
    if isinstance(doc, dict):
        return isinstance(doc.get("recognizedPhrases"), list) or _is_realtime(doc)
    return isinstance(doc, list) and bool(doc) and _is_realtime(doc[0])


def _get(obj: dict[str, Any], *names: str) -> Any:
    """First present key among `names`, compared case-insensitively."""
    lowered = {k.lower(): v for k, v in obj.items() if isinstance(k, str)}
    for name in names:
        if name.lower() in lowered:
            return lowered[name.lower()]
    return None


def read(doc: Any) -> RawTranscript:
    if isinstance(doc, dict) and "recognizedPhrases" in doc:
        phrases = as_list(doc.get("recognizedPhrases"), FORMAT, "recognizedPhrases")
        shape = "batch"
    elif isinstance(doc, list):
        phrases, shape = doc, "realtime"
    else:
        phrases, shape = [as_dict(doc, FORMAT, "document")], "realtime"
    items = [as_dict(p, FORMAT, f"recognizedPhrases[{i}]") for i, p in enumerate(phrases)]
    channels = {repr(_get(p, "channel")) for p in items}
    segments: list[RawSegment] = []
    for i, phrase in enumerate(items):
        where = f"recognizedPhrases[{i}]"
        status = _get(phrase, "recognitionStatus")
        if isinstance(status, str) and status.lower() in _SKIP_STATUS:
            continue
        speaker = label(_get(phrase, "speaker", "speakerId"), FORMAT, f"{where}.speaker")
        if speaker is None and len(channels) > 1:
            channel = label(_get(phrase, "channel"), FORMAT, f"{where}.channel")
            speaker = None if channel is None else f"ch_{channel}"
        start = _time(phrase, "offset", where)
        duration = _time(phrase, "duration", where)
        end = round(start + duration, 7) if start is not None and duration is not None else None
        segments.append(segment(_text(phrase, where), speaker, start, end))
    return finish(FORMAT, segments, {"shape": shape})


def _time(phrase: dict[str, Any], name: str, where: str) -> float | None:
    value = _get(phrase, f"{name}InTicks", f"{name}Ticks", name)
    return ticks(value, FORMAT, f"{where}.{name}")


def _text(phrase: dict[str, Any], where: str) -> str:
    nbest = opt_list(_get(phrase, "nBest"), FORMAT, f"{where}.nBest")
    if nbest:
        best = as_dict(nbest[0], FORMAT, f"{where}.nBest[0]")
        text = opt_text(_get(best, "display"), FORMAT, f"{where}.nBest[0].display")
        if not text.strip():
            text = opt_text(_get(best, "itn", "lexical"), FORMAT, f"{where}.nBest[0].itn")
        return text
    return opt_text(_get(phrase, "displayText", "display", "text"), FORMAT, f"{where}.displayText")
