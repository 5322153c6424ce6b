"""Deepgram pre-recorded API JSON.

The speaker is taken from each WORD (an utterance's own `speaker` can be wrong: a single
utterance may hold several speakers), so utterances are split where the word speaker changes.
Word text is `punctuated_word` when present. Without any speaker, utterances become segments
with speaker None; with several audio channels and no speaker, the channel ("ch_0", "ch_1")
is the speaker. Without utterances, the words of `results.channels[].alternatives[0]` are used.
"""

from __future__ import annotations

from typing import Any

from pipeline.raw import RawSegment, RawTranscript
from pipeline.readers._common import (
    Word,
    as_dict,
    as_list,
    finish,
    inherit_speakers,
    label,
    opt_list,
    opt_text,
    seconds,
    segment,
    speaker_runs,
)

FORMAT = "deepgram"


def matches(doc: Any) -> bool:
    if not isinstance(doc, dict):
        return False
    results = doc.get("results")
    return isinstance(results, dict) and ("channels" in results or "utterances" in results)


def read(doc: Any) -> RawTranscript:
    results = as_dict(as_dict(doc, FORMAT, "document").get("results"), FORMAT, "results")
    utterances = opt_list(results.get("utterances"), FORMAT, "results.utterances")
    channels = opt_list(results.get("channels"), FORMAT, "results.channels")
    if utterances:
        multichannel = (
            len(channels) > 1 or len({repr(u.get("channel")) for u in utterances if isinstance(u, dict)}) > 1
        )
        segments: list[RawSegment] = []
        for i, raw in enumerate(utterances):
            segments.extend(_utterance(as_dict(raw, FORMAT, f"results.utterances[{i}]"), i, multichannel))
        return finish(FORMAT, segments)
    segments = []
    for c, raw in enumerate(channels):
        where = f"results.channels[{c}]"
        channel = as_dict(raw, FORMAT, where)
        alts = as_list(channel.get("alternatives"), FORMAT, f"{where}.alternatives")
        if not alts:
            continue
        alt = as_dict(alts[0], FORMAT, f"{where}.alternatives[0]")
        default = f"ch_{c}" if len(channels) > 1 else None
        words = _words(opt_list(alt.get("words"), FORMAT, f"{where}.words"), where, default)
        if words:
            segments.extend(speaker_runs(words))
        else:
            text = opt_text(alt.get("transcript"), FORMAT, f"{where}.transcript")
            segments.append(segment(text, default, None, None))
    return finish(FORMAT, segments)


def _channel_label(value: Any, where: str) -> str | None:
    name = label(value, FORMAT, where)
    return None if name is None else f"ch_{name}"


def _words(items: list[Any], where: str, default: str | None) -> list[Word]:
    words: list[Word] = []
    for j, raw in enumerate(items):
        w = as_dict(raw, FORMAT, f"{where}.words[{j}]")
        text = w.get("punctuated_word")
        if text is None:
            text = w.get("word")
        words.append(
            Word(
                text=opt_text(text, FORMAT, f"{where}.words[{j}].word"),
                speaker=label(w.get("speaker"), FORMAT, f"{where}.words[{j}].speaker"),
                start=seconds(w.get("start"), FORMAT, f"{where}.words[{j}].start"),
                end=seconds(w.get("end"), FORMAT, f"{where}.words[{j}].end"),
            )
        )
    return inherit_speakers(words, default)


def _utterance(utt: dict[str, Any], i: int, multichannel: bool) -> list[RawSegment]:
    where = f"results.utterances[{i}]"
    speaker = label(utt.get("speaker"), FORMAT, f"{where}.speaker")
    if speaker is None and multichannel:
        speaker = _channel_label(utt.get("channel"), f"{where}.channel")
    start = seconds(utt.get("start"), FORMAT, f"{where}.start")
    end = seconds(utt.get("end"), FORMAT, f"{where}.end")
    text = opt_text(utt.get("transcript"), FORMAT, f"{where}.transcript")
    words_raw = opt_list(utt.get("words"), FORMAT, f"{where}.words")
    words = _words(words_raw, where, speaker)
    if any(isinstance(w, dict) and w.get("speaker") is not None for w in words_raw):
        runs = speaker_runs(words)
        if len(runs) > 1 or not text.strip():
            return runs
        return [segment(text, runs[0].speaker if runs else speaker, start, end)]
    if not text.strip():
        text = " ".join(w.text.strip() for w in words if w.text.strip())
    return [segment(text, speaker, start, end)]
