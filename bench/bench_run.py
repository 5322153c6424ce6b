"""End-to-end throughput and memory of `neecoach run`. A script that prints numbers, not a test.

Usage: python bench/bench_run.py [N ...] [--engines local,ray] [--workers 1,2] [--repeat 3]
For each N (default 1000 10000) it generates a seeded corpus and runs the CLI in a fresh process,
printing words/s, calls/s and peak memory from the run's own `run.json` (`peak_rss_mb`, each
process's VmHWM): the parent's, the largest worker's, and their sum over all processes (parent + N x
largest worker, an upper bound of what the run holds at once). `ru_maxrss` of the child is not used:
it misses the workers, which are children of the forkserver, not of the command.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.corpus import generate

NEECOACH = [sys.executable, "-m", "pipeline.cli"]


def measure(corpus: Path, ws: Path, workers: int, engine: str) -> tuple[float, float, float]:
    """Wall seconds, the parent's and the largest worker's peak RSS (MB) of one run, in a fresh process."""
    cmd = [*NEECOACH, "run", str(corpus), "--out", str(ws), "--workers", str(workers), "--engine", engine, "--nofail"]
    code = (
        "import resource, subprocess, sys, time; t = time.perf_counter(); "
        f"r = subprocess.run({cmd!r}, capture_output=True, text=True); "
        "dt = time.perf_counter() - t; "
        "print(dt, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024); "
        "sys.stderr.write(r.stderr[-2000:]) if r.returncode else None"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parents[1], check=True)
    if out.stderr.strip():
        print(out.stderr, file=sys.stderr)
    secs, _ = out.stdout.split()
    peaks = json.loads((ws / "run.json").read_text(encoding="utf-8"))["peak_rss_mb"]
    worker = float(peaks.pop("workers", 0.0))
    return float(secs), max(float(v) for v in peaks.values()), worker


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("sizes", nargs="*", type=int, default=[1000, 10000])
    ap.add_argument("--engines", default="local")
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--repeat", type=int, default=1, help="runs per setting; the median is shown")
    args = ap.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"{'calls':>7} {'engine':>6} {'workers':>7} {'seconds':>8} {'words/s':>10} {'calls/s':>8} "
          f"{'parent MB':>9} {'worker MB':>9} {'all MB':>7}")
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            corpus = Path(tmp) / "corpus"
            _, words = generate(corpus, n)
            for engine in args.engines.split(","):
                for w in [int(x) for x in args.workers.split(",")]:
                    if engine == "ray" and w != max(int(x) for x in args.workers.split(",")):
                        continue
                    runs = []
                    for r in range(max(1, args.repeat)):
                        ws = Path(tmp) / f"ws-{engine}-{w}-{r}"
                        runs.append(measure(corpus, ws, w, engine))
                        shutil.rmtree(ws, ignore_errors=True)
                    secs, parent, worker = sorted(runs)[len(runs) // 2]
                    total = parent + (w if engine == "local" else 0) * worker
                    print(f"{n:>7} {engine:>6} {w:>7} {secs:>8.1f} {words / secs:>10,.0f} {n / secs:>8.1f} "
                          f"{parent:>9.0f} {worker:>9.0f} {total:>7.0f}", flush=True)


if __name__ == "__main__":
    main()
