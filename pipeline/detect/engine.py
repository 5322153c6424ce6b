"""The detection engine of one process: the spaCy pipeline, thresholds and trained models, loaded once.

`Engine.load(settings)` is what a worker calls; `engine.detect(utterances)` is the detection stage.
Models are optional: `[models]` in the config names a model directory per task ("" = rules only).
"""

from __future__ import annotations

import gc
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from pipeline.config import Settings
from pipeline.detect import Detections, DetectSettings, detect
from pipeline.errors import ErrorCode, UsageError
from pipeline.modelstore import Classifier, load_classifier, model_paths, read_info
from pipeline.textinputs import MOMENT_INPUTS, MOMENT_WITH_REPLY, moment_input, reason_input, response_input


@dataclass(frozen=True)
class Models:
    """Adapts task classifiers to the detector's hook; a missing task's method is None."""

    moment: Classifier | None = None
    response: Classifier | None = None
    reason: Classifier | None = None
    tags: Mapping[str, str] = field(default_factory=dict)  # task -> "task/version", for evidence
    moment_reads_reply: bool = False  # the moment model's meta.json `inputs` (MOMENT_INPUTS)

    def model_tag(self, task: str) -> str:
        return self.tags.get(task, task)

    @property
    def moment_proba(self) -> Any:
        clf = self.moment
        if clf is None:
            return None

        reply = self.moment_reads_reply

        def run(items: Sequence[dict[str, str]]) -> list[float]:
            texts = [moment_input(i["text"], i.get("context", ""), i.get("reply", "") if reply else None)
                     for i in items]
            return [p.get("moment", 0.0) for p in clf.predict_proba(texts)]

        return run

    @property
    def response_proba(self) -> Any:
        clf = self.response
        if clf is None:
            return None

        def run(items: Sequence[dict[str, str]]) -> list[dict[str, float]]:
            return clf.predict_proba([response_input(i["text"], i.get("moment", "")) for i in items])

        return run

    @property
    def reason_proba(self) -> Any:
        clf = self.reason
        if clf is None:
            return None

        def run(items: Sequence[dict[str, str]]) -> list[dict[str, float]]:
            return clf.predict_proba([reason_input(i["text"], i.get("later", "")) for i in items])

        return run


def load_models(settings: Settings) -> Models:
    loaded: dict[str, Classifier] = {}
    tags: dict[str, str] = {}
    reads_reply = False
    for task, path in model_paths(settings).items():
        if not path.exists():
            raise UsageError(ErrorCode.MODEL_INVALID, f"[models] {task} = {path}: no such directory")
        loaded[task] = load_classifier(path, task)
        info = read_info(path, task)
        tags[task] = f"{task}/{info.version}"
        if task == "moment":
            inputs = str(info.meta.get("inputs", MOMENT_INPUTS[0]))
            if inputs not in MOMENT_INPUTS:
                raise UsageError(ErrorCode.MODEL_INVALID, f"{path}: meta.json inputs {inputs!r} unknown")
            reads_reply = inputs == MOMENT_WITH_REPLY
    return Models(moment=loaded.get("moment"), response=loaded.get("response"), reason=loaded.get("reason"),
                  tags=tags, moment_reads_reply=reads_reply)


# Collect young objects every 50,000 allocations instead of 700 (CPython's default).
GC_THRESHOLD = (50_000, 20, 20)


def tune_gc() -> None:
    """Call once in a process that has loaded its engine and will now detect in bulk.

    Detection allocates millions of short-lived objects (spaCy Docs, tuples, dicts). With CPython's
    default thresholds the collector runs every 700 allocations and its older generations keep
    rescanning the loaded pipeline and models: about a quarter of detection time on this machine
    (`bench/bench_detect.py`). The loaded objects live as long as the process, so they are frozen
    (never scanned again), and young objects are collected less often; cyclic garbage is still
    collected, memory stays bounded by the batch.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLD)


@dataclass
class Engine:
    nlp: Any
    settings: DetectSettings
    models: Models

    @classmethod
    def load(cls, settings: Settings) -> Engine:
        from pipeline.nlp import build_nlp

        try:
            detect_settings = DetectSettings.from_mapping(settings.section("detect"))
        except (TypeError, ValueError) as exc:
            raise UsageError(ErrorCode.CONFIG_INVALID, str(exc)) from None
        return cls(build_nlp(settings.section("nlp")), detect_settings, load_models(settings))

    def detect(self, utterances: pl.DataFrame, outcomes: Mapping[str, str | None] | None = None) -> Detections:
        return detect(utterances, self.nlp, self.settings, self.models, outcomes)
