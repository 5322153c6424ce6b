"""Tables -> view-models: plain dicts the templates render, with every number formatted once.

Nothing here writes files or knows HTML beyond the chart markup from `charts`. Each number a
report shows is a `cell`: the raw value (kept as `data` for machine checks), the formatted `text`
and, for rates, the Wilson interval. Templates only lay cells out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import polars as pl

from pipeline import aggregate
from pipeline.errors import ErrorCode, UsageError
from pipeline.render import charts
from pipeline.render.i18n import Messages
from pipeline.render.names import file_stems
from pipeline.render.redact import PLACEHOLDER_KEYS, Redactor, name_parts

GOOD = ("good_explore", "good_walk_away")
IMPROVE = ("pitch_after_dq", "entrenched_after_argue", "argue_without_why", "accept_too_fast", "no_discovery")
DISQUALIFYING_REASONS = ("budget", "fit")


@dataclass(frozen=True)
class Metric:
    key: str
    kind: str  # pct | num1 | num0 | int | sec
    better: str | None = None  # "up", "down" or None (no judgement)
    k: str | None = None  # count columns behind a rate: k / n
    n: str | None = None

    @property
    def has_ci(self) -> bool:
        return self.k is not None


SECTIONS: tuple[tuple[str, tuple[Metric, ...]], ...] = (
    (
        "nee",
        (
            Metric("moments_per_call", "num1"),
            Metric("asked_why_first_rate", "pct", "up", "n_asked_why_first", "n_asked_why_first_known"),
            Metric("explore_rate", "pct", "up", "n_explore", "n_moments"),
            Metric("argue_rate", "pct", "down", "n_argue", "n_moments"),
            Metric("accept_rate", "pct", None, "n_accept", "n_moments"),
            Metric("mean_patience_s", "sec", "up"),
        ),
    ),
    (
        "discovery",
        (
            Metric("discovery_before_first_nee_mean", "num1", "up"),
            Metric("questions_per_call", "num1", "up"),
            Metric("discovery_questions_per_call", "num1", "up"),
        ),
    ),
    (
        "disqualifiers",
        (
            Metric("disqualified_calls", "int"),
            Metric("kept_pitching_rate", "pct", "down", "kept_pitching_after_dq", "disqualified_calls"),
            Metric("mean_turns_after_dq", "num1", "down"),
            Metric("mean_seconds_after_dq", "sec", "down"),
        ),
    ),
    (
        "talk",
        (
            Metric("talk_ratio", "pct"),
            Metric("mean_longest_monologue_words", "num0", "down"),
            Metric("longest_monologue_words", "int", "down"),
            Metric("longest_monologue_s", "sec", "down"),
        ),
    ),
)
METRICS: dict[str, Metric] = {
    "n_calls": Metric("n_calls", "int"),
    "n_moments": Metric("n_moments", "int"),
    **{m.key: m for _, ms in SECTIONS for m in ms},
}
TEAM_COLUMNS = (
    "n_calls", "n_moments", "moments_per_call", "asked_why_first_rate", "argue_rate", "accept_rate",
    "discovery_before_first_nee_mean", "talk_ratio",
)


@dataclass(frozen=True)
class ReportConfig:
    language: str = "nl"
    min_moments_for_ranking: int = 10
    period_weeks: int = 4
    top_moments: int = 3
    attention_calls: int = 10
    argued_nos: int = 3
    rank_by: str = "asked_why_first_rate"
    templates_dir: Path | None = None
    messages_dir: Path | None = None
    redact: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_section(cls, s: Mapping[str, Any]) -> ReportConfig:
        def _dir(key: str) -> Path | None:
            v = str(s.get(key) or "").strip()
            return Path(v).expanduser() if v else None

        try:
            cfg = cls(
                language=str(s.get("language", "nl")),
                min_moments_for_ranking=int(s.get("min_moments_for_ranking", 10)),
                period_weeks=int(s.get("period_weeks", 4)),
                top_moments=int(s.get("top_moments", 3)),
                attention_calls=int(s.get("attention_calls", 10)),
                argued_nos=int(s.get("argued_nos", 3)),
                rank_by=str(s.get("rank_by", "asked_why_first_rate")),
                templates_dir=_dir("templates_dir"),
                messages_dir=_dir("messages_dir"),
                redact=dict(s.get("redact", {}) or {}),
            )
        except (TypeError, ValueError) as exc:
            raise UsageError(ErrorCode.CONFIG_INVALID, f"[reports]: {exc}") from None
        if cfg.rank_by not in METRICS or METRICS[cfg.rank_by].better is None:
            ranked = sorted(k for k, m in METRICS.items() if m.better)
            raise UsageError(ErrorCode.CONFIG_INVALID, f"[reports] rank_by must be one of {ranked}")
        for d in (cfg.templates_dir, cfg.messages_dir):
            if d is not None and not d.is_dir():
                raise UsageError(ErrorCode.CONFIG_INVALID, f"[reports]: {d} is not a folder")
        return cfg


# --- cells ---------------------------------------------------------------------------------------


def _raw(v: Any) -> str:
    return "" if v is None else repr(float(v))


def cell(msgs: Messages, metric: Metric, row: Mapping[str, Any] | None, scope: str,
         value: float | None = None, from_row: bool = True) -> dict[str, Any]:
    v = (row or {}).get(metric.key) if from_row else value
    c: dict[str, Any] = {"metric": metric.key, "scope": scope, "value": v, "data": _raw(v),
                         "text": msgs.fmt(metric.kind, v), "ci": "", "count": ""}
    if from_row and row is not None and metric.has_ci and v is not None:
        lo, hi = row.get(f"{metric.key}_lo"), row.get(f"{metric.key}_hi")
        if lo is not None and hi is not None:
            c["ci"] = msgs.t("format.interval", lo=msgs.pct(lo), hi=msgs.pct(hi))
            c["lo"], c["hi"] = lo, hi
        k, n = row.get(metric.k or ""), row.get(metric.n or "")
        if k is not None and n is not None:
            c["count"] = msgs.t("format.count", k=msgs.integer(k), n=msgs.integer(n))
    return c


def delta_cell(msgs: Messages, metric: Metric, cur: float | None, prev: float | None) -> dict[str, Any]:
    """current - previous; `arrow` shows the direction, `trend` judges it (only when visible after
    rounding and the metric has a better direction)."""
    if cur is None or prev is None:
        return {"metric": metric.key, "scope": "delta", "value": None, "data": "", "text": msgs.na,
                "trend": "", "arrow": ""}
    d = float(cur) - float(prev)
    if metric.kind == "pct":
        text, zero = (msgs.t("format.pp", value=msgs.num(100 * v, 0)) for v in (abs(d), 0.0))
    else:
        kind = "num0" if metric.kind == "int" else metric.kind
        text, zero = msgs.fmt(kind, abs(d)), msgs.fmt(kind, 0.0)
    if text == zero:
        return {"metric": metric.key, "scope": "delta", "value": d, "data": _raw(d), "text": zero,
                "trend": "", "arrow": ""}
    trend = ""
    if metric.better:
        trend = "better" if (d > 0) == (metric.better == "up") else "worse"
    return {"metric": metric.key, "scope": "delta", "value": d, "data": _raw(d),
            "text": ("+" if d > 0 else "-") + text, "trend": trend, "arrow": "up" if d > 0 else "down"}


def _rows_by_rep(df: pl.DataFrame) -> dict[str | None, dict[str, Any]]:
    return {r["rep"]: r for r in df.iter_rows(named=True)}


# --- moments -------------------------------------------------------------------------------------


def classify_moments(cm: pl.DataFrame, moments: pl.DataFrame, utts: aggregate.Utterances) -> pl.DataFrame:
    """Moments with rep, date, the rep's reaction (index and text), situation, kind and priority."""
    m = aggregate.moment_features(moments).join(
        cm.select(
            "call_id", "rep", "date", "disqualified", "kept_pitching",
            "discovery_questions_before_first_nee", "first_nee_idx",
        ),
        on="call_id",
        how="inner",
    )
    u = utts.lazy()
    # where the detector found no reply (response_utt_idx), the reaction is the rep's next turn
    need = m.filter(pl.col("response_utt_idx").is_null()).select("call_id", "utt_idx")
    seller = (
        u.filter(pl.col("role") == "seller")
        .select("call_id", pl.col("idx").alias("next_idx"))
        .join(need.select("call_id").unique().lazy(), on="call_id", how="semi")
    )
    nxt = aggregate.collect(
        need.lazy()
        .join(seller, on="call_id", how="inner")
        .filter(pl.col("next_idx") > pl.col("utt_idx"))
        .group_by("call_id", "utt_idx")
        .agg(pl.col("next_idx").min())
    )
    m = m.join(nxt, on=["call_id", "utt_idx"], how="left").with_columns(
        reaction_idx=pl.coalesce("response_utt_idx", "next_idx")
    )
    # only the texts of the moments and of the rep's reactions, never the whole table
    wanted = pl.concat(
        [m.select("call_id", pl.col("utt_idx").alias("idx")), m.select("call_id", pl.col("reaction_idx").alias("idx"))]
    ).drop_nulls().unique()
    texts = aggregate.collect(u.select("call_id", "idx", "text").join(wanted.lazy(), on=["call_id", "idx"], how="semi"))
    m = (
        m.join(texts.rename({"idx": "utt_idx", "text": "nee_text"}), on=["call_id", "utt_idx"], how="left")
        .join(texts.rename({"idx": "reaction_idx", "text": "reaction_text"}), on=["call_id", "reaction_idx"],
              how="left")
        .with_columns(nee_text=pl.coalesce("nee_text", "text"))
    )
    resp = pl.col("response")
    dq_reason = pl.col("reason").is_in(list(DISQUALIFYING_REASONS))
    awf = pl.col("asked_why_first").fill_null(resp == "explore")
    after_dq = pl.col("after_disqualifier").fill_null(False)
    first_without_discovery = (pl.col("utt_idx") == pl.col("first_nee_idx")) & (
        pl.col("discovery_questions_before_first_nee").fill_null(-1) == 0
    )
    situation = (
        pl.when((resp == "argue") & (after_dq | (dq_reason & pl.col("disqualified"))))
        .then(pl.lit("pitch_after_dq"))
        .when((resp == "argue") & pl.col("entrenched").fill_null(False))
        .then(pl.lit("entrenched_after_argue"))
        .when((resp == "argue") & ~awf)
        .then(pl.lit("argue_without_why"))
        .when((resp == "accept") & dq_reason & ~pl.col("kept_pitching"))
        .then(pl.lit("good_walk_away"))
        .when((resp == "accept") & ~dq_reason)
        .then(pl.lit("accept_too_fast"))
        .when((resp == "explore") | awf)
        .then(pl.lit("good_explore"))
        .when(first_without_discovery)
        .then(pl.lit("no_discovery"))
        .otherwise(pl.lit(None, dtype=pl.String))
    )
    order = {s: i for i, s in enumerate(GOOD + IMPROVE)}
    return m.with_columns(situation=situation).with_columns(
        kind=pl.when(pl.col("situation").is_in(list(GOOD)))
        .then(pl.lit("good"))
        .when(pl.col("situation").is_not_null())
        .then(pl.lit("improve"))
        .otherwise(None),
        priority=pl.col("situation").replace_strict(order, default=99, return_dtype=pl.Int64),
        extra_no_discovery=first_without_discovery & (pl.col("situation") != "no_discovery"),
    )


