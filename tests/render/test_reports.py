"""Reports: file names, escaping, redaction, one rep per report, numbers equal the tables, language."""

from __future__ import annotations

import html
import re
import tomllib
from datetime import timedelta
from pathlib import Path

import polars as pl
import pytest

from pipeline import aggregate
from pipeline.errors import UsageError
from pipeline.render import md_escape, render_reports
from pipeline.render.i18n import MESSAGES_DIR, Messages, flatten
from pipeline.render.names import file_stems, slug
from pipeline.render.view import METRICS, SECTIONS, TEAM_COLUMNS
from tests.render.conftest import Rendered, settings_with
from tests.report_fixtures import ANCHOR, HTML_REP, PATH_REP, PRODUCTS, SANNE, SECRETS, TOM, workspace

MSGS = Messages.load("nl")
REPS = (SANNE, TOM, HTML_REP, PATH_REP)
CELL = re.compile(r'data-metric="([^"]+)" data-scope="([^"]+)" data-value="([^"]*)">(.*?)</td>', re.S)


def stem(rep: str) -> str:
    return file_stems(REPS)[rep]


def page(r: Rendered, rep: str, ext: str = "html") -> str:
    return r.files[f"{stem(rep)}.{ext}"]


def rep_calls(r: Rendered, rep: str | None) -> set[str]:
    return set(r.calls.filter(pl.col("rep").eq_missing(rep))["call_id"].to_list())


# --- files and names -------------------------------------------------------------------------------


def test_one_html_and_md_per_rep_plus_index(rendered: Rendered) -> None:
    expected = {"index.html"} | {f"{stem(r)}.{e}" for r in REPS for e in ("html", "md")}
    assert set(rendered.files) == expected
    for name in rendered.files:
        assert re.fullmatch(r"[a-z0-9][a-z0-9-]*\.(html|md)", name), name


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Sanne de Vries", r"sanne-de-vries"),
        ("../../etc/x", r"etc-x"),
        ("<b>Jan</b>", r"b-jan-b"),
        ("Zoë Dupré", r"zoe-dupre"),
        ("index", r"index-[0-9a-f]{8}"),
        ("CON", r"con-[0-9a-f]{8}"),
        ("////", r"rep-[0-9a-f]{8}"),
        ("李雷", r"rep-[0-9a-f]{8}"),
        ("x" * 200, r"x{60}-[0-9a-f]{8}"),
    ],
)
def test_file_stems_are_safe(name: str, expected: str) -> None:
    got = file_stems([name])[name]
    assert re.fullmatch(expected, got), got
    assert "/" not in got and ".." not in got and "\\" not in got


def test_file_stems_distinct_for_colliding_slugs() -> None:
    stems = file_stems(["Jan", "jan", "JAN!"])
    assert len(set(stems.values())) == 3
    assert all(s.startswith("jan-") for s in stems.values())
    assert slug("Jan") == "jan"


def test_hostile_rep_names_are_escaped_in_titles(rendered: Rendered) -> None:
    jan = page(rendered, HTML_REP)
    assert "<b>Jan</b>" not in jan
    assert "<title>Coachingrapport &lt;b&gt;Jan&lt;/b&gt;</title>" in jan
    assert "<h1>Coachingrapport &lt;b&gt;Jan&lt;/b&gt;</h1>" in jan
    assert "&lt;b&gt;Jan&lt;/b&gt;" in rendered.files["index.html"]
    assert "<b>Jan</b>" not in rendered.files["index.html"]
    assert "../../etc/x" in html.unescape(rendered.files["index.html"])
    assert 'href="etc-x.html"' in rendered.files["index.html"]
    md = page(rendered, HTML_REP, "md")
    assert "<b>" not in md
    assert md.startswith("# Coachingrapport &lt;b&gt;Jan&lt;/b&gt;")


def test_transcript_markup_renders_as_text(rendered: Rendered) -> None:
    x = page(rendered, PATH_REP)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in x
    assert "&lt;img src=x onerror=alert(2)&gt;" in x
    for name, text in rendered.files.items():
        assert "<script" not in text.lower(), name
        assert "<img" not in text.lower(), name
        assert "onerror=alert" not in text.replace("&lt;img src=x onerror=alert(2)&gt;", ""), name


def test_customer_personal_data_appears_in_no_report(rendered: Rendered) -> None:
    # The sensitive lines are quoted (Jan has only three moments: all are shown) ...
    jan = page(rendered, HTML_REP)
    assert "[telefoonnummer]" in jan and "[e-mail]" in jan and "[IBAN]" in jan and "[naam]" in jan
    # ... yet nothing of them is left, in any file, in any spelling the report could use.
    for name, text in rendered.files.items():
        plain = html.unescape(text)
        for secret in SECRETS:
            assert secret not in plain, (name, secret)
        assert "12345678" not in plain and "ABNA" not in plain and "example.nl" not in plain, name


