"""AssemblyAI v2 transcript JSON.

Times are integer milliseconds; speakers are letters ("A", "B"). Segments come from
`utterances` (one per speaker turn). Without utterances (diarisation off, or null), the
top-level `words` are read as runs of one speaker; without words, the top-level `text`.
"""

from __future__ import annotations

from typing import Any

from pipeline.raw import RawSegment, RawTranscript
from pipeline.readers._common import (
    Word,
    as_dict,
    finish,
    first_dict,
    label,
    millis,
    opt_list,
    opt_text,
    segment,
    speaker_runs,
)

FORMAT = "assemblyai"

# Keys only an AssemblyAI transcript object has (besides words/utterances).
_MARKERS = ("audio_url", "acoustic_model", "language_model", "speaker_labels", "audio_duration")


def matches(doc: Any) -> bool:
    if not isinstance(doc, dict) or "segments" in doc or "results" in doc or "speakers" in doc:
        return False
    if "utterances" not in doc and "words" not in doc:
        return False
    if any(key in doc for key in _MARKERS):
        return True
    head = first_dict(doc.get("utterances")) or first_dict(doc.get("words"))
    return head is not None and "text" in head and "start" in head


def read(doc: Any) -> RawTranscript:
    doc = as_dict(doc, FORMAT, "document")
    utterances = opt_list(doc.get("utterances"), FORMAT, "utterances")
    segments: list[RawSegment] = []
    if utterances:
        for i, raw in enumerate(utterances):
            where = f"utterances[{i}]"
            utt = as_dict(raw, FORMAT, where)
            text = opt_text(utt.get("text"), FORMAT, f"{where}.text")
            if not text.strip():
                text = " ".join(w.text for w in _words(utt.get("words"), f"{where}.words"))
            segments.append(
                segment(
                    text,
                    label(utt.get("speaker"), FORMAT, f"{where}.speaker"),
                    millis(utt.get("start"), FORMAT, f"{where}.start"),
                    millis(utt.get("end"), FORMAT, f"{where}.end"),
                )
            )
        return finish(FORMAT, segments)
    words = _words(doc.get("words"), "words")
    if words:
        return finish(FORMAT, speaker_runs(words))
    return finish(FORMAT, [segment(opt_text(doc.get("text"), FORMAT, "text"), None, None, None)])


def _words(value: Any, where: str) -> list[Word]:
    words: list[Word] = []
    for j, raw in enumerate(opt_list(value, FORMAT, where)):
        w = as_dict(raw, FORMAT, f"{where}[{j}]")
        words.append(
            Word(
                text=opt_text(w.get("text"), FORMAT, f"{where}[{j}].text"),
                speaker=label(w.get("speaker"), FORMAT, f"{where}[{j}].speaker"),
                start=millis(w.get("start"), FORMAT, f"{where}[{j}].start"),
                end=millis(w.get("end"), FORMAT, f"{where}[{j}].end"),
            )
        )
    return words