def pick_moments(classified: pl.DataFrame, kind: str, n: int) -> pl.DataFrame:
    """The n most telling moments of a kind: by situation priority, detector score, newest first;
    at most one per call unless there are fewer calls than n."""
    ranked = classified.filter(pl.col("kind") == kind).sort(
        ["priority", "score", "date", "call_id", "utt_idx"],
        descending=[False, True, True, False, False],
        nulls_last=True,
    )
    ranked = ranked.with_columns(
        _pos=pl.int_range(pl.len()), _in_call=pl.int_range(pl.len()).over("call_id")
    ).sort(["_in_call", "_pos"])
    return ranked.head(n).sort("_pos").drop("_pos", "_in_call")


def _moment_views(picked: pl.DataFrame, utts: aggregate.Utterances, rep: str, msgs: Messages,
                  redactor: Redactor) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if not picked.height:
        return out
    ids = picked["call_id"].unique().implode()
    call_utts = aggregate.collect(utts.filter(pl.col("call_id").is_in(ids)))
    names: dict[str, frozenset[str]] = {}
    for (cid,), g in call_utts.group_by("call_id"):
        cust = g.filter(pl.col("role") == "customer")
        names[str(cid)] = redactor.call_names(
            cust["speaker"].to_list() if "speaker" in cust.columns else [],
            cust["text"].to_list(),
            g["text"].to_list(),
        )
    keep = name_parts(rep)
    for r in picked.iter_rows(named=True):
        nm = names.get(r["call_id"], frozenset()) - set(keep)
        tips = [msgs.t(f"tips.{r['situation']}")]
        if r["extra_no_discovery"]:
            tips.append(msgs.t("tips.no_discovery"))
        out.append(
            {
                "call_id": r["call_id"],
                "date": r["date"].isoformat() if r["date"] else msgs.na,
                "utt_idx": r["utt_idx"],
                "reason": r["reason"],
                "reason_label": msgs.t(f"reasons.{r['reason']}") if r["reason"] else msgs.na,
                "response": r["response"],
                "response_label": msgs.t(f"responses.{r['response']}") if r["response"] else msgs.na,
                "situation": r["situation"],
                "situation_label": msgs.t(f"situations.{r['situation']}"),
                "score": msgs.pct(r["score"]) if r["score"] is not None else msgs.na,
                "nee": redactor(r["nee_text"], nm, keep),
                "reaction": redactor(r["reaction_text"], nm, keep) if r["reaction_text"] else "",
                "has_reaction": bool(r["reaction_text"]),
                "rep": rep,
                "tips": tips,
            }
        )
    return out


