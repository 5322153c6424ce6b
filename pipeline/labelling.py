"""Active learning: the detector's least-confident customer utterances as Label Studio tasks.

`neecoach export-for-labelling WS --n 200 --out tasks.json` writes the tasks and, beside them,
`label_config.xml` (the Label Studio labelling interface). Annotators label in Label Studio; its
JSON export comes back through `neecoach train` as a `label_studio` data source.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from pipeline.config import Settings
from pipeline.errors import ErrorCode, UsageError
from pipeline.labels import REASONS, RESPONSES
from pipeline.textinputs import reply_after

LABEL_CONFIG = """<View>
  <Header value="Wat de verkoper zei"/>
  <Text name="before" value="$before"/>
  <Header value="Klant (beoordeel deze beurt)"/>
  <Text name="text" value="$text"/>
  <Header value="Reactie van de verkoper"/>
  <Text name="reply" value="$reply"/>
  <Text name="later" value="$later"/>
  <Choices name="moment" toName="text" choice="single" required="true">
    <Choice value="moment" hint="weigert, wijst af of maakt bezwaar"/>
    <Choice value="no_moment" hint="instemming, geruststelling, zelfcorrectie, neutraal antwoord"/>
  </Choices>
  <Choices name="response" toName="reply" choice="single" visibleWhen="choice-selected"
           whenTagName="moment" whenChoiceValue="moment">
{responses}
  </Choices>
  <Choices name="reason" toName="text" choice="single" visibleWhen="choice-selected"
           whenTagName="moment" whenChoiceValue="moment">
{reasons}
  </Choices>
</View>
""".format(
    responses="\n".join(f'    <Choice value="{r}"/>' for r in RESPONSES),
    reasons="\n".join(f'    <Choice value="{r}"/>' for r in REASONS),
)


def _read(ws: Path, name: str) -> pl.DataFrame:
    path = ws / f"{name}.parquet"
    if not path.exists():
        raise UsageError(ErrorCode.INPUT_MISSING, f"{path}: run `neecoach run` into this workspace first")
    return pl.read_parquet(path)


def candidate_scores(utts: pl.DataFrame, settings: Settings) -> pl.Series:
    """The detector's moment score for every utterance (0 where no rule or model saw a 'nee')."""
    from pipeline.detect.engine import Engine

    det = Engine.load(settings).detect(utts)
    scores = det.utterance_features.select("call_id", "idx", "moment_score")
    joined = utts.select("call_id", "idx").join(scores, on=["call_id", "idx"], how="left")
    return joined["moment_score"].fill_null(0.0)


def export_tasks(ws: Path, settings: Settings, n: int, threshold: float | None = None) -> list[dict[str, Any]]:
    utts = _read(ws, "utterances").sort(["call_id", "idx"])
    if threshold is None:
        threshold = float(settings.section("detect").get("moment_threshold", 0.5))
    scored = utts.with_columns(candidate_scores(utts, settings).alias("score"))
    by_call = {cid: frame.to_dicts() for (cid,), frame in scored.group_by(["call_id"], maintain_order=True)}
    rows: list[dict[str, Any]] = []
    for cid, call in by_call.items():
        for i, u in enumerate(call):
            if u["role"] != "customer":
                continue
            before = next((x["text"] for x in reversed(call[:i]) if x["role"] == "seller"), "")
            reply = reply_after((x["role"], x["text"]) for x in call[i + 1:])
            later = " ".join(x["text"] for x in call[i + 1:i + 5] if x["role"] == "customer")
            margin = abs(float(u["score"]) - threshold)
            rows.append({"call_id": cid, "utt_idx": int(u["idx"]), "before": before, "text": u["text"],
                         "reply": reply, "later": later, "model_score": round(float(u["score"]), 4),
                         "_margin": margin})
    rows.sort(key=lambda r: (r["_margin"], r["call_id"], r["utt_idx"]))
    tasks = []
    for k, r in enumerate(rows[:n], 1):
        r.pop("_margin")
        guess = "moment" if r["model_score"] >= threshold else "no_moment"
        tasks.append({
            "id": k,
            "data": r,
            "predictions": [{
                "model_version": "neecoach",
                "score": r["model_score"],
                "result": [{"from_name": "moment", "to_name": "text", "type": "choices",
                            "value": {"choices": [guess]}}],
            }],
        })
    return tasks
