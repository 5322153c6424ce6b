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
        self._bow = BagOfWords.of(self.nlp)

    def predict_proba(self, texts: Sequence[str]) -> list[dict[str, float]]:
        if self._bow is not None:
            return self._bow.predict_proba([t.split() or ["_"] for t in texts])
        return self._pipe_proba(texts)

    def _pipe_proba(self, texts: Sequence[str]) -> list[dict[str, float]]:
        """The same probabilities through spaCy's own pipeline (any architecture)."""
        split: Any = self.nlp.tokenizer
        docs: Any = split.pipe(" ".join(t.split()) or "_" for t in texts)
        for _name, proc in self.nlp.pipeline:
            pipe: Any = proc
            docs = pipe.pipe(docs, batch_size=PIPE_BATCH)
        return [dict(doc.cats) for doc in docs]


PIPE_BATCH = 256  # docs per textcat call, in both paths


class _WordIds(dict[str, int]):
    """word -> its ORTH id, filled on first use: a dict lookup costs far less than hashing the word again in
    spaCy's StringStore (an id is a hash of the word alone, so the cache holds a vocabulary, not texts)."""

    MAX = 1_000_000  # start over beyond this many words

    def __init__(self, to_id: Any) -> None:
        super().__init__()
        self.to_id = to_id

    def __missing__(self, word: str) -> int:
        got = self[word] = int(self.to_id(word))
        return got


class BagOfWords:
    """spaCy's bag-of-words text classifier (`spacy.TextCatBOW`) run on word lists, without Docs.

    The model counts the n-grams of each text's ORTH ids (`extract_ngrams`), feeds (keys, counts, lengths) to
    a sparse linear layer and a softmax (or logistic) output. spaCy builds a Doc per text through the
    tokenizer, then takes one `numpy.unique` per Doc; here the ids come straight from the string store and
    the counts for a whole batch from one sort, so the layers receive the same arrays (keys sorted per text,
    float32 counts, int32 lengths) and return the same float32 scores: about half the models' work.
    `of()` accepts only that exact architecture; anything else keeps spaCy's pipeline.
    """

    def __init__(self, nlp: Any, ngram_size: int, linear: Any, output: Any | None, labels: tuple[str, ...]) -> None:
        self.ids = _WordIds(nlp.vocab.strings.__getitem__)  # a word's ORTH id (what its Doc token would carry)
        self.ngram_size = ngram_size
        self.ngrams = linear.ops.ngrams
        self.linear = linear
        self.output = output
        self.labels = labels

    @classmethod
    def of(cls, nlp: Any) -> BagOfWords | None:
        from spacy.attrs import ORTH
        from thinc.api import NumpyOps

        if nlp.pipe_names != ["textcat"]:
            return None
        textcat = nlp.get_pipe("textcat")
        if type(textcat).__name__ != "TextCategorizer":
            return None
        # with_cpu(extract_ngrams >> linear) [>> with_cpu(softmax | logistic)]
        model = textcat.model
        steps = list(model.layers) if model.name.endswith(")") and len(model.layers) == 2 else [model]
        head, output = steps[0], (steps[1] if len(steps) == 2 else None)
        if not head.name.startswith("with_cpu(") or len(head.layers) != 1 or len(head.layers[0].layers) != 2:
            return None
        extract, linear = head.layers[0].layers
        if extract.name != "extract_ngrams" or extract.attrs.get("attr") != ORTH:
            return None
        if output is not None and not (output.name.startswith("with_cpu(") and len(output.layers) == 1):
            return None
        if not all(isinstance(m.ops, NumpyOps) for m in (model, extract, linear)):
            return None
        return cls(nlp, int(extract.attrs["ngram_size"]), linear, output, tuple(textcat.labels))

    def _features(self, docs: list[list[str]]) -> tuple[Any, Any, Any]:
        """`extract_ngrams` of these word lists: per text its distinct n-gram keys (sorted) and their counts."""
        import numpy

        lengths = numpy.array([len(d) for d in docs], dtype="int64")
        word_ids = self.ids
        if len(word_ids) > _WordIds.MAX:
            word_ids.clear()
        ids = numpy.array([word_ids[w] for d in docs for w in d], dtype="uint64")
        doc_of = numpy.repeat(numpy.arange(len(docs)), lengths)
        keys, owner = [ids], [doc_of]
        for n in range(2, self.ngram_size + 1):
            # the n-grams of the joined ids, less those that run into the next text (same hash: position-free)
            grams = self.ngrams(n, ids)
            inside = doc_of[: len(grams)] == doc_of[n - 1 :]
            keys.append(grams[inside])
            owner.append(doc_of[: len(grams)][inside])
        k, d = numpy.concatenate(keys), numpy.concatenate(owner)
        order = numpy.lexsort((k, d))  # by text, then key: what `numpy.unique` sorts each text's keys into
        k, d = k[order], d[order]
        first = numpy.ones(len(k), dtype=bool)
        first[1:] = (k[1:] != k[:-1]) | (d[1:] != d[:-1])
        starts = numpy.flatnonzero(first)
        counts = numpy.diff(numpy.append(starts, len(k)))
        n_keys = numpy.bincount(d[starts], minlength=len(docs)).astype("int32")
        return k[starts], counts.astype("f"), n_keys

    def predict_proba(self, docs: list[list[str]]) -> list[dict[str, float]]:
        out: list[dict[str, float]] = []
        labels = self.labels
        for i in range(0, len(docs), PIPE_BATCH):
            scores = self.linear.predict(self._features(docs[i : i + PIPE_BATCH]))
            if self.output is not None:
                scores = self.output.predict(scores)
            out.extend(dict(zip(labels, row, strict=True)) for row in scores.tolist())
        return out


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
