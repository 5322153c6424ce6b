"""Manifest CSV and sidecar metadata: who the rep is, dates, outcomes. Pure parsing + path checks."""

from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pipeline.errors import ErrorCode, ManifestError

KNOWN_COLUMNS = ("file", "call_id", "rep", "rep_speaker", "date", "outcome")


@dataclass(frozen=True)
class CallMeta:
    """Metadata for one call from the manifest or a sidecar. Every field may be missing."""

    call_id: str | None = None
    rep: str | None = None
    rep_speaker: str | None = None
    date: date | None = None
    outcome: str | None = None
    extra: dict[str, str] = field(default_factory=dict)
    source: str = "manifest"


@dataclass(frozen=True)
class ManifestRow:
    line: int
    path: Path  # resolved absolute path
    meta: CallMeta


@dataclass(frozen=True)
class ManifestProblem:
    """A manifest row that cannot be used: becomes a quarantine row, the batch goes on."""

    source_file: str
    code: ErrorCode
    detail: str


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _parse_date(value: str | None) -> date | None:
    value = _clean(value)
    if value is None:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def meta_from_mapping(row: dict[str, str | None], source: str) -> CallMeta:
    extra = {k: str(v) for k, v in row.items() if k and k not in KNOWN_COLUMNS and v not in (None, "")}
    return CallMeta(
        call_id=_clean(row.get("call_id")),
        rep=_clean(row.get("rep")),
        rep_speaker=_clean(row.get("rep_speaker")),
        date=_parse_date(row.get("date")),
        outcome=_clean(row.get("outcome")),
        extra=extra,
        source=source,
    )


class Resolver:
    """`Path.resolve()` for many files in few folders: each folder is resolved once, each file costs
    one `lstat` (a symlinked file, or a path with `..`, is resolved in full). Same results as resolve()."""

    def __init__(self) -> None:
        self._dirs: dict[Path, Path] = {}

    def __call__(self, path: Path) -> Path:
        if ".." in path.parts or not path.name or os.path.islink(path):
            return path.resolve()
        parent = path.parent
        real = self._dirs.get(parent)
        if real is None:
            real = self._dirs[parent] = parent.resolve()
        return real / path.name


def read_manifest(path: Path) -> tuple[list[ManifestRow], list[ManifestProblem]]:
    """Parse a manifest. A manifest that cannot be read at all raises ManifestError (exit 2)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ManifestError(ErrorCode.MANIFEST_INVALID, f"{path}: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "file" not in [f.strip() for f in reader.fieldnames]:
        raise ManifestError(ErrorCode.MANIFEST_INVALID, f"{path}: no 'file' column")
    base = path.resolve().parent
    resolve = Resolver()
    rows: list[ManifestRow] = []
    problems: list[ManifestProblem] = []
    for n, row in enumerate(reader, start=2):
        row = {(k or "").strip(): v for k, v in row.items()}
        rel = _clean(row.get("file"))
        if rel is None:
            continue
        target = resolve(base / rel)
        if not target.is_relative_to(base):
            problems.append(ManifestProblem(rel, ErrorCode.MANIFEST_OUTSIDE, f"manifest line {n}"))
            continue
        if not target.is_file():
            problems.append(ManifestProblem(str(target), ErrorCode.MANIFEST_FILE_MISSING, f"manifest line {n}"))
            continue
        rows.append(ManifestRow(line=n, path=target, meta=meta_from_mapping(row, "manifest")))
    return rows, problems


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.name + ".meta.json")


def is_sidecar(path: Path) -> bool:
    return path.name.endswith(".meta.json")


def parse_sidecar(data: bytes) -> CallMeta | None:
    """`<file>.meta.json`: an object with the manifest's keys. Unusable sidecars are ignored (None)."""
    try:
        obj = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return None
    if not isinstance(obj, dict):
        return None
    return meta_from_mapping({str(k): None if v is None else str(v) for k, v in obj.items()}, "sidecar")