# --- weeks and charts ----------------------------------------------------------------------------


def _weeks(cm: pl.DataFrame) -> list[date]:
    wk = cm["week"].drop_nulls()
    if not wk.len():
        return []
    first, last = wk.min(), wk.max()
    assert isinstance(first, date) and isinstance(last, date)
    return [first + timedelta(days=7 * i) for i in range((last - first).days // 7 + 1)]


def _series(trend: pl.DataFrame, weeks: Sequence[date], col: str) -> list[float | None]:
    got = dict(zip(trend["week"].to_list(), trend[col].to_list(), strict=True))
    return [got.get(w) for w in weeks]


def _week_label(msgs: Messages, w: date) -> str:
    return msgs.t("format.week", week=w.isocalendar().week, year=w.isocalendar().year)


def _trend_table(msgs: Messages, weeks: Sequence[date], trend: pl.DataFrame) -> list[dict[str, Any]]:
    rows = {r["week"]: r for r in trend.iter_rows(named=True)}
    out = []
    for w in weeks:
        r = rows.get(w)
        out.append(
            {
                "week": _week_label(msgs, w),
                "monday": w.isoformat(),
                "n_calls": cell(msgs, METRICS["n_calls"], r, "week"),
                "moments_per_call": cell(msgs, METRICS["moments_per_call"], r, "week"),
                "asked_why_first_rate": cell(msgs, METRICS["asked_why_first_rate"], r, "week"),
                "argue_rate": cell(msgs, METRICS["argue_rate"], r, "week"),
            }
        )
    return out


# --- the builder ---------------------------------------------------------------------------------


@dataclass
class Reports:
    index: dict[str, Any]
    reps: dict[str, dict[str, Any]]  # file stem -> rep view-model


def _rank(reps: pl.DataFrame, cfg: ReportConfig) -> dict[str, int]:
    metric = METRICS[cfg.rank_by]
    eligible = reps.filter(
        pl.col("rep").is_not_null()
        & (pl.col("n_moments") >= cfg.min_moments_for_ranking)
        & pl.col(cfg.rank_by).is_not_null()
    ).sort([cfg.rank_by, "rep"], descending=[metric.better == "up", False])
    if eligible.height < 2:  # a ranking of one says nothing
        return {}
    return {r: i + 1 for i, r in enumerate(eligible["rep"].to_list())}


def build(
    calls: pl.DataFrame, utts: aggregate.Utterances, moments: pl.DataFrame, reps: pl.DataFrame,
    cfg: ReportConfig, msgs: Messages,
) -> Reports:
    redactor = Redactor.from_settings(cfg.redact, {k: msgs.t(f"redacted.{k}") for k in PLACEHOLDER_KEYS})
    cm = aggregate.call_metrics(calls, utts, moments)
    medians = aggregate.team_medians(reps)
    periods, cur, prev = aggregate.period_tables(calls, utts, moments, cfg.period_weeks)
    cur_rows, prev_rows = _rows_by_rep(cur), _rows_by_rep(prev)
    ranks = _rank(reps, cfg)
    n_ranked_reps = len(ranks)
    known = [r for r in reps["rep"].to_list() if r is not None]
    stems = file_stems(known)
    weeks = _weeks(cm)
    week_labels = [_week_label(msgs, w) for w in weeks]
    team_trend = aggregate.weekly_trend(calls, utts, moments, by_rep=False)
    rep_trend = aggregate.weekly_trend(calls, utts, moments, by_rep=True)
    classified = classify_moments(cm, moments, utts)
    attention = aggregate.attention_calls(cm, cfg.argued_nos)
    anchor = periods.anchor.isoformat() if periods else None

    def period_text(p: tuple[date, date] | None) -> str:
        return msgs.t("format.range", start=p[0].isoformat(), end=p[1].isoformat()) if p else msgs.na

    common = {
        "lang": msgs.lang,
        "m": msgs,
        "anchor": anchor,
        "period_weeks": cfg.period_weeks,
        "current_period": period_text(periods.current if periods else None),
        "previous_period": period_text(periods.previous if periods else None),
        "min_moments": cfg.min_moments_for_ranking,
        "rank_by_label": msgs.t(f"metrics.{cfg.rank_by}"),
        "first_date": first.isoformat() if isinstance(first := cm["date"].min(), date) else msgs.na,
        "last_date": anchor or msgs.na,
        "n_calls_total": calls.height,
        "n_moments_total": int(cm["n_moments"].sum()) if cm.height else 0,
        "n_reps": len(known),
    }

    def attention_rows(df: pl.DataFrame, limit: int) -> list[dict[str, Any]]:
        rows = []
        for r in df.head(limit).iter_rows(named=True):
            flags = [msgs.t(f"flags.{f}", n=cfg.argued_nos) for f in
                     ("kept_pitching", "argue_after_dq", "argued_through", "entrenched", "no_discovery")
                     if r[f"flag_{f}"]]
            rows.append(
                {
                    "call_id": r["call_id"],
                    "rep": r["rep"] if r["rep"] is not None else msgs.t("labels.unknown_rep"),
                    "stem": stems.get(r["rep"]) if r["rep"] is not None else None,
                    "date": r["date"].isoformat() if r["date"] else msgs.na,
                    "flags": flags,
                    "n_moments": r["n_moments"],
                    "n_argue": r["n_argue"],
                    "turns_after_dq": msgs.integer(r["turns_after_disqualifier"])
                    if r["disqualified"] else msgs.na,
                    "seconds_after_dq": msgs.seconds(r["seconds_after_disqualifier"])
                    if r["disqualified"] else msgs.na,
                    "disqualifiers": ", ".join(msgs.t(f"reasons.{d}") for d in (r["disqualifiers"] or [])),
                }
            )
        return rows

    # ---- per rep
    rep_views: dict[str, dict[str, Any]] = {}
    all_rows = _rows_by_rep(reps)
    known_rows = [all_rows[r] for r in known]
    for rep in known:
        row = all_rows[rep]
        stem = stems[rep]
        crow, prow = cur_rows.get(rep), prev_rows.get(rep)
        sections = []
        for sec, metrics in SECTIONS:
            lines = []
            for mt in metrics:
                cur_c = cell(msgs, mt, crow, "current")
                prev_c = cell(msgs, mt, prow, "previous")
                lines.append(
                    {
                        "key": mt.key,
                        "label": msgs.t(f"metrics.{mt.key}"),
                        "help": msgs.t(f"metric_help.{mt.key}"),
                        "rep": cell(msgs, mt, row, "rep"),
                        "median": cell(msgs, mt, None, "median", medians.get(mt.key), from_row=False),
                        "current": cur_c,
                        "previous": prev_c,
                        "delta": delta_cell(msgs, mt, cur_c["value"], prev_c["value"]),
                    }
                )
            sections.append({"key": sec, "title": msgs.t(f"sections.{sec}"), "lines": lines})
        rates = ("asked_why_first_rate", "explore_rate", "argue_rate", "accept_rate", "kept_pitching_rate")
        rate_chart = charts.dot_plot(
            [
                charts.DotRow(msgs.t(f"metrics.{k}"), row[k], row[f"{k}_lo"], row[f"{k}_hi"], medians.get(k))
                for k in rates
            ],
            title=msgs.t("charts.rates_title", rep=rep),
            desc=msgs.t("charts.rates_desc"),
            fmt=msgs.pct,
            ref_label=msgs.t("labels.team_median"),
        )
        strips = []
        for k in ("asked_why_first_rate", "argue_rate", "talk_ratio"):
            mt = METRICS[k]
            strips.append(
                charts.strip_plot(
                    [r[k] for r in known_rows],
                    title=msgs.t("charts.strip_title", metric=msgs.t(f"metrics.{k}")),
                    desc=msgs.t("charts.strip_desc"),
                    fmt=partial(msgs.fmt, mt.kind),
                    highlight=row[k],
                    highlight_label=msgs.t("labels.you"),
                    median=medians.get(k),
                    median_label=msgs.t("labels.team_median"),
                )
            )
        rt = rep_trend.filter(pl.col("rep") == rep)
        trend_charts = []
        if len(weeks) >= 2:
            for k, dom in (("asked_why_first_rate", (0.0, 1.0)), ("moments_per_call", None)):
                mt = METRICS[k]
                trend_charts.append(
                    charts.trend_chart(
                        week_labels,
                        [
                            charts.Series(rep, _series(rt, weeks, k), "main"),
                            charts.Series(msgs.t("labels.team"), _series(team_trend, weeks, k), "ref"),
                        ],
                        title=msgs.t("charts.trend_title", metric=msgs.t(f"metrics.{k}")),
                        desc=msgs.t("charts.trend_desc", rep=rep),
                        fmt=partial(msgs.fmt, mt.kind),
                        domain=dom,
                    )
                )
        mine = classified.filter(pl.col("rep") == rep)
        best = _moment_views(pick_moments(mine, "good", cfg.top_moments), utts, rep, msgs, redactor)
        improve = _moment_views(pick_moments(mine, "improve", cfg.top_moments), utts, rep, msgs, redactor)
        small = row["n_moments"] < cfg.min_moments_for_ranking
        rep_views[stem] = {
            **common,
            "rep": rep,
            "stem": stem,
            "n_calls": row["n_calls"],
            "n_moments": row["n_moments"],
            "rep_first_date": row["first_date"].isoformat() if row["first_date"] else msgs.na,
            "rep_last_date": row["last_date"].isoformat() if row["last_date"] else msgs.na,
            "small_sample": small,
            "rank": ranks.get(rep),
            "n_ranked": n_ranked_reps,
            "sections": sections,
            "rate_chart": rate_chart,
            "strips": strips,
            "trend_charts": trend_charts,
            "trend_table": _trend_table(msgs, weeks, rt),
            "best": best,
            "improve": improve,
            "attention": attention_rows(attention.filter(pl.col("rep") == rep), cfg.attention_calls),
        }

    # ---- team overview
    order = sorted(
        known,
        key=lambda r: (ranks.get(r) is None, ranks.get(r) or 0, r.lower()),
    )
    team_rows = []
    for rep in [*order, *([None] if None in all_rows else [])]:
        row = all_rows[rep]
        team_rows.append(
            {
                "rep": rep if rep is not None else msgs.t("labels.unknown_rep"),
                "known": rep is not None,
                "stem": stems.get(rep) if rep is not None else None,
                "rank": ranks.get(rep) if rep is not None else None,
                "small_sample": row["n_moments"] < cfg.min_moments_for_ranking,
                "n_calls": row["n_calls"],
                "n_moments": row["n_moments"],
                "cells": [cell(msgs, METRICS[k], row, "rep") for k in TEAM_COLUMNS],
                "disqualified_calls": row["disqualified_calls"],
                "kept_pitching_after_dq": row["kept_pitching_after_dq"],
            }
        )
    dist = []
    for k in ("asked_why_first_rate", "argue_rate", "accept_rate", "moments_per_call", "talk_ratio"):
        mt = METRICS[k]
        vals = [r[k] for r in known_rows]
        dom = (0.0, 1.0) if mt.kind == "pct" else (0.0, charts.nice_max(vals))
        dist.append(
            charts.dot_plot(
                [
                    charts.DotRow(
                        r["rep"], r[k], r.get(f"{k}_lo") if mt.has_ci else None,
                        r.get(f"{k}_hi") if mt.has_ci else None,
                    )
                    for r in sorted(known_rows, key=lambda r: r["rep"].lower())
                ],
                title=msgs.t("charts.dist_title", metric=msgs.t(f"metrics.{k}")),
                desc=msgs.t("charts.dist_desc"),
                fmt=partial(msgs.fmt, mt.kind),
                domain=dom,
                median=medians.get(k),
                median_label=msgs.t("labels.team_median"),
            )
        )
    team_trends = []
    if len(weeks) >= 2:
        for k, dom in (("asked_why_first_rate", (0.0, 1.0)), ("moments_per_call", None)):
            mt = METRICS[k]
            team_trends.append(
                charts.trend_chart(
                    week_labels,
                    [charts.Series(msgs.t("labels.team"), _series(team_trend, weeks, k), "main")],
                    title=msgs.t("charts.trend_title", metric=msgs.t(f"metrics.{k}")),
                    desc=msgs.t("charts.team_trend_desc"),
                    fmt=partial(msgs.fmt, mt.kind),
                    domain=dom,
                )
            )
    index = {
        **common,
        "columns": [{"key": k, "label": msgs.t(f"metrics_short.{k}"), "help": msgs.t(f"metrics.{k}")}
                    for k in TEAM_COLUMNS],
        "team_rows": team_rows,
        "medians": [cell(msgs, METRICS[k], None, "median", medians.get(k), from_row=False) for k in TEAM_COLUMNS],
        "dist_charts": dist,
        "trend_charts": team_trends,
        "trend_table": _trend_table(msgs, weeks, team_trend),
        "attention": attention_rows(attention, cfg.attention_calls),
        "n_unknown_calls": all_rows[None]["n_calls"] if None in all_rows else 0,
    }
    return Reports(index=index, reps=rep_views)
