"""Coaching reports: per-rep view-models -> self-contained HTML and Markdown (Jinja, autoescaped).

`render_reports(calls, utts, moments, reps, settings)` returns {relative path: text}: `index.html`
(team overview) and per rep `<stem>.html` and `<stem>.md` (stem from `names.file_stems`). The run
writes them under `<workspace>/reports/`. Wording lives in `messages/<lang>.toml` and in
`templates/`; `[reports] templates_dir` (like datasette's) is searched before the packaged
templates, `[reports] messages_dir` may override message keys.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import polars as pl
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from pipeline.aggregate import Utterances
from pipeline.config import Settings
from pipeline.render.i18n import Messages
from pipeline.render.view import ReportConfig, build

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"

_MD_SPECIAL = re.compile(r"([\\`*_\[\]#|~])")


def _angle(text: str) -> str:
    return text.replace("<", "&lt;").replace(">", "&gt;")


def md_escape(value: Any) -> Markup:
    """Transcript or name text for Markdown: no tags (< and > become entities), Markdown syntax
    backslash-escaped, newlines flattened so a quote cannot break a table or start a heading."""
    text = " ".join(_angle("" if value is None else str(value)).split())
    return Markup(_MD_SPECIAL.sub(r"\\\1", text))


def _md_finalize(value: Any) -> Any:
    """Markdown's autoescape: every expression's output loses its tags unless it is Markup already."""
    if isinstance(value, Markup):
        return value
    return Markup(_angle("" if value is None else str(value)))


def environment(templates_dir: Path | None = None, markdown: bool = False) -> Environment:
    """HTML: `autoescape=True`. Markdown: no HTML escaping of quotes or apostrophes (they would show
    as entities in e-mail and chat), but every output loses < and > (finalize) and quotes go through
    the `md` filter."""
    loaders: list[Any] = []
    if templates_dir is not None:
        loaders.append(FileSystemLoader(str(templates_dir)))
    loaders.append(FileSystemLoader(str(TEMPLATES_DIR)))
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=not markdown,
        finalize=_md_finalize if markdown else None,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = md_escape
    return env


def render_reports(
    calls: pl.DataFrame, utts: Utterances, moments: pl.DataFrame, reps: pl.DataFrame, settings: Settings
) -> dict[str, str]:
    cfg = ReportConfig.from_section(settings.section("reports"))
    msgs = Messages.load(cfg.language, cfg.messages_dir)
    env = environment(cfg.templates_dir)
    md_env = environment(cfg.templates_dir, markdown=True)
    env.globals["t"] = md_env.globals["t"] = msgs.t
    views = build(calls, utts, moments, reps, cfg, msgs)
    files = {"index.html": env.get_template("index.html.j2").render(**views.index)}
    rep_html = env.get_template("rep.html.j2")
    rep_md = md_env.get_template("rep.md.j2")
    for stem, vm in views.reps.items():
        files[f"{stem}.html"] = rep_html.render(**vm)
        files[f"{stem}.md"] = rep_md.render(**vm)
    return files


__all__ = ["environment", "md_escape", "render_reports"]
