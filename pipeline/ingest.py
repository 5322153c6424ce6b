"""Reading stage: input paths (+ manifest, sidecars) -> calls, utterances and quarantine rows.

`ingest_file` is the per-file unit (pure apart from reading its own bytes): it is what the
local and distributed engines run. Nothing here knows about detection or reports.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import logging
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from pipeline.config import IngestSettings
from pipeline.errors import ErrorCode, NeecoachError, ReadError, UsageError
from pipeline.labels import RoleSource
from pipeline.manifest import (
    CallMeta,
    ManifestProblem,
    Resolver,
    is_sidecar,
    parse_sidecar,
    read_manifest,
    sidecar_path,
)
from pipeline.normalise import merge_segments
from pipeline.readers import read_bytes
from pipeline.roles import RoleRules, Roster, decide_roles
from pipeline.schema import CALLS, QUARANTINE, UTTERANCES, conform

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SourceFile:
    """One transcript to read, with the manifest's metadata when it has a row for it."""

    path: Path
    meta: CallMeta | None = None


@dataclass(frozen=True)
class RoleContext:
    roster: Roster
    rules: RoleRules
    min_confidence: float = 0.6


@dataclass(frozen=True)
class Quarantined:
    source_file: str
    error_code: str
    message: str
    source_sha256: str | None = None

    def row(self) -> dict[str, Any]:
        return {
            "source_file": self.source_file,
            "error_code": self.error_code,
            "message": self.message,
            "source_sha256": self.source_sha256,
        }


@dataclass(frozen=True)
class IngestedCall:
    call: dict[str, Any]
    utterances: list[dict[str, Any]]


def _ignored(path: Path, patterns: Sequence[str]) -> bool:
    return is_sidecar(path) or any(fnmatch.fnmatch(path.name, p) for p in patterns)


def discover(inputs: Sequence[Path], settings: IngestSettings) -> list[Path]:
    """Every transcript file under the inputs (files as given, folders recursively), sorted."""
    found: dict[Path, None] = {}
    resolve = Resolver()
    for inp in inputs:
        if not inp.exists():
            raise UsageError(ErrorCode.INPUT_MISSING, str(inp))
        if inp.is_file():
            found[inp.resolve()] = None
            continue
        # os.walk, like rglob, does not descend into symlinked folders; hidden files and folders are skipped
        for dirpath, dirnames, filenames in os.walk(inp):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            for name in filenames:
                if name.startswith(".") or os.path.splitext(name)[1].lower() not in settings.extensions:
                    continue
                p = Path(dirpath, name)
                if p.is_file() and not _ignored(p, settings.ignore):
                    found[resolve(p)] = None
    return sorted(found)


def find_manifest(inputs: Sequence[Path]) -> Path | None:
    """A `manifest.csv` at the top of exactly one input folder is used when none is given."""
    candidates = [i / "manifest.csv" for i in inputs if i.is_dir() and (i / "manifest.csv").is_file()]
    return candidates[0] if len(candidates) == 1 else None


def plan(
    inputs: Sequence[Path], manifest: Path | None, settings: IngestSettings
) -> tuple[list[SourceFile], list[Quarantined]]:
    """Pair every discovered file with its manifest row; manifest problems become quarantine rows."""
    files = discover(inputs, settings)
    metas: dict[Path, CallMeta] = {}
    problems: list[ManifestProblem] = []
    if manifest is not None:
        rows, problems = read_manifest(manifest)
        metas = {r.path: r.meta for r in rows}
    quarantined = [Quarantined(p.source_file, p.code.value, NeecoachError(p.code, p.detail).message)
                   for p in problems]
    return [SourceFile(p, metas.get(p)) for p in files], quarantined


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _sidecar_meta(path: Path) -> CallMeta | None:
    side = sidecar_path(path)
    if not side.is_file():
        return None
    try:
        return parse_sidecar(side.read_bytes())
    except OSError:
        return None