def test_a_rep_report_holds_only_that_reps_calls(rendered: Rendered) -> None:
    for rep in REPS:
        own = rep_calls(rendered, rep)
        others = set(rendered.calls["call_id"].to_list()) - own
        foreign_products = {p for r, p in PRODUCTS.items() if r != rep}
        for ext in ("html", "md"):
            text = html.unescape(page(rendered, rep, ext))
            for cid in others:
                assert not re.search(rf"\b{cid}\b", text), (rep, ext, cid)
            for product in foreign_products:
                assert product not in text, (rep, ext, product)
        quoted = re.findall(r'data-call="([^"]+)" data-utt="(\d+)"', page(rendered, rep))
        assert quoted, rep
        keys = set(zip(rendered.moments["call_id"].to_list(), rendered.moments["utt_idx"].to_list(), strict=True))
        for cid, idx in quoted:
            assert cid in own and (cid, int(idx)) in keys


def test_self_contained_html(rendered: Rendered) -> None:
    for name, text in rendered.files.items():
        if not name.endswith(".html"):
            continue
        assert text.startswith("<!doctype html>")
        assert "<style>" in text and "<link" not in text and " src=" not in text.replace(
            "&lt;img src=x", ""
        )
        urls = set(re.findall(r"https?://[^\s\"'<>]+", text))
        assert urls <= {"http://www.w3.org/2000/svg"}, (name, urls)
        assert text.count("<svg") >= 3, name
        assert 'role="img"' in text and "<title id=" in text and "<desc id=" in text


def test_rendering_is_deterministic(rendered: Rendered) -> None:
    again = render_reports(rendered.calls, rendered.utts, rendered.moments, rendered.reps, settings_with())
    assert again == rendered.files


# --- numbers ---------------------------------------------------------------------------------------


def _check_cells(text: str, expected: dict[tuple[str, str], float | None]) -> int:
    seen = 0
    for metric, scope, raw, shown in CELL.findall(text):
        if (metric, scope) not in expected:
            continue
        want = expected[(metric, scope)]
        if want is None:
            assert raw == "", (metric, scope)
            assert shown.startswith(MSGS.na)
        else:
            assert raw != "", (metric, scope)
            assert float(raw) == pytest.approx(want, rel=1e-12, abs=1e-12), (metric, scope)
            if scope != "delta":
                assert shown.split("<", 1)[0] == MSGS.fmt(METRICS[metric].kind, want), (metric, scope, shown)
        seen += 1
    return seen


def test_every_number_in_a_rep_report_equals_the_tables(rendered: Rendered) -> None:
    medians = aggregate.team_medians(rendered.reps)
    _, cur, prev = aggregate.period_tables(rendered.calls, rendered.utts, rendered.moments, 4)
    metrics = [m for _, ms in SECTIONS for m in ms]
    for rep in REPS:
        row = rendered.reps.filter(pl.col("rep") == rep).row(0, named=True)
        crow = cur.filter(pl.col("rep") == rep).to_dicts()
        prow = prev.filter(pl.col("rep") == rep).to_dicts()
        c = crow[0] if crow else {}
        p = prow[0] if prow else {}
        expected: dict[tuple[str, str], float | None] = {}
        for m in metrics:
            expected[(m.key, "rep")] = row[m.key]
            expected[(m.key, "median")] = medians[m.key]
            expected[(m.key, "current")] = c.get(m.key)
            expected[(m.key, "previous")] = p.get(m.key)
            both = c.get(m.key) is not None and p.get(m.key) is not None
            expected[(m.key, "delta")] = c[m.key] - p[m.key] if both else None
        text = page(rendered, rep)
        assert _check_cells(text, expected) == len(metrics) * 5
        # intervals and counts under the rates
        for m in metrics:
            if m.has_ci and row[m.key] is not None:
                interval = MSGS.t("format.interval", lo=MSGS.pct(row[f"{m.key}_lo"]), hi=MSGS.pct(row[f"{m.key}_hi"]))
                count = MSGS.t("format.count", k=MSGS.integer(row[m.k]), n=MSGS.integer(row[m.n]))
                assert interval in text and count in text, (rep, m.key)
        sub = MSGS.t("rep.subtitle", calls=row["n_calls"], moments=row["n_moments"],
                     first=row["first_date"].isoformat(), last=row["last_date"].isoformat())
        assert html.escape(sub) in text
        # the Markdown report carries the same figures
        md = page(rendered, rep, "md")
        for m in metrics:
            label = MSGS.t(f"metrics.{m.key}")
            line = next(ln for ln in md.splitlines() if ln.startswith(f"| {label} |"))
            cells = [x.strip() for x in line.strip("|").split("|")]
            shown = MSGS.fmt(m.kind, row[m.key])
            assert cells[1] == shown or cells[1].startswith(shown + " ["), (rep, m.key)
            assert cells[2] == MSGS.fmt(m.kind, medians[m.key]), (rep, m.key)
            assert cells[3] == MSGS.fmt(m.kind, c.get(m.key)), (rep, m.key)
            assert cells[4] == MSGS.fmt(m.kind, p.get(m.key)), (rep, m.key)


