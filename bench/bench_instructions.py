"""Detection work as a machine-independent number: CPU instructions per word, counted by valgrind. Not a test.

Wall-clock figures on a shared machine move by 10-30 % from one minute to the next; repeat instruction counts
agree within about 0.5 %, so a change of a few percent in the detector's work can be measured. It runs the
shipped configuration over a seeded corpus (the one `bench_detect.py` builds, or a saved one) once and
twice under `valgrind --tool=cachegrind --cache-sim=no` and prints the difference: one detection pass,
start-up excluded. Needs valgrind on PATH; takes about two minutes.

    .venv/bin/python bench/bench_instructions.py [--words 60000] [--seed 7] [--corpus saved.parquet]

To compare two versions of the code on the same input, save a corpus once (`--save FILE`) and measure each
checkout on it (`--root` names the other checkout, e.g. a `git worktree`); the generated corpus draws on the
test cases, which change between versions.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_CHILD = """
import sys
sys.path.insert(0, {root!r})
import polars as pl
from bench.bench_detect import _engine
df = pl.read_parquet({corpus!r})
engine = _engine(False)
for _ in range({passes}):
    engine.detect(df)
"""


def _instructions(root: Path, corpus: Path, passes: int) -> int:
    code = _CHILD.format(root=str(root), corpus=str(corpus), passes=passes)
    out = subprocess.run(
        ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
         sys.executable, "-c", code],
        capture_output=True, text=True, check=True, cwd=root,
        env={**os.environ, "PYTHONHASHSEED": "0"},  # set and dict orders, and so the work, repeat exactly
    )
    m = re.search(r"I\s+refs:\s+([\d,]+)", out.stderr)
    if m is None:
        raise SystemExit("valgrind printed no instruction count:\n" + out.stderr[-2000:])
    return int(m.group(1).replace(",", ""))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--words", type=int, default=60_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--corpus", type=Path, help="a saved corpus (parquet) instead of a generated one")
    ap.add_argument("--save", type=Path, help="save the generated corpus here and stop")
    ap.add_argument("--root", type=Path, default=ROOT, help="the checkout whose code is measured (default: this one)")
    args = ap.parse_args()
    if shutil.which("valgrind") is None and args.save is None:
        raise SystemExit("valgrind is not installed")
    import polars as pl

    with tempfile.TemporaryDirectory() as tmp:
        corpus = args.corpus
        if corpus is None:
            from bench.bench_detect import corpus as make_corpus

            corpus = Path(tmp) / "corpus.parquet"
            make_corpus(args.words, args.seed).write_parquet(corpus)
            if args.save is not None:
                shutil.copy(corpus, args.save)
                print(f"saved {args.save}")
                return
        n_words = int(pl.read_parquet(corpus)["text"].str.split(" ").list.len().sum())
        root = args.root.resolve()
        one, two = _instructions(root, corpus, 1), _instructions(root, corpus, 2)
    per_pass = two - one
    print(f"corpus: {n_words} words")
    print(f"detect: {per_pass / 1e6:,.0f} M instructions per pass, {per_pass / n_words:,.0f} per word")


if __name__ == "__main__":
    main()
