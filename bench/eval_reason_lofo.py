"""Reason classifier, leave one author out. Not a test.

Each `data/train/moments*.jsonl` file was written by a different author. For each file: train the reason
model (the shipped training arguments, `neecoach train`'s split) on the other files, then read the held-out
file's moments as mini-calls (context, the customer turn, next turns; as in bench/eval_blend.py) with the
real detector, the reason model blended at several weights (0 = rules only). Prints reason macro-F1 per held
out file and the mean, and the model alone. This measures wording the model and the rules have not seen,
which a random K-fold over one author's sentences flatters. data/holdout is never read.

    .venv/bin/python bench/eval_reason_lofo.py [--weights 0,0.4,0.6,0.8] [--marked-later] [--seed 0]

`--marked-later` reproduces the input of models v1/v2 (the customer's later words prefixed "later_").
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pipeline.modelstore import keep_torch_out  # noqa: E402

keep_torch_out()

import pipeline.detect.engine as engine_mod  # noqa: E402
from bench.eval_blend import TRAIN_DIR, _rows, mini_calls, predict_rows, textcat_args  # noqa: E402
from pipeline.config import load_settings  # noqa: E402
from pipeline.detect import DetectSettings  # noqa: E402
from pipeline.detect.engine import Models  # noqa: E402
from pipeline.evaluate import macro_f1  # noqa: E402
from pipeline.labels import REASONS  # noqa: E402
from pipeline.modelstore import load_classifier  # noqa: E402
from pipeline.nlp import build_nlp  # noqa: E402
from pipeline.textinputs import reason_input, words  # noqa: E402
from pipeline.train.data import Example, split  # noqa: E402
from pipeline.train.spacy_textcat import train_textcat  # noqa: E402

Input = Callable[[str, str], str]


def marked_later(text: str, later: str = "") -> str:
    """The reason input of models v1/v2: later words marked, first 24."""
    return " ".join([*words(text), *(f"later_{w}" for w in words(later)[:24])])


def _moments(path: Path) -> list[dict[str, Any]]:
    out = []
    for r in _rows(path):
        if r.get("moment"):
            later = " ".join(str(t.get("text", "")) for t in (r.get("next") or []) if t.get("role") == "customer")
            out.append({**r, "_later": later})
    return out


def _train(rows: list[dict[str, Any]], make: Input, out: Path, seed: int) -> Any:
    examples = [Example("reason", make(r["text"], r["_later"]), r["reason"], r["id"], "lofo") for r in rows]
    tr, val = split(examples, 0.2, seed)
    args = textcat_args(None)
    train_textcat(list(REASONS), tr, val, args.__class__(**{**args.__dict__, "seed": seed}), out / "model")
    (out / "meta.json").write_text(json.dumps({"task": "reason", "version": "lofo", "backend": "spacy-bow",
                                               "labels": list(REASONS)}), encoding="utf-8")
    return load_classifier(out, "reason")


def run(weights: Sequence[float], make: Input, seed: int) -> dict[str, dict[str, float]]:
    settings = load_settings()
    base = {**settings.section("detect"), "model_weight": 0.0, "response_model_weight": 0.0}
    nlp = build_nlp(settings.section("nlp"))
    files = sorted(TRAIN_DIR.glob("moments*.jsonl"))
    data = {f.name: _moments(f) for f in files}
    engine_mod.reason_input = make  # type: ignore[assignment]  # the run-time input must match the training one
    table: dict[str, dict[str, float]] = {}
    try:
        for held in data:
            train = [r for name, rows in data.items() if name != held for r in rows]
            rows = data[held]
            with tempfile.TemporaryDirectory(prefix="neecoach-lofo-") as tmp:
                clf = _train(train, make, Path(tmp), seed)
                probs = clf.predict_proba([make(r["text"], r["_later"]) for r in rows])
                alone = [(r["reason"], max(p, key=p.get)) for r, p in zip(rows, probs, strict=True)]
                res = {"model alone": macro_f1(alone, list(REASONS))}
                utts, target = mini_calls(rows)
                for w in weights:
                    ds = DetectSettings.from_mapping({**base, "reason_model_weight": w})
                    pred = predict_rows(utts, target, nlp, ds, Models(reason=clf) if w else None)
                    pairs = [(r["reason"], pred[r["id"]]["reason"] or "") for r in rows if pred[r["id"]]["moment"]]
                    res[f"w {w:g}"] = macro_f1(pairs, list(REASONS))
            table[held] = res
            print(f"  {held}: done", file=sys.stderr)
    finally:
        engine_mod.reason_input = reason_input  # type: ignore[assignment]
    cols = list(next(iter(table.values())))
    table["mean"] = {c: sum(t[c] for t in table.values()) / len(table) for c in cols}
    return table


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--weights", default="0,0.4,0.6,0.8")
    ap.add_argument("--marked-later", action="store_true")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    weights = [float(x) for x in a.weights.split(",") if x.strip()]
    table = run(weights, marked_later if a.marked_later else reason_input, a.seed)
    cols = list(table["mean"])
    print(f"{'held-out file':<24}" + "".join(f"{c:>13}" for c in cols))
    for name, row in table.items():
        print(f"{name:<24}" + "".join(f"{row[c]:>13.3f}" for c in cols))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
