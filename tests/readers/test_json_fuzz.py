"""Property tests: whatever JSON arrives, the readers answer with a transcript or a coded ReadError.

Random JSON values, random values planted where each producer format expects its data, and
mutated copies of the real producer files (keys deleted, types changed, lists cut, bytes cut).
"""

from __future__ import annotations

import contextlib
import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.errors import ReadError
from pipeline.raw import RawTranscript
from pipeline.readers import JSON_READERS, read_bytes
from tests.conftest import FORMATS

REAL_FILES: list[Path] = sorted(FORMATS.rglob("*.json")) if FORMATS.exists() else []
REAL_DOCS: list[Any] = [json.loads(p.read_text(encoding="utf-8")) for p in REAL_FILES]

FUZZ = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Keys the readers look at, so random objects often hit real code paths.
KEYS = [
    "segments",
    "words",
    "word",
    "text",
    "start",
    "end",
    "speaker",
    "score",
    "results",
    "items",
    "transcripts",
    "transcript",
    "alternatives",
    "content",
    "type",
    "start_time",
    "end_time",
    "speaker_label",
    "channel_label",
    "speaker_labels",
    "channel_labels",
    "channels",
    "utterances",
    "punctuated_word",
    "channel",
    "audio_url",
    "recognizedPhrases",
    "nBest",
    "display",
    "offset",
    "duration",
    "offsetInTicks",
    "durationInTicks",
    "NBest",
    "Display",
    "Offset",
    "Duration",
    "SpeakerId",
    "RecognitionStatus",
    "startTime",
    "endTime",
    "speakerTag",
    "seconds",
    "nanos",
    "monologues",
    "elements",
    "value",
    "ts",
    "end_ts",
    "name",
    "time",
    "speakers",
    "job",
]

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(["12.900s", "PT7.48S", "0.860", "punctuation", "pronunciation", "spk_0", "", " "])
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), children, max_size=5)
    ),
    max_leaves=25,
)

TEMPLATES = [
    lambda v: {"segments": v},
    lambda v: {"segments": [{"start": 0, "end": 1, "text": "ja", "words": v}]},
    lambda v: [v],
    lambda v: {"results": {"items": v, "speaker_labels": {"segments": v}}},
    lambda v: {"results": {"items": [], "channel_labels": {"channels": v}}},
    lambda v: {"results": {"utterances": v, "channels": v}},
    lambda v: {"utterances": v, "words": v, "audio_url": ""},
    lambda v: {"recognizedPhrases": v},
    lambda v: [{"RecognitionStatus": "Success", "NBest": v, "Offset": v}],
    lambda v: {"results": [{"alternatives": v}]},
    lambda v: {"results": [{"alternatives": [{"transcript": "ja", "words": v}]}]},
    lambda v: {"monologues": v},
    lambda v: {"monologues": [{"speaker": 0, "elements": v}]},
    lambda v: {"words": v, "speakers": v},
]


def _check_bytes(data: bytes) -> None:
    try:
        raw, _ = read_bytes(data, "fuzz.json")
    except ReadError:
        return
    assert isinstance(raw, RawTranscript)


def _check_readers(doc: Any) -> None:
    """Every JSON reader: matches() never raises; read() of a claimed doc raises ReadError only."""
    for reader in JSON_READERS:
        claimed = reader.matches(doc)
        assert claimed in (True, False)
        if claimed:
            with contextlib.suppress(ReadError):
                reader.read(doc)


@FUZZ
@given(json_values)
def test_random_json(value: Any) -> None:
    _check_readers(value)
    _check_bytes(json.dumps(value).encode("utf-8"))


@FUZZ
@given(st.sampled_from(TEMPLATES), json_values)
def test_random_values_in_producer_shapes(template: Any, value: Any) -> None:
    doc = template(value)
    _check_readers(doc)
    _check_bytes(json.dumps(doc).encode("utf-8"))


def _containers(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(node, dict):
        for key, child in node.items():
            if isinstance(child, dict | list):
                out.extend(_containers(child, (*path, key)))
    elif isinstance(node, list):
        for i, child in enumerate(node):
            if isinstance(child, dict | list):
                out.extend(_containers(child, (*path, i)))
    return out


def _at(doc: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        doc = doc[step]
    return doc


@st.composite
def mutated_docs(draw: st.DrawFn) -> Any:
    doc = copy.deepcopy(draw(st.sampled_from(REAL_DOCS)))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        node = _at(doc, draw(st.sampled_from(_containers(doc))))
        if not node:
            continue
        slot = (
            draw(st.sampled_from(sorted(node)))
            if isinstance(node, dict)
            else draw(st.integers(min_value=0, max_value=len(node) - 1))
        )
        op = draw(st.sampled_from(["delete", "replace", "truncate", "wrap"]))
        if op == "delete":
            del node[slot]
        elif op == "replace":
            node[slot] = draw(json_values)
        elif op == "wrap":
            node[slot] = [node[slot]]
        elif isinstance(node, list):
            del node[slot:]
        elif isinstance(node[slot], str):
            node[slot] = node[slot][: len(node[slot]) // 2]
        else:
            node[slot] = None
    return doc


@pytest.mark.skipif(not REAL_DOCS, reason="../shared/formats not available")
@FUZZ
@given(mutated_docs())
def test_mutated_real_files(doc: Any) -> None:
    _check_readers(doc)
    _check_bytes(json.dumps(doc).encode("utf-8"))


@pytest.mark.skipif(not REAL_FILES, reason="../shared/formats not available")
@FUZZ
@given(st.sampled_from(REAL_FILES), st.floats(min_value=0.0, max_value=1.0))
def test_truncated_real_bytes(path: Path, fraction: float) -> None:
    data = path.read_bytes()
    _check_bytes(data[: int(len(data) * fraction)])
