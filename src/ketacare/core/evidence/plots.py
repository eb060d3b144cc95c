"""Forest and funnel plots: hand-built SVG (no plotting library), PNG through matplotlib.

The SVG needs nothing beyond the standard library, so the web pages can show the plots without
matplotlib; PNG needs the optional ``plots`` extra (``pip install ketacare[plots]``).
Ratio measures (RR, OR) are drawn on a log axis labelled in ratio units.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape
from typing import Any

from ketacare.core.errors import InputError
from ketacare.core.evidence.pooling import PoolResult

_ROW = 22  # one line of 12-px text with room between rows
_LINE = 14  # a label's second line sits this far below its first
_LABEL_W = 210
#: characters of 12-px sans-serif that fit in the label column (about 7 px each, wide glyphs
#: included, leaving a gap before the plot)
_LABEL_CHARS = 27
_PLOT_W = 300
_TEXT_W = 190
_TOP = 40


def _fmt(x: float) -> str:
    if not math.isfinite(x):
        return "inf" if x > 0 else "-inf"
    return f"{x:.2f}" if abs(x) >= 0.01 or x == 0 else f"{x:.3g}"


def _ticks(lo: float, hi: float, ratio: bool) -> list[float]:
    """Tick positions on the analysis scale."""
    if ratio:
        cands = [0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1, 2, 4, 5, 10, 20, 50, 100]
        ticks = [math.log(c) for c in cands if lo <= math.log(c) <= hi]
        if len(ticks) > 7:
            keep = {0.01, 0.1, 0.25, 0.5, 1, 2, 4, 10, 100}
            ticks = [math.log(c) for c in cands if lo <= math.log(c) <= hi and c in keep]
        return _spaced(ticks, (hi - lo) / 9)

    span = hi - lo
    raw = span / 5 if span > 0 else 1.0
    mag = 10 ** math.floor(math.log10(raw))
    step = min((m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw), default=raw)
    start = math.ceil(lo / step) * step
    out = []
    x = start
    while x <= hi + 1e-12:
        out.append(round(x, 10))
        x += step
    return out


def wrap_label(text: str, width: int = _LABEL_CHARS, lines: int = 2) -> tuple[str, ...]:
    """A study name broken at spaces into at most ``lines`` lines of ``width`` characters; a
    name still too long ends with an ellipsis (the full name goes into a tooltip). A name with a
    parenthesis (``Popova 2019 (TRANSFORM-2)``) breaks before it when the first part fits."""
    head, paren, tail = text.partition(" (")
    if len(text) > width and paren and lines > 1 and len(head) <= width:
        return (head, *wrap_label("(" + tail, width, lines - 1))
    words = text.split()
    out: list[str] = []
    current = ""
    for word in words:
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= width or not current:
            current = candidate
        else:
            out.append(current)
            current = word
    if current:
        out.append(current)
    if len(out) > lines:
        out = [*out[: lines - 1], " ".join(out[lines - 1 :])]
    return tuple(line if len(line) <= width else line[: width - 1].rstrip() + "…" for line in out)


def _spaced(ticks: list[float], gap: float) -> list[float]:
    """Ticks at least ``gap`` apart (so their labels do not run together), keeping the null
    value 0 and otherwise the earlier tick of a close pair."""
    kept: list[float] = []
    for t in sorted(ticks, key=lambda t: (t != 0.0, t)):
        if all(abs(t - k) >= gap for k in kept):
            kept.append(t)
    return sorted(kept)


def forest_svg(result: PoolResult, *, title: str = "") -> str:
    """A forest plot of the studies and the pooled estimate (with its prediction interval)."""
    ratio = result.is_ratio
    z = 1.959963984540054
    rows = [
        (s, y, y - z * math.sqrt(v), y + z * math.sqrt(v), w)
        for s, y, v, w in zip(result.studies, result.yi, result.vi, result.weights, strict=True)
    ]
    show_pi = result.method not in ("FE", "MH") and result.k > 1
    lows = [r[2] for r in rows] + [result.ci_low] + ([result.pi_low] if show_pi else [])
    highs = [r[3] for r in rows] + [result.ci_high] + ([result.pi_high] if show_pi else [])
    null = 0.0
    lo = min([*lows, null])
    hi = max([*highs, null])
    pad = (hi - lo) * 0.05 or 0.5
    lo, hi = lo - pad, hi + pad

    def sx(x: float) -> float:
        return _LABEL_W + (x - lo) / (hi - lo) * _PLOT_W

    labels = [wrap_label(r[0]) for r in rows]
    heights = [_ROW + _LINE * (len(lab) - 1) for lab in labels]
    n_rows = 2 + (1 if show_pi else 0)
    height = _TOP + sum(heights) + n_rows * _ROW + 50
    width = _LABEL_W + _PLOT_W + _TEXT_W
    total_w = sum(r[4] for r in rows) or 1.0
    max_w = max(r[4] for r in rows) / total_w if rows else 1.0
    r_ = result.reported
    unit = "ratio" if ratio else "difference"
    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" font-family="sans-serif" font-size="12">',
        f"<title>{escape(title or f'Forest plot ({result.measure}, {result.method})')}</title>",
        f'<text x="8" y="20" font-weight="bold">{escape(wrap_label(title or "Study", lines=1)[0])}'
        f"<title>{escape(title or 'Study')}</title></text>",
        f'<text x="{_LABEL_W + _PLOT_W + 8}" y="20" font-weight="bold">'
        f"{escape(result.measure)} [95% CI]</text>",
    ]
    y0 = _TOP
    row_top = float(y0)
    for (s, y, a, b, w), lab, h in zip(rows, labels, heights, strict=True):
        cy = row_top + _ROW / 2
        row_top += h
        size = 4 + 10 * math.sqrt((w / total_w) / max_w) if max_w > 0 else 6
        if len(lab) == 1 and lab[0] == s:
            out.append(f'<text x="8" y="{cy + 4:.1f}">{escape(s)}</text>')
        else:
            spans = "".join(
                f'<tspan x="8" dy="{0 if i == 0 else _LINE}">{escape(line)}</tspan>'
                for i, line in enumerate(lab)
            )
            out.append(
                f'<text x="8" y="{cy + 4:.1f}" class="wrapped"><title>{escape(s)}</title>'
                f"{spans}</text>"
            )
        out.append(
            f'<line x1="{sx(a):.1f}" y1="{cy:.1f}" x2="{sx(b):.1f}" y2="{cy:.1f}" stroke="black"/>'
        )
        out.append(
            f'<rect x="{sx(y) - size / 2:.1f}" y="{cy - size / 2:.1f}" width="{size:.1f}" '
            f'height="{size:.1f}" fill="#1f4e79"><title>{escape(s)}: {_fmt(r_(y))} '
            f"({_fmt(r_(a))} to {_fmt(r_(b))}), weight {100 * w / total_w:.1f}%</title></rect>"
        )
        out.append(
            f'<text x="{_LABEL_W + _PLOT_W + 8}" y="{cy + 4:.1f}">{_fmt(r_(y))} '
            f"[{_fmt(r_(a))}, {_fmt(r_(b))}]</text>"
        )
    cy = row_top + 0.5 * _ROW + _ROW / 2
    label = f"{result.method} model" + (" (HKSJ)" if result.hksj else "")
    out.append(f'<text x="8" y="{cy + 4:.1f}" font-weight="bold">{escape(label)}</text>')
    pts = (
        f"{sx(result.ci_low):.1f},{cy:.1f} {sx(result.estimate):.1f},{cy - 7:.1f} "
        f"{sx(result.ci_high):.1f},{cy:.1f} {sx(result.estimate):.1f},{cy + 7:.1f}"
    )
    out.append(
        f'<polygon points="{pts}" fill="#c00000"><title>pooled {_fmt(r_(result.estimate))} '
        f"({_fmt(r_(result.ci_low))} to {_fmt(r_(result.ci_high))})</title></polygon>"
    )
    out.append(
        f'<text x="{_LABEL_W + _PLOT_W + 8}" y="{cy + 4:.1f}" font-weight="bold">'
        f"{_fmt(r_(result.estimate))} [{_fmt(r_(result.ci_low))}, "
        f"{_fmt(r_(result.ci_high))}]</text>"
    )
    bottom = cy + 10
    if show_pi:
        py = cy + _ROW
        out.append(f'<text x="8" y="{py + 4:.1f}">Prediction interval</text>')
        out.append(
            f'<line x1="{sx(result.pi_low):.1f}" y1="{py:.1f}" x2="{sx(result.pi_high):.1f}" '
            f'y2="{py:.1f}" stroke="#c00000" stroke-width="2"/>'
        )
        out.append(
            f'<text x="{_LABEL_W + _PLOT_W + 8}" y="{py + 4:.1f}">[{_fmt(r_(result.pi_low))}, '
            f"{_fmt(r_(result.pi_high))}]</text>"
        )
        bottom = py + 10
    out.append(
        f'<line x1="{sx(null):.1f}" y1="{y0 - 4}" x2="{sx(null):.1f}" y2="{bottom:.1f}" '
        'stroke="grey" stroke-dasharray="4,3"/>'
    )
    axis_y = bottom + 6
    out.append(
        f'<line x1="{_LABEL_W}" y1="{axis_y:.1f}" x2="{_LABEL_W + _PLOT_W}" y2="{axis_y:.1f}" '
        'stroke="black"/>'
    )
    for t in _ticks(lo, hi, ratio):
        out.append(
            f'<line x1="{sx(t):.1f}" y1="{axis_y:.1f}" x2="{sx(t):.1f}" y2="{axis_y + 4:.1f}" '
            'stroke="black"/>'
        )
        out.append(
            f'<text x="{sx(t):.1f}" y="{axis_y + 16:.1f}" text-anchor="middle">{_fmt(r_(t))}</text>'
        )
    het = (
        f"tau² = {result.tau2:.3g}; I² = {result.i2:.1f}%; Q = {result.q:.2f} "
        f"(df {result.q_df})" + (f", p = {result.q_p:.3g}" if result.q_p is not None else "")
    )
    out.append(
        f'<text x="8" y="{axis_y + 34:.1f}" class="heterogeneity">{escape(het)} ({unit} scale)'
        "</text>"
    )
    out.append("</svg>")
    return "\n".join(out) + "\n"


@dataclass(frozen=True)
class FunnelPoint:
    """One study on the funnel: its position in the SVG and the numbers it stands for."""

    study: str
    x: float
    y: float
    effect: float  # on the reporting scale (a ratio for RR and OR)
    se: float  # on the analysis scale


@dataclass(frozen=True)
class FunnelGeometry:
    """Everything a funnel plot draws, in SVG user units (y grows downwards, SE 0 at the top).

    ``triangle`` is the 95% pseudo-confidence region μ ± 1.96·SE around the pooled estimate,
    ``centre`` the line at the pooled estimate, ``x_ticks`` and ``y_ticks`` (position, label)."""

    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    points: tuple[FunnelPoint, ...]
    triangle: tuple[tuple[float, float], tuple[float, float], tuple[float, float]]
    centre: tuple[tuple[float, float], tuple[float, float]]
    x_ticks: tuple[tuple[float, str], ...]
    y_ticks: tuple[tuple[float, str], ...]
    x_label: str


def funnel_geometry(result: PoolResult, *, width: int = 420, height: int = 320) -> FunnelGeometry:
    """The funnel plot's coordinates: effects (x) against their standard errors (y)."""
    left, right, top, bottom = 60, 20, 30, 50
    ses = [math.sqrt(v) for v in result.vi]
    se_max = max(ses) * 1.1 if ses else 1.0
    z = 1.959963984540054
    mu = result.estimate
    lo = min([*result.yi, mu - z * se_max])
    hi = max([*result.yi, mu + z * se_max])
    pad = (hi - lo) * 0.05 or 0.5
    lo, hi = lo - pad, hi + pad

    def sx(x: float) -> float:
        return left + (x - lo) / (hi - lo) * (width - left - right)

    def sy(se: float) -> float:
        return top + se / se_max * (height - top - bottom)

    r_ = result.reported
    return FunnelGeometry(
        width=width,
        height=height,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        points=tuple(
            FunnelPoint(s, sx(y), sy(se), r_(y), se)
            for s, y, se in zip(result.studies, result.yi, ses, strict=True)
        ),
        triangle=(
            (sx(mu), sy(0)),
            (sx(mu - z * se_max), sy(se_max)),
            (sx(mu + z * se_max), sy(se_max)),
        ),
        centre=((sx(mu), sy(0)), (sx(mu), sy(se_max))),
        x_ticks=tuple((sx(t), _fmt(r_(t))) for t in _ticks(lo, hi, result.is_ratio)),
        y_ticks=tuple((sy(se_max * f), f"{se_max * f:.2f}") for f in (0, 0.5, 1)),
        x_label=f"{result.measure}{' (log axis)' if result.is_ratio else ''}",
    )


