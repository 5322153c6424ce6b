"""Aggregation: per-call and per-rep metrics, Wilson intervals, weeks, periods, medians, attention."""

from __future__ import annotations

import math
from datetime import date, timedelta

import polars as pl
import pytest

from pipeline import aggregate
from pipeline.schema import CALLS, MOMENTS, UTTERANCES, conform
from tests.report_fixtures import ANCHOR, HTML_REP, SANNE, TOM, workspace


def wilson_ref(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def tiny(
    turns: list[tuple[str, str, float | None, float | None]],
    moments: list[dict[str, object]] | None = None,
    **call: object,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    c = conform(pl.DataFrame([{"call_id": "c1", "source_file": "c1.txt", "source_sha256": "x" * 64,
                               "format": "plaintext", "n_utterances": len(turns), "rep": "Rep",
                               "date": date(2024, 1, 3), **call}]), CALLS)
    u = conform(pl.DataFrame([{"call_id": "c1", "idx": i, "speaker": role, "role": role, "text": text,
                               "start_s": s, "end_s": e} for i, (role, text, s, e) in enumerate(turns)]),
                UTTERANCES)
    m = conform(pl.DataFrame(moments) if moments else MOMENTS.empty(), MOMENTS)
    return c, u, m


def test_rep_table_schema_and_rows() -> None:
    calls, utts, moments = workspace()
    reps = aggregate.rep_table(calls, utts, moments)
    assert reps.schema == aggregate.REPS.schema
    assert reps["rep"].to_list() == ["../../etc/x", HTML_REP, SANNE, TOM, None]  # unknown rep last
    assert reps["n_calls"].sum() == calls.height
    assert reps["n_moments"].sum() == moments.height


def test_inputs_are_not_mutated() -> None:
    calls, utts, moments = workspace()
    before = (calls.clone(), utts.clone(), moments.clone())
    aggregate.rep_table(calls, utts, moments)
    aggregate.weekly_trend(calls, utts, moments)
    aggregate.period_tables(calls, utts, moments)
    for a, b in zip(before, (calls, utts, moments), strict=True):
        assert a.equals(b) and a.schema == b.schema


def test_rates_counts_and_wilson_bounds() -> None:
    calls, utts, moments = workspace()
    reps = aggregate.rep_table(calls, utts, moments)
    sanne = reps.filter(pl.col("rep") == SANNE).row(0, named=True)
    # 8 explore calls (1 moment), 2 walk-aways (1), 1 accept (1), 1 argue call (2 moments)
    assert (sanne["n_calls"], sanne["n_moments"]) == (12, 13)
    assert (sanne["n_explore"], sanne["n_argue"], sanne["n_accept"]) == (8, 2, 3)
    assert sanne["explore_rate"] == pytest.approx(8 / 13)
    lo, hi = wilson_ref(8, 13)
    assert sanne["explore_rate_lo"] == pytest.approx(lo) and sanne["explore_rate_hi"] == pytest.approx(hi)
    assert sanne["moments_per_call"] == pytest.approx(13 / 12)
    assert sanne["asked_why_first_rate"] == pytest.approx(8 / 13)
    assert sanne["disqualified_calls"] == 3 and sanne["kept_pitching_after_dq"] == 1
    assert sanne["kept_pitching_rate"] == pytest.approx(1 / 3)
    assert sanne["mean_turns_after_dq"] == pytest.approx((1 + 1 + 2) / 3)
    assert sanne["mean_seconds_after_dq"] == pytest.approx((4 + 4 + 10) / 3)
    assert sanne["n_argue_after_dq"] == 1
    # discovery before the first nee: 8 explore (1) + 2 walk-away (1) + accept (0) + argue (0)
    assert sanne["discovery_before_first_nee_mean"] == pytest.approx(10 / 12)
    assert sanne["first_date"] == ANCHOR - timedelta(days=66) and sanne["last_date"] == ANCHOR
    tom = reps.filter(pl.col("rep") == TOM).row(0, named=True)
    assert tom["argue_rate"] == pytest.approx(12 / 16)
    assert tom["kept_pitching_rate"] == 1.0 and tom["kept_pitching_rate_hi"] == 1.0


def test_wilson_edges() -> None:
    assert aggregate.wilson(0, 0) == (None, None, None)
    r, lo, hi = aggregate.wilson(0, 5)
    assert r == 0.0 and lo == 0.0 and hi == pytest.approx(wilson_ref(0, 5)[1])
    r, lo, hi = aggregate.wilson(5, 5)
    assert r == 1.0 and hi == 1.0 and lo == pytest.approx(wilson_ref(5, 5)[0])
    r, lo, hi = aggregate.wilson(30, 100)
    assert (lo, hi) == pytest.approx(wilson_ref(30, 100))


def test_talk_ratio_questions_and_longest_monologue() -> None:
    calls, utts, moments = tiny([
        ("seller", "een twee drie vier", 0.0, 4.0),
        ("seller", "vijf zes?", 6.0, 8.0),           # same run: 6 words, 0..8 s
        ("customer", "nee dank u", 9.0, 10.0),
        ("seller", "waarom niet? echt niet?", 11.0, 20.0),  # 4 words, 9 s
        ("unknown", "ruis", None, None),
        ("customer", "omdat het te duur is?", 21.0, 23.0),
    ])
    cm = aggregate.call_metrics(calls, utts, moments).row(0, named=True)
    assert cm["seller_words"] == 10 and cm["customer_words"] == 8 and cm["total_words"] == 19
    assert cm["talk_ratio"] == pytest.approx(10 / 19)
    assert cm["seller_questions"] == 3 and cm["customer_questions"] == 1
    assert cm["longest_monologue_words"] == 6
    assert cm["longest_monologue_s"] == pytest.approx(9.0)
    assert cm["n_moments"] == 0 and cm["first_response"] is None
    reps = aggregate.rep_table(calls, utts, moments)
    row = reps.row(0, named=True)
    assert row["talk_ratio"] == pytest.approx(10 / 19) and row["questions_per_call"] == 3
    assert row["explore_rate"] is None and row["explore_rate_lo"] is None
    assert row["mean_longest_monologue_words"] == 6


def test_feature_columns_win_over_fallbacks() -> None:
    calls, utts, moments = tiny([("seller", "een twee", 0.0, 1.0), ("customer", "nee", 1.0, 2.0)])
    utts = utts.with_columns(n_words=pl.Series([10, 5]), n_questions=pl.Series([2, 0]),
                             n_discovery=pl.Series([1, 0]))
    row = aggregate.rep_table(calls, utts, moments).row(0, named=True)
    assert row["talk_ratio"] == pytest.approx(10 / 15)
    assert row["questions_per_call"] == 2 and row["discovery_questions_per_call"] == 1


def test_moments_with_only_required_columns() -> None:
    calls, utts, _ = tiny([("seller", "hallo", 0.0, 1.0), ("customer", "nee", 1.0, 2.0),
                           ("seller", "waarom?", 2.0, 3.0)])
    moments = pl.DataFrame({"call_id": ["c1"], "utt_idx": [1], "text": ["nee"], "reason": ["unknown"],
                            "response": ["explore"], "score": [0.5], "evidence": ["rule"]})
    row = aggregate.rep_table(calls, utts, moments).row(0, named=True)
    assert row["n_moments"] == 1 and row["explore_rate"] == 1.0
    assert row["asked_why_first_rate"] is None and row["n_asked_why_first_known"] == 0
    assert row["mean_patience_s"] is None


def test_null_rep_is_one_row_and_out_of_the_median() -> None:
    calls, utts, moments = workspace()
    reps = aggregate.rep_table(calls, utts, moments)
    assert reps.filter(pl.col("rep").is_null()).height == 1
    med = aggregate.team_medians(reps)
    known = reps.filter(pl.col("rep").is_not_null())
    assert med["explore_rate"] == pytest.approx(known["explore_rate"].median())
    assert med["n_calls"] == pytest.approx(known["n_calls"].median())
    assert aggregate.team_medians(aggregate.REPS.empty())["explore_rate"] is None


def test_weekly_trend_uses_iso_weeks() -> None:
    calls, utts, moments = workspace()
    team = aggregate.weekly_trend(calls, utts, moments, by_rep=False)
    assert team["n_calls"].sum() == calls.height
    assert team["n_moments"].sum() == moments.height
    assert all(w.weekday() == 0 for w in team["week"].to_list())
    assert team["week_label"][-1] == "2024-W13"  # 2024-03-29 is in ISO week 13
    by_rep = aggregate.weekly_trend(calls, utts, moments)
    assert by_rep.filter(pl.col("rep") == SANNE)["n_calls"].sum() == 12
    # a date late in December can belong to ISO week 1 of the next year
    c, u, m = tiny([("seller", "hallo", 0.0, 1.0)], date=date(2024, 12, 30))
    assert aggregate.weekly_trend(c, u, m, by_rep=False)["week_label"].to_list() == ["2025-W01"]


def test_periods_are_relative_to_the_newest_call() -> None:
    calls, utts, moments = workspace()
    p, cur, prev = aggregate.period_tables(calls, utts, moments, weeks=4)
    assert p is not None and p.anchor == ANCHOR
    assert p.current == (ANCHOR - timedelta(days=27), ANCHOR)
    assert p.previous == (ANCHOR - timedelta(days=55), ANCHOR - timedelta(days=28))
    in_cur = calls.filter((pl.col("date") > ANCHOR - timedelta(days=28)) & (pl.col("date") <= ANCHOR))
    ids = in_cur["call_id"].implode()
    expected = aggregate.rep_table(in_cur, utts.filter(pl.col("call_id").is_in(ids)),
                                   moments.filter(pl.col("call_id").is_in(ids)))
    assert cur.equals(expected)
    assert prev.filter(pl.col("rep") == HTML_REP).height == 0  # Jan's calls are all recent
    assert int(cur["n_calls"].sum()) + int(prev["n_calls"].sum()) <= calls.height
    no_dates = calls.with_columns(pl.lit(None, dtype=pl.Date).alias("date"))
    p, cur, prev = aggregate.period_tables(no_dates, utts, moments)
    assert p is None and cur.height == 0 and prev.height == 0


def test_attention_calls_flags_and_order() -> None:
    calls, utts, moments = workspace()
    cm = aggregate.call_metrics(calls, utts, moments)
    att = aggregate.attention_calls(cm)
    top = att.row(0, named=True)
    assert top["flag_kept_pitching"] and top["flag_argue_after_dq"] and top["flag_entrenched"]
    assert top["weight"] == att["weight"].max()
    assert att["weight"].min() > 0
    assert "s00" not in att["call_id"].to_list()  # a clean explore call
    assert not att.filter(pl.col("flag_argued_through")).height  # nobody argued 3 times in one call
    assert aggregate.attention_calls(cm, argued_nos=2).filter(pl.col("flag_argued_through")).height == 8


def test_empty_workspace() -> None:
    reps = aggregate.rep_table(CALLS.empty(), UTTERANCES.empty(), MOMENTS.empty())
    assert reps.height == 0 and reps.schema == aggregate.REPS.schema
    assert aggregate.periods(CALLS.empty()) is None
    assert aggregate.weekly_trend(CALLS.empty(), UTTERANCES.empty(), MOMENTS.empty()).height == 0