def test_every_number_on_the_team_overview_equals_the_tables(rendered: Rendered) -> None:
    index = rendered.files["index.html"]
    medians = aggregate.team_medians(rendered.reps)
    rows = re.findall(r'<tr data-rep="([^"]*)">(.*?)</tr>', index, re.S)
    assert len(rows) == rendered.reps.height
    for rep_html, body in rows:
        rep = html.unescape(rep_html)
        match = rendered.reps.filter(pl.col("rep") == rep) if rep in REPS else rendered.reps.filter(
            pl.col("rep").is_null()
        )
        row = match.row(0, named=True)
        assert _check_cells(body, {(k, "rep"): row[k] for k in TEAM_COLUMNS}) == len(TEAM_COLUMNS)
        assert MSGS.t("index.dq_cell", dq=row["disqualified_calls"], kept=row["kept_pitching_after_dq"]) in body
    assert _check_cells(index, {(k, "median"): medians[k] for k in TEAM_COLUMNS}) == len(TEAM_COLUMNS)
    assert f'<span class="v">{rendered.moments.height}</span>' in index
    assert f'<span class="v">{rendered.calls.height}</span>' in index


def test_small_samples_get_no_rank_and_say_so(rendered: Rendered) -> None:
    jan = page(rendered, HTML_REP)
    assert MSGS.t("rep.small_sample", moments=3, min=10) in html.unescape(jan)
    assert "Plaats " not in jan
    sanne = html.unescape(page(rendered, SANNE))
    assert MSGS.t("rep.rank", rank=1, n=2, metric=MSGS.t("metrics.asked_why_first_rate")) in sanne
    index = rendered.files["index.html"]
    jan_row = re.search(r'<tr data-rep="&lt;b&gt;Jan&lt;/b&gt;">(.*?)</tr>', index, re.S)
    assert jan_row and MSGS.t("index.small_sample") in jan_row.group(1)
    order = [html.unescape(r) for r in re.findall(r'<tr data-rep="([^"]*)">', index)]
    assert order[:2] == [SANNE, TOM]  # ranked by asked-why-first: Sanne 8/13, Tom 2/16


def test_moments_quote_the_no_and_the_reaction_with_a_tip(rendered: Rendered) -> None:
    tom = page(rendered, TOM)
    best = tom.split(MSGS.t("rep.best_title"))[1].split(MSGS.t("rep.improve_title"))[0]
    improve = tom.split(MSGS.t("rep.improve_title"))[1].split(MSGS.t("rep.attention_title"))[0]
    assert best.count("<article") == 2  # Tom explored only twice
    assert improve.count("<article") == 3
    assert MSGS.t("tips.pitch_after_dq") in html.unescape(improve)
    assert 'data-situation="pitch_after_dq"' in improve
    assert 'data-situation="good_explore"' in best
    assert "Nee, dat is veel te duur voor ons, zonnepanelen past niet in ons budget." in improve
    assert "Maar u verdient die zonnepanelen in vijf jaar terug, echt waar." in improve
    # three improve moments from three different calls (there are six argue calls)
    calls = re.findall(r'data-call="([^"]+)"', improve)
    assert len(set(calls)) == 3
    md = page(rendered, TOM, "md")
    assert "> **Klant:** Nee, dat is veel te duur voor ons, zonnepanelen past niet in ons budget." in md
    assert MSGS.t("tips.pitch_after_dq").split(" (")[0] in md


def test_calls_needing_a_coach_are_listed(rendered: Rendered) -> None:
    index = rendered.files["index.html"]
    section = index.split(MSGS.t("index.attention_title"))[1].split(MSGS.t("index.dist_title"))[0]
    assert MSGS.t("flags.kept_pitching") in section
    first = re.search(r"<td>(t\d\d|s\d\d|j\d\d)</td>", section)
    assert first and first.group(1) == "t00"  # Tom's newest argue call: kept pitching, argued twice


# --- configuration -------------------------------------------------------------------------------


