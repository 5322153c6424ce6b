"""Rev.ai transcript JSON (`application/vnd.rev.transcript.v1.0+json`).

`{monologues: [{speaker: 0, speaker_name?, elements: [{type: "text", value, ts, end_ts} |
{type: "punct", value}]}]}`. Spaces are punct elements, so the text is the elements' values
concatenated. The speaker sits on the monologue (int kept as "0"); consecutive monologues may
share a speaker (merging is normalisation's job).
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
    seconds,
    segment,
)

FORMAT = "revai"


def matches(doc: Any) -> bool:
    return isinstance(doc, dict) and isinstance(doc.get("monologues"), list)


def read(doc: Any) -> RawTranscript:
    monologues = as_list(as_dict(doc, FORMAT, "document").get("monologues"), FORMAT, "monologues")
    segments: list[RawSegment] = []
    for i, raw in enumerate(monologues):
        where = f"monologues[{i}]"
        mono = as_dict(raw, FORMAT, where)
        speaker = label(mono.get("speaker"), FORMAT, f"{where}.speaker")
        if speaker is None:
            speaker = label(mono.get("speaker_name"), FORMAT, f"{where}.speaker_name")
        parts: list[str] = []
        start: float | None = None
        end: float | None = None
        for j, el_raw in enumerate(opt_list(mono.get("elements"), FORMAT, f"{where}.elements")):
            el = as_dict(el_raw, FORMAT, f"{where}.elements[{j}]")
            parts.append(opt_text(el.get("value"), FORMAT, f"{where}.elements[{j}].value"))
            ts = seconds(el.get("ts"), FORMAT, f"{where}.elements[{j}].ts")
            end_ts = seconds(el.get("end_ts"), FORMAT, f"{where}.elements[{j}].end_ts")
            if start is None and ts is not None:
                start = ts
            if end_ts is not None:
                end = end_ts
        segments.append(segment("".join(parts), speaker, start, end))
    return finish(FORMAT, segments)
