"""One schema per table, declared once (see docs/data-format.md and ../shared/CONTRACT.md).

`conform(df, TABLE)` validates at a boundary: every declared column present (missing optional
columns are added as nulls), cast to the declared dtype, enum columns checked, column order fixed.
It never mutates its input.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from pipeline.labels import DISQUALIFIERS, REASONS, RESPONSES, ROLES, RoleSource


@dataclass(frozen=True)
class Table:
    name: str
    columns: dict[str, pl.DataType]
    required: frozenset[str]
    enums: dict[str, tuple[str, ...]] = field(default_factory=dict)
    key: tuple[str, ...] = ()

    @property
    def schema(self) -> pl.Schema:
        return pl.Schema(self.columns)

    def empty(self) -> pl.DataFrame:
        return pl.DataFrame(schema=self.schema)


class SchemaError(ValueError):
    """A table that does not satisfy its declared schema (a bug, never user input)."""


CALLS = Table(
    name="calls",
    columns={
        "call_id": pl.String(),
        "source_file": pl.String(),
        "source_sha256": pl.String(),
        "format": pl.String(),
        "encoding": pl.String(),
        "rep": pl.String(),
        "rep_speaker": pl.String(),
        "role_source": pl.String(),
        "role_confidence": pl.Float64(),
        "date": pl.Date(),
        "outcome": pl.String(),
        "n_utterances": pl.Int64(),
        "n_speakers": pl.Int64(),
        "duration_s": pl.Float64(),
        "flags": pl.List(pl.String()),
        "extra": pl.String(),
        "disqualifiers": pl.List(pl.String()),
        "discovery_questions_before_first_nee": pl.Int64(),
        "disqualifier_utt_idx": pl.Int64(),
        "turns_after_disqualifier": pl.Int64(),
        "seconds_after_disqualifier": pl.Float64(),
        "kept_pitching_after_disqualifier": pl.Boolean(),
        "disqualifier_evidence": pl.String(),
        "seller_words": pl.Int64(),
        "customer_words": pl.Int64(),
        "total_words": pl.Int64(),
        "seller_questions": pl.Int64(),
        "customer_questions": pl.Int64(),
        "seller_discovery": pl.Int64(),
        "longest_monologue_words": pl.Int64(),
        "longest_monologue_s": pl.Float64(),
        "processed_with": pl.String(),
    },
    required=frozenset({"call_id", "source_file", "source_sha256", "format", "n_utterances"}),
    enums={"role_source": tuple(s.value for s in RoleSource)},
    key=("call_id",),
)

UTTERANCES = Table(
    name="utterances",
    columns={
        "call_id": pl.String(),
        "idx": pl.Int64(),
        "speaker": pl.String(),
        "role": pl.String(),
        "start_s": pl.Float64(),
        "end_s": pl.Float64(),
        "text": pl.String(),
        "n_words": pl.Int64(),
        "is_question": pl.Boolean(),
        "n_questions": pl.Int64(),
        "n_discovery": pl.Int64(),
    },
    required=frozenset({"call_id", "idx", "role", "text"}),
    enums={"role": tuple(ROLES)},
    key=("call_id", "idx"),
)

MOMENTS = Table(
    name="moments",
    columns={
        "call_id": pl.String(),
        "utt_idx": pl.Int64(),
        "text": pl.String(),
        "reason": pl.String(),
        "response": pl.String(),
        "asked_why_first": pl.Boolean(),
        "response_utt_idx": pl.Int64(),
        "score": pl.Float64(),
        "evidence": pl.String(),
        "reason_score": pl.Float64(),
        "response_score": pl.Float64(),
        "acknowledged": pl.Boolean(),
        "patience_s": pl.Float64(),
        "entrenched": pl.Boolean(),
        "after_disqualifier": pl.Boolean(),
    },
    required=frozenset({"call_id", "utt_idx", "text", "reason", "response", "score", "evidence"}),
    enums={"reason": tuple(REASONS), "response": tuple(RESPONSES)},
    key=("call_id", "utt_idx"),
)

QUARANTINE = Table(
    name="quarantine",
    columns={
        "source_file": pl.String(),
        "error_code": pl.String(),
        "message": pl.String(),
        "source_sha256": pl.String(),
    },
    required=frozenset({"source_file", "error_code", "message"}),
    key=("source_file",),
)

TABLES = {t.name: t for t in (CALLS, UTTERANCES, MOMENTS, QUARANTINE)}
DISQUALIFIER_VALUES = tuple(DISQUALIFIERS)


def conform(df: pl.DataFrame, table: Table) -> pl.DataFrame:
    """Return `df` shaped exactly as `table` declares; raise SchemaError if it cannot be."""
    missing = [c for c in table.required if c not in df.columns]
    if missing:
        raise SchemaError(f"{table.name}: missing required columns {sorted(missing)}")
    exprs = []
    for name, dtype in table.columns.items():
        if name in df.columns:
            exprs.append(pl.col(name).cast(dtype, strict=True))
        else:
            exprs.append(pl.lit(None, dtype=dtype).alias(name))
    try:
        out = df.select(exprs)
    except pl.exceptions.PolarsError as exc:
        raise SchemaError(f"{table.name}: {exc}") from exc
    for name, allowed in table.enums.items():
        bad = out.filter(pl.col(name).is_not_null() & ~pl.col(name).is_in(list(allowed)))
        if bad.height:
            raise SchemaError(f"{table.name}.{name}: unexpected values {bad[name].unique().to_list()[:5]}")
    nulls = [c for c in table.required if out[c].null_count()]
    if nulls:
        raise SchemaError(f"{table.name}: nulls in required columns {sorted(nulls)}")
    if "disqualifiers" in out.columns:
        vals = out["disqualifiers"].explode().drop_nulls().unique().to_list()
        if set(vals) - set(DISQUALIFIER_VALUES):
            raise SchemaError(f"{table.name}.disqualifiers: unexpected values {vals}")
    return out
