"""Tables -> per-call and per-rep coaching metrics. Pure polars: no row loops, inputs never mutated.

Definitions (the reports and docs/data-format.md rely on them):

- **talk ratio**: seller words / all words of the call (pooled over calls for a rep, so long calls
  weigh more). Words are `utterances.n_words`, or whitespace tokens of `text` where that is null.
- **questions**: `utterances.n_questions`, else `is_question` (0/1), else the number of "?" in the text.
- **longest monologue**: a run of consecutive seller turns with no customer (or unknown) turn in
  between; its words are summed, its seconds are last `end_s` - first `start_s`. Per call the
  longest in words and the longest in seconds are kept (they may be different runs).
- **rates** (`explore_rate`, `argue_rate`, `accept_rate`): share of the rep's nee moments whose first
  response was that type; `asked_why_first_rate` counts only moments where `asked_why_first` is
  known. Each rate has a Wilson 95% score interval `<rate>_lo` / `<rate>_hi` (null when n = 0).
- **discovery before the first nee**: mean of `calls.discovery_questions_before_first_nee` over the
  rep's calls that have at least one nee moment.
- **disqualified call**: a call whose `disqualifiers` list is not empty; `kept_pitching_rate` is the
  share of those calls where `kept_pitching_after_disqualifier` is true.
- **unknown rep**: calls whose `rep` is null are pooled into one row with `rep = null`. Reports list
  that row on the team overview only (no personal page) and leave it out of team medians.
- **periods**: the anchor is the newest call date in the workspace. The *current* period is the
  `weeks` weeks up to and including the anchor, `(anchor - 7*weeks days, anchor]`; the *previous*
  period is the `weeks` weeks before it. Calls without a date belong to neither.
- **weeks**: ISO weeks (Monday start); `week` is the Monday, `week_label` is e.g. "2024-W05".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from pipeline.schema import CALLS, Table, conform

Z95 = 1.959963984540054

RATES = ("explore_rate", "argue_rate", "accept_rate", "asked_why_first_rate", "kept_pitching_rate")

REPS = Table(
    name="reps",
    columns={
        "rep": pl.String(),
        "n_calls": pl.Int64(),
        "n_moments": pl.Int64(),
        "moments_per_call": pl.Float64(),
        "n_explore": pl.Int64(),
        "n_argue": pl.Int64(),
        "n_accept": pl.Int64(),
        "n_other": pl.Int64(),
        "explore_rate": pl.Float64(),
        "explore_rate_lo": pl.Float64(),
        "explore_rate_hi": pl.Float64(),
        "argue_rate": pl.Float64(),
        "argue_rate_lo": pl.Float64(),
        "argue_rate_hi": pl.Float64(),
        "accept_rate": pl.Float64(),
        "accept_rate_lo": pl.Float64(),
        "accept_rate_hi": pl.Float64(),
        "n_asked_why_first": pl.Int64(),
        "n_asked_why_first_known": pl.Int64(),
        "asked_why_first_rate": pl.Float64(),
        "asked_why_first_rate_lo": pl.Float64(),
        "asked_why_first_rate_hi": pl.Float64(),
        "n_entrenched": pl.Int64(),
        "mean_patience_s": pl.Float64(),
        "discovery_before_first_nee_mean": pl.Float64(),
        "disqualified_calls": pl.Int64(),
        "kept_pitching_after_dq": pl.Int64(),
        "kept_pitching_rate": pl.Float64(),
        "kept_pitching_rate_lo": pl.Float64(),
        "kept_pitching_rate_hi": pl.Float64(),
        "n_argue_after_dq": pl.Int64(),
        "mean_turns_after_dq": pl.Float64(),
        "mean_seconds_after_dq": pl.Float64(),
        "talk_ratio": pl.Float64(),
        "questions_per_call": pl.Float64(),
        "customer_questions_per_call": pl.Float64(),
        "discovery_questions_per_call": pl.Float64(),
        "longest_monologue_words": pl.Int64(),
        "mean_longest_monologue_words": pl.Float64(),
        "longest_monologue_s": pl.Float64(),
        "first_date": pl.Date(),
        "last_date": pl.Date(),
    },
    required=frozenset({"n_calls", "n_moments"}),
    key=("rep",),
)

# Numeric columns a team median makes sense for.
MEDIAN_COLUMNS = tuple(
    c for c, t in REPS.columns.items() if c != "rep" and t in (pl.Float64(), pl.Int64())
)


def _wilson(k: str, n: str, name: str, z: float = Z95) -> list[pl.Expr]:
    """Rate k/n with its Wilson score interval; all null when n is 0 or null."""
    kk, nn = pl.col(k).cast(pl.Float64), pl.col(n).cast(pl.Float64)
    p = kk / nn
    z2 = z * z
    denom = 1.0 + z2 / nn
    centre = p + z2 / (2.0 * nn)
    margin = z * ((p * (1.0 - p) / nn + z2 / (4.0 * nn * nn)).sqrt())
    ok = pl.col(n).fill_null(0) > 0
    return [
        pl.when(ok).then(p).otherwise(None).alias(name),
        pl.when(~ok).then(None).when(kk == 0).then(0.0)
        .otherwise(((centre - margin) / denom).clip(0.0, 1.0)).alias(f"{name}_lo"),
        pl.when(~ok).then(None).when(kk == nn).then(1.0)
        .otherwise(((centre + margin) / denom).clip(0.0, 1.0)).alias(f"{name}_hi"),
    ]


def wilson(k: int, n: int, z: float = Z95) -> tuple[float | None, float | None, float | None]:
    """The same interval for plain numbers (tests and reports use it to cross-check)."""
    out = pl.DataFrame({"k": [k], "n": [n]}).select(_wilson("k", "n", "r", z))
    return out["r"][0], out["r_lo"][0], out["r_hi"][0]


def _col(df: pl.DataFrame, name: str, dtype: pl.DataType) -> pl.Expr:
    return pl.col(name) if name in df.columns else pl.lit(None, dtype=dtype).alias(name)


Utterances = pl.DataFrame | pl.LazyFrame  # a run passes a lazy scan: the table is never loaded whole


def collect(frame: Utterances) -> pl.DataFrame:
    """A DataFrame as is; a lazy plan collected with the streaming engine."""
    return frame.collect(engine="streaming") if isinstance(frame, pl.LazyFrame) else frame


def utterance_features(utts: pl.DataFrame) -> pl.DataFrame:
    """Words, questions and discovery questions per utterance, with fallbacks for missing columns."""
    u = utts.select(
        "call_id", "idx", "role",
        _col(utts, "start_s", pl.Float64()), _col(utts, "end_s", pl.Float64()),
        _col(utts, "text", pl.String()),
        _col(utts, "n_words", pl.Int64()), _col(utts, "n_questions", pl.Int64()),
        _col(utts, "is_question", pl.Boolean()), _col(utts, "n_discovery", pl.Int64()),
    )
    return u.with_columns(
        words=pl.coalesce(
            pl.col("n_words").cast(pl.Int64),
            pl.col("text").fill_null("").str.count_matches(r"\S+").cast(pl.Int64),
        ),
        questions=pl.coalesce(
            pl.col("n_questions").cast(pl.Int64),
            pl.col("is_question").cast(pl.Int64),
            pl.col("text").fill_null("").str.count_matches(r"\?").cast(pl.Int64),
        ),
        discovery=pl.col("n_discovery").cast(pl.Int64).fill_null(0),
        seller=pl.col("role") == "seller",
        customer=pl.col("role") == "customer",
    ).drop("text")  # the biggest column; metrics never need it again


def _monologues(u: pl.DataFrame) -> pl.DataFrame:
    # Rows sorted by call: a run starts where the call or the role changes; run ids are global,
    # so no window over calls is needed (windows over 10k calls cost ~100 MB).
    runs = u.select("call_id", "idx", "role", "seller", "words", "start_s", "end_s").sort("call_id", "idx")
    runs = runs.with_columns(
        run=((pl.col("role") != pl.col("role").shift(1)) | (pl.col("call_id") != pl.col("call_id").shift(1)))
        .fill_null(True)
        .cast(pl.Int64)
        .cum_sum()
    )
    return (
        runs.filter(pl.col("seller"))
        .group_by("call_id", "run")
        .agg(w=pl.col("words").sum(), s=pl.col("end_s").max() - pl.col("start_s").min())
        .group_by("call_id")
        .agg(
            longest_monologue_words=pl.col("w").max().cast(pl.Int64),
            longest_monologue_s=pl.col("s").max(),
        )
    )


def moment_features(moments: pl.DataFrame) -> pl.DataFrame:
    """The moments table with optional columns present (nulls where the detector left them out)."""
    return moments.select(
        "call_id", "utt_idx",
        _col(moments, "text", pl.String()),
        _col(moments, "reason", pl.String()),
        _col(moments, "response", pl.String()),
        _col(moments, "asked_why_first", pl.Boolean()),
        _col(moments, "response_utt_idx", pl.Int64()),
        _col(moments, "score", pl.Float64()),
        _col(moments, "evidence", pl.String()),
        _col(moments, "acknowledged", pl.Boolean()),
        _col(moments, "patience_s", pl.Float64()),
        _col(moments, "entrenched", pl.Boolean()),
        _col(moments, "after_disqualifier", pl.Boolean()),
    )


TALK_COLUMNS: dict[str, pl.DataType] = {
    name: CALLS.columns[name]  # declared once, in the calls schema
    for name in (
        "seller_words", "customer_words", "total_words", "seller_questions", "customer_questions",
        "seller_discovery", "longest_monologue_words", "longest_monologue_s",
    )
}


def call_talk(utts: Utterances) -> pl.DataFrame:
    """Per call: words, questions and the longest monologue, from its utterances (`TALK_COLUMNS`).

    The run computes this per shard in the workers and stores it in `calls`, so that reports over a
    large workspace never aggregate every utterance again."""
    u = utterance_features(collect(utts))
    talk = u.group_by("call_id").agg(
        seller_words=pl.col("words").filter(pl.col("seller")).sum().cast(pl.Int64),
        customer_words=pl.col("words").filter(pl.col("customer")).sum().cast(pl.Int64),
        total_words=pl.col("words").sum().cast(pl.Int64),
        seller_questions=pl.col("questions").filter(pl.col("seller")).sum().cast(pl.Int64),
        customer_questions=pl.col("questions").filter(pl.col("customer")).sum().cast(pl.Int64),
        seller_discovery=pl.col("discovery").filter(pl.col("seller")).sum().cast(pl.Int64),
    )
    out = talk.join(_monologues(u), on="call_id", how="left")
    return out.select("call_id", *[pl.col(c).cast(t) for c, t in TALK_COLUMNS.items()])


def call_metrics(calls: pl.DataFrame, utts: Utterances, moments: pl.DataFrame) -> pl.DataFrame:
    """One row per call: who, when, talk, questions, monologue, nee moments and disqualifier figures."""
    stored = all(c in calls.columns for c in TALK_COLUMNS) and calls["total_words"].null_count() == 0
    talk = calls.select("call_id", *TALK_COLUMNS) if stored else call_talk(utts)
    m = moment_features(moments)
    resp = pl.col("response")
    per_call_m = m.group_by("call_id").agg(
        n_moments=pl.len().cast(pl.Int64),
        n_explore=(resp == "explore").sum().cast(pl.Int64),
        n_argue=(resp == "argue").sum().cast(pl.Int64),
        n_accept=(resp == "accept").sum().cast(pl.Int64),
        n_other=(resp == "other").sum().cast(pl.Int64),
        n_asked_why_first=pl.col("asked_why_first").fill_null(False).sum().cast(pl.Int64),
        n_asked_why_first_known=pl.col("asked_why_first").is_not_null().sum().cast(pl.Int64),
        n_entrenched=pl.col("entrenched").fill_null(False).sum().cast(pl.Int64),
        n_argue_after_dq=((resp == "argue") & pl.col("after_disqualifier").fill_null(False))
        .sum()
        .cast(pl.Int64),
        patience_sum=pl.col("patience_s").sum(),
        patience_n=pl.col("patience_s").is_not_null().sum().cast(pl.Int64),
        first_response=resp.sort_by("utt_idx").first(),
        first_nee_idx=pl.col("utt_idx").min(),
    )
    c = calls.select(
        "call_id",
        _col(calls, "rep", pl.String()),
        _col(calls, "date", pl.Date()),
        _col(calls, "outcome", pl.String()),
        _col(calls, "duration_s", pl.Float64()),
        _col(calls, "disqualifiers", pl.List(pl.String())),
        _col(calls, "discovery_questions_before_first_nee", pl.Int64()),
        _col(calls, "disqualifier_utt_idx", pl.Int64()),
        _col(calls, "turns_after_disqualifier", pl.Int64()),
        _col(calls, "seconds_after_disqualifier", pl.Float64()),
        _col(calls, "kept_pitching_after_disqualifier", pl.Boolean()),
    )
    counts = [
        "n_moments", "n_explore", "n_argue", "n_accept", "n_other", "n_asked_why_first",
        "n_asked_why_first_known", "n_entrenched", "n_argue_after_dq", "patience_n",
        "seller_words", "customer_words", "total_words", "seller_questions", "customer_questions",
        "seller_discovery",
    ]
    out = (
        c.join(talk, on="call_id", how="left")
        .join(per_call_m, on="call_id", how="left")
        .with_columns([pl.col(k).fill_null(0) for k in counts])
        .with_columns(
            disqualified=pl.col("disqualifiers").list.len().fill_null(0) > 0,
            kept_pitching=pl.col("kept_pitching_after_disqualifier").fill_null(False),
            talk_ratio=pl.when(pl.col("total_words") > 0)
            .then(pl.col("seller_words") / pl.col("total_words"))
            .otherwise(None),
            week=pl.col("date").dt.truncate("1w"),
            week_label=pl.when(pl.col("date").is_not_null())
            .then(
                pl.format(
                    "{}-W{}",
                    pl.col("date").dt.iso_year(),
                    pl.col("date").dt.week().cast(pl.String).str.zfill(2),
                )
            )
            .otherwise(None),
        )
    )
    return out.sort("call_id")


def _summarise(cm: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    dq = pl.col("disqualified")
    agg = cm.group_by(by).agg(
        n_calls=pl.len().cast(pl.Int64),
        n_moments=pl.col("n_moments").sum(),
        n_explore=pl.col("n_explore").sum(),
        n_argue=pl.col("n_argue").sum(),
        n_accept=pl.col("n_accept").sum(),
        n_other=pl.col("n_other").sum(),
        n_asked_why_first=pl.col("n_asked_why_first").sum(),
        n_asked_why_first_known=pl.col("n_asked_why_first_known").sum(),
        n_entrenched=pl.col("n_entrenched").sum(),
        patience_sum=pl.col("patience_sum").sum(),
        patience_n=pl.col("patience_n").sum(),
        discovery_before_first_nee_mean=pl.col("discovery_questions_before_first_nee")
        .filter(pl.col("n_moments") > 0)
        .mean(),
        disqualified_calls=dq.sum().cast(pl.Int64),
        kept_pitching_after_dq=(pl.col("kept_pitching") & dq).sum().cast(pl.Int64),
        n_argue_after_dq=pl.col("n_argue_after_dq").sum(),
        mean_turns_after_dq=pl.col("turns_after_disqualifier").filter(dq).mean(),
        mean_seconds_after_dq=pl.col("seconds_after_disqualifier").filter(dq).mean(),
        seller_words=pl.col("seller_words").sum(),
        total_words=pl.col("total_words").sum(),
        seller_questions=pl.col("seller_questions").sum(),
        customer_questions=pl.col("customer_questions").sum(),
        seller_discovery=pl.col("seller_discovery").sum(),
        longest_monologue_words=pl.col("longest_monologue_words").max(),
        mean_longest_monologue_words=pl.col("longest_monologue_words").fill_null(0).mean(),
        longest_monologue_s=pl.col("longest_monologue_s").max(),
        first_date=pl.col("date").min(),
        last_date=pl.col("date").max(),
    )
    n_calls = pl.col("n_calls").cast(pl.Float64)
    return agg.with_columns(
        *_wilson("n_explore", "n_moments", "explore_rate"),
        *_wilson("n_argue", "n_moments", "argue_rate"),
        *_wilson("n_accept", "n_moments", "accept_rate"),
        *_wilson("n_asked_why_first", "n_asked_why_first_known", "asked_why_first_rate"),
        *_wilson("kept_pitching_after_dq", "disqualified_calls", "kept_pitching_rate"),
        moments_per_call=pl.col("n_moments") / n_calls,
        mean_patience_s=pl.when(pl.col("patience_n") > 0)
        .then(pl.col("patience_sum") / pl.col("patience_n"))
        .otherwise(None),
        talk_ratio=pl.when(pl.col("total_words") > 0)
        .then(pl.col("seller_words") / pl.col("total_words"))
        .otherwise(None),
        questions_per_call=pl.col("seller_questions") / n_calls,
        customer_questions_per_call=pl.col("customer_questions") / n_calls,
        discovery_questions_per_call=pl.col("seller_discovery") / n_calls,
    )


def rep_table(calls: pl.DataFrame, utts: Utterances, moments: pl.DataFrame) -> pl.DataFrame:
    """One row per rep (null rep = calls whose rep is unknown), columns as `REPS` declares, by rep."""
    if not calls.height:
        return REPS.empty()
    cm = call_metrics(calls, utts, moments)
    return conform(_summarise(cm, ["rep"]).sort("rep", nulls_last=True), REPS)


def weekly_trend(
    calls: pl.DataFrame, utts: Utterances, moments: pl.DataFrame, by_rep: bool = True
) -> pl.DataFrame:
    """Per ISO week (and rep, unless by_rep is False): the REPS metrics plus `week`, `week_label`.

    Calls without a date are left out; weeks without calls are absent (charts show gaps).
    """
    cm = call_metrics(calls, utts, moments).filter(pl.col("date").is_not_null())
    keys = ["rep", "week", "week_label"] if by_rep else ["week", "week_label"]
    cols = [c for c in REPS.columns if c != "rep"]
    if not cm.height:
        return pl.DataFrame(
            schema={**({"rep": pl.String()} if by_rep else {}), "week": pl.Date(),
                    "week_label": pl.String(), **{c: REPS.columns[c] for c in cols}}
        )
    out = _summarise(cm, keys)
    return out.select(*keys, *[pl.col(c).cast(REPS.columns[c]) for c in cols]).sort(keys, nulls_last=True)


@dataclass(frozen=True)
class Periods:
    anchor: date
    weeks: int
    current_start: date  # exclusive
    previous_start: date  # exclusive; previous period ends at current_start (inclusive)

    @property
    def current(self) -> tuple[date, date]:
        """First and last day (inclusive) of the current period."""
        return self.current_start + timedelta(days=1), self.anchor

    @property
    def previous(self) -> tuple[date, date]:
        return self.previous_start + timedelta(days=1), self.current_start


def periods(calls: pl.DataFrame, weeks: int = 4) -> Periods | None:
    """The current and previous period relative to the newest call date; None when no call has one."""
    if "date" not in calls.columns or weeks <= 0:
        return None
    anchor = calls["date"].max()
    if not isinstance(anchor, date):
        return None
    span = timedelta(days=7 * weeks)
    return Periods(anchor=anchor, weeks=weeks, current_start=anchor - span, previous_start=anchor - 2 * span)


def _window(
    calls: pl.DataFrame, utts: Utterances, moments: pl.DataFrame, start: date, end: date
) -> tuple[pl.DataFrame, Utterances, pl.DataFrame]:
    c = calls.filter((pl.col("date") > start) & (pl.col("date") <= end))
    ids = c["call_id"].implode()
    return c, utts.filter(pl.col("call_id").is_in(ids)), moments.filter(pl.col("call_id").is_in(ids))


def period_tables(
    calls: pl.DataFrame, utts: Utterances, moments: pl.DataFrame, weeks: int = 4
) -> tuple[Periods | None, pl.DataFrame, pl.DataFrame]:
    """(periods, reps of the current period, reps of the previous period); empty tables without dates."""
    p = periods(calls, weeks)
    if p is None:
        return None, REPS.empty(), REPS.empty()
    cur = rep_table(*_window(calls, utts, moments, p.current_start, p.anchor))
    prev = rep_table(*_window(calls, utts, moments, p.previous_start, p.current_start))
    return p, cur, prev


def team_medians(reps: pl.DataFrame) -> dict[str, float | None]:
    """Median over known reps (rep not null) of every numeric REPS column; null values are skipped."""
    known = reps.filter(pl.col("rep").is_not_null())
    if not known.height:
        return {c: None for c in MEDIAN_COLUMNS}
    row = known.select([pl.col(c).cast(pl.Float64).median().alias(c) for c in MEDIAN_COLUMNS]).row(
        0, named=True
    )
    return {k: (float(v) if v is not None else None) for k, v in row.items()}


def attention_calls(cm: pl.DataFrame, argued_nos: int = 3) -> pl.DataFrame:
    """Calls that most need a coach's ear, worst first, with boolean reason columns and a `weight`.

    Reasons: kept pitching after a disqualifier (3), argued after a disqualifier (2), argued through
    `argued_nos` or more nee moments (2), an entrenched no after arguing (1), no discovery question
    before the first nee (1). Calls with weight 0 are left out.
    """
    flagged = cm.with_columns(
        flag_kept_pitching=pl.col("disqualified") & pl.col("kept_pitching"),
        flag_argue_after_dq=pl.col("n_argue_after_dq") > 0,
        flag_argued_through=pl.col("n_argue") >= argued_nos,
        flag_entrenched=pl.col("n_entrenched") > 0,
        flag_no_discovery=(pl.col("n_moments") > 0)
        & (pl.col("discovery_questions_before_first_nee").fill_null(-1) == 0),
    ).with_columns(
        weight=(
            pl.col("flag_kept_pitching").cast(pl.Int64) * 3
            + pl.col("flag_argue_after_dq").cast(pl.Int64) * 2
            + pl.col("flag_argued_through").cast(pl.Int64) * 2
            + pl.col("flag_entrenched").cast(pl.Int64)
            + pl.col("flag_no_discovery").cast(pl.Int64)
        )
    )
    return flagged.filter(pl.col("weight") > 0).sort(
        ["weight", "n_argue", "date", "call_id"], descending=[True, True, True, False], nulls_last=True
    )
