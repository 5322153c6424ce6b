"""Rules vs rules + trained models, measured fairly. Not a test.

1. K-fold over data/train/moments*.jsonl (split by id, seeded): the three classifiers are trained on
   K-1 folds (seller_turns.jsonl joins every fold's training, minus turns that answer a held-out
   item); each held-out row becomes a mini-call (context turns, the customer `text`, the `next`
   turns) that the real detector reads (build_nlp + DetectSettings + an engine.Models adapter around
   the fold's classifiers) under each weight setting. The rules were written before data/train
   existed, so this is rules vs rules + model on data neither has seen.
   Per setting: moment accuracy / F1 on the target utterance; response accuracy and reason macro-F1
   on the rows that are gold moments and detected as such (pooled over the folds).
2. The same settings on data/samples and ../shared/eval/dev through the whole pipeline
   (`neecoach evaluate`'s code path, scored by pipeline.evaluate.score) with the shipped models
   (models/*/<version of configs/train/default.toml>, trained on data/train). The rules were tuned on
   samples and dev: they flatter rules-only. data/valid (36 calls written independently, later used to
   find rule gaps) is the fairer of the three.

data/holdout (the blind set) is never read.

    .venv/bin/python bench/eval_blend.py [--folds 5] [--seed 0] [--max-epochs 30] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pipeline.modelstore import keep_torch_out  # noqa: E402

keep_torch_out()

import polars as pl  # noqa: E402

from pipeline.detect import DetectSettings, detect  # noqa: E402
from pipeline.detect.engine import Models  # noqa: E402
from pipeline.evaluate import macro_f1  # noqa: E402
from pipeline.labels import REASONS, RESPONSES  # noqa: E402
from pipeline.modelstore import TASK_LABELS, load_classifier  # noqa: E402
from pipeline.train.data import from_neecoach, split  # noqa: E402
from pipeline.train.runner import load_train_config  # noqa: E402
from pipeline.train.spacy_textcat import TextcatArgs, train_textcat  # noqa: E402

TRAIN_DIR = ROOT / "data" / "train"
SETS = {
    "samples": ROOT / "data" / "samples",
    "valid": ROOT / "data" / "valid",
    "valid2": ROOT / "data" / "valid2",
    "dev": ROOT.parent / "shared" / "eval" / "dev",
}


@dataclass(frozen=True)
class Weights:
    moment: float = 0.0
    response: float = 0.0
    reason: float = 0.0

    @property
    def name(self) -> str:
        if not (self.moment or self.response or self.reason):
            return "rules only"
        return f"m{self.moment:g} r{self.response:g} re{self.reason:g}"

    def detect_settings(self, base: dict[str, Any]) -> DetectSettings:
        return DetectSettings.from_mapping({**base, "model_weight": self.moment,
                                            "response_model_weight": self.response,
                                            "reason_model_weight": self.reason})


def default_grid() -> list[Weights]:
    grid = [Weights()]
    grid += [Weights(moment=w) for w in (0.2, 0.3, 0.4, 0.5, 0.6, 0.7)]
    grid += [Weights(response=w) for w in (0.3, 0.5, 0.6, 0.7, 0.8, 0.9)]
    grid += [Weights(reason=w) for w in (0.3, 0.5, 0.6, 0.7, 0.8, 0.9)]
    return grid


def parse_weights(spec: str) -> Weights:
    """ "m0.3,r0.4,re0.5" -> Weights(0.3, 0.4, 0.5)."""
    vals = {"m": 0.0, "r": 0.0, "re": 0.0}
    for part in filter(None, spec.split(",")):
        m = re.fullmatch(r"(re|r|m)([0-9.]+)", part.strip())
        if not m:
            raise SystemExit(f"bad weight setting {spec!r} (want e.g. m0.3,r0.4,re0.5)")
        vals[m.group(1)] = float(m.group(2))
    return Weights(vals["m"], vals["r"], vals["re"])


def _rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _norm(text: str) -> str:
    return re.sub(r"[^\w]+", " ", text.lower()).strip()


def fold_of(row_id: str, k: int, seed: int) -> int:
    import hashlib

    d = hashlib.sha256(f"{seed}:{row_id}".encode()).digest()
    return int.from_bytes(d[:8], "big") % k


def textcat_args(max_epochs: int | None) -> TextcatArgs:
    cfg = load_train_config(ROOT / "configs" / "train" / "default.toml").get("train", {})
    known = {f.name for f in fields(TextcatArgs)}
    args = {k: v for k, v in cfg.items() if k in known}
    if max_epochs is not None:
        args["max_epochs"] = max_epochs
    return TextcatArgs(**args)


def train_models(train_rows: list[dict[str, Any]], seller_rows: list[dict[str, Any]], out: Path,
                 args: TextcatArgs, val_fraction: float, tag: str) -> Models:
    """The three classifiers on these rows, exactly as `neecoach train` builds examples and splits them."""
    data = out / "data"
    data.mkdir(parents=True, exist_ok=True)
    (data / "moments.jsonl").write_text("".join(json.dumps(r) + "\n" for r in train_rows), encoding="utf-8")
    (data / "seller_turns.jsonl").write_text("".join(json.dumps(r) + "\n" for r in seller_rows), encoding="utf-8")
    examples = from_neecoach(data)
    loaded = {}
    for task, labels in TASK_LABELS.items():
        tr, val = split([e for e in examples if e.task == task], val_fraction, args.seed)
        d = out / task
        train_textcat(labels, tr, val, args, d / "model")
        (d / "meta.json").write_text(json.dumps({"task": task, "version": tag, "backend": "spacy-bow",
                                                 "labels": list(labels)}), encoding="utf-8")
        loaded[task] = load_classifier(d, task)
    return Models(moment=loaded["moment"], response=loaded["response"], reason=loaded["reason"],
                  tags={t: f"{t}/{tag}" for t in loaded})


def mini_calls(rows: list[dict[str, Any]]) -> tuple[pl.DataFrame, dict[str, int]]:
    """One call per row: context turns, the customer's `text`, the next turns. Returns (utterances, target idx)."""
    out: list[dict[str, Any]] = []
    target: dict[str, int] = {}
    for r in rows:
        turns = [*(r.get("context") or []), {"role": "customer", "text": r["text"]}, *(r.get("next") or [])]
        target[r["id"]] = len(r.get("context") or [])
        for i, t in enumerate(turns):
            role = "seller" if t.get("role") == "seller" else "customer"
            out.append({"call_id": r["id"], "idx": i, "speaker": role, "role": role,
                        "start_s": None, "end_s": None, "text": str(t.get("text", ""))})
    schema = {"call_id": pl.String(), "idx": pl.Int64(), "speaker": pl.String(), "role": pl.String(),
              "start_s": pl.Float64(), "end_s": pl.Float64(), "text": pl.String()}
    return pl.DataFrame(out, schema=schema), target


