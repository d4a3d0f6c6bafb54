"""A static preview of the race's contour, as SVG: shown the moment the page has it, while
the browser is still loading plotly.js (about 2 s on a machine without a GPU).

It draws what the interactive contour will: the loss in the same colour bands, every run's
full path in its colour with its end point, the known minima and saddles, the start, and the
axes. It is replaced by the
Plotly figure as soon as that is drawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

import numpy as np

from figures import style
from figures.kit import PHI0, PHI1, dash_array
from figures.levels import ColorLevels
from figures.race_motion import keep_steps
from figures.race_panels import CONTOUR_MARGIN, PANEL_HEIGHT
from figures.run_view import RunView

MAX_PATH_POINTS = 400  # per run: enough for the eye, a small page
BANDS_N = 121  # the loss grid of the bands' image: a small page (the browser smooths it)
# px: the height of the plot area of the race's contour figure
PANEL = PANEL_HEIGHT - CONTOUR_MARGIN["t"] - CONTOUR_MARGIN["b"]
LEFT, TOP, BOTTOM = 50, 70, 40  # px: room for tick labels and the title


def nice_ticks(lo: float, hi: float, count: int = 6) -> np.ndarray:
    """About ``count`` round numbers (1, 2 or 5 times a power of ten apart) in [lo, hi]."""
    raw = (hi - lo) / max(1, count)
    power = 10.0 ** np.floor(np.log10(raw))
    step = min((m * power for m in (1, 2, 5, 10) if m * power >= raw), default=10 * power)
    first = np.ceil(lo / step - 1e-9) * step
    return np.arange(first, hi + step * 1e-9, step)


def _thin(points: np.ndarray, pixel: np.ndarray) -> np.ndarray:
    """The path with only the points needed to draw it within half a pixel (``pixel``: the
    size of one in φ), at most MAX_PATH_POINTS of them."""
    keep = keep_steps(points, pixel / 2)
    if len(keep) > MAX_PATH_POINTS:
        keep = np.unique(np.linspace(0, len(points) - 1, MAX_PATH_POINTS).round().astype(int))
    return points[keep]


def race_poster_svg(landscape, runs: Sequence[RunView]) -> str:
    """The race's contour panel as an SVG string (self-contained: the bands are a PNG)."""
    (x0, x1), (y0, y1) = landscape.bounds
    height = PANEL
    width = round(PANEL * (x1 - x0) / (y1 - y0))

    def px(x):
        return (np.asarray(x) - x0) / (x1 - x0) * width

    def py(y):
        return (y1 - np.asarray(y)) / (y1 - y0) * height

    bands = ColorLevels(landscape).png(landscape.grid(BANDS_N)[2])
    parts = [
        f'<image href="{bands}" width="{width}" height="{height}" '
        'preserveAspectRatio="none" style="image-rendering:auto"/>'
    ]
    for run in runs:
        finite = run.points[np.all(np.isfinite(run.points), axis=1)]
        if len(finite) == 0:
            continue
        path = _thin(finite, np.array([(x1 - x0) / width, (y1 - y0) / height]))
        xy = zip(px(path[:, 0]), py(path[:, 1]), strict=True)
        coords = " ".join(f"{a:.1f},{b:.1f}" for a, b in xy)
        color = style.color(run.name)
        end_x, end_y = px(finite[-1, 0]), py(finite[-1, 1])
        parts.append(
            f'<polyline points="{coords}" fill="none" stroke="{color}" stroke-width="2" '
            f'stroke-opacity="0.85" stroke-dasharray="{dash_array(style.dash(run.name), 2)}">'
            f"<title>{escape(run.label)}</title></polyline>"
            f'<circle cx="{end_x:.1f}" cy="{end_y:.1f}" r="5" fill="{color}" stroke="white"/>'
        )
    glyphs = {"minimum": "★", "saddle": "×", "maximum": "▲"}
    for c in landscape.critical_points:
        glyph = glyphs.get(c.kind)
        cx, cy = float(c.point[0]), float(c.point[1])
        if glyph and x0 <= cx <= x1 and y0 <= cy <= y1:
            parts.append(
                f'<text x="{px(cx):.1f}" y="{py(cy) + 5:.1f}" text-anchor="middle" '
                f'font-size="16" fill="#222" stroke="white" stroke-width="0.6">{glyph}'
                f"<title>{c.kind} ({cx:.3g}, {cy:.3g})</title></text>"
            )
    if runs:
        sx, sy = px(runs[0].points[0, 0]), py(runs[0].points[0, 1])
        parts.append(
            f'<circle cx="{sx:.1f}" cy="{sy:.1f}" r="6" fill="white" stroke="black" '
            'stroke-width="2"/>'
        )
    axes = [f'<rect width="{width}" height="{height}" fill="none" stroke="#444"/>']
    for t in nice_ticks(x0, x1):
        axes.append(f'<text x="{px(t):.1f}" y="{height + 16}" text-anchor="middle">{t:g}</text>')
    for t in nice_ticks(y0, y1):
        axes.append(f'<text x="-6" y="{py(t) + 4:.1f}" text-anchor="end">{t:g}</text>')
    axes.append(
        f'<text x="{width / 2:.1f}" y="{height + 34}" text-anchor="middle">{PHI0}</text>'
        f'<text x="-34" y="{height / 2:.1f}" text-anchor="middle" '
        f'transform="rotate(-90 -34 {height / 2:.1f})">{PHI1}</text>'
        f'<text x="{width / 2:.1f}" y="-12" text-anchor="middle" font-size="15">Contour</text>'
    )
    total_w, total_h = LEFT + width + 10, TOP + height + BOTTOM
    return (
        f'<svg class="descent-poster" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {total_w} {total_h}" width="{total_w}" height="{total_h}" '
        f'font-family="{style.FONT_FAMILY}" font-size="12" fill="#2a3f5f" role="img" '
        f'aria-label="{escape(landscape.title)}: where each optimizer went (static preview)">'
        f'<g transform="translate({LEFT},{TOP})">'
        f'<clipPath id="descent-poster-clip"><rect width="{width}" height="{height}"/></clipPath>'
        f'<g clip-path="url(#descent-poster-clip)">{"".join(parts)}</g>{"".join(axes)}</g>'
        "</svg>"
    )
