"""End-to-end throughput and memory of `neecoach run`. A script that prints numbers, not a test.

Usage: python bench/bench_run.py [N ...] [--engines local,ray] [--workers 1,2]
For each N (default 1000 10000) it generates a seeded corpus and runs the CLI in a fresh process,
printing words/s, calls/s and the peak RSS of the largest process (parent or worker).
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.corpus import generate

NEECOACH = [sys.executable, "-m", "pipeline.cli"]


def measure(corpus: Path, ws: Path, workers: int, engine: str) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one run, in a fresh wrapper process."""
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
    secs, rss = out.stdout.split()
    return float(secs), float(rss)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("sizes", nargs="*", type=int, default=[1000, 10000])
    ap.add_argument("--engines", default="local")
    ap.add_argument("--workers", default="1,2")
    args = ap.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"{'calls':>7} {'engine':>6} {'workers':>7} {'seconds':>8} {'words/s':>10} {'calls/s':>8} "
          f"{'peak RSS MB':>11}")
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            corpus = Path(tmp) / "corpus"
            _, words = generate(corpus, n)
            for engine in args.engines.split(","):
                for w in [int(x) for x in args.workers.split(",")]:
                    if engine == "ray" and w != max(int(x) for x in args.workers.split(",")):
                        continue
                    ws = Path(tmp) / f"ws-{engine}-{w}"
                    secs, rss = measure(corpus, ws, w, engine)
                    print(f"{n:>7} {engine:>6} {w:>7} {secs:>8.1f} {words / secs:>10,.0f} {n / secs:>8.1f} "
                          f"{rss:>11.0f}", flush=True)


if __name__ == "__main__":
    main()
