"""The fast CPU backend: a spaCy bag-of-words text classifier (~300k words/s), seeded and reproducible."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.modelstore import words_doc
from pipeline.train.data import Example
from pipeline.train.metrics import classification_report


@dataclass(frozen=True)
class TextcatArgs:
    """Training arguments (one dataclass, like setfit's): every field is recorded in meta.json."""

    ngram_size: int = 2
    length: int = 262144
    dropout: float = 0.2
    batch_size: int = 32
    max_epochs: int = 30
    patience: int = 4
    learn_rate: float = 0.001
    seed: int = 0
    average_seeds: int = 1  # train with seeds seed .. seed+n-1 and average their weights (same run-time cost)


def train_textcat(
    labels: Sequence[str],
    train: Sequence[Example],
    val: Sequence[Example],
    args: TextcatArgs,
    out_dir: Path,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Train, keep the best epoch by validation macro-F1 (early stopping), save with nlp.to_disk.

    With `average_seeds` n > 1 the model is trained n times (seeds `seed` .. `seed + n - 1`, each with its own
    early stopping) and the weights of the n best epochs are averaged into one model. A bag-of-words textcat is
    linear up to its softmax, so this is the n models' averaged logits at the cost of one: the seed-to-seed
    spread of a single run (several points of nee F1 on unseen authors) shrinks."""
    runs = [_train_one(labels, train, val, args, args.seed + k, progress) for k in range(max(1, args.average_seeds))]
    nlp, best, history = runs[0]
    if len(runs) > 1:
        _average_weights(nlp, [r[0] for r in runs[1:]])
        report = evaluate_nlp(nlp, labels, val) if val else {"macro_f1": 0.0, "accuracy": 0.0}
        best = {**report, "epoch": "averaged", "epochs": [r[1].get("epoch") for r in runs]}
        history = [{**h, "seed": args.seed + k} for k, r in enumerate(runs) for h in r[2]]
    out_dir.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out_dir)
    return {"validation": best, "history": history}


def _train_one(
    labels: Sequence[str], train: Sequence[Example], val: Sequence[Example], args: TextcatArgs, seed: int,
    progress: Callable[[int, int], None] | None,
) -> tuple[Any, dict[str, Any], list[dict[str, Any]]]:
    """One seeded run: (the pipeline at its best epoch, that epoch's validation report, the history)."""
    from spacy.training import Example as SpacyExample
    from spacy.util import fix_random_seed, minibatch
    from thinc.api import Adam

    fix_random_seed(seed)
    nlp = blank_textcat(labels, ngram_size=args.ngram_size, length=args.length)
    examples = [
        SpacyExample.from_dict(words_doc(nlp.vocab, e.text), {"cats": {lab: float(lab == e.label) for lab in labels}})
        for e in train
    ]
    optimizer = Adam(args.learn_rate)
    nlp.initialize(lambda: examples, sgd=optimizer)
    rng = random.Random(seed)
    best: dict[str, Any] = {"macro_f1": -1.0}
    best_bytes = nlp.to_bytes()
    history = []
    stale = 0
    for epoch in range(1, args.max_epochs + 1):
        rng.shuffle(examples)
        losses: dict[str, float] = {}
        for batch in minibatch(examples, size=args.batch_size):
            nlp.update(batch, drop=args.dropout, sgd=optimizer, losses=losses)
        report = evaluate_nlp(nlp, labels, val) if val else {"macro_f1": 0.0, "accuracy": 0.0}
        history.append({"epoch": epoch, "loss": round(losses.get("textcat", 0.0), 4),
                        "val_macro_f1": report["macro_f1"], "val_accuracy": report["accuracy"]})
        if progress:
            progress(epoch, args.max_epochs)
        if report["macro_f1"] > best["macro_f1"]:
            best, best_bytes, stale = {**report, "epoch": epoch}, nlp.to_bytes(), 0
        else:
            stale += 1
            if stale >= args.patience:
                break
    nlp.from_bytes(best_bytes)
    return nlp, best, history


def _average_weights(nlp: Any, others: Sequence[Any]) -> None:
    """Average every parameter of `nlp`'s textcat with the same parameter of the others' (same architecture)."""
    nodes = [o.get_pipe("textcat").model.walk() for o in others]
    for node, *twins in zip(nlp.get_pipe("textcat").model.walk(), *nodes, strict=True):
        for name in node.param_names:
            if node.has_param(name):
                total = node.get_param(name).copy()
                for t in twins:
                    total += t.get_param(name)
                node.set_param(name, total / (1 + len(twins)))


def blank_textcat(labels: Sequence[str], ngram_size: int = 2, length: int = 262144) -> Any:
    """A blank Dutch pipeline with one exclusive bag-of-words text classifier (what spaCy trains)."""
    import spacy

    nlp = spacy.blank("nl")
    textcat = nlp.add_pipe("textcat", config={"model": {
        "@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": True,
        "ngram_size": ngram_size, "no_output_layer": False, "length": length,
    }})
    for lab in labels:
        textcat.add_label(lab)  # type: ignore[attr-defined]
    return nlp


def evaluate_nlp(nlp: Any, labels: Sequence[str], examples: Sequence[Example]) -> dict[str, Any]:
    preds = []
    docs: Any = (words_doc(nlp.vocab, e.text) for e in examples)
    for _name, proc in nlp.pipeline:
        docs = proc.pipe(docs, batch_size=256)
    for doc in docs:
        preds.append(max(labels, key=lambda lab: doc.cats.get(lab, 0.0)))
    return classification_report([e.label for e in examples], preds, labels)
