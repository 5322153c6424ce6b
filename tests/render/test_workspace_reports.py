"""End to end: `run` on data/samples writes the reports, and their numbers are those of reps.parquet."""

from __future__ import annotations

import html
import re
from pathlib import Path

import polars as pl
import pytest

from pipeline.config import load_settings
from pipeline.render.i18n import Messages
from pipeline.render.names import file_stems
from pipeline.render.view import METRICS
from pipeline.run import RunRequest, execute
from tests.conftest import SAMPLES

CELL = re.compile(r'data-metric="([^"]+)" data-scope="rep" data-value="([^"]*)">([^<]*)')


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not SAMPLES.is_dir():
        pytest.skip("data/samples not available")
    ws = tmp_path_factory.mktemp("ws")
    execute(RunRequest((SAMPLES,), ws, load_settings()))
    return ws


def test_reports_match_reps_parquet(workspace: Path) -> None:
    reps = pl.read_parquet(workspace / "reps.parquet")
    moments = pl.read_parquet(workspace / "moments.parquet")
    calls = pl.read_parquet(workspace / "calls.parquet")
    reports = workspace / "reports"
    assert (reports / "index.html").is_file()
    known = [r for r in reps["rep"].to_list() if r is not None]
    assert known, "the samples name their reps"
    msgs = Messages.load("nl")
    for rep, stem in file_stems(known).items():
        page = (reports / f"{stem}.html").read_text(encoding="utf-8")
        assert (reports / f"{stem}.md").is_file()
        row = reps.filter(pl.col("rep") == rep).row(0, named=True)
        cells = CELL.findall(page)
        assert len(cells) >= 15
        for metric, raw, shown in cells:
            want = row[metric]
            assert (raw == "") == (want is None), metric
            if want is not None:
                assert float(raw) == pytest.approx(want), metric
                assert shown == msgs.fmt(METRICS[metric].kind, want), metric
        own = set(calls.filter(pl.col("rep") == rep)["call_id"].to_list())
        for cid in re.findall(r'data-call="([^"]+)"', page):
            assert cid in own
        n = moments.filter(pl.col("call_id").is_in(list(own))).height
        assert row["n_moments"] == n
        assert msgs.t("rep.subtitle", calls=row["n_calls"], moments=n, first=row["first_date"].isoformat(),
                      last=row["last_date"].isoformat()) in html.unescape(page)
