"""pipeline.evaluate.score must equal ../shared/acceptance/score.py on the same workspace."""

from __future__ import annotations

import csv
import importlib.util
import json
from pathlib import Path

import polars as pl
import pytest

from pipeline.evaluate import format_table, score
from tests.conftest import SHARED

GOLD = [
    {"call_id": "a1", "rep": "Rep A", "moments": [
        {"quote": "Nee, laat maar", "reason": "unknown", "response": "argue"},
        {"quote": "te duur", "reason": "budget", "response": "explore"}],
     "not_moments": ["nee hoor"], "disqualifiers": ["budget"], "discovery_questions_before_first_nee": 2},
    {"call_id": "a2", "rep": "Rep B", "moments": [
        {"quote": "we zitten al bij", "reason": "competitor", "response": "accept"}],
     "not_moments": ["nee, klopt", "nee, verder niet"], "disqualifiers": [], "discovery_questions_before_first_nee": 0},
    {"call_id": "a3", "rep": "Rep B", "moments": [], "not_moments": [], "disqualifiers": ["fit"],
     "discovery_questions_before_first_nee": 1},
]
MANIFEST = [{"file": "calls/a1.txt", "call_id": "a1", "rep": "Rep A", "rep_speaker": "A"},
            {"file": "calls/a2.txt", "call_id": "a2", "rep": "Rep B", "rep_speaker": "B"},
            {"file": "calls/a3.txt", "call_id": "a3", "rep": "Rep B", "rep_speaker": "B"}]
CALLS = pl.DataFrame({
    "call_id": ["a1", "a2", "a3"],
    "disqualifiers": [["budget", "fit"], [], []],
    "discovery_questions_before_first_nee": [1, 0, 1],
})
MOMENTS = pl.DataFrame({
    "call_id": ["a1", "a1", "a1", "a2", "a2"],
    "utt_idx": [3, 7, 9, 2, 5],
    "text": ["Nee, laat  maar. Dank u.", "Dat is ons te duur.", "Nee hoor.", "Nee, klopt.", "Ja, we zitten al bij X"],
    "reason": ["unknown", "budget", "unknown", "unknown", "no_need"],
    "response": ["argue", "argue", "accept", "explore", "accept"],
    "asked_why_first": [False, False, False, True, False],
})


def _reference():
    path = SHARED / "acceptance" / "score.py"
    if not path.exists():
        pytest.skip("acceptance score.py not available")
    spec = importlib.util.spec_from_file_location("acceptance_score", path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_score_equals_acceptance_script(tmp_path: Path) -> None:
    ref = _reference()
    (tmp_path / "gold.jsonl").write_text("\n".join(json.dumps(g) for g in GOLD) + "\n", encoding="utf-8")
    with (tmp_path / "manifest.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(MANIFEST[0]))
        w.writeheader()
        w.writerows(MANIFEST)
    ws = tmp_path / "ws"
    ws.mkdir()
    CALLS.write_parquet(ws / "calls.parquet")
    MOMENTS.write_parquet(ws / "moments.parquet")
    expected = ref.score(tmp_path, ws)
    got = score(GOLD, MANIFEST, CALLS, MOMENTS)
    assert got == expected


def test_format_table_mentions_every_metric() -> None:
    text = format_table(score(GOLD, MANIFEST, CALLS, MOMENTS))
    for word in ("moment F1", "disqualifier F1", "response confusion", "explore"):
        assert word in text


def test_cli_evaluate_reports_what_score_py_reports(tmp_path: Path) -> None:
    """`neecoach evaluate SET --json` equals score.py run on the workspace it leaves behind."""
    from typer.testing import CliRunner

    from pipeline.cli import app
    from tests.conftest import SAMPLES

    score_py = SHARED / "acceptance" / "score.py"
    if not score_py.exists():
        pytest.skip("score.py not available")
    spec = importlib.util.spec_from_file_location("acceptance_score", score_py)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    ws, out = tmp_path / "ws", tmp_path / "metrics.json"
    res = CliRunner().invoke(app, ["evaluate", str(SAMPLES), "--json", str(out), "--out", str(ws)])
    assert res.exit_code == 0, res.output
    assert "moments" in res.output
    assert json.loads(out.read_text()) == json.loads(json.dumps(mod.score(SAMPLES, ws)))
