"""The Ray engine runs the same per-shard function: tables identical to the local engine's."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

from pipeline.config import load_settings
from pipeline.run import RunRequest, execute
from tests.conftest import SAMPLES

ray = pytest.importorskip("ray", reason="the ray extra is not installed")


def test_ray_and_local_engines_give_identical_tables(tmp_path: Path) -> None:
    corpus = tmp_path / "in"
    shutil.copytree(SAMPLES, corpus)
    settings = load_settings()
    execute(RunRequest((corpus,), tmp_path / "local", settings, workers=2, reports=False))
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)  # a local Ray started by the test
    try:
        execute(RunRequest((corpus,), tmp_path / "ray", settings, workers=2, reports=False, engine="ray"))
    finally:
        ray.shutdown()
    for name in ("calls", "utterances", "moments", "quarantine", "reps"):
        local = pl.read_parquet(tmp_path / "local" / f"{name}.parquet")
        remote = pl.read_parquet(tmp_path / "ray" / f"{name}.parquet")
        assert local.equals(remote), name
