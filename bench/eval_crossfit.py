"""Cross-fitted evaluation of the labelled sets the shipped models are trained on. Not a test.

Since models v5, `configs/train/default.toml` trains on data/train *and* on the whole labelled calls of
data/samples and the tuning sets (valid, valid2, ...; `eval_set` sources). `neecoach evaluate` on one of those
sets then scores models that have seen its calls: the figures flatter. This script gives the fair figure:

1. the `eval_set` sources of the training config are split into two folds (alternating, in config order; `--folds K`
   for K folds: each fold's models then train on (K-1)/K of the sets, closer to the shipped models);
2. for each fold, the three classifiers are trained with the same [train] arguments on data/train plus the
   *other* fold's sets (`train_from_config` into a temporary folder);
3. every set is evaluated (`neecoach evaluate`'s code path) with the models that did not see it, under the
   shipped [detect] settings or the blend weights given with --weights.

The blind sets (data/holdout*) are never read. Pooled moment figures, mean false-alarm rate, response accuracy,
reason macro-F1 and per-rep ask-why-first rate error are printed per weight setting.

    .venv/bin/python bench/eval_crossfit.py [--config configs/train/default.toml] [--weights 0.4:0.1 0.3:0.2]
        [--sets valid19 valid20] [--json out.json]

A setting is `model_weight:model_veto_below[:reason_model_weight[:response_model_weight]]`, or any [detect]
settings as `key=value,key=value` (e.g. `model_lift_above=0.8`). About a minute on a
2-core machine for the training, then about half a minute per setting.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pipeline.modelstore import keep_torch_out  # noqa: E402

keep_torch_out()

from pipeline.config import load_settings  # noqa: E402
from pipeline.evaluate_cmd import evaluate_set  # noqa: E402
from pipeline.train.runner import load_train_config, train_from_config  # noqa: E402

TASKS = ("moment", "response", "reason")


def _toml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def fold_configs(cfg_path: Path, tmp: Path, k: int = 2) -> list[tuple[str, Path, list[Path]]]:
    """[(fold name, training config that leaves the fold out, the fold's set folders)]."""
    cfg = load_train_config(cfg_path)
    sources = list(cfg.get("data", {}).get("sources", []))
    base = ROOT if not cfg_path.is_absolute() or cfg_path.resolve().is_relative_to(ROOT) else Path.cwd()
    sets = [(base / s["path"]).resolve() for s in sources if s.get("kind") == "eval_set"]
    others = [s for s in sources if s.get("kind") != "eval_set"]
    if len(sets) < 2:
        raise SystemExit(f"{cfg_path}: fewer than two eval_set sources, nothing to cross-fit")
    if not 2 <= k <= len(sets):
        raise SystemExit(f"--folds {k}: needs 2 to {len(sets)} folds")
    folds = {f"fold_{chr(ord('a') + i)}": sets[i::k] for i in range(k)}
    out = []
    for name, held in folds.items():
        train_sets = [s for s in sets if s not in held]
        lines = ["[data]", "sources = ["]
        lines += [f"  {{ kind = {_toml_str(str(s['kind']))}, path = {_toml_str(str((base / s['path']).resolve()))} }},"
                  for s in others]
        lines += [f'  {{ kind = "eval_set", path = {_toml_str(str(s))} }},' for s in train_sets]
        lines += ["]", "", "[train]"]
        for k, v in cfg.get("train", {}).items():
            lines.append(f"{k} = {json.dumps(v)}")
        lines += ["", "[output]", f"root = {_toml_str(str(tmp / 'models'))}", f"version = {_toml_str(name)}",
                  f"tasks = {json.dumps(list(TASKS))}"]
        p = tmp / f"train_{name}.toml"
        p.write_text("\n".join(lines) + "\n", encoding="utf-8")
        tomllib.loads(p.read_text(encoding="utf-8"))  # fail early on a malformed file
        out.append((name, p, held))
    return out


WEIGHT_KEYS = ("model_weight", "model_veto_below", "reason_model_weight", "response_model_weight")


def parse_setting(text: str) -> dict[str, float]:
    """`0.4:0.1[:0.7[:0.7]]` (WEIGHT_KEYS in order) or `key=value,key=value` ([detect] names)."""
    if "=" in text:
        pairs = [kv.split("=", 1) for kv in text.split(",") if kv.strip()]
        return {k.strip(): float(v) for k, v in pairs}
    return dict(zip(WEIGHT_KEYS, (float(x) for x in text.split(":")), strict=False))


def detect_config(tmp: Path, fold: str, setting: dict[str, float]) -> Path:
    """An override config: the fold's models, and the [detect] settings when given."""
    lines = ["[models]"] + [f"{t} = {_toml_str(str(tmp / 'models' / t / fold))}" for t in TASKS]
    if setting:
        lines += ["", "[detect]"] + [f"{k} = {v}" for k, v in setting.items()]
    p = tmp / f"detect_{fold}_{'_'.join(f'{k}{v}' for k, v in setting.items())}.toml"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def summary(results: dict[str, dict[str, Any]]) -> dict[str, Any]:
    tp = sum(r["moments"]["tp"] for r in results.values())
    fp = sum(r["moments"]["fp"] for r in results.values())
    fn = sum(r["moments"]["fn"] for r in results.values())
    n = len(results)

    def mean(f: Any) -> float:
        vals = [f(r) for r in results.values() if f(r) is not None]
        return round(sum(vals) / len(vals), 4) if vals else 0.0

    rep = [r["rep_ask_why_rate_mae"] for r in results.values() if r["rep_ask_why_rate_mae"] is not None]
    return {
        "sets": n, "tp": tp, "fp": fp, "fn": fn, "f1": round(2 * tp / (2 * tp + fp + fn), 4) if tp else 0.0,
        "mean_false_alarm_rate": mean(lambda r: r["hard_negative_false_alarm_rate"]),
        "mean_response_accuracy": mean(lambda r: r["response"]["accuracy"]),
        "mean_reason_macro_f1": mean(lambda r: r["reason"]["macro_f1"]),
        "mean_disqualifier_f1": mean(lambda r: (r["disqualifiers"] or {}).get("f1")),
        "mean_rep_rate_error": mean(lambda r: r["rep_ask_why_rate_mae"]),
        "sets_with_rep_error_above_0.05": sum(x > 0.05 for x in rep),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--config", type=Path, default=ROOT / "configs" / "train" / "default.toml")
    ap.add_argument("--weights", nargs="*", default=[],
                    help="settings: model_weight:model_veto_below[:reason_model_weight[:response_model_weight]]"
                         " or key=value,key=value ([detect] names)")
    ap.add_argument("--sets", nargs="*", default=[], help="only these held-out sets (folder names)")
    ap.add_argument("--folds", type=int, default=2, help="number of folds (default 2)")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    shipped = load_settings().section("detect")
    settings: list[dict[str, float]] = [{}] + [parse_setting(w) for w in args.weights]
    report: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="neecoach-crossfit-") as t:
        tmp = Path(t)
        folds = fold_configs(args.config, tmp, args.folds)
        for name, cfg, held in folds:
            print(f"training {name} (leaves out {len(held)} sets) ...", flush=True)
            train_from_config(cfg, out_root=tmp / "models", version=name)
        for setting in settings:
            all_turns = " all turns" if shipped.get("model_lift_all_turns") else ""
            label = (", ".join(f"{k} {v}" for k, v in setting.items()) if setting
                     else f"shipped w {shipped.get('model_weight')} / veto {shipped.get('model_veto_below')}"
                     f" / lift {shipped.get('model_lift_above')}{all_turns}")
            results: dict[str, dict[str, Any]] = {}
            for name, _cfg, held in folds:
                override = detect_config(tmp, name, setting)
                for s in held:
                    if args.sets and s.name not in args.sets:
                        continue
                    results[s.name], _ = evaluate_set(s, override)
            summ = summary(results)
            report[label] = {"summary": summ, "sets": results}  # per set: what `neecoach evaluate --json` writes
            print(f"{label}: " + ", ".join(f"{k} {v}" for k, v in summ.items()), flush=True)
    if args.json:
        args.json.write_text(json.dumps(report, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