def ingest_file(src: SourceFile, settings: IngestSettings, roles: RoleContext) -> IngestedCall | Quarantined:
    """Read, normalise and assign roles for one file. Never raises for bad input."""
    path = src.path
    name = str(path)
    try:
        size = path.stat().st_size
        if size > settings.max_file_bytes:
            raise ReadError(ErrorCode.TOO_LARGE, f"{size / 1e6:.1f} MB > {settings.max_file_bytes / 1e6:.1f} MB")
        data = path.read_bytes()
    except ReadError as err:
        return Quarantined(name, err.code.value, err.message)
    except OSError as exc:
        return Quarantined(name, ErrorCode.UNREADABLE.value, f"{ErrorCode.UNREADABLE.value} {exc.strerror}")
    digest = hashlib.sha256(data).hexdigest()
    try:
        raw, encoding = read_bytes(data, path.name)
        if not raw.has_speakers:
            raise ReadError(ErrorCode.NO_SPEAKERS, f"{raw.format} file names no speakers")
    except ReadError as err:
        return Quarantined(name, err.code.value, err.message, digest)
    segments = merge_segments(raw.segments, settings.merge_max_gap_s)
    if not segments:
        empty = ReadError(ErrorCode.NO_SPEECH, f"{raw.format} file holds no spoken text")
        return Quarantined(name, empty.code.value, empty.message, digest)

    side = _sidecar_meta(path)
    meta = src.meta or side or CallMeta(source="none")
    if src.meta and side:  # the manifest wins, the sidecar fills its gaps
        meta = CallMeta(
            call_id=src.meta.call_id or side.call_id,
            rep=src.meta.rep or side.rep,
            rep_speaker=src.meta.rep_speaker or side.rep_speaker,
            date=src.meta.date or side.date,
            outcome=src.meta.outcome or side.outcome,
            extra={**side.extra, **src.meta.extra},
            source="manifest",
        )
    rs_source = RoleSource.MANIFEST if meta.source == "manifest" else RoleSource.SIDECAR
    decision = decide_roles(segments, meta.rep_speaker, rs_source, roles.roster, roles.rules)
    flags = list(decision.flags)
    if decision.rep_speaker is not None and decision.confidence < roles.min_confidence:
        flags.append("role_uncertain")
    call_id = meta.call_id or path.stem
    starts = [s.start for s in segments if s.start is not None]
    ends = [s.end for s in segments if s.end is not None]
    duration = round(max(ends) - min(starts), 3) if starts and ends else None
    utterances = [
        {
            "call_id": call_id,
            "idx": i,
            "speaker": seg.speaker,
            "role": decision.role_of(seg.speaker).value,
            "start_s": seg.start,
            "end_s": seg.end,
            "text": seg.text,
        }
        for i, seg in enumerate(segments)
    ]
    call = {
        "call_id": call_id,
        "source_file": name,
        "source_sha256": digest,
        "format": raw.format,
        "encoding": encoding,
        "rep": meta.rep or decision.rep_name,
        "rep_speaker": decision.rep_speaker,
        "role_source": decision.source.value,
        "role_confidence": decision.confidence,
        "date": meta.date,
        "outcome": meta.outcome,
        "n_utterances": len(utterances),
        "n_speakers": len({s.speaker for s in segments if s.speaker is not None}),
        "duration_s": duration,
        "flags": flags,
        "extra": json.dumps(meta.extra, ensure_ascii=False, sort_keys=True) if meta.extra else None,
    }
    return IngestedCall(call, utterances)


def unique_call_ids(calls: Iterable[IngestedCall]) -> list[IngestedCall]:
    """Two different files that claim one call id: the later one gets `<id>-<sha8>`."""
    seen: set[str] = set()
    out: list[IngestedCall] = []
    for c in calls:
        cid = c.call["call_id"]
        if cid in seen:
            cid = f"{cid}-{c.call['source_sha256'][:8]}"
            log.warning("duplicate call id renamed", extra={"call_id": cid})
            c = IngestedCall({**c.call, "call_id": cid}, [{**u, "call_id": cid} for u in c.utterances])
        seen.add(cid)
        out.append(c)
    return out


def to_tables(
    results: Sequence[IngestedCall | Quarantined], extra_quarantine: Sequence[Quarantined] = ()
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    calls = unique_call_ids(dedupe(r for r in results if isinstance(r, IngestedCall)))
    quarantine = [*extra_quarantine, *(r for r in results if isinstance(r, Quarantined))]
    calls_df = conform(pl.from_dicts([c.call for c in calls], schema=CALLS.schema) if calls
                       else CALLS.empty(), CALLS)
    utt_rows = [u for c in calls for u in c.utterances]
    utt_df = conform(pl.DataFrame(utt_rows, schema=UTTERANCES.schema) if utt_rows else UTTERANCES.empty(),
                     UTTERANCES)
    q_df = conform(pl.DataFrame([q.row() for q in quarantine], schema=QUARANTINE.schema) if quarantine
                   else QUARANTINE.empty(), QUARANTINE)
    return calls_df, utt_df, q_df


def dedupe(calls: Iterable[IngestedCall]) -> list[IngestedCall]:
    """Identical content (same sha256) is one call: the first file (in sorted order) keeps it."""
    seen: dict[str, str] = {}
    out: list[IngestedCall] = []
    for c in calls:
        digest = c.call["source_sha256"]
        if digest in seen:
            log.info("identical content skipped", extra={"file": c.call["source_file"], "same_as": seen[digest]})
            continue
        seen[digest] = c.call["source_file"]
        out.append(c)
    return out
