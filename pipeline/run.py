"""One batch, composed: plan -> (skip unchanged) -> ingest + detect per shard -> merge -> aggregate -> store.

The CLI only parses arguments and maps errors to exit codes; everything else happens here.
Shards of files run in worker processes (spaCy's own n_process pool is slower on small machines);
the per-shard function `process_shard` is the unit every engine runs.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import platform
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from pipeline import __version__
from pipeline.config import IngestSettings, Settings
from pipeline.errors import ErrorCode, UsageError
from pipeline.ingest import (
    RoleContext,
    SourceFile,
    find_manifest,
    ingest_file,
    plan,
    sha256_file,
    to_tables,
)
from pipeline.modelstore import keep_torch_out, models_hash, models_info, needs_torch
from pipeline.roles import load_role_rules, load_roster
from pipeline.schema import CALLS, MOMENTS, QUARANTINE, UTTERANCES, conform
from pipeline.store import Transaction, discard_staging, read_table, recover, workspace_lock

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RunRequest:
    inputs: tuple[Path, ...]
    out: Path
    settings: Settings
    manifest: Path | None = None
    workers: int | None = None
    full: bool = False
    detect: bool = True
    reports: bool = True
    engine: str = "local"  # "local" (worker processes) or "ray"
    ray_address: str | None = None


@dataclass(frozen=True)
class ShardContext:
    """Everything a worker needs, picklable: settings data, never loaded models."""

    ingest: IngestSettings
    roles: RoleContext
    settings: Settings
    detect: bool


@dataclass
class ShardOutput:
    """One shard's results as compact tables (Arrow), never Python rows: memory stays bounded."""

    calls: pl.DataFrame
    utterances: pl.DataFrame
    quarantine: pl.DataFrame
    moments: pl.DataFrame
    timings: dict[str, float] = field(default_factory=dict)
    # where a local worker wrote the shard's utterances itself (then `utterances` is empty): the big
    # table never travels through the parent's memory
    utterances_part: str | None = None
    peak_rss_mb: float = 0.0  # of the process that ran the shard, when it finished


@dataclass
class RunSummary:
    seen: int = 0
    processed: int = 0
    unchanged: int = 0
    quarantined: int = 0
    duplicates: int = 0
    calls_total: int = 0
    moments_total: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    peak_rss_mb: dict[str, float] = field(default_factory=dict)  # this process's high-water mark after each stage
    recovered: str | None = None
    manifest: str | None = None

    @property
    def exit_code(self) -> int:
        return 1 if self.quarantined else 0

    def line(self) -> str:
        parts = [
            f"{self.seen} files seen",
            f"{self.processed} processed",
            f"{self.unchanged} unchanged",
            f"{self.quarantined} quarantined",
        ]
        if self.duplicates:
            parts.append(f"{self.duplicates} duplicate content")
        parts.append(f"{self.calls_total} calls and {self.moments_total} nee-moments in workspace")
        return "neecoach: " + ", ".join(parts) + f" ({self.timings.get('total', 0.0):.1f}s)"


def peak_rss_mb() -> float:
    """This process's peak resident memory so far (Linux: VmHWM; elsewhere ru_maxrss)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def processing_hash(settings: Settings, detect: bool) -> str:
    """What a call's stored results depend on besides its bytes: code, config and models."""
    if not detect:
        return f"{__version__}:{settings.section_hash('ingest', 'roles')}:ingest"
    return f"{__version__}:{settings.hash}:{models_hash(settings)}"


# --- worker side -------------------------------------------------------------------------------

_ENGINE_CACHE: dict[str, Any] = {}


