from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl
import pytest

from pipeline import aggregate
from pipeline.config import Settings, load_settings
from pipeline.render import render_reports
from tests.report_fixtures import workspace


@dataclass
class Rendered:
    calls: pl.DataFrame
    utts: pl.DataFrame
    moments: pl.DataFrame
    reps: pl.DataFrame
    files: dict[str, str]


def settings_with(**reports: Any) -> Settings:
    base = load_settings()
    data = dict(base.data)
    data["reports"] = {**base.section("reports"), **reports}
    return Settings(data, base.source + " (test)")


@pytest.fixture(scope="session")
def rendered() -> Rendered:
    calls, utts, moments = workspace()
    reps = aggregate.rep_table(calls, utts, moments)
    return Rendered(calls, utts, moments, reps, render_reports(calls, utts, moments, reps, load_settings()))