def funnel_svg(result: PoolResult, *, title: str = "") -> str:
    """A funnel plot: effects against their standard errors, with 95% pseudo-confidence limits."""
    g = funnel_geometry(result)
    width, height = g.width, g.height
    (ax, ay), (bx, by), (cx, cy) = g.triangle
    (mx0, my0), (mx1, my1) = g.centre
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" font-family="sans-serif" font-size="12">',
        f"<title>{escape(title or f'Funnel plot ({result.measure})')}</title>",
        f'<polygon points="{ax:.1f},{ay:.1f} {bx:.1f},{by:.1f} {cx:.1f},{cy:.1f}" '
        'fill="#eeeeee" stroke="grey"/>',
        f'<line x1="{mx0:.1f}" y1="{my0:.1f}" x2="{mx1:.1f}" y2="{my1:.1f}" stroke="#c00000"/>',
    ]
    for p in g.points:
        out.append(
            f'<circle cx="{p.x:.1f}" cy="{p.y:.1f}" r="4" fill="#1f4e79">'
            f"<title>{escape(p.study)}: {_fmt(p.effect)}, SE {p.se:.3f}</title></circle>"
        )
    base = height - g.bottom
    out.append(
        f'<line x1="{g.left}" y1="{base}" x2="{width - g.right}" y2="{base}" stroke="black"/>'
    )
    out.append(f'<line x1="{g.left}" y1="{g.top}" x2="{g.left}" y2="{base}" stroke="black"/>')
    for x, label in g.x_ticks:
        out.append(f'<text x="{x:.1f}" y="{base + 16}" text-anchor="middle">{label}</text>')
    for y, label in g.y_ticks:
        out.append(f'<text x="{g.left - 6}" y="{y + 4:.1f}" text-anchor="end">{label}</text>')
    out.append(
        f'<text x="{(g.left + width - g.right) / 2}" y="{height - 10}" text-anchor="middle">'
        f"{escape(g.x_label)}</text>"
    )
    mid = (g.top + base) / 2
    out.append(
        f'<text x="14" y="{mid}" transform="rotate(-90 14 {mid})" '
        'text-anchor="middle">Standard error</text>'
    )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _pyplot() -> Any:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:  # pragma: no cover - depends on the optional extra
        raise InputError(
            "format", "png", "svg (PNG needs matplotlib: pip install 'ketacare[plots]')"
        ) from None
    return plt


