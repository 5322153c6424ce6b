"""`neecoach evaluate SET_DIR`: run the whole pipeline on a labelled set and score it.

The set is read exactly as the nightly job reads transcripts (calls/ + manifest.csv), into a
temporary workspace (or `--out`), then scored against gold.jsonl by `pipeline.evaluate.score`,
which matches ../shared/acceptance/score.py metric for metric.
"""

from __future__ import annotations

import csv
import json
import tempfile
from pathlib import Path
from typing import Any

import polars as pl

from pipeline.config import load_settings
from pipeline.errors import ErrorCode, UsageError
from pipeline.evaluate import format_table, score
from pipeline.run import RunRequest, execute


def read_gold(set_dir: Path) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    gold_path, manifest_path = set_dir / "gold.jsonl", set_dir / "manifest.csv"
    for p in (gold_path, manifest_path, set_dir / "calls"):
        if not p.exists():
            raise UsageError(ErrorCode.INPUT_MISSING, f"{p} (a labelled set has calls/, manifest.csv, gold.jsonl)")
    try:
        gold = [json.loads(line) for line in gold_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except json.JSONDecodeError as exc:
        raise UsageError(ErrorCode.CONFIG_INVALID, f"{gold_path}: {exc.msg} at line {exc.lineno}") from None
    with manifest_path.open(encoding="utf-8", newline="") as fh:
        manifest = list(csv.DictReader(fh))
    return gold, manifest


def evaluate_set(set_dir: Path, config: Path | None = None, out: Path | None = None) -> tuple[dict[str, Any], str]:
    gold, manifest = read_gold(set_dir)
    settings = load_settings(config)
    with tempfile.TemporaryDirectory(prefix="neecoach-eval-") as tmp:
        ws = out or Path(tmp) / "ws"
        execute(RunRequest((set_dir / "calls",), ws, settings, manifest=set_dir / "manifest.csv", reports=False))
        calls = pl.read_parquet(ws / "calls.parquet")
        moments = pl.read_parquet(ws / "moments.parquet")
    result = score(gold, manifest, calls, moments)
    return result, format_table(result)