def process_shard(sources: Sequence[SourceFile], ctx: ShardContext, part: Path | None = None) -> ShardOutput:
    """Ingest (and detect) one shard of files. Pure apart from reading the files, and writing the
    shard's utterances to `part` (a scratch Parquet file) when one is given."""
    t0 = time.perf_counter()
    results = [ingest_file(s, ctx.ingest, ctx.roles) for s in sources]
    calls, utts, quarantine = to_tables(results)
    out = ShardOutput(calls, utts, quarantine, MOMENTS.empty(), timings={"ingest": time.perf_counter() - t0})
    if ctx.detect and utts.height:
        from pipeline.detect.engine import Engine, tune_gc

        key = ctx.settings.hash
        engine = _ENGINE_CACHE.get(key)
        if engine is None:
            engine = _ENGINE_CACHE[key] = Engine.load(ctx.settings)
            tune_gc()
        t1 = time.perf_counter()
        outcomes = dict(zip(calls["call_id"].to_list(), calls["outcome"].to_list(), strict=True))
        det = engine.detect(utts, outcomes)
        out.moments = det.moments
        out.utterances = _attach(utts, det.utterance_features, ["call_id", "idx"])
        out.calls = _attach(calls, det.call_features, ["call_id"])
        out.timings["detect"] = time.perf_counter() - t1
    if out.calls.height:
        from pipeline.aggregate import call_talk

        out.calls = _attach(out.calls, call_talk(out.utterances), ["call_id"])
    if part is not None and out.utterances.height:
        _write_part(out.utterances, part)
        out.utterances, out.utterances_part = out.utterances.clear(), str(part)
    out.peak_rss_mb = peak_rss_mb()
    return out


def _write_part(utterances: pl.DataFrame, path: Path) -> None:
    """One shard's utterances as a scratch Parquet part (fast lz4; the merged table is zstd)."""
    conform(utterances, UTTERANCES).write_parquet(path, compression="lz4")


def _attach(table: pl.DataFrame, extra: pl.DataFrame, on: list[str]) -> pl.DataFrame:
    """`table` with the columns of `extra` (joined on `on`), replacing columns of the same name."""
    if not extra.height:
        return table
    return table.drop([c for c in extra.columns if c in table.columns and c not in on]).join(extra, on=on, how="left")


# --- parent side -------------------------------------------------------------------------------


def _role_context(settings: Settings) -> RoleContext:
    roles = settings.section("roles")
    return RoleContext(
        roster=load_roster(settings.path("roles", "roster", "configs/reps.toml")),
        rules=load_role_rules(settings.path("roles", "rules", "configs/roles.toml")),
        min_confidence=float(roles.get("min_confidence", 0.6)),
    )