def forest_png(result: PoolResult, *, title: str = "") -> bytes:
    """The forest plot as PNG bytes (needs matplotlib)."""
    import io

    plt = _pyplot()
    z = 1.959963984540054
    k = len(result.yi)
    fig, ax = plt.subplots(figsize=(7, 1.2 + 0.35 * (k + 2)))
    r_ = result.reported
    for i, (y, v) in enumerate(zip(result.yi, result.vi, strict=True)):
        se = math.sqrt(v)
        ax.plot([r_(y - z * se), r_(y + z * se)], [k - i, k - i], color="black")
        ax.plot([r_(y)], [k - i], marker="s", color="#1f4e79")
    ax.fill(
        [r_(result.ci_low), r_(result.estimate), r_(result.ci_high), r_(result.estimate)],
        [-0.5, -0.25, -0.5, -0.75],
        color="#c00000",
    )
    ax.axvline(1.0 if result.is_ratio else 0.0, color="grey", linestyle="--")
    if result.is_ratio:
        ax.set_xscale("log")
    ax.set_yticks([*range(k, 0, -1), -0.5], [*result.studies, f"{result.method} model"])
    ax.set_xlabel(result.measure)
    ax.set_title(title or f"Forest plot ({result.measure}, {result.method})")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    return buf.getvalue()


def funnel_png(result: PoolResult, *, title: str = "") -> bytes:
    """The funnel plot as PNG bytes (needs matplotlib)."""
    import io

    plt = _pyplot()
    z = 1.959963984540054
    ses = [math.sqrt(v) for v in result.vi]
    se_max = max(ses) * 1.1
    fig, ax = plt.subplots(figsize=(5, 4))
    mu = result.estimate
    ax.fill([mu - z * se_max, mu, mu + z * se_max], [se_max, 0, se_max], color="#eeeeee", ec="grey")
    ax.axvline(mu, color="#c00000")
    ax.scatter(list(result.yi), ses, color="#1f4e79")
    ax.invert_yaxis()
    ax.set_xlabel(f"{result.measure}{' (log scale)' if result.is_ratio else ''}")
    ax.set_ylabel("Standard error")
    ax.set_title(title or f"Funnel plot ({result.measure})")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    return buf.getvalue()