def predict_rows(utts: pl.DataFrame, target: dict[str, int], nlp: Any, settings: DetectSettings,
                 models: Models | None) -> dict[str, dict[str, Any]]:
    det = detect(utts, nlp, settings, models).moments
    got: dict[str, dict[str, Any]] = {}
    for m in det.iter_rows(named=True):
        if target.get(m["call_id"]) == m["utt_idx"]:
            got[m["call_id"]] = m
    return {rid: {"moment": rid in got, "response": got.get(rid, {}).get("response"),
                  "reason": got.get(rid, {}).get("reason")} for rid in target}


def metrics(rows: list[dict[str, Any]], pred: dict[str, dict[str, Any]]) -> dict[str, Any]:
    tp = fp = fn = tn = 0
    resp_pairs: list[tuple[str, str]] = []
    reason_pairs: list[tuple[str, str]] = []
    for r in rows:
        p = pred[r["id"]]
        gold = bool(r["moment"])
        tp += gold and p["moment"]
        fp += (not gold) and p["moment"]
        fn += gold and not p["moment"]
        tn += (not gold) and not p["moment"]
        if gold and p["moment"]:
            resp_pairs.append((r["response"], p["response"] or ""))
            reason_pairs.append((r["reason"], p["reason"] or ""))
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    return {
        "moment_acc": (tp + tn) / len(rows) if rows else 0.0,
        "moment_f1": 2 * prec * rec / (prec + rec) if prec + rec else 0.0,
        "moment_p": prec, "moment_r": rec,
        "n_both": len(resp_pairs),
        "response_acc": sum(g == p for g, p in resp_pairs) / len(resp_pairs) if resp_pairs else 0.0,
        "response_f1": macro_f1(resp_pairs, list(RESPONSES)),
        "reason_acc": sum(g == p for g, p in reason_pairs) / len(reason_pairs) if reason_pairs else 0.0,
        "reason_f1": macro_f1(reason_pairs, list(REASONS)),
    }