def _shards(items: Sequence[SourceFile], n: int) -> list[list[SourceFile]]:
    size = max(1, min(64, -(-len(items) // max(1, n * 4))))
    return [list(items[i:i + size]) for i in range(0, len(items), size)]


def _run_shards(
    sources: Sequence[SourceFile], ctx: ShardContext, workers: int, progress: Progress | None,
    engine: str = "local", ray_address: str | None = None, parts: Path | None = None,
) -> Iterator[ShardOutput]:
    """Shard outputs in shard order, as they complete (a bounded number in flight). With `parts`, local
    workers write each shard's utterances to a Parquet file in that folder instead of returning them."""
    shards = _shards(sources, workers)

    def part(i: int) -> Path | None:
        return parts / f"utterances-{i:06d}.parquet" if parts is not None else None

    if not shards:
        return
    done = 0
    if engine == "ray":
        from pipeline.ray_engine import run_shards

        yield from run_shards(shards, ctx, ray_address, progress)
        return
    if workers <= 1 or len(shards) <= 1:
        for i, shard in enumerate(shards):
            yield process_shard(shard, ctx, part(i))
            done += len(shard)
            if progress:
                progress(done, len(sources))
        return
    # forkserver, not fork: a forked child of a process that already runs polars' or torch's thread
    # pools can deadlock. Workers start clean and keep torch out when no model needs it.
    mp = multiprocessing.get_context("forkserver")
    # one process per core already: polars inside a worker gets one thread, not a pool per core
    # (a forkserver started here passes it on; one started earlier, as in a test session, keeps its own)
    os.environ.setdefault("POLARS_MAX_THREADS", "1")
    with ProcessPoolExecutor(max_workers=workers, mp_context=mp, initializer=_worker_init,
                             initargs=(ctx.detect and not needs_torch(ctx.settings),)) as pool:
        pending: deque[tuple[int, Future[ShardOutput]]] = deque()
        queue = iter(enumerate(shards))
        for i, shard in queue:
            pending.append((len(shard), pool.submit(process_shard, shard, ctx, part(i))))
            if len(pending) >= workers * 2:
                break
        while pending:
            n, fut = pending.popleft()
            out = fut.result()
            nxt = next(queue, None)
            if nxt is not None:
                pending.append((len(nxt[1]), pool.submit(process_shard, nxt[1], ctx, part(nxt[0]))))
            done += n
            if progress:
                progress(done, len(sources))
            yield out


def _worker_init(lean: bool) -> None:
    if lean:
        keep_torch_out()


def _rename_clashes(out: ShardOutput, seen: set[str]) -> ShardOutput:
    """Two different files claiming one call id in different shards: the later gets `<id>-<sha8>`."""
    ids = out.calls["call_id"].to_list()
    clash = [c for c in ids if c in seen]
    if clash:
        shas = dict(zip(ids, out.calls["source_sha256"].to_list(), strict=True))
        mapping = {c: f"{c}-{shas[c][:8]}" for c in clash}
        log.warning("duplicate call ids renamed", extra={"call_id": ",".join(sorted(mapping.values()))})
        fix = pl.col("call_id").replace(mapping)
        if out.utterances_part is not None:
            part = Path(out.utterances_part)
            _write_part(pl.read_parquet(part).with_columns(fix), part)
        out = ShardOutput(out.calls.with_columns(fix), out.utterances.with_columns(fix), out.quarantine,
                          out.moments.with_columns(fix), out.timings, out.utterances_part, out.peak_rss_mb)
    seen.update(out.calls["call_id"].to_list())
    return out


def _concat(frames: Sequence[pl.DataFrame | None], empty: pl.DataFrame) -> pl.DataFrame:
    present = [f for f in frames if f is not None and f.height]
    return pl.concat(present, how="diagonal_relaxed", rechunk=False) if present else empty


def _replace(old: pl.DataFrame | None, new: pl.DataFrame, drop: pl.Expr) -> pl.DataFrame:
    if old is None or not old.height:
        return new
    return pl.concat([old.filter(~drop), new], how="diagonal_relaxed", rechunk=False)


def execute(req: RunRequest, progress: Progress | None = None) -> RunSummary:
    t_start = time.perf_counter()
    summary = RunSummary()
    settings = req.settings
    manifest = req.manifest or find_manifest(req.inputs)
    summary.manifest = str(manifest) if manifest else None
    sources, manifest_problems = plan(req.inputs, manifest, settings.ingest)
    ws = req.out
    with workspace_lock(ws):
        summary.recovered = recover(ws)
        old_calls = read_table(ws, "calls")
        old_quarantine = read_table(ws, "quarantine")
        current = processing_hash(settings, req.detect)

        # Incremental: a file whose bytes and processing hash are unchanged is not touched.
        t0 = time.perf_counter()
        digests = {s.path: sha256_file(s.path) for s in sources}
        done_before: set[tuple[str, str]] = set()
        if old_calls is not None and not req.full:
            done_before |= {
                (r["source_file"], r["source_sha256"])
                for r in old_calls.filter(pl.col("processed_with") == current).iter_rows(named=True)
            }
        if old_quarantine is not None and not req.full:
            done_before |= {
                (r["source_file"], r["source_sha256"])
                for r in old_quarantine.filter(pl.col("source_sha256").is_not_null()).iter_rows(named=True)
            }
        todo: list[SourceFile] = []
        seen_digest: dict[str, str] = {}
        if old_calls is not None:
            seen_digest = {r["source_sha256"]: r["source_file"] for r in old_calls.iter_rows(named=True)}
        for s in sources:
            d = digests[s.path]
            if (str(s.path), d) in done_before:
                summary.unchanged += 1
            elif d in seen_digest and seen_digest[d] != str(s.path):
                summary.duplicates += 1
                log.info("identical content skipped", extra={"file": str(s.path), "same_as": seen_digest[d]})
            else:
                seen_digest[d] = str(s.path)
                todo.append(s)
        summary.timings["plan"] = time.perf_counter() - t0
        summary.peak_rss_mb["plan"] = peak_rss_mb()
        summary.seen = len(sources) + len(manifest_problems)

        ctx = ShardContext(settings.ingest, _role_context(settings), settings, req.detect)
        workers = req.workers or os.cpu_count() or 1
        if len(todo) < 40 and req.engine == "local":
            workers = 1  # starting processes costs more than it saves on a handful of files
        t0 = time.perf_counter()
        tx = Transaction(ws)
        # Utterances (the big table) go to Parquet parts as shards arrive and are merged by streaming:
        # the parent never holds them whole. Calls, moments and quarantine rows are small per call.
        parts: list[Path] = []
        small: dict[str, list[pl.DataFrame]] = {"calls": [], "moments": [], "quarantine": []}
        seen_ids: set[str] = set()
        worker_peak = 0.0
        parts_dir = tx.scratch("parts").absolute()
        parts_dir.mkdir(parents=True, exist_ok=True)
        for out in _run_shards(todo, ctx, workers, progress, req.engine, req.ray_address, parts_dir):
            out = _rename_clashes(out, seen_ids)
            worker_peak = max(worker_peak, out.peak_rss_mb)
            if out.utterances_part is not None:
                parts.append(Path(out.utterances_part))
            elif out.utterances.height:  # a remote engine returns them
                part = parts_dir / f"returned-{len(parts):06d}.parquet"
                _write_part(out.utterances, part)
                parts.append(part)
            small["calls"].append(out.calls)
            small["moments"].append(out.moments)
            small["quarantine"].append(out.quarantine)
            del out
        summary.timings["ingest_detect"] = time.perf_counter() - t0
        summary.peak_rss_mb["ingest_detect"] = peak_rss_mb()
        if workers > 1 or req.engine != "local":
            summary.peak_rss_mb["workers"] = worker_peak
        new_calls = conform(_concat(small["calls"], CALLS.empty()), CALLS)
        new_moments = conform(_concat(small["moments"], MOMENTS.empty()), MOMENTS)
        _, _, manifest_quar = to_tables([], manifest_problems)
        new_quar = conform(_concat([manifest_quar, *small["quarantine"]], QUARANTINE.empty()), QUARANTINE)
        del small
        summary.processed = new_calls.height
        summary.quarantined = new_quar.height

        # Merge into what the workspace already holds: new rows replace rows of the same file.
        processed_files = [str(s.path) for s in todo] + new_quar["source_file"].to_list()
        new_calls = new_calls.with_columns(pl.lit(current).alias("processed_with"))
        replaced_ids: list[str] = []
        if old_calls is not None:
            hit = pl.col("source_file").is_in(processed_files) | pl.col("call_id").is_in(new_calls["call_id"].implode())
            replaced_ids = old_calls.filter(hit)["call_id"].to_list()
        calls = _replace(old_calls, new_calls, pl.col("call_id").is_in(replaced_ids))
        resolved = pl.col("source_file").is_in(processed_files) | pl.col("source_file").is_in(
            new_calls["source_file"].implode()
        )
        quarantine = _replace(old_quarantine, new_quar, resolved)
        calls = conform(calls.sort("call_id"), CALLS)
        quarantine = conform(quarantine.unique(subset=["source_file"], keep="last").sort("source_file"), QUARANTINE)
        # Utterances keep their order (kept rows, then new calls in file order): every call's rows stay
        # together and in `idx` order. Unchanged unless a call was added or replaced.
        utts = _merged_utterances(ws, parts, replaced_ids)
        moments: pl.DataFrame | None = None
        if req.detect:
            moments = _replace(read_table(ws, "moments"), new_moments, pl.col("call_id").is_in(replaced_ids))
            moments = conform(moments.sort(["call_id", "utt_idx"]), MOMENTS)
            summary.moments_total = moments.height
        tables = {"calls": (calls, CALLS), "quarantine": (quarantine, QUARANTINE)}
        if moments is not None:
            tables["moments"] = (moments, MOMENTS)
        # Nothing new: the tables and reports stay byte for byte as they are; only the run is logged.
        utts_changed = bool(parts or replaced_ids) or not (ws / "utterances.parquet").exists()
        stale = utts_changed or any(not _same(ws, name, df) for name, (df, _) in tables.items())
        if stale or (req.reports and not (ws / "reports").exists()):
            for name, (df, table) in tables.items():
                tx.table(name, df, table)
            if utts_changed:
                tx.table_lazy("utterances", utts, UTTERANCES)
                utts = pl.scan_parquet(tx.dir / "utterances.parquet")
            if moments is not None:
                t0 = time.perf_counter()
                _aggregate_and_render(tx, calls, utts, moments, settings, req.reports)
                summary.timings["aggregate_render"] = time.perf_counter() - t0
                summary.peak_rss_mb["aggregate_render"] = peak_rss_mb()
        summary.calls_total = calls.height
        summary.timings["total"] = time.perf_counter() - t_start
        summary.peak_rss_mb["merge"] = peak_rss_mb()
        manifest_doc = run_manifest(req, summary, current, workers)
        tx.json("run.json", manifest_doc)
        tx.json(f"runs/{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%fZ')}.json", manifest_doc)
        try:
            tx.commit()
        except OSError as exc:
            discard_staging(ws)
            detail = f"{ws}: {exc.strerror or exc}; the previous tables are intact"
            raise UsageError(ErrorCode.WRITE_FAILED, detail) from None
    return summary


def _merged_utterances(ws: Path, parts: list[Path], replaced_ids: list[str]) -> pl.LazyFrame:
    """The workspace's utterances, less the replaced calls, then the new parts: a lazy plan, streamed."""
    frames: list[pl.LazyFrame] = []
    if (ws / "utterances.parquet").exists():
        old = pl.scan_parquet(ws / "utterances.parquet")
        frames.append(old.filter(~pl.col("call_id").is_in(replaced_ids)) if replaced_ids else old)
    if parts:
        frames.append(pl.scan_parquet(parts))
    if not frames:
        return UTTERANCES.empty().lazy()
    return pl.concat(frames, how="vertical").select(list(UTTERANCES.columns))


def _same(ws: Path, name: str, df: pl.DataFrame) -> bool:
    old = read_table(ws, name)
    return old is not None and old.equals(df)


def _aggregate_and_render(
    tx: Transaction, calls: pl.DataFrame, utts: pl.LazyFrame, moments: pl.DataFrame,
    settings: Settings, reports: bool,
) -> None:
    from pipeline import aggregate
    from pipeline.render import render_reports

    reps = aggregate.rep_table(calls, utts, moments)
    tx.table("reps", reps, aggregate.REPS)
    if reports:
        for rel, text in render_reports(calls, utts, moments, reps, settings).items():
            tx.text(f"reports/{rel}", text)


def run_manifest(req: RunRequest, summary: RunSummary, current: str, workers: int) -> dict[str, Any]:
    from importlib.metadata import PackageNotFoundError, version

    def _v(pkg: str) -> str | None:
        try:
            return version(pkg)
        except PackageNotFoundError:
            return None

    models: dict[str, Any] = {}
    if req.detect:
        models = models_info(req.settings)
    return {
        "neecoach_version": __version__,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": "run" if req.detect else "ingest",
        "inputs": [str(p) for p in req.inputs],
        "manifest": summary.manifest,
        "config": {"source": req.settings.source, "hash": req.settings.hash},
        "processing_hash": current,
        "models": models,
        "workers": workers,
        "engine": req.engine,
        "full": req.full,
        "counts": {
            "seen": summary.seen,
            "processed": summary.processed,
            "unchanged": summary.unchanged,
            "quarantined": summary.quarantined,
            "duplicates": summary.duplicates,
            "calls_in_workspace": summary.calls_total,
            "moments_in_workspace": summary.moments_total,
        },
        "recovered": summary.recovered,
        "timings_s": {k: round(v, 3) for k, v in summary.timings.items()},
        "peak_rss_mb": summary.peak_rss_mb,
        "environment": {
            "python": platform.python_version(),
            "polars": _v("polars"),
            "spacy": _v("spacy"),
            "torch": _v("torch"),
            "platform": platform.platform(),
        },
    }
