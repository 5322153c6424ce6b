"""The labelled dev set (read by path from ../shared, never copied): roles and quote placement."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import polars as pl
import pytest

from pipeline.config import load_settings
from pipeline.run import RunRequest, execute
from tests.conftest import DEV


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower()).strip()


@pytest.fixture(scope="module")
def dev() -> tuple[list[dict], dict[str, dict]]:
    if not (DEV / "gold.jsonl").exists():
        pytest.skip("../shared/eval/dev not available")
    gold = [json.loads(line) for line in (DEV / "gold.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    with (DEV / "manifest.csv").open(encoding="utf-8", newline="") as fh:
        manifest = {r["call_id"]: r for r in csv.DictReader(fh)}
    return gold, manifest


def _ingest(tmp: Path, manifest: Path | None) -> tuple[pl.DataFrame, pl.DataFrame]:
    ws = tmp / "ws"
    summary = execute(RunRequest((DEV / "calls",), ws, load_settings(), manifest=manifest, detect=False))
    assert summary.exit_code == 0
    return pl.read_parquet(ws / "calls.parquet"), pl.read_parquet(ws / "utterances.parquet")


def test_gold_quotes_lie_in_one_customer_utterance(tmp_path: Path, dev: tuple[list[dict], dict]) -> None:
    gold, manifest = dev
    calls, utts = _ingest(tmp_path, DEV / "manifest.csv")
    assert calls.height == 40
    by_call = {cid: g for (cid,), g in utts.group_by(["call_id"])}
    for row in gold:
        u = by_call[row["call_id"]]
        quotes = [m["quote"] for m in row["moments"]] + row["not_moments"]
        for q in quotes:
            hits = u.filter(pl.col("text").map_batches(lambda s: s.str.to_lowercase().str.replace_all(r"\s+", " "))
                            .str.contains(_norm(q), literal=True))
            assert hits.height >= 1, (row["call_id"], "quote not found")
            assert set(hits["role"]) == {"customer"}, (row["call_id"], "quote not in a customer utterance")
        rep_speaker = manifest[row["call_id"]]["rep_speaker"]
        assert set(u.filter(pl.col("speaker") == rep_speaker)["role"]) == {"seller"}


def test_role_inference_without_manifest(tmp_path: Path, dev: tuple[list[dict], dict]) -> None:
    _, manifest = dev
    calls, _ = _ingest(tmp_path, None)
    right = sum(1 for r in calls.iter_rows(named=True) if r["rep_speaker"] == manifest[r["call_id"]]["rep_speaker"])
    assert right >= 36, f"inference got the seller right in {right} of 40 calls"
