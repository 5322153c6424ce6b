"""Runs the detector cases in tests/detect/cases/*.yaml through `pipeline.detect.detect`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml

from pipeline.detect import DetectSettings, detect
from pipeline.nlp import build_nlp

CASES_DIR = Path(__file__).parent / "cases"


def _load() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in data["cases"]:
            out.append((f"{path.stem}: {case['name']}", case))
    return out


CASES = _load()


@pytest.fixture(scope="module")
def nlp():
    return build_nlp()


def _frame(dialogue: list[list[str]]) -> pl.DataFrame:
    rows = []
    t = 0.0
    for i, (role, text) in enumerate(dialogue):
        dur = 0.4 * len(text.split())
        rows.append(
            {"call_id": "case", "idx": i, "speaker": role, "role": role, "start_s": t, "end_s": t + dur, "text": text}
        )
        t += dur + 0.5
    return pl.DataFrame(rows)


@pytest.mark.parametrize(("name", "case"), CASES, ids=[n for n, _ in CASES])
def test_case(name: str, case: dict[str, Any], nlp) -> None:
    outcomes = {"case": case["outcome"]} if "outcome" in case else None  # the manifest's outcome (DQ204/DQ219)
    det = detect(_frame(case["dialogue"]), nlp, DetectSettings(), outcomes=outcomes)
    feats = det.call_features.row(0, named=True)
    if "disqualifiers" in case:
        assert feats["disqualifiers"] == case["disqualifiers"], " | ".join(
            f"{r['utt_idx']}: {r['reason']} {r['response']}" for r in det.moments.iter_rows(named=True)
        )
    if "kept_pitching" in case:
        assert feats["kept_pitching_after_disqualifier"] == case["kept_pitching"]
    if "moments" not in case and "not_moments" not in case:
        return  # a call-level case (disqualifiers only)
    got = {r["utt_idx"]: r for r in det.moments.iter_rows(named=True)}
    want = {m["idx"]: m for m in case.get("moments", [])}
    assert sorted(got) == sorted(want), f"moments {sorted(got)} != {sorted(want)}: " + " | ".join(
        f"{r['utt_idx']}: {r['evidence']}" for r in got.values()
    )
    for idx, m in want.items():
        row = got[idx]
        assert row["response"] == m["response"], f"utt {idx} response: {row['evidence']}"
        assert row["reason"] == m["reason"], f"utt {idx} reason: {row['evidence']}"
        assert row["asked_why_first"] == (m["response"] == "explore")
    for idx in case.get("not_moments", []):
        assert idx not in got


def test_tables_have_their_schemas(nlp) -> None:
    det = detect(_frame(CASES[0][1]["dialogue"]), nlp, DetectSettings())
    assert det.utterance_features.columns == [
        "call_id",
        "idx",
        "n_words",
        "is_question",
        "n_questions",
        "n_discovery",
        "moment_score",
    ]
    ms = det.utterance_features["moment_score"]
    assert ms.null_count() == 0 and 0.0 <= ms.min() <= ms.max() <= 1.0  # type: ignore[operator]
    roles = _frame(CASES[0][1]["dialogue"])["role"].to_list()
    assert all(s == 0.0 for s, r in zip(ms.to_list(), roles, strict=True) if r == "seller")
    got = dict(zip(det.moments["utt_idx"].to_list(), det.moments["score"].to_list(), strict=True))
    feats = dict(zip(det.utterance_features["idx"].to_list(), ms.to_list(), strict=True))
    assert all(abs(feats[i] - s) < 1e-6 for i, s in got.items())
    assert "kept_pitching_after_disqualifier" in det.call_features.columns
    assert det.moments["score"].min() >= 0.0  # type: ignore[operator]


def test_empty_input(nlp) -> None:
    empty = pl.DataFrame(
        schema={
            "call_id": pl.String,
            "idx": pl.Int64,
            "speaker": pl.String,
            "role": pl.String,
            "start_s": pl.Float64,
            "end_s": pl.Float64,
            "text": pl.String,
        }
    )
    det = detect(empty, nlp, DetectSettings())
    assert det.moments.height == 0 and det.call_features.height == 0


def test_settings_from_default_toml() -> None:
    root = Path(__file__).resolve().parents[2]
    st = DetectSettings.from_toml(root / "configs" / "default.toml")
    assert 0 < st.moment_threshold < 1
    with pytest.raises(ValueError):
        DetectSettings.from_mapping({"no_such_setting": 1})
