"""Speechmatics legacy v1 JSON.

`{job: {...}, speakers: [{name, time, duration}], words: [{name, time, duration, confidence}]}`,
every number a string. Punctuation words (".") glue to the word before. Speakers are separate
time spans joined to words by the word's start time (a word outside every span keeps the previous
word's speaker). Segments are runs of one speaker.
"""

from __future__ import annotations

from typing import Any

from pipeline.raw import RawTranscript
from pipeline.readers._common import (
    Word,
    as_dict,
    as_list,
    finish,
    first_dict,
    inherit_speakers,
    is_punctuation,
    label,
    opt_list,
    opt_text,
    seconds,
    speaker_runs,
)

FORMAT = "speechmatics"


def matches(doc: Any) -> bool:
    if not isinstance(doc, dict) or not isinstance(doc.get("words"), list):
        return False
    head = first_dict(doc["words"])
    if head is not None:
        return "name" in head and "time" in head
    return isinstance(doc.get("speakers"), list) or isinstance(doc.get("job"), dict)


def _span(value: dict[str, Any], where: str) -> tuple[float | None, float | None]:
    start = seconds(value.get("time"), FORMAT, f"{where}.time")
    duration = seconds(value.get("duration"), FORMAT, f"{where}.duration")
    end = round(start + duration, 7) if start is not None and duration is not None else None
    return start, end


def read(doc: Any) -> RawTranscript:
    doc = as_dict(doc, FORMAT, "document")
    spans: list[tuple[float, float, str]] = []
    for i, raw in enumerate(opt_list(doc.get("speakers"), FORMAT, "speakers")):
        sp = as_dict(raw, FORMAT, f"speakers[{i}]")
        name = label(sp.get("name"), FORMAT, f"speakers[{i}].name")
        start, end = _span(sp, f"speakers[{i}]")
        if name is not None and start is not None:
            spans.append((start, end if end is not None else start, name))
    words: list[Word] = []
    for j, raw in enumerate(as_list(doc.get("words"), FORMAT, "words")):
        w = as_dict(raw, FORMAT, f"words[{j}]")
        text = opt_text(w.get("name"), FORMAT, f"words[{j}].name")
        start, end = _span(w, f"words[{j}]")
        attach = is_punctuation(text)
        speaker = None if attach or start is None else _speaker_at(spans, start)
        words.append(Word(text, speaker, start, end, attach))
    return finish(FORMAT, speaker_runs(inherit_speakers(words, None)))


def _speaker_at(spans: list[tuple[float, float, str]], t: float) -> str | None:
    for start, end, name in spans:
        if start <= t < end or start == t:
            return name
    return None
