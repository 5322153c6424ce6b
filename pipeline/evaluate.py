"""Score detections against a labelled set, exactly as ../shared/acceptance/score.py does.

`score(gold_rows, manifest_rows, calls_df, moments_df)` takes the parsed gold.jsonl rows, the manifest
rows (dicts with at least call_id and rep), the calls table and the moments table, and returns the
same dict (same keys, same matching, same rounding) as the acceptance script. `format_table(result)`
renders it for a terminal, with the response confusion matrix.

Matching: a gold moment matches a detected moment of the same call when the gold quote (lower-cased,
whitespace collapsed) lies inside the detected utterance's text; each detection matches at most one
gold moment, in call order.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

import polars as pl

from pipeline.labels import REASONS, RESPONSES

_WS = re.compile(r"\s+")


def norm(text: str | None) -> str:
    return _WS.sub(" ", (text or "").lower()).strip()


def prf(tp: int, fp: int, fn: int) -> dict[str, Any]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "tp": tp, "fp": fp, "fn": fn}


def macro_f1(pairs: list[tuple[str, str]], labels: list[str]) -> float:
    scores = []
    for label in labels:
        tp = sum(1 for g, p in pairs if g == label and p == label)
        fp = sum(1 for g, p in pairs if g != label and p == label)
        fn = sum(1 for g, p in pairs if g == label and p != label)
        if tp + fp + fn:
            scores.append(prf(tp, fp, fn)["f1"])
    return round(sum(scores) / len(scores), 4) if scores else 0.0


def score(
    gold_rows: Iterable[Mapping[str, Any]],
    manifest_rows: Iterable[Mapping[str, Any]],
    calls_df: pl.DataFrame,
    moments_df: pl.DataFrame,
) -> dict[str, Any]:
    gold = {row["call_id"]: row for row in gold_rows}
    manifest = {row["call_id"]: row for row in manifest_rows if row.get("call_id")}
    missing_calls = sorted(set(gold) - set(calls_df["call_id"].to_list()))

    det_by_call: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in moments_df.sort(["call_id", "utt_idx"]).iter_rows(named=True):
        det_by_call[row["call_id"]].append(row)

    tp = fp = fn = 0
    response_pairs: list[tuple[str, str]] = []
    reason_pairs: list[tuple[str, str]] = []
    why_hits = why_total = 0
    false_alarms = hard_negatives = 0
    gold_rep: dict[str, Counter[str]] = defaultdict(Counter)
    det_rep: dict[str, Counter[str]] = defaultdict(Counter)
    for call_id, g in gold.items():
        dets = det_by_call.get(call_id, [])
        used: set[int] = set()
        for m in g["moments"]:
            q = norm(m["quote"])
            hit = next((i for i, d in enumerate(dets) if i not in used and q in norm(d["text"])), None)
            if hit is None:
                fn += 1
                continue
            used.add(hit)
            tp += 1
            d = dets[hit]
            response_pairs.append((m["response"], d.get("response") or ""))
            reason_pairs.append((m["reason"], d.get("reason") or ""))
            why_total += 1
            why_hits += int(bool(d.get("asked_why_first")) == (m["response"] == "explore"))
        fp += len(dets) - len(used)
        for quote in g.get("not_moments", []):
            q = norm(quote)
            hard_negatives += 1
            if any(i not in used and q in norm(d["text"]) for i, d in enumerate(dets)):
                false_alarms += 1
        rep = manifest.get(call_id, {}).get("rep") or g.get("rep") or "?"
        for m in g["moments"]:
            gold_rep[rep][m["response"]] += 1
            gold_rep[rep]["_n"] += 1
        for d in dets:
            det_rep[rep][d.get("response") or ""] += 1
            det_rep[rep]["_n"] += 1

    dq_tp = dq_fp = dq_fn = 0
    dq_col = "disqualifiers" in calls_df.columns
    dqs_by_call = (
        {r["call_id"]: set(r["disqualifiers"] or []) for r in calls_df.iter_rows(named=True)} if dq_col else {}
    )
    disc_errors = []
    disc_by_call = {}
    if "discovery_questions_before_first_nee" in calls_df.columns:
        disc_by_call = {r["call_id"]: r["discovery_questions_before_first_nee"] for r in calls_df.iter_rows(named=True)}
    for call_id, g in gold.items():
        want = set(g.get("disqualifiers", []))
        got = dqs_by_call.get(call_id, set())
        dq_tp += len(want & got)
        dq_fp += len(got - want)
        dq_fn += len(want - got)
        if call_id in disc_by_call and disc_by_call[call_id] is not None:
            disc_errors.append(abs(disc_by_call[call_id] - g.get("discovery_questions_before_first_nee", 0)))

    rate_errors = []
    for rep, counts in gold_rep.items():
        if counts["_n"]:
            gold_rate = counts["explore"] / counts["_n"]
            det = det_rep.get(rep, Counter())
            det_rate = det["explore"] / det["_n"] if det["_n"] else 0.0
            rate_errors.append(abs(gold_rate - det_rate))

    return {
        "calls": {"gold": len(gold), "missing_from_workspace": missing_calls},
        "moments": prf(tp, fp, fn),
        "hard_negative_false_alarm_rate": round(false_alarms / hard_negatives, 4) if hard_negatives else 0.0,
        "response": {
            "accuracy": round(sum(g == p for g, p in response_pairs) / len(response_pairs), 4)
            if response_pairs
            else 0.0,
            "macro_f1": macro_f1(response_pairs, list(RESPONSES)),
            "confusion": {f"{g}->{p}": n for (g, p), n in sorted(Counter(response_pairs).items())},
        },
        "asked_why_first_accuracy": round(why_hits / why_total, 4) if why_total else 0.0,
        "reason": {
            "accuracy": round(sum(g == p for g, p in reason_pairs) / len(reason_pairs), 4) if reason_pairs else 0.0,
            "macro_f1": macro_f1(reason_pairs, list(REASONS)),
        },
        "disqualifiers": prf(dq_tp, dq_fp, dq_fn) if dq_col else None,
        "discovery_questions_mae": round(sum(disc_errors) / len(disc_errors), 3) if disc_errors else None,
        "rep_ask_why_rate_mae": round(sum(rate_errors) / len(rate_errors), 4) if rate_errors else None,
    }


TARGETS: dict[str, tuple[str, float]] = {
    "moment F1": (">=", 0.90),
    "hard-negative false alarms": ("<=", 0.10),
    "response accuracy": (">=", 0.85),
    "asked-why-first accuracy": (">=", 0.92),
    "reason macro-F1": (">=", 0.75),
    "disqualifier F1": (">=", 0.85),
    "discovery-question MAE": ("<=", 0.75),
    "rep ask-why-rate error": ("<=", 0.05),
}


def headline(result: Mapping[str, Any]) -> dict[str, float | None]:
    dq = result.get("disqualifiers")
    return {
        "moment F1": result["moments"]["f1"],
        "hard-negative false alarms": result["hard_negative_false_alarm_rate"],
        "response accuracy": result["response"]["accuracy"],
        "asked-why-first accuracy": result["asked_why_first_accuracy"],
        "reason macro-F1": result["reason"]["macro_f1"],
        "disqualifier F1": dq["f1"] if dq else None,
        "discovery-question MAE": result["discovery_questions_mae"],
        "rep ask-why-rate error": result["rep_ask_why_rate_mae"],
    }


def format_table(result: Mapping[str, Any]) -> str:
    """A plain-text report: headline metrics against targets, moment counts, response confusion matrix."""
    lines = [f"{'metric':<28} {'value':>8}  {'target':>8}  ok"]
    lines.append("-" * 52)
    for name, value in headline(result).items():
        op, target = TARGETS[name]
        if value is None:
            lines.append(f"{name:<28} {'-':>8}  {op}{target:>6}  -")
            continue
        ok = value >= target if op == ">=" else value <= target
        lines.append(f"{name:<28} {value:>8.4f}  {op}{target:>6}  {'yes' if ok else 'NO'}")
    m = result["moments"]
    lines.append("")
    lines.append(
        f"moments: tp {m['tp']}  fp {m['fp']}  fn {m['fn']}  precision {m['precision']:.4f}  recall {m['recall']:.4f}"
    )
    missing = result.get("calls", {}).get("missing_from_workspace") or []
    if missing:
        lines.append(f"calls missing from the workspace: {', '.join(missing)}")
    conf = result["response"]["confusion"]
    got_labels = sorted({k.split("->", 1)[1] for k in conf} - set(RESPONSES))
    cols = list(RESPONSES) + got_labels
    lines.append("")
    lines.append("response confusion (rows gold, columns detected)")
    lines.append(f"{'':<10}" + "".join(f"{c or '(none)':>10}" for c in cols))
    for g in RESPONSES:
        lines.append(f"{g:<10}" + "".join(f"{conf.get(f'{g}->{c}', 0):>10}" for c in cols))
    return "\n".join(lines)
