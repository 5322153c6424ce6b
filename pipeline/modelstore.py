"""Model directories: `models/<task>/<version>/` that describe themselves, and loading them.

A model directory holds:
    meta.json       task, version, backend, labels, data hash, training config, code version
    metrics.json    validation (and evaluation) metrics
    model-card.md   intended use, data, per-class metrics, known limits
    model/          the weights: spaCy's own format (backend "spacy-bow") or safetensors +
                    tokenizer files (backend "transformers"); never pickle

A model whose labels do not match the code's labels refuses to load (E402).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pipeline.config import Settings
from pipeline.errors import ErrorCode, UsageError
from pipeline.labels import REASONS, RESPONSES

TASK_LABELS: dict[str, tuple[str, ...]] = {
    "moment": ("moment", "no_moment"),
    "response": tuple(RESPONSES),
    "reason": tuple(REASONS),
}
TASKS = tuple(TASK_LABELS)


class Classifier(Protocol):
    labels: tuple[str, ...]

    def predict_proba(self, texts: Sequence[str]) -> list[dict[str, float]]: ...


@dataclass(frozen=True)
class ModelInfo:
    path: Path
    task: str
    version: str
    backend: str
    labels: tuple[str, ...]
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def metrics(self) -> dict[str, Any]:
        p = self.path / "metrics.json"
        return json.loads(p.read_text(encoding="utf-8")) if p.exists() else {}


def dir_hash(path: Path) -> str:
    """Content hash of every file in a model directory (names and bytes), for run.json and caching."""
    h = hashlib.sha256()
    for f in sorted(p for p in path.rglob("*") if p.is_file()):
        h.update(str(f.relative_to(path)).encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def read_info(path: Path, task: str | None = None) -> ModelInfo:
    meta_path = path / "meta.json"
    if not meta_path.is_file():
        raise UsageError(ErrorCode.MODEL_INVALID, f"{path}: no meta.json (not a neecoach model directory)")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        info = ModelInfo(path, str(meta["task"]), str(meta["version"]), str(meta["backend"]),
                         tuple(meta["labels"]), meta)
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise UsageError(ErrorCode.MODEL_INVALID, f"{meta_path}: {exc}") from None
    if task is not None and info.task != task:
        raise UsageError(ErrorCode.MODEL_INVALID, f"{path}: a {info.task!r} model, expected {task!r}")
    expected = TASK_LABELS.get(info.task)
    if expected is None:
        raise UsageError(ErrorCode.MODEL_INVALID, f"{path}: unknown task {info.task!r}")
    if set(info.labels) != set(expected):
        raise UsageError(
            ErrorCode.MODEL_INVALID,
            f"{path}: labels {sorted(info.labels)} do not match the code's {sorted(expected)}",
        )
    return info


def words_doc(vocab: Any, text: str) -> Any:
    """A Doc of the whitespace-separated words of a `pipeline.textinputs` string.

    Those strings are already lower-cased and stripped of punctuation, so training and inference
    split on spaces alone: identical tokens, and no tokenizer cost at run time.
    """
    from spacy.tokens import Doc

    return Doc(vocab, words=text.split() or ["_"])


SPACE_TOKENIZER = "neecoach.SpaceTokenizer.v1"


def _register_space_tokenizer() -> None:
    import spacy
    from spacy.tokenizer import Tokenizer

    if SPACE_TOKENIZER in spacy.registry.tokenizers.get_all():
        return

    @spacy.registry.tokenizers(SPACE_TOKENIZER)
    def create_space_tokenizer() -> Any:
        """A rule-less tokenizer: splits on single spaces only, the tokens of `words_doc`, built in C."""
        return lambda nlp: Tokenizer(nlp.vocab)


class SpacyTextcat:
    """A spaCy text classifier (bag-of-words by default) stored in spaCy's own format.

    Its inputs are `pipeline.textinputs` strings, already split into words: the model is loaded with
    a rule-less tokenizer in place of the stored Dutch one (whose ~9,000 special cases took a second
    per model to load, and were never used).
    """

    def __init__(self, info: ModelInfo) -> None:
        import spacy

        _register_space_tokenizer()
        self.info = info
        self.labels = info.labels
        self.nlp = spacy.load(
            info.path / "model", exclude=["tokenizer"], config={"nlp": {"tokenizer": {"@tokenizers": SPACE_TOKENIZER}}}
        )
        textcat = self.nlp.get_pipe("textcat")
        if set(textcat.labels) != set(info.labels):  # type: ignore[attr-defined]
            raise UsageError(ErrorCode.MODEL_INVALID, f"{info.path}: weights and meta.json disagree on labels")

    def predict_proba(self, texts: Sequence[str]) -> list[dict[str, float]]:
        split: Any = self.nlp.tokenizer
        docs: Any = split.pipe(" ".join(t.split()) or "_" for t in texts)
        for _name, proc in self.nlp.pipeline:
            pipe: Any = proc
            docs = pipe.pipe(docs, batch_size=256)
        return [dict(doc.cats) for doc in docs]


def load_classifier(path: Path, task: str) -> Classifier:
    info = read_info(path, task)
    if info.backend == "spacy-bow" or info.backend.startswith("spacy"):
        return SpacyTextcat(info)
    if info.backend == "transformers":
        from pipeline.hf import TransformerClassifier

        return TransformerClassifier(info.path / "model", info.labels)
    raise UsageError(ErrorCode.MODEL_INVALID, f"{path}: unknown backend {info.backend!r}")


def model_paths(settings: Settings) -> dict[str, Path]:
    """The active model directory per task, from `[models]` (empty string: rules only)."""
    section = settings.section("models")
    out: dict[str, Path] = {}
    for task in TASKS:
        value = str(section.get(task, "") or "")
        if value:
            out[task] = settings.path("models", task, value)
    return out


def models_hash(settings: Settings) -> str:
    """One string naming the content of every active model (part of the processing hash). No spaCy import."""
    parts = [f"{t}={dir_hash(p) if p.exists() else 'missing'}" for t, p in sorted(model_paths(settings).items())]
    return ";".join(parts) or "rules-only"


def models_info(settings: Settings) -> dict[str, Any]:
    """Path, version, backend and content hash of every active model, for run.json."""
    info: dict[str, Any] = {}
    for task, path in sorted(model_paths(settings).items()):
        try:
            m = read_info(path, task)
            info[task] = {
                "path": str(path),
                "version": m.version,
                "backend": m.backend,
                "hash": dir_hash(path),
                "data_hash": m.meta.get("data_hash"),
            }
        except UsageError as err:
            info[task] = {"path": str(path), "error": err.message}
    return info


def needs_torch(settings: Settings) -> bool:
    """Whether any configured model runs on torch (a transformers checkpoint)."""
    for path in model_paths(settings).values():
        meta = path / "meta.json"
        try:
            if json.loads(meta.read_text(encoding="utf-8")).get("backend") == "transformers":
                return True
        except (OSError, json.JSONDecodeError, AttributeError):
            continue
    return False


def keep_torch_out() -> None:
    """thinc imports torch whenever it is installed (seconds and ~190 MB per process), though the
    spaCy bag-of-words models never use it. Call before spaCy is imported, where no configured
    model needs torch, so that worker processes start light."""
    import sys

    if "torch" not in sys.modules and "thinc" not in sys.modules:
        sys.modules["torch"] = None  # type: ignore[assignment]


def list_models(root: Path) -> list[ModelInfo]:
    out = []
    for meta in sorted(root.glob("*/*/meta.json")):
        try:
            out.append(read_info(meta.parent))
        except UsageError:
            continue
    return out
