"""Inline SVG charts: no JavaScript, no network, readable in print.

Every chart is an `<svg role="img">` with a `<title>` and `<desc>` (screen readers, tooltips) and
scales with its container through its viewBox. All text is escaped here; callers pass plain strings
(labels come from message files, rep names from the data) and a formatter for axis values.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

Fmt = Callable[[float], str]

BLUE = "#1f5fa8"
BLUE_LIGHT = "#9dbbe0"
ORANGE = "#c2530a"
GREY = "#6b6b6b"
GRID = "#dddddd"


@dataclass(frozen=True)
class DotRow:
    label: str
    value: float | None
    lo: float | None = None
    hi: float | None = None
    ref: float | None = None  # e.g. the team median for this row, drawn as a tick
    highlight: bool = False


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]
    kind: str = "main"  # "main" (solid, blue) or "ref" (dashed, grey)


def _n(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


TITLE_H = 24


def _open(width: int, height: int, title: str, desc: str, cls: str) -> tuple[str, list[str]]:
    """SVG head with <title>/<desc> for assistive tech and the title visible above the plot."""
    uid = "c" + hashlib.sha1(f"{cls}|{title}|{desc}".encode()).hexdigest()[:10]
    full = height + TITLE_H
    head = (
        f'<svg class="chart {cls}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {full}" '
        f'width="{width}" height="{full}" role="img" aria-labelledby="{uid}t {uid}d" '
        f'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" font-size="11" fill="#1d1d1f">'
    )
    return uid, [
        head,
        f'<title id="{uid}t">{escape(title)}</title>',
        f'<desc id="{uid}d">{escape(desc)}</desc>',
        f'<text x="2" y="15" font-size="13" font-weight="600" aria-hidden="true">{escape(title)}</text>',
        f'<g transform="translate(0,{TITLE_H})">',
    ]


def nice_step(span: float, target: int = 5) -> float:
    """A round tick step (1, 2, 2.5 or 5 x 10^k) giving about `target` intervals over `span`."""
    raw = span / target if span > 0 else 1.0
    mag = 10.0 ** math.floor(math.log10(raw))
    return next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw * (1 - 1e-9))


def _ticks(lo: float, hi: float) -> list[float]:
    if hi <= lo:
        return [lo]
    step = nice_step(hi - lo)
    return [lo + i * step for i in range(int((hi - lo) / step + 1e-9) + 1)]


def nice_max(values: Sequence[float | None], floor: float = 1.0) -> float:
    """A round upper bound for an axis from 0: a whole number of nice steps, at least `floor`."""
    top = max([v for v in values if v is not None] + [floor])
    step = nice_step(top)
    return float(math.ceil(top / step - 1e-9) * step)


def dot_plot(
    rows: Sequence[DotRow],
    *,
    title: str,
    desc: str,
    fmt: Fmt,
    domain: tuple[float, float] = (0.0, 1.0),
    median: float | None = None,
    median_label: str = "",
    ref_label: str = "",
    label_width: int = 190,
) -> Markup:
    """Cleveland dot plot: one row per item, dot = value, whisker = interval, tick = reference."""
    width, row_h, top, bottom = 640, 24, 10, 34
    height = top + row_h * max(1, len(rows)) + bottom
    x0, x1 = label_width, width - 24
    lo_d, hi_d = domain
    span = (hi_d - lo_d) or 1.0

    def x(v: float) -> float:
        return x0 + (min(max(v, lo_d), hi_d) - lo_d) / span * (x1 - x0)

    _, out = _open(width, height, title, desc, "dot-plot")
    base = top + row_h * max(1, len(rows))
    for t in _ticks(lo_d, hi_d):
        out.append(f'<line x1="{_n(x(t))}" y1="{top}" x2="{_n(x(t))}" y2="{base}" stroke="{GRID}"/>')
        out.append(
            f'<text x="{_n(x(t))}" y="{base + 14}" text-anchor="middle" fill="{GREY}">{escape(fmt(t))}</text>'
        )
    if median is not None:
        xm = _n(x(median))
        out.append(
            f'<line x1="{xm}" y1="{top - 4}" x2="{xm}" y2="{base}" stroke="{ORANGE}" stroke-width="1.5" '
            f'stroke-dasharray="4 3"/>'
        )
        out.append(
            f'<text x="{xm}" y="{base + 28}" text-anchor="middle" fill="{ORANGE}">'
            f"{escape(median_label)} {escape(fmt(median))}</text>"
        )
    for i, r in enumerate(rows):
        cy = top + row_h * i + row_h / 2
        weight = ' font-weight="700"' if r.highlight else ""
        label = r.label if len(r.label) <= 30 else r.label[:29] + "…"
        out.append(
            f'<text x="{label_width - 8}" y="{_n(cy + 4)}" text-anchor="end"{weight}>{escape(label)}</text>'
        )
        if r.lo is not None and r.hi is not None:
            out.append(
                f'<line x1="{_n(x(r.lo))}" y1="{_n(cy)}" x2="{_n(x(r.hi))}" y2="{_n(cy)}" '
                f'stroke="{BLUE_LIGHT}" stroke-width="4" stroke-linecap="round"/>'
            )
        if r.ref is not None:
            xr = _n(x(r.ref))
            out.append(
                f'<line x1="{xr}" y1="{_n(cy - 8)}" x2="{xr}" y2="{_n(cy + 8)}" stroke="{ORANGE}" stroke-width="2">'
                f"<title>{escape(ref_label)} {escape(fmt(r.ref))}</title></line>"
            )
        if r.value is not None:
            colour = ORANGE if r.highlight and median is not None else BLUE
            out.append(
                f'<circle cx="{_n(x(r.value))}" cy="{_n(cy)}" r="{6 if r.highlight else 5}" fill="{colour}">'
                f"<title>{escape(r.label)}: {escape(fmt(r.value))}</title></circle>"
            )
    out.append("</g></svg>")
    return Markup("".join(out))


def strip_plot(
    values: Sequence[float | None],
    *,
    title: str,
    desc: str,
    fmt: Fmt,
    highlight: float | None = None,
    highlight_label: str = "",
    median: float | None = None,
    median_label: str = "",
    domain: tuple[float, float] = (0.0, 1.0),
) -> Markup:
    """One row of anonymous dots (the team), the highlighted value (the rep) and the median."""
    width, height, x0, x1, cy = 640, 78, 20, 620, 26
    lo_d, hi_d = domain
    span = (hi_d - lo_d) or 1.0

    def x(v: float) -> float:
        return x0 + (min(max(v, lo_d), hi_d) - lo_d) / span * (x1 - x0)

    _, out = _open(width, height, title, desc, "strip-plot")
    out.append(f'<line x1="{x0}" y1="{cy}" x2="{x1}" y2="{cy}" stroke="{GRID}" stroke-width="14" '
               f'stroke-linecap="round"/>')
    for t in _ticks(lo_d, hi_d):
        out.append(f'<text x="{_n(x(t))}" y="{cy + 24}" text-anchor="middle" fill="{GREY}">{escape(fmt(t))}</text>')
    for i, v in enumerate(sorted(v for v in values if v is not None)):
        dy = (i % 3 - 1) * 3
        out.append(f'<circle cx="{_n(x(v))}" cy="{cy + dy}" r="4" fill="{GREY}" fill-opacity="0.55"/>')
    if median is not None:
        xm = _n(x(median))
        out.append(f'<line x1="{xm}" y1="{cy - 11}" x2="{xm}" y2="{cy + 11}" stroke="{ORANGE}" stroke-width="2"/>')
        out.append(
            f'<text x="{xm}" y="{height - 4}" text-anchor="middle" fill="{ORANGE}">{escape(median_label)}</text>'
        )
    if highlight is not None:
        xh = _n(x(highlight))
        out.append(f'<circle cx="{xh}" cy="{cy}" r="7" fill="{BLUE}" stroke="#fff" stroke-width="1.5"/>')
        out.append(
            f'<text x="{xh}" y="{cy - 12}" text-anchor="middle" font-weight="700" fill="{BLUE}">'
            f"{escape(highlight_label)} {escape(fmt(highlight))}</text>"
        )
    out.append("</g></svg>")
    return Markup("".join(out))


def trend_chart(
    x_labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    desc: str,
    fmt: Fmt,
    domain: tuple[float, float] | None = None,
) -> Markup:
    """A line per series over weeks; gaps where a week has no value; legend above the plot."""
    width, height, x0, x1, top, base = 640, 230, 52, 620, 34, 196
    vals = [v for s in series for v in s.values if v is not None]
    lo_d, hi_d = domain if domain is not None else (0.0, nice_max(vals))
    span = (hi_d - lo_d) or 1.0
    n = max(1, len(x_labels))

    def x(i: int) -> float:
        return x0 + (x1 - x0) * (i / (n - 1) if n > 1 else 0.5)

    def y(v: float) -> float:
        return base - (min(max(v, lo_d), hi_d) - lo_d) / span * (base - top)

    _, out = _open(width, height, title, desc, "trend")
    for t in _ticks(lo_d, hi_d):
        out.append(f'<line x1="{x0}" y1="{_n(y(t))}" x2="{x1}" y2="{_n(y(t))}" stroke="{GRID}"/>')
        out.append(f'<text x="{x0 - 6}" y="{_n(y(t) + 4)}" text-anchor="end" fill="{GREY}">{escape(fmt(t))}</text>')
    step = max(1, -(-n // 10))
    for i, lab in enumerate(x_labels):
        if i % step == 0 or i == n - 1:
            out.append(
                f'<text x="{_n(x(i))}" y="{base + 16}" text-anchor="middle" fill="{GREY}">{escape(lab)}</text>'
            )
    lx = x0
    for s in series:
        colour, dash = (BLUE, "") if s.kind == "main" else (GREY, ' stroke-dasharray="5 4"')
        out.append(f'<line x1="{lx}" y1="14" x2="{lx + 22}" y2="14" stroke="{colour}" stroke-width="2.5"{dash}/>')
        out.append(f'<text x="{lx + 28}" y="18">{escape(s.name)}</text>')
        lx += 40 + 7 * len(s.name)
        run: list[str] = []
        segments: list[list[str]] = []
        for i, v in enumerate(s.values):
            if v is None:
                if run:
                    segments.append(run)
                run = []
                continue
            run.append(f"{_n(x(i))},{_n(y(v))}")
        if run:
            segments.append(run)
        every = [p for seg in segments for p in seg]
        if len(segments) > 1:  # faint line across weeks without a value, so the course stays readable
            out.append(
                f'<polyline points="{" ".join(every)}" fill="none" stroke="{colour}" stroke-width="1" '
                f'stroke-opacity="0.45" stroke-dasharray="2 3"/>'
            )
        for seg in segments:
            if len(seg) > 1:
                out.append(
                    f'<polyline points="{" ".join(seg)}" fill="none" stroke="{colour}" stroke-width="2.5"{dash}/>'
                )
        for i, v in enumerate(s.values):
            if v is not None:
                out.append(
                    f'<circle cx="{_n(x(i))}" cy="{_n(y(v))}" r="{3.5 if s.kind == "main" else 2.5}" fill="{colour}">'
                    f"<title>{escape(s.name)} {escape(x_labels[i])}: {escape(fmt(v))}</title></circle>"
                )
    out.append("</g></svg>")
    return Markup("".join(out))
