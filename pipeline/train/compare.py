"""Compare two model directories of one task on the same labelled examples."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.errors import ErrorCode, UsageError
from pipeline.modelstore import load_classifier, read_info
from pipeline.textinputs import MOMENT_WITH_REPLY
from pipeline.train.data import from_eval_set
from pipeline.train.metrics import classification_report


def score_model(path: Path, set_dir: Path) -> dict[str, Any]:
    info = read_info(path)
    reply = info.meta.get("inputs") == MOMENT_WITH_REPLY
    examples = [e for e in from_eval_set(set_dir, moment_reply=reply) if e.task == info.task]
    clf = load_classifier(path, info.task)
    probs = clf.predict_proba([e.text for e in examples])
    preds = [max(p, key=lambda k: p[k]) for p in probs]
    return classification_report([e.label for e in examples], preds, info.labels)


def compare_models(a: Path, b: Path, set_dir: Path | None) -> str:
    ia, ib = read_info(a), read_info(b)
    if ia.task != ib.task:
        raise UsageError(ErrorCode.MODEL_INVALID, f"different tasks: {ia.task} vs {ib.task}")
    if set_dir is not None:
        ra, rb = score_model(a, set_dir), score_model(b, set_dir)
        where = f"on {set_dir} ({ra['n']} examples)"
    else:
        ra, rb = ia.metrics.get("validation", {}), ib.metrics.get("validation", {})
        where = "on each model's own validation split (pass --set to compare on the same calls)"
    lines = [f"{ia.task}: {a}  vs  {b}", where, f"{'metric':<22}{'A':>9}{'B':>9}{'B-A':>9}"]

    def row(name: str, x: float, y: float) -> None:
        lines.append(f"{name:<22}{x:>9.3f}{y:>9.3f}{y - x:>+9.3f}")

    row("accuracy", ra.get("accuracy", 0.0), rb.get("accuracy", 0.0))
    row("macro-F1", ra.get("macro_f1", 0.0), rb.get("macro_f1", 0.0))
    for lab in ia.labels:
        fa = ra.get("per_class", {}).get(lab, {}).get("f1", 0.0)
        fb = rb.get("per_class", {}).get(lab, {}).get("f1", 0.0)
        row(f"F1 {lab}", fa, fb)
    return "\n".join(lines)
