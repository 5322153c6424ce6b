"""Per-class precision/recall/F1, macro-F1, accuracy and a confusion matrix. Pure."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any


def classification_report(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> dict[str, Any]:
    per_class: dict[str, dict[str, float]] = {}
    f1s = []
    for lab in labels:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == lab and p == lab)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if g != lab and p == lab)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == lab and p != lab)
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        per_class[lab] = {"precision": round(prec, 4), "recall": round(rec, 4), "f1": round(f1, 4),
                          "support": tp + fn}
        if tp + fp + fn:
            f1s.append(f1)
    acc = sum(1 for g, p in zip(gold, pred, strict=True) if g == p) / len(gold) if gold else 0.0
    confusion = {f"{g}->{p}": n for (g, p), n in sorted(Counter(zip(gold, pred, strict=True)).items())}
    return {
        "accuracy": round(acc, 4),
        "macro_f1": round(sum(f1s) / len(f1s), 4) if f1s else 0.0,
        "n": len(gold),
        "per_class": per_class,
        "confusion": confusion,
    }
