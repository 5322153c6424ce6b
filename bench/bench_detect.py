"""Detection speed on a seeded synthetic corpus (words/s, 1 and 2 processes). Not a test.

The corpus recombines the dialogue turns of tests/detect/cases/*.yaml and the texts of
data/train/moments.jsonl and seller_turns.jsonl into calls of 20-40 turns. Prints the tokenizer-only
rate next to the detection rate: the machine is shared and noisy, so compare the two within one run.

    .venv/bin/python bench/bench_detect.py [--words 300000] [--seed 7] [--repeat 3] [--rules-only] [--corpus FILE]

By default it runs the shipped configuration (rules + the models in configs/default.toml), as the
nightly job does. The 2-process figure shards the calls over two worker processes that have
already loaded their engine (start-up excluded; it is paid once per night).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import polars as pl
import yaml

from pipeline.config import load_settings
from pipeline.modelstore import keep_torch_out, needs_torch

if not needs_torch(load_settings()):
    keep_torch_out()  # as the nightly workers do: spaCy models never need torch (docs/ops.md)

from pipeline.detect.engine import Engine, tune_gc

ROOT = Path(__file__).resolve().parents[1]


def _turns() -> dict[str, list[str]]:
    pools: dict[str, list[str]] = {"seller": [], "customer": []}
    for path in sorted((ROOT / "tests" / "detect" / "cases").glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]:
            for role, text in case["dialogue"]:
                pools[role].append(text)
    # a fixed pool (not every data/train file), so that figures stay comparable as training data grows
    for path in (ROOT / "data" / "train" / "moments.jsonl", ROOT / "data" / "train" / "seller_turns.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(row, dict) and isinstance(row.get("text"), str):
                pools["customer" if "moment" in path.stem else "seller"].append(row["text"])
    return pools


def corpus(n_words: int, seed: int) -> pl.DataFrame:
    rnd = random.Random(seed)
    pools = _turns()
    rows = []
    words = 0
    call = 0
    while words < n_words:
        t = 0.0
        for i in range(rnd.randint(20, 40)):
            role = "seller" if i % 2 == 0 else "customer"
            text = rnd.choice(pools[role])
            if rnd.random() < 0.3:  # raw-ASR variant
                text = "".join(ch for ch in text.lower() if ch.isalnum() or ch in " '")
            n = len(text.split())
            rows.append(
                {
                    "call_id": f"b{call:05d}",
                    "idx": i,
                    "speaker": role,
                    "role": role,
                    "start_s": t,
                    "end_s": t + 0.4 * n,
                    "text": text,
                }
            )
            t += 0.4 * n + 0.5
            words += n
        call += 1
    return pl.DataFrame(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--words", type=int, default=300_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--rules-only", action="store_true")
    ap.add_argument("--corpus", help="a saved corpus (parquet, e.g. from bench_instructions.py --save) instead of a "
                    "generated one: the same input for two checkouts")
    args = ap.parse_args()
    df = pl.read_parquet(args.corpus) if args.corpus else corpus(args.words, args.seed)
    n_words = int(df["text"].str.split(" ").list.len().sum())
    engine = _engine(args.rules_only)
    texts = df["text"].to_list()
    engine.detect(df.head(2000))  # warm-up
    tok, det = [], []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        for _doc in engine.nlp.tokenizer.pipe(texts, batch_size=512):
            pass
        tok.append(n_words / (time.perf_counter() - t0))
        t0 = time.perf_counter()
        out = engine.detect(df)
        det.append(n_words / (time.perf_counter() - t0))
    what = "rules only" if args.rules_only else "rules + models"
    print(f"corpus: {df['call_id'].n_unique()} calls, {df.height} turns, {n_words} words, {out.moments.height} moments")
    print(f"tokenizer only : {statistics.median(tok):>10,.0f} words/s (median of {args.repeat})")
    print(f"detect         : {statistics.median(det):>10,.0f} words/s (median of {args.repeat}, 1 process, {what})")
    ids = df["call_id"].unique(maintain_order=True).to_list()
    halves = [df.filter(pl.col("call_id").is_in(ids[i::2])) for i in range(2)]
    ctx = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(2, mp_context=ctx, initializer=_init, initargs=(args.rules_only,)) as pool:
        list(pool.map(_run, [df.head(2000)] * 2))  # both workers loaded and warm
        two = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            list(pool.map(_run, halves))
            two.append(n_words / (time.perf_counter() - t0))
    print(f"detect         : {statistics.median(two):>10,.0f} words/s (median of {args.repeat}, 2 processes, {what})")


_WORKER: dict[str, Engine] = {}


def _engine(rules_only: bool) -> Engine:
    settings = load_settings()
    if rules_only:
        settings.data["models"] = {}
    engine = Engine.load(settings)
    tune_gc()  # as the nightly job does once its engine is loaded (pipeline.run.process_shard)
    return engine


def _init(rules_only: bool) -> None:
    _WORKER["engine"] = _engine(rules_only)


def _run(df: pl.DataFrame) -> int:
    return _WORKER["engine"].detect(df).moments.height


if __name__ == "__main__":
    main()
