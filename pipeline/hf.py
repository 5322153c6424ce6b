"""The only module that imports torch and transformers: local checkpoints, never the hub.

`TransformerClassifier` reads a fine-tuned sequence classifier from a directory on disk;
`fine_tune` trains one from any local Hugging Face checkpoint (e.g. a Dutch BERT a team downloaded
themselves). Uses a GPU when present, the CPU otherwise. Weights are saved as safetensors.
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import math
import random
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer

from pipeline.errors import ErrorCode, UsageError


def device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def _load_tokenizer(path: Path) -> Any:
    try:
        return AutoTokenizer.from_pretrained(str(path), local_files_only=True)
    except (OSError, ValueError) as exc:
        raise UsageError(ErrorCode.MODEL_INVALID, f"{path}: no usable tokenizer ({type(exc).__name__})") from None


class TransformerClassifier:
    def __init__(self, path: Path, labels: Sequence[str], max_length: int = 128) -> None:
        self.labels = tuple(labels)
        self.tokenizer = _load_tokenizer(path)
        try:
            self.model = AutoModelForSequenceClassification.from_pretrained(str(path), local_files_only=True)
        except (OSError, ValueError) as exc:
            raise UsageError(ErrorCode.MODEL_INVALID, f"{path}: {type(exc).__name__}") from None
        id2label = {int(k): v for k, v in self.model.config.id2label.items()}
        if set(id2label.values()) != set(self.labels):
            raise UsageError(ErrorCode.MODEL_INVALID, f"{path}: checkpoint labels {sorted(id2label.values())} "
                             f"do not match {sorted(self.labels)}")
        self.id2label = id2label
        self.max_length = max_length
        self.device = device()
        self.model.to(self.device).eval()

    @torch.inference_mode()
    def predict_proba(self, texts: Sequence[str], batch_size: int = 64) -> list[dict[str, float]]:
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # pad per batch, not to a fixed length
        out: list[dict[str, float]] = [{} for _ in texts]
        for start in range(0, len(order), batch_size):
            idx = order[start:start + batch_size]
            enc = self.tokenizer([texts[i] for i in idx], padding=True, truncation=True,
                                 max_length=self.max_length, return_tensors="pt").to(self.device)
            probs = torch.softmax(self.model(**enc).logits.float(), dim=-1).cpu().tolist()
            for i, row in zip(idx, probs, strict=True):
                out[i] = {self.id2label[j]: float(p) for j, p in enumerate(row)}
        return out


def fine_tune(
    base: Path,
    out_dir: Path,
    train: Sequence[tuple[str, str]],
    val: Sequence[tuple[str, str]],
    labels: Sequence[str],
    *,
    epochs: int = 3,
    lr: float = 5e-5,
    batch_size: int = 16,
    seed: int = 0,
    patience: int = 2,
    max_length: int = 128,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Fine-tune `base` on (text, label) pairs; keep the best epoch by validation accuracy."""
    random.seed(seed)
    torch.manual_seed(seed)
    label2id = {lab: i for i, lab in enumerate(labels)}
    tokenizer = _load_tokenizer(base)
    try:
        model = AutoModelForSequenceClassification.from_pretrained(
            str(base), local_files_only=True, num_labels=len(labels),
            id2label=dict(enumerate(labels)), label2id=label2id, ignore_mismatched_sizes=True,
        )
    except (OSError, ValueError) as exc:
        raise UsageError(ErrorCode.MODEL_INVALID, f"{base}: not a usable checkpoint ({type(exc).__name__})") from None
    dev = device()
    model.to(dev)
    opt = torch.optim.AdamW(model.parameters(), lr=lr)
    steps_per_epoch = max(1, math.ceil(len(train) / batch_size))
    best: tuple[float, int] = (-1.0, -1)
    history = []
    bad_epochs = 0
    for epoch in range(epochs):
        model.train()
        data = list(train)
        random.Random(seed + epoch).shuffle(data)
        for step in range(steps_per_epoch):
            batch = data[step * batch_size:(step + 1) * batch_size]
            if not batch:
                continue
            enc = tokenizer([t for t, _ in batch], padding=True, truncation=True, max_length=max_length,
                            return_tensors="pt").to(dev)
            y = torch.tensor([label2id[lab] for _, lab in batch], device=dev)
            loss = model(**enc, labels=y).loss
            loss.backward()
            opt.step()
            opt.zero_grad()
            if progress:
                progress(epoch * steps_per_epoch + step + 1, epochs * steps_per_epoch)
        acc = _accuracy(model, tokenizer, val, label2id, max_length, dev) if val else 0.0
        history.append({"epoch": epoch + 1, "val_accuracy": acc})
        if acc > best[0]:
            best = (acc, epoch + 1)
            bad_epochs = 0
            out_dir.mkdir(parents=True, exist_ok=True)
            model.save_pretrained(str(out_dir), safe_serialization=True)
            tokenizer.save_pretrained(str(out_dir))
        else:
            bad_epochs += 1
            if bad_epochs >= patience:
                break
    return {"best_epoch": best[1], "val_accuracy": best[0], "history": history, "device": str(dev)}


@torch.inference_mode()
def _accuracy(model: Any, tokenizer: Any, val: Sequence[tuple[str, str]], label2id: dict[str, int],
              max_length: int, dev: torch.device) -> float:
    model.eval()
    right = 0
    for start in range(0, len(val), 64):
        batch = val[start:start + 64]
        enc = tokenizer([t for t, _ in batch], padding=True, truncation=True, max_length=max_length,
                        return_tensors="pt").to(dev)
        pred = model(**enc).logits.argmax(-1).tolist()
        right += sum(int(p == label2id[lab]) for p, (_, lab) in zip(pred, batch, strict=True))
    model.train()
    return round(right / len(val), 4) if val else 0.0