def wins_losses(rows: list[dict[str, Any]], base: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]],
                field: str) -> tuple[int, int]:
    """(rows the setting fixed, rows it broke) against rules only, on rows both detect as moments."""
    win = loss = 0
    for r in rows:
        b, n = base[r["id"]], new[r["id"]]
        if field == "moment":
            ok_b, ok_n = b["moment"] == bool(r["moment"]), n["moment"] == bool(r["moment"])
        else:
            if not (r["moment"] and b["moment"] and n["moment"]):
                continue
            ok_b, ok_n = b[field] == r[field], n[field] == r[field]
        win += ok_n and not ok_b
        loss += ok_b and not ok_n
    return win, loss


def kfold(grid: Sequence[Weights], k: int, seed: int, args: TextcatArgs, base: dict[str, Any], nlp: Any,
          ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    rows = [r for path in sorted(TRAIN_DIR.glob("moments*.jsonl")) for r in _rows(path)]
    sellers = _rows(TRAIN_DIR / "seller_turns.jsonl") if (TRAIN_DIR / "seller_turns.jsonl").exists() else []
    val_fraction = float(load_train_config(ROOT / "configs" / "train" / "default.toml")
                         .get("train", {}).get("val_fraction", 0.2))
    preds: dict[str, dict[str, dict[str, Any]]] = {w.name: {} for w in grid}
    info: dict[str, Any] = {"folds": []}
    for f in range(k):
        t0 = time.perf_counter()
        held = [r for r in rows if fold_of(r["id"], k, seed) == f]
        train = [r for r in rows if fold_of(r["id"], k, seed) != f]
        held_texts = {_norm(r["text"]) for r in held}
        # a seller turn whose customer context is a held-out target would leak it into training
        sel = [s for s in sellers
               if not any(_norm(str(c.get("text", ""))) in held_texts for c in (s.get("context") or []))]
        with tempfile.TemporaryDirectory(prefix="neecoach-kfold-") as tmp:
            models = train_models(train, sel, Path(tmp), args, val_fraction, f"fold{f}")
            t_train = time.perf_counter() - t0
            utts, target = mini_calls(held)
            for w in grid:
                preds[w.name].update(predict_rows(utts, target, nlp, w.detect_settings(base), models))
        info["folds"].append({"fold": f, "held_out": len(held), "train": len(train),
                              "seller_turns": len(sel), "train_s": round(t_train, 1),
                              "total_s": round(time.perf_counter() - t0, 1)})
        print(f"  fold {f}: held out {len(held)}, trained on {len(train)} (+{len(sel)} seller turns) "
              f"in {t_train:.0f}s, {time.perf_counter() - t0:.0f}s in all", file=sys.stderr)
    table = []
    base_pred = preds[Weights().name]
    for w in grid:
        m = metrics(rows, preds[w.name])
        for field in ("moment", "response", "reason"):
            m[f"{field}_fixed"], m[f"{field}_broken"] = wins_losses(rows, base_pred, preds[w.name], field)
        table.append({"setting": w.name, "weights": w.__dict__, **m})
    return table, info


def eval_sets(grid: Sequence[Weights], model_dirs: dict[str, Path], sets: Sequence[str],
              ) -> dict[str, list[dict[str, Any]]]:
    from pipeline.config import load_settings
    from pipeline.evaluate import score
    from pipeline.evaluate_cmd import read_gold
    from pipeline.run import RunRequest, execute

    def evaluate_set(set_dir: Path, cfg: Path) -> dict[str, Any]:
        """`neecoach evaluate` (evaluate_cmd.evaluate_set) in this process: one worker, no process pool."""
        gold, manifest = read_gold(set_dir)
        with tempfile.TemporaryDirectory(prefix="neecoach-eval-") as ws_tmp:
            ws = Path(ws_tmp) / "ws"
            execute(RunRequest((set_dir / "calls",), ws, load_settings(cfg), manifest=set_dir / "manifest.csv",
                               reports=False, workers=1))
            calls = pl.read_parquet(ws / "calls.parquet")
            moments = pl.read_parquet(ws / "moments.parquet")
        return score(gold, manifest, calls, moments)

    out: dict[str, list[dict[str, Any]]] = {}
    for name in sets:
        set_dir = SETS[name]
        if not (set_dir / "gold.jsonl").exists():
            print(f"  {name}: {set_dir} not available, skipped", file=sys.stderr)
            continue
        out[name] = []
        for w in grid:
            with tempfile.TemporaryDirectory(prefix="neecoach-blend-") as tmp:
                cfg = Path(tmp) / "config.toml"
                models = "".join(f'{t} = "{model_dirs[t] if w.__dict__[t] > 0 else ""}"\n' for t in TASK_LABELS)
                cfg.write_text(
                    f"[detect]\nmodel_weight = {w.moment}\nresponse_model_weight = {w.response}\n"
                    f"reason_model_weight = {w.reason}\n[models]\n{models}", encoding="utf-8")
                res = evaluate_set(set_dir, cfg)
            out[name].append({
                "setting": w.name, "weights": w.__dict__,
                "moment_f1": res["moments"]["f1"], "moment_tp_fp_fn": [res["moments"][x] for x in ("tp", "fp", "fn")],
                "hard_neg_fa": res["hard_negative_false_alarm_rate"],
                "response_acc": res["response"]["accuracy"], "asked_why_acc": res["asked_why_first_accuracy"],
                "reason_f1": res["reason"]["macro_f1"], "reason_acc": res["reason"]["accuracy"],
                "disqualifier_f1": (res["disqualifiers"] or {}).get("f1"),
            })
            print(f"  {name} {w.name}: done", file=sys.stderr)
    return out


def _fmt(table: list[dict[str, Any]], cols: Sequence[str]) -> str:
    width = {c: max(9, len(c) + 1) for c in cols}
    head = f"{'setting':<20}" + "".join(f"{c:>{width[c]}}" for c in cols)
    lines = [head, "-" * len(head)]
    for row in table:
        cells = []
        for c in cols:
            v = row[c]
            cells.append(f"{v:>{width[c]}.4f}" if isinstance(v, float) else f"{v!s:>{width[c]}}")
        lines.append(f"{row['setting']:<20}" + "".join(cells))
    return "\n".join(lines)


def _shipped_version() -> str:
    import tomllib

    cfg = ROOT / "configs" / "train" / "default.toml"
    return str(tomllib.loads(cfg.read_text(encoding="utf-8"))["output"]["version"])


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--max-epochs", type=int, default=None, help="default: configs/train/default.toml")
    ap.add_argument("--settings", nargs="*", default=None,
                    help="weight settings such as m0.3,r0.4,re0.5 (rules only is always included)")
    ap.add_argument("--sets", nargs="*", default=["samples", "valid", "dev"], choices=sorted(SETS))
    ap.add_argument("--skip-kfold", action="store_true")
    ap.add_argument("--models-root", type=Path, default=ROOT / "models", help="for the sets: <root>/<task>/<version>")
    ap.add_argument("--version", default=_shipped_version(), help="model version for the sets (default: shipped)")
    ap.add_argument("--json", type=Path, default=None)
    a = ap.parse_args(argv)

    from pipeline.config import load_settings
    from pipeline.nlp import build_nlp

    grid = default_grid() if a.settings is None else [Weights(), *(parse_weights(s) for s in a.settings)]
    seen: set[str] = set()
    grid = [w for w in grid if not (w.name in seen or seen.add(w.name))]  # type: ignore[func-returns-value]
    settings = load_settings()
    base = dict(settings.section("detect"))
    nlp = build_nlp(settings.section("nlp"))
    report: dict[str, Any] = {}
    if not a.skip_kfold:
        args = textcat_args(a.max_epochs)
        print(f"{a.folds}-fold over {TRAIN_DIR / 'moments*.jsonl'} (seed {a.seed}, max_epochs {args.max_epochs})",
              file=sys.stderr)
        table, info = kfold(grid, a.folds, a.seed, args, base, nlp)
        report["kfold"] = {"table": table, **info, "folds_k": a.folds, "seed": a.seed,
                           "max_epochs": args.max_epochs}
        print(f"\n## {a.folds}-fold on data/train/moments*.jsonl (target utterance of each item)")
        print(_fmt(table, ["moment_acc", "moment_f1", "n_both", "response_acc", "reason_f1", "reason_acc",
                           "moment_fixed", "moment_broken", "response_fixed", "response_broken",
                           "reason_fixed", "reason_broken"]))
    if a.sets:
        dirs = {t: (a.models_root / t / a.version).resolve() for t in TASK_LABELS}
        sets = eval_sets(grid, dirs, a.sets)
        report["sets"] = sets
        for name, table in sets.items():
            print(f"\n## {name} (whole pipeline, models {a.models_root}/*/{a.version})")
            print(_fmt(table, ["moment_f1", "hard_neg_fa", "response_acc", "asked_why_acc", "reason_f1",
                               "reason_acc", "disqualifier_f1"]))
    if a.json:
        a.json.write_text(json.dumps(report, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
