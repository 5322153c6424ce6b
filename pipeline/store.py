"""Workspace storage: Parquet tables and JSON written atomically, and the workspace lock.

A reader of the workspace sees either the previous file or the new one, never half of one:
every file is written to a temporary name in the same folder, flushed to disk, then renamed.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl
from filelock import FileLock, Timeout

from pipeline.errors import ErrorCode, UsageError
from pipeline.schema import TABLES, Table, conform

LOCK_NAME = ".neecoach.lock"
CRASH_ENV = "NEECOACH_CRASH_AT"  # tests only: kill the process at a named point to prove crash safety


def _crashpoint(name: str) -> None:
    if os.environ.get(CRASH_ENV) == name:
        os.kill(os.getpid(), 9)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_bytes_atomic(data: bytes, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def write_text_atomic(text: str, path: Path) -> None:
    write_bytes_atomic(text.encode("utf-8"), path)


def write_json_atomic(obj: Any, path: Path) -> None:
    write_text_atomic(json.dumps(obj, indent=2, ensure_ascii=False, sort_keys=True, default=str) + "\n", path)


def read_table(ws: Path, name: str) -> pl.DataFrame | None:
    """A workspace table, or None when it does not exist yet."""
    path = ws / f"{name}.parquet"
    if not path.exists():
        return None
    df = pl.read_parquet(path)
    table = TABLES.get(name)
    return conform(df, table) if table is not None else df


@contextmanager
def workspace_lock(ws: Path) -> Iterator[None]:
    """One run per workspace. The OS releases the lock when its holder dies: no stale locks."""
    ws.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(ws / LOCK_NAME), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise UsageError(
            ErrorCode.WORKSPACE_LOCKED, f"{ws} is in use by another neecoach run; try again when it ends"
        ) from None
    try:
        yield
    finally:
        lock.release()


STAGING = ".staging"
COMMIT = "COMMIT.json"


class Transaction:
    """Stage many workspace files, then make them visible together (a redo log).

    Files are written under `<ws>/.staging/`; `commit()` writes the list of staged names
    atomically, then renames each into place. A crash before the list exists leaves the old
    workspace untouched; a crash after it is rolled forward by `recover()` on the next run.
    """

    def __init__(self, ws: Path) -> None:
        self.ws = ws
        self.dir = ws / STAGING
        self.names: list[str] = []

    def _target(self, rel: str) -> Path:
        path = self.dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        self.names.append(rel)
        return path

    def table(self, name: str, df: pl.DataFrame, table: Table | None = None) -> None:
        if table is not None:
            df = conform(df, table)
        path = self._target(f"{name}.parquet")
        df.write_parquet(path, compression="zstd", statistics=True)
        with open(path, "rb") as fh:
            os.fsync(fh.fileno())
        _crashpoint(f"staged:{name}")

    def table_lazy(self, name: str, lf: pl.LazyFrame, table: Table) -> None:
        """Stage a table from a lazy plan, streamed to disk: it is never whole in memory.

        The plan must already have the table's columns and types (e.g. a concat of conformed parts).
        """
        path = self._target(f"{name}.parquet")
        lf.select(list(table.columns)).sink_parquet(path, compression="zstd", statistics=True, row_group_size=16_384)
        with open(path, "rb") as fh:
            os.fsync(fh.fileno())
        _crashpoint(f"staged:{name}")

    def scratch(self, rel: str) -> Path:
        """A scratch file under the staging folder: never moved into the workspace, removed with it."""
        path = self.dir / "scratch" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def text(self, rel: str, text: str) -> None:
        path = self._target(rel)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())

    def json(self, rel: str, obj: Any) -> None:
        self.text(rel, json.dumps(obj, indent=2, ensure_ascii=False, sort_keys=True, default=str) + "\n")

    def commit(self) -> None:
        _fsync_dir(self.dir)
        write_json_atomic(sorted(set(self.names)), self.dir / COMMIT)
        _crashpoint("committed")
        roll_forward(self.ws)


def roll_forward(ws: Path) -> bool:
    """Finish a committed transaction (rename staged files into place). True when one was found."""
    staging = ws / STAGING
    commit = staging / COMMIT
    if not commit.exists():
        return False
    names = json.loads(commit.read_text(encoding="utf-8"))
    for rel in names:
        src = staging / rel
        if src.exists():
            dst = ws / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            os.replace(src, dst)
            _crashpoint("renamed")
    _fsync_dir(ws)
    discard_staging(ws)
    return True


def discard_staging(ws: Path) -> None:
    import shutil

    shutil.rmtree(ws / STAGING, ignore_errors=True)


def recover(ws: Path) -> str | None:
    """Called under the lock before a run: roll a committed transaction forward, drop a partial one."""
    if not (ws / STAGING).exists():
        return None
    if roll_forward(ws):
        return "rolled_forward"
    discard_staging(ws)
    return "discarded_partial"
