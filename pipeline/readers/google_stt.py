"""Google Cloud Speech-to-Text JSON (v1 REST or Node/protobuf serialisation).

`{results: [{alternatives: [{transcript, words: [{startTime, endTime, word, speakerTag}]}],
resultEndTime?, channelTag?}]}`, optionally wrapped as a long-running operation's `response`.
Times are "12.900s" strings or `{"seconds": "12", "nanos": 900000000}` objects.

With diarisation only the LAST result carries speakers: it repeats every word of the file with a
`speakerTag`, so speakers (runs of one tag) come from that result alone. Without speaker tags each
result is one segment with speaker None (or its channel, "ch_1", when there are several).
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

FORMAT = "google_stt"


def _results(doc: Any) -> Any:
    if isinstance(doc, dict) and "results" not in doc and isinstance(doc.get("response"), dict):
        return doc["response"].get("results")
    return doc.get("results") if isinstance(doc, dict) else None


def matches(doc: Any) -> bool:
    head = first_dict(_results(doc))
    return head is not None and isinstance(head.get("alternatives"), list)


def _alt(result: Any, where: str) -> dict[str, Any] | None:
    alts = as_list(as_dict(result, FORMAT, where).get("alternatives"), FORMAT, f"{where}.alternatives")
    return as_dict(alts[0], FORMAT, f"{where}.alternatives[0]") if alts else None


def _tag(w: dict[str, Any], where: str) -> str | None:
    tag = w.get("speakerTag", w.get("speakerLabel"))
    if tag == 0:  # protobuf default: "no speaker"
        return None
    return label(tag, FORMAT, f"{where}.speakerTag")


def _words(alt: dict[str, Any], where: str) -> tuple[list[Word], bool]:
    words: list[Word] = []
    tagged = False
    for j, raw in enumerate(opt_list(alt.get("words"), FORMAT, f"{where}.words")):
        wh = f"{where}.words[{j}]"
        w = as_dict(raw, FORMAT, wh)
        speaker = _tag(w, wh)
        tagged = tagged or speaker is not None
        words.append(
            Word(
                text=opt_text(w.get("word"), FORMAT, f"{wh}.word"),
                speaker=speaker,
                start=seconds(w.get("startTime", w.get("startOffset")), FORMAT, f"{wh}.startTime"),
                end=seconds(w.get("endTime", w.get("endOffset")), FORMAT, f"{wh}.endTime"),
            )
        )
    return words, tagged


def read(doc: Any) -> RawTranscript:
    as_dict(doc, FORMAT, "document")
    results = as_list(_results(doc), FORMAT, "results")
    alts = [_alt(r, f"results[{i}]") for i, r in enumerate(results)]
    last = next((i for i in range(len(alts) - 1, -1, -1) if alts[i] is not None), None)
    if last is not None:
        alt = alts[last]
        assert alt is not None
        words, tagged = _words(alt, f"results[{last}]")
        if tagged:
            return finish(FORMAT, speaker_runs(inherit_speakers(words, None)), {"speakers": "last_result"})

    channel_tags = {repr(r.get("channelTag")) for r in results if isinstance(r, dict)}
    segments: list[RawSegment] = []
    prev_end: float | None = None
    for i, (result, alt) in enumerate(zip(results, alts, strict=True)):
        where = f"results[{i}]"
        result_end = seconds(
            result.get("resultEndTime", result.get("resultEndOffset")), FORMAT, f"{where}.resultEndTime"
        )
        if alt is None:
            prev_end = result_end if result_end is not None else prev_end
            continue
        words, _ = _words(alt, where)
        text = opt_text(alt.get("transcript"), FORMAT, f"{where}.transcript")
        if not text.strip():
            text = " ".join(w.text.strip() for w in words if w.text.strip())
        starts = [w.start for w in words if w.start is not None]
        ends = [w.end for w in words if w.end is not None]
        start = starts[0] if starts else prev_end
        end = ends[-1] if ends else result_end
        speaker = None
        if len(channel_tags) > 1:
            tag = label(result.get("channelTag"), FORMAT, f"{where}.channelTag")
            speaker = None if tag is None else f"ch_{tag}"
        segments.append(segment(text, speaker, start, end))
        prev_end = result_end if result_end is not None else end
    return finish(FORMAT, segments)
