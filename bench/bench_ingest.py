"""Ingest throughput: MB/s and utterances/s over a generated corpus. A script, not a test.

Usage: python bench/bench_ingest.py [N_CALLS=2000]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.corpus import generate
from pipeline.config import load_settings
from pipeline.run import RunRequest, execute


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        nbytes, nwords = generate(corpus, n)
        print(f"corpus: {n} calls, {nbytes / 1e6:.1f} MB, {nwords} words")
        for workers in (1, 2):
            ws = Path(tmp) / f"ws{workers}"
            t0 = time.perf_counter()
            execute(RunRequest((corpus,), ws, load_settings(), workers=workers, detect=False))
            dt = time.perf_counter() - t0
            utts = pl.read_parquet(ws / "utterances.parquet").height
            print(f"ingest workers={workers}: {dt:.2f}s  {nbytes / 1e6 / dt:.2f} MB/s  {utts / dt:,.0f} utterances/s")


if __name__ == "__main__":
    main()