def test_english_by_config_switch() -> None:
    calls, utts, moments = workspace()
    reps = aggregate.rep_table(calls, utts, moments)
    files = render_reports(calls, utts, moments, reps, settings_with(language="en"))
    sanne = files[f"{stem(SANNE)}.html"]
    assert '<html lang="en">' in sanne and "Coaching report Sanne de Vries" in sanne
    assert "Coachingrapport" not in sanne and "Kerncijfers" not in sanne
    assert "Nee coaching: team overview" in files["index.html"]
    assert "[phone number]" in files[f"{stem(HTML_REP)}.html"]


def test_message_files_have_the_same_keys() -> None:
    nl = flatten(tomllib.loads((MESSAGES_DIR / "nl.toml").read_text(encoding="utf-8")))
    en = flatten(tomllib.loads((MESSAGES_DIR / "en.toml").read_text(encoding="utf-8")))
    assert set(nl) == set(en)
    for key in nl:
        assert re.findall(r"{(\w+)}", nl[key]) == re.findall(r"{(\w+)}", en[key]) or sorted(
            re.findall(r"{(\w+)}", nl[key])
        ) == sorted(re.findall(r"{(\w+)}", en[key])), key


def test_template_and_message_overrides(tmp_path: Path) -> None:
    tpl = tmp_path / "templates"
    tpl.mkdir()
    (tpl / "index.html.j2").write_text("<p>eigen {{ t('index.title') }} {{ n_reps }}</p>", encoding="utf-8")
    msg = tmp_path / "messages"
    msg.mkdir()
    (msg / "nl.toml").write_text('[index]\ntitle = "Ons team"\n', encoding="utf-8")
    calls, utts, moments = workspace()
    reps = aggregate.rep_table(calls, utts, moments)
    files = render_reports(calls, utts, moments, reps,
                           settings_with(templates_dir=str(tpl), messages_dir=str(msg)))
    assert files["index.html"] == "<p>eigen Ons team 4</p>"
    assert "Coachingrapport Sanne de Vries" in files[f"{stem(SANNE)}.html"]


@pytest.mark.parametrize(
    "bad", [{"language": "fr"}, {"rank_by": "talk_ratio"}, {"templates_dir": "/nonexistent/x"},
            {"min_moments_for_ranking": "veel"}],
)
def test_bad_report_settings_are_usage_errors(bad: dict[str, object]) -> None:
    calls, utts, moments = workspace()
    reps = aggregate.rep_table(calls, utts, moments)
    with pytest.raises(UsageError) as err:
        render_reports(calls, utts, moments, reps, settings_with(**bad))
    assert err.value.code.value == "E401"


def test_redaction_can_be_switched_off() -> None:
    calls, utts, moments = workspace()
    reps = aggregate.rep_table(calls, utts, moments)
    files = render_reports(calls, utts, moments, reps,
                           settings_with(redact={"phone": False, "email": True, "iban": True,
                                                 "address": True, "names": True}))
    assert "06-12345678" in files[f"{stem(HTML_REP)}.html"]
    assert "ron.smit@example.nl" not in files[f"{stem(HTML_REP)}.html"]


# --- odd workspaces --------------------------------------------------------------------------------


def test_without_dates_moments_or_known_reps() -> None:
    calls, utts, moments = workspace()
    no_dates = calls.with_columns(pl.lit(None, dtype=pl.Date).alias("date"))
    reps = aggregate.rep_table(no_dates, utts, moments)
    files = render_reports(no_dates, utts, moments, reps, settings_with())
    assert MSGS.t("labels.too_few_weeks") in files[f"{stem(SANNE)}.html"]

    empty_m = moments.clear()
    reps = aggregate.rep_table(calls, utts, empty_m)
    files = render_reports(calls, utts, empty_m, reps, settings_with())
    assert MSGS.t("rep.no_best") in files[f"{stem(SANNE)}.html"]

    anon = calls.with_columns(pl.lit(None, dtype=pl.String).alias("rep"))
    reps = aggregate.rep_table(anon, utts, moments)
    files = render_reports(anon, utts, moments, reps, settings_with())
    assert set(files) == {"index.html"}


def test_single_week_has_no_trend_but_renders() -> None:
    calls, utts, moments = workspace()
    one_week = calls.with_columns(pl.lit(ANCHOR - timedelta(days=1)).alias("date"))
    reps = aggregate.rep_table(one_week, utts, moments)
    files = render_reports(one_week, utts, moments, reps, settings_with())
    assert MSGS.t("labels.too_few_weeks") in files["index.html"]


def test_markdown_escaping() -> None:
    assert md_escape("a | b *c* _d_ [e](f) `g` <h>") == r"a \| b \*c\* \_d\_ \[e\](f) \`g\` &lt;h&gt;"
    assert md_escape("regel 1\n# kop") == r"regel 1 \# kop"
