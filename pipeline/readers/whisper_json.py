"""Whisper-family JSON: OpenAI Whisper CLI, whisperX (diarised) and whisper-timestamped.

Shapes read:
- `{"segments": [{start, end, text, speaker?, words?[...]}], ...}` (all three tools; neecoach's
  dev/eval sets use the whisperX style with a speaker per segment).
- a bare list of segments (whisperX `result["segments"]` dumped on its own).
- a bare list of words `[{"word", "start"?, "end"?, "score"?, "speaker"?}]` (a whisperX
  `words`/`word_segments` list on its own): read as one run of words, split at speaker changes.

Words use `word` (Whisper, whisperX) or `text` (whisper-timestamped). whisperX words may lack a
speaker (they inherit the previous word's, else the segment's) and numerals may lack times.
When words carry speakers, a segment is split where the word speaker changes.

The transcript's `format` names the variant: "whisperx" (any speaker or a `score`),
"whisper_timestamped" (words with `text`), else "whisper".
"""

from __future__ import annotations

from typing import Any

from pipeline.raw import RawSegment, RawTranscript
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

FORMAT = "whisper"
_WHISPERX = "whisperx"
_TIMESTAMPED = "whisper_timestamped"


def _is_segment(item: dict[str, Any]) -> bool:
    return "text" in item and ("start" in item or "end" in item or "words" in item or "speaker" in item)


def _is_word(item: dict[str, Any]) -> bool:
    return "word" in item and "text" not in item


def matches(doc: Any) -> bool:
    if isinstance(doc, dict):
        return isinstance(doc.get("segments"), list)
    head = first_dict(doc)
    return head is not None and (_is_segment(head) or _is_word(head))


def read(doc: Any) -> RawTranscript:
    if isinstance(doc, dict):
        items = as_list(doc.get("segments"), FORMAT, "segments")
        extra_whisperx = "word_segments" in doc
    else:
        items = as_list(doc, FORMAT, "document")
        extra_whisperx = False
    head = first_dict(items)
    if isinstance(doc, list) and head is not None and _is_word(head):
        words = _words(items, "words", default=None)
        variant = _variant([], items)
        return finish(variant, speaker_runs(words), {"shape": "words"})

    segments: list[RawSegment] = []
    all_words: list[Any] = []
    seg_dicts: list[dict[str, Any]] = []
    for i, raw in enumerate(items):
        seg = as_dict(raw, FORMAT, f"segments[{i}]")
        seg_dicts.append(seg)
        words_raw = opt_list(seg.get("words"), FORMAT, f"segments[{i}].words")
        all_words.extend(words_raw)
        segments.extend(_segment(seg, words_raw, i))
    variant = _WHISPERX if extra_whisperx else _variant(seg_dicts, all_words)
    return finish(variant, segments)


def _variant(segs: list[dict[str, Any]], words: list[Any]) -> str:
    word_dicts = [w for w in words if isinstance(w, dict)]
    if any(s.get("speaker") is not None for s in segs) or any(
        w.get("speaker") is not None or "score" in w for w in word_dicts
    ):
        return _WHISPERX
    if any("text" in w and "word" not in w for w in word_dicts):
        return _TIMESTAMPED
    return FORMAT


def _words(items: list[Any], where: str, default: str | None) -> list[Word]:
    words: list[Word] = []
    for j, raw in enumerate(items):
        w = as_dict(raw, FORMAT, f"{where}[{j}]")
        text = opt_text(w.get("word", w.get("text")), FORMAT, f"{where}[{j}].word")
        words.append(
            Word(
                text=text,
                speaker=label(w.get("speaker"), FORMAT, f"{where}[{j}].speaker"),
                start=seconds(w.get("start"), FORMAT, f"{where}[{j}].start"),
                end=seconds(w.get("end"), FORMAT, f"{where}[{j}].end"),
            )
        )
    return inherit_speakers(words, default)


def _segment(seg: dict[str, Any], words_raw: list[Any], i: int) -> list[RawSegment]:
    where = f"segments[{i}]"
    text = opt_text(seg.get("text"), FORMAT, f"{where}.text")
    speaker = label(seg.get("speaker"), FORMAT, f"{where}.speaker")
    start = seconds(seg.get("start"), FORMAT, f"{where}.start")
    end = seconds(seg.get("end"), FORMAT, f"{where}.end")
    words = _words(words_raw, f"{where}.words", default=speaker)
    word_speakers = any(isinstance(w, dict) and w.get("speaker") is not None for w in words_raw)
    if not word_speakers:
        if not text.strip() and words:
            text = " ".join(w.text.strip() for w in words if w.text.strip())
        return [segment(text, speaker, start, end)]
    runs = speaker_runs(words)
    if len(runs) <= 1:
        run_speaker = runs[0].speaker if runs else speaker
        return [segment(text if text.strip() else (runs[0].text if runs else ""), run_speaker, start, end)]
    # Split at the word speaker changes; the outer runs fall back on the segment's own times.
    first, last = runs[0], runs[-1]
    runs[0] = RawSegment(
        first.text, first.speaker, first.start if first.start is not None else start, first.end
    )
    runs[-1] = RawSegment(last.text, last.speaker, last.start, last.end if last.end is not None else end)
    return runs
