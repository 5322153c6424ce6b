"""`neecoach train CONFIG`: examples -> one model directory per task, with meta, metrics and a card."""

from __future__ import annotations

import json
import random
import tomllib
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipeline import __version__
from pipeline.config import PROJECT_ROOT
from pipeline.errors import ErrorCode, UsageError
from pipeline.modelstore import TASK_LABELS
from pipeline.textinputs import MOMENT_INPUTS, MOMENT_WITH_REPLY
from pipeline.train.data import Example, data_hash, load_sources, split
from pipeline.train.spacy_textcat import TextcatArgs, train_textcat

Progress = Callable[[str, int, int], None]


def load_train_config(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(ErrorCode.CONFIG_INVALID, f"{path}: {exc}") from None


def balance(train: list[Example], seed: int) -> list[Example]:
    """Oversample the smaller classes of a training split up to the largest (validation stays as it is):
    the moment data holds far more moments than hard negatives, and an unbalanced model says "moment"
    too easily on new calls. Deterministic for a seed."""
    by_label: dict[str, list[Example]] = {}
    for e in train:
        by_label.setdefault(e.label, []).append(e)
    top = max(len(v) for v in by_label.values())
    rng = random.Random(seed)
    out = list(train)
    for label in sorted(by_label):
        items = by_label[label]
        extra = top - len(items)
        picks = [items[k % len(items)] for k in range(extra)]
        out.extend(picks)
    rng.shuffle(out)
    return out


def train_from_config(
    config_path: Path,
    *,
    base_model: Path | None = None,
    out_root: Path | None = None,
    version: str | None = None,
    tasks: list[str] | None = None,
    progress: Progress | None = None,
) -> dict[str, dict[str, Any]]:
    cfg = load_train_config(config_path)
    base = PROJECT_ROOT if not config_path.is_absolute() or config_path.is_relative_to(PROJECT_ROOT) else Path.cwd()
    tcfg = dict(cfg.get("train", {}))
    moment_inputs = str(tcfg.get("moment_inputs", MOMENT_INPUTS[0]))
    if moment_inputs not in MOMENT_INPUTS:
        raise UsageError(ErrorCode.CONFIG_INVALID,
                         f"[train] moment_inputs = {moment_inputs!r}; one of: {', '.join(MOMENT_INPUTS)}")
    examples = load_sources(list(cfg.get("data", {}).get("sources", [])), base,
                            moment_reply=moment_inputs == MOMENT_WITH_REPLY)
    backend = "transformers" if base_model is not None else str(tcfg.get("backend", "spacy-bow"))
    root = out_root or PROJECT_ROOT / str(cfg.get("output", {}).get("root", "models"))
    version = version or str(cfg.get("output", {}).get("version", "v1"))
    tasks = tasks or list(cfg.get("output", {}).get("tasks", list(TASK_LABELS)))
    val_fraction = float(tcfg.get("val_fraction", 0.2))
    results: dict[str, dict[str, Any]] = {}
    for task in tasks:
        if task not in TASK_LABELS:
            raise UsageError(ErrorCode.CONFIG_INVALID, f"unknown task {task!r}; tasks: {', '.join(TASK_LABELS)}")
        labels = TASK_LABELS[task]
        task_examples = [e for e in examples if e.task == task]
        if len(task_examples) < 10:
            raise UsageError(ErrorCode.CONFIG_INVALID, f"{task}: only {len(task_examples)} labelled examples")
        seed = int(tcfg.get("seed", 0))
        train, val = split(task_examples, val_fraction, seed)
        balanced = task in list(tcfg.get("balance_tasks", []))
        if balanced:
            train = balance(train, seed)
        out_dir = root / task / version
        cb = (lambda done, total, t=task: progress(t, done, total)) if progress else None
        if backend == "transformers":
            from pipeline.hf import fine_tune

            assert base_model is not None
            report = fine_tune(base_model, out_dir / "model", [(e.text, e.label) for e in train],
                               [(e.text, e.label) for e in val], labels,
                               epochs=int(tcfg.get("epochs", 3)), seed=seed,
                               batch_size=int(tcfg.get("batch_size", 16)), progress=cb)
            args: dict[str, Any] = {"base_model": str(base_model), "epochs": int(tcfg.get("epochs", 3)), "seed": seed}
            validation = _val_report_hf(out_dir / "model", labels, val)
            report["validation"] = validation
        else:
            known = {f.name for f in fields(TextcatArgs)}
            targs = TextcatArgs(**{k: v for k, v in tcfg.items() if k in known})
            report = train_textcat(labels, train, val, targs, out_dir / "model", cb)
            args = asdict(targs)
        if balanced:
            args["balanced"] = True
        meta = {
            "task": task,
            "version": version,
            "backend": backend,
            "labels": list(labels),
            "created": datetime.now(UTC).date().isoformat(),
            "neecoach_version": __version__,
            "data_hash": data_hash(task_examples),
            "data_sources": sorted({e.source for e in task_examples}),
            "n_train": len(train),
            "n_val": len(val),
            "label_counts": dict(sorted(Counter(e.label for e in task_examples).items())),
            "training_args": args,
            "val_fraction": val_fraction,
        }
        if task == "moment":
            meta["inputs"] = moment_inputs
        metrics = {"validation": report["validation"], "history": report.get("history", [])}
        _write(out_dir / "meta.json", meta)
        _write(out_dir / "metrics.json", metrics)
        (out_dir / "model-card.md").write_text(model_card(meta, metrics), encoding="utf-8")
        results[task] = {"path": str(out_dir), "validation": report["validation"]}
    return results


def _val_report_hf(path: Path, labels: tuple[str, ...], val: list[Example]) -> dict[str, Any]:
    from pipeline.hf import TransformerClassifier
    from pipeline.train.metrics import classification_report

    if not val:
        return {"macro_f1": 0.0, "accuracy": 0.0}
    clf = TransformerClassifier(path, labels)
    probs = clf.predict_proba([e.text for e in val])
    preds = [max(p, key=lambda k: p[k]) for p in probs]
    return classification_report([e.label for e in val], preds, labels)


def _write(path: Path, obj: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")


def model_card(meta: dict[str, Any], metrics: dict[str, Any]) -> str:
    val = metrics["validation"]
    rows = "\n".join(
        f"| {lab} | {m['precision']:.2f} | {m['recall']:.2f} | {m['f1']:.2f} | {m['support']} |"
        for lab, m in val.get("per_class", {}).items()
    )
    purpose = {
        "moment": "decides whether a customer utterance, read with the rep's turn before it"
                  + (" and the start of the rep's reply after it" if meta.get("inputs") == MOMENT_WITH_REPLY else "")
                  + ", is a 'nee' moment",
        "response": "classifies the rep's first reply to a customer 'nee' (explore / argue / accept / other)",
        "reason": "classifies why the customer says no, from the moment and what the customer says next",
    }[meta["task"]]
    return f"""# neecoach model: {meta['task']} {meta['version']}

**Intended use.** Second opinion on top of neecoach's rules: it {purpose}. Dutch (Netherlands) and
Flemish sales calls, tidy transcripts and raw speech recognition. Not for decisions about people
on its own: coaches read the quoted evidence.

**Backend.** `{meta['backend']}`; training arguments: `{json.dumps(meta['training_args'], sort_keys=True)}`.

**Data.** {', '.join(meta['data_sources'])} (hash `{meta['data_hash']}`): {meta['n_train']} training and
{meta['n_val']} validation examples, split by dialogue. Labels: {json.dumps(meta['label_counts'])}.

**Validation.** accuracy {val.get('accuracy', 0):.3f}, macro-F1 {val.get('macro_f1', 0):.3f}
(best epoch {val.get('epoch', '-')}).

| label | precision | recall | F1 | support |
| --- | --- | --- | --- | --- |
{rows}

**Known limits.** Trained on synthetic dialogues written by the neecoach team; validation examples
come from the same writers, so these figures are optimistic. Measure on your own calls with
`neecoach evaluate` before relying on it, and retrain on your own labels (docs/training.md).
"""
