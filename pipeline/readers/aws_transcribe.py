"""Amazon Transcribe batch JSON.

`results.items[]` is a flat token stream with string times; punctuation items have no times and
glue to the previous word. The speaker comes from, in this order: the item's `speaker_label`,
the `results.speaker_labels.segments[].items[]` that covers the item (matched by its times),
the item's `channel_label` (channel identification: the channel label is the speaker). Items no
speaker segment covers (a cut-off file) keep the previous item's speaker. Segments are runs of
one speaker. Without items, the transcript text is read as one segment without speaker.
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
    label,
    opt_list,
    opt_text,
    seconds,
    segment,
    speaker_runs,
)

FORMAT = "aws_transcribe"


def matches(doc: Any) -> bool:
    if not isinstance(doc, dict):
        return False
    results = doc.get("results")
    if not isinstance(results, dict) or "channels" in results:
        return False
    return "items" in results or "transcripts" in results


def read(doc: Any) -> RawTranscript:
    results = as_dict(as_dict(doc, FORMAT, "document").get("results"), FORMAT, "results")
    items = opt_list(results.get("items"), FORMAT, "results.items")
    channel_items = _channel_items(results)
    labelled = any(isinstance(it, dict) and ("channel_label" in it or "speaker_label" in it) for it in items)
    if channel_items and not labelled:
        items = channel_items
    if not items:
        return finish(FORMAT, [segment(_transcript(results), None, None, None)])

    by_time, spans = _speaker_segments(results)
    words: list[Word] = []
    for i, raw in enumerate(items):
        where = f"results.items[{i}]"
        item = as_dict(raw, FORMAT, where)
        alts = as_list(item.get("alternatives"), FORMAT, f"{where}.alternatives")
        text = (
            opt_text(
                as_dict(alts[0], FORMAT, f"{where}.alternatives[0]").get("content"),
                FORMAT,
                f"{where}.content",
            )
            if alts
            else ""
        )
        start = seconds(item.get("start_time"), FORMAT, f"{where}.start_time")
        end = seconds(item.get("end_time"), FORMAT, f"{where}.end_time")
        attach = item.get("type") == "punctuation"
        speaker = label(item.get("speaker_label"), FORMAT, f"{where}.speaker_label")
        if speaker is None and not attach and start is not None:
            speaker = by_time.get((start, end)) or _covering(spans, start)
        if speaker is None:
            speaker = label(item.get("channel_label"), FORMAT, f"{where}.channel_label")
        words.append(Word(text, speaker, start, end, attach))
    return finish(FORMAT, speaker_runs(inherit_speakers(words, None)))


def _transcript(results: dict[str, Any]) -> str:
    transcripts = opt_list(results.get("transcripts"), FORMAT, "results.transcripts")
    head = first_dict(transcripts)
    return opt_text(head.get("transcript"), FORMAT, "results.transcripts[0].transcript") if head else ""


def _channel_items(results: dict[str, Any]) -> list[Any]:
    """Items of `channel_labels.channels[]`, each stamped with its channel label."""
    labels = results.get("channel_labels")
    if labels is None:
        return []
    channels = opt_list(
        as_dict(labels, FORMAT, "results.channel_labels").get("channels"),
        FORMAT,
        "results.channel_labels.channels",
    )
    out: list[Any] = []
    for c, raw in enumerate(channels):
        channel = as_dict(raw, FORMAT, f"results.channel_labels.channels[{c}]")
        name = channel.get("channel_label")
        for j, item in enumerate(opt_list(channel.get("items"), FORMAT, f"channels[{c}].items")):
            item = as_dict(item, FORMAT, f"channels[{c}].items[{j}]")
            out.append({"channel_label": name, **item})
    return out


def _speaker_segments(
    results: dict[str, Any],
) -> tuple[dict[tuple[float | None, float | None], str], list[tuple[float, float, str]]]:
    labels = results.get("speaker_labels")
    if labels is None:
        return {}, []
    segs = opt_list(
        as_dict(labels, FORMAT, "results.speaker_labels").get("segments"),
        FORMAT,
        "results.speaker_labels.segments",
    )
    by_time: dict[tuple[float | None, float | None], str] = {}
    spans: list[tuple[float, float, str]] = []
    for s, raw in enumerate(segs):
        where = f"speaker_labels.segments[{s}]"
        seg = as_dict(raw, FORMAT, where)
        name = label(seg.get("speaker_label"), FORMAT, f"{where}.speaker_label")
        if name is None:
            continue
        start = seconds(seg.get("start_time"), FORMAT, f"{where}.start_time")
        end = seconds(seg.get("end_time"), FORMAT, f"{where}.end_time")
        if start is not None and end is not None:
            spans.append((start, end, name))
        for j, item in enumerate(opt_list(seg.get("items"), FORMAT, f"{where}.items")):
            item = as_dict(item, FORMAT, f"{where}.items[{j}]")
            key = (
                seconds(item.get("start_time"), FORMAT, f"{where}.items[{j}].start_time"),
                seconds(item.get("end_time"), FORMAT, f"{where}.items[{j}].end_time"),
            )
            by_time[key] = label(item.get("speaker_label"), FORMAT, f"{where}.items[{j}]") or name
    return by_time, spans


def _covering(spans: list[tuple[float, float, str]], t: float) -> str | None:
    for start, end, name in spans:
        if start <= t < end:
            return name
    return None
