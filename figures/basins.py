"""Basins of attraction: for a grid of starts, which known minimum each optimizer reaches,
as small multiples with one categorical colour per minimum, the same on every map.

Pure builders: basin maps in, a `go.Figure` (and the table and the sentences that read it)
out.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from figures import style
from figures.kit import PHI0, PHI1, f32, new_figure
from figures.levels import ColorLevels
from optimizers.analysis import DIVERGED, NOT_CONVERGED, minimum_label
from optimizers.sweeps import BasinMap
from optimizers.sweeps_extra import BasinShares, global_flags

# Colours for the minima: Paul Tol's "bright" then "light" schemes, without their greys (so
# that the fixed greys of the two outcomes that are not a minimum stand apart) and without
# light blue (too close to the first colour, which marks the global minimum on Rastrigin).
MINIMUM_COLORS = (
    "#4477AA",  # blue
    "#EE6677",  # red
    "#228833",  # green
    "#CCBB44",  # yellow
    "#66CCEE",  # cyan
    "#AA3377",  # purple
    "#EE8866",  # orange
    "#44BB99",  # mint
    "#BBCC33",  # pear
    "#FFAABB",  # pink
    "#EEDD88",  # light yellow
)
NOT_CONVERGED_COLOR = "#E6E6E6"
DIVERGED_COLOR = "#3A3A3A"
CONTOUR_LINE = "rgba(20,20,20,0.35)"


@dataclass(frozen=True)
class Category:
    """One colour of the maps: a known minimum, or one of the two other outcomes."""

    code: int  # the value in the heatmap: the minimum's index, K, or K + 1
    label: int  # the basin-map label: the minimum's index, NOT_CONVERGED or DIVERGED
    name: str
    color: str


def minimum_colors(points, is_global=None, palette: Sequence[str] = MINIMUM_COLORS) -> list[str]:
    """A colour per minimum, in order: all different while the palette lasts.

    Beyond it (Rastrigin's 25 minima on a 12-colour palette) the global minima keep colours
    of their own and each local minimum takes the first remaining colour that none of its
    near neighbours has, so adjacent basins never share a colour.
    """
    points = np.asarray(points, dtype=float).reshape(-1, 2)
    k = len(points)
    if k <= len(palette):
        return list(palette[:k])
    glob = np.zeros(k, dtype=bool) if is_global is None else np.asarray(is_global, dtype=bool)
    reserved = min(int(glob.sum()), len(palette) - 4)
    dist = np.linalg.norm(points[:, None] - points[None], axis=-1)
    np.fill_diagonal(dist, np.inf)
    # Neighbours: closer than twice the typical nearest-neighbour distance (diagonals too).
    near = dist <= 2.0 * float(np.median(dist.min(axis=1)))
    chosen: list[int] = []
    for i in range(k):
        if glob[i] and int(glob[:i].sum()) < reserved:
            chosen.append(int(glob[:i].sum()))
            continue
        taken = {chosen[j] for j in range(i) if near[i, j]}
        pool = range(reserved, len(palette))
        free = [c for c in pool if c not in taken] or list(pool)
        # The colour used least so far among those free here: spreads the palette.
        chosen.append(min(free, key=lambda c: (chosen.count(c), c)))
    return [palette[c] for c in chosen]


def basin_categories(landscape) -> list[Category]:
    """Every category a map of ``landscape`` can show: its minima (global first, as
    ``landscape.minima`` is sorted by loss), then "not converged" and "diverged"."""
    minima = landscape.minima
    colors = minimum_colors([m.point for m in minima], global_flags(landscape))
    cats = [Category(i, i, minimum_label(landscape, i), colors[i]) for i in range(len(minima))]
    k = len(minima)
    cats.append(Category(k, NOT_CONVERGED, "not converged", NOT_CONVERGED_COLOR))
    cats.append(Category(k + 1, DIVERGED, "diverged", DIVERGED_COLOR))
    return cats


def category_codes(labels, n_minima: int) -> np.ndarray:
    """Basin-map labels as heatmap codes: the minimum's index, K (not converged), K+1
    (diverged)."""
    labels = np.asarray(labels)
    codes = np.where(labels == NOT_CONVERGED, n_minima, labels)
    return np.where(labels == DIVERGED, n_minima + 1, codes).astype(np.int16)


def _discrete_colorscale(colors: Sequence[str]) -> list:
    """A colour scale with a flat band per code 0..n-1 (used with zmin=-0.5, zmax=n-0.5)."""
    n = len(colors)
    scale = []
    for i, c in enumerate(colors):
        scale += [[i / n, c], [(i + 1) / n, c]]
    return scale


def grid_columns(count: int) -> int:
    """Maps per row: all in one row up to four, else three or four per row."""
    return {1: 1, 2: 2, 3: 3, 4: 4, 5: 3, 6: 3}.get(count, 4)


def _map_traces(
    landscape, name: str, bmap: BasinMap, cats: list[Category], lines: go.Contour, axes: dict
):
    """One optimizer's map on ``axes`` (xaxis=..., yaxis=...): the categories as a heatmap,
    the contour ``lines`` on top, and the known minima as stars (larger where global); and
    the codes it shows."""
    k = len(landscape.minima)
    codes = category_codes(bmap.labels, k)
    names_by_code = np.array([c.name for c in cats], dtype=str)  # copied as one block
    minima = np.array([m.point for m in landscape.minima]).reshape(-1, 2)
    traces = [
        go.Heatmap(
            x=bmap.xs,
            y=bmap.ys,
            z=codes,
            text=names_by_code[codes],
            zmin=-0.5,
            zmax=len(cats) - 0.5,
            colorscale=_discrete_colorscale([c.color for c in cats]),
            showscale=False,
            meta=dict(role="basins", optimizer=name),
            name=style.label(name),
            hovertemplate=f"<b>{style.label(name)}</b> from ({PHI0} %{{x:.2f}}, "
            f"{PHI1} %{{y:.2f}})<br>ends: %{{text}}<extra></extra>",
            **axes,
        ),
        go.Contour(lines, meta=dict(role="contour", optimizer=name), **axes),
        go.Scatter(
            x=minima[:, 0],
            y=minima[:, 1],
            mode="markers",
            marker=dict(
                symbol="star",
                size=np.where(global_flags(landscape), 16, 11).tolist(),
                color="#FFFFFF",
                line=dict(color="#111111", width=1.5),
            ),
            text=[c.name for c in cats[:k]],
            hovertemplate="%{text}<extra></extra>",
            showlegend=False,
            meta=dict(role="minima", optimizer=name),
            **axes,
        ),
    ]
    return traces, {int(c) for c in np.unique(codes)}


def _contour_lines(landscape, surface) -> go.Contour:
    """The landscape's loss as faint lines, at the levels of every contour (figures.kit)."""
    xs, ys, zs = surface
    levels = ColorLevels(landscape)
    return go.Contour(
        x=xs,
        y=ys,
        z=f32(levels.scale(zs)),
        autocontour=False,
        contours=dict(
            start=levels.zmin,
            end=levels.zmax,
            size=levels.size,
            coloring="lines",
            showlabels=False,
        ),
        colorscale=[[0, CONTOUR_LINE], [1, CONTOUR_LINE]],
        line=dict(width=1),
        showscale=False,
        hoverinfo="skip",
    )


def _legend_traces(cats: list[Category], seen: set[int]) -> list[go.Scatter]:
    """One square per category that some map shows, in the maps' own colours."""
    return [
        go.Scatter(
            x=[None],
            y=[None],
            mode="markers",
            name=c.name,
            marker=dict(symbol="square", size=15, color=c.color, line=dict(color="#888888")),
            meta=dict(role="legend", code=c.code),
            showlegend=True,
            hoverinfo="skip",
        )
        for c in cats
        if c.code in seen
    ]


@functools.lru_cache(maxsize=16)
def _subplot_grid(rows: int, cols: int, count: int) -> dict:
    """make_subplots' layout of a rows x cols grid of maps with shared axes and ``count``
    titles (placeholders), as a plain dict: it depends on nothing else, and building it is
    most of plotly.py's cost of the figure."""
    fig = make_subplots(
        figure=new_figure(),
        rows=rows,
        cols=cols,
        subplot_titles=[str(i) for i in range(count)],
        shared_xaxes="all",
        shared_yaxes="all",
        horizontal_spacing=0.035,
        vertical_spacing=0.1 / rows,
    )
    return fig.layout.to_plotly_json()


def _grid_layout(landscape, rows: int, cols: int, titles, width: int, legend_items: int) -> dict:
    """Shared equal-scale axes named on the outer panels, a title over each; a height that
    keeps each map's aspect at ``width`` px, with room above for the legend."""
    (x0, x1), (y0, y1) = landscape.bounds
    aspect = (y1 - y0) / (x1 - x0)
    grid = copy.deepcopy(_subplot_grid(rows, cols, len(titles)))
    for note, text in zip(grid.get("annotations", []), titles, strict=True):
        note.update(text=text, font=dict(size=16, color="#222222"))
    common = dict(constrain="domain", showgrid=False, zeroline=False)
    for i in range(rows * cols):
        r, c = divmod(i, cols)
        suffix = "" if i == 0 else str(i + 1)
        grid[f"xaxis{suffix}"].update(range=[x0, x1], **common)
        grid[f"yaxis{suffix}"].update(
            range=[y0, y1], **common, scaleanchor=f"x{suffix}", scaleratio=1
        )
        if c == 0:
            grid[f"yaxis{suffix}"]["title"] = dict(text=PHI1)
        if r == rows - 1:
            grid[f"xaxis{suffix}"]["title"] = dict(text=PHI0)
    legend_rows = 1 + legend_items // max(1, (cols * width) // 210)
    top = 40 + 24 * legend_rows
    return dict(
        grid,
        height=int(rows * width * aspect * 0.92 + top + 70),
        margin=dict(l=60, r=20, t=top, b=60),
        font=dict(family=style.FONT_FAMILY, size=14),
        plot_bgcolor="#FFFFFF",
        legend=dict(
            orientation="h",
            yanchor="bottom",
            y=1.0 + 28 / max(1, rows * width * aspect),
            x=0,
            font=dict(size=13),
            itemclick=False,
            itemdoubleclick=False,
        ),
    )


def basin_figure(
    landscape,
    maps: Mapping[str, BasinMap],
    surface: tuple[np.ndarray, np.ndarray, np.ndarray],
    panel_width: int | None = None,
) -> go.Figure:
    """One map per optimizer (keys of ``maps``), sharing axes and colours; the known minima as
    stars, the landscape's contours faintly on top, and a legend of what was reached.

    ``surface`` is (xs, ys, Z[y, x]) for the contours.
    """
    names = list(maps)
    count = max(1, len(names))
    cols = grid_columns(count)
    rows = -(-count // cols)
    cats = basin_categories(landscape)
    width = panel_width or {1: 560, 2: 520, 3: 400}.get(cols, 320)
    lines = _contour_lines(landscape, surface)
    seen: set[int] = set()
    traces = []
    for i, name in enumerate(names):
        suffix = "" if i == 0 else str(i + 1)
        axes = dict(xaxis=f"x{suffix}", yaxis=f"y{suffix}")
        mine, shown = _map_traces(landscape, name, maps[name], cats, lines, axes)
        traces += mine
        seen |= shown
    traces += _legend_traces(cats, seen)
    titles = [f"<b>{style.label(n)}</b>" for n in names]
    # One figure, its layout in one assignment: plotly.py's update machinery was most of the
    # build.
    return new_figure(
        data=traces, layout=_grid_layout(landscape, rows, cols, titles, width, len(seen))
    )


# ----- table and words -----------------------------------------------------------------------


SHARE_COLUMNS = ("global minimum", "local minimum", "not converged", "diverged")


def shares_frame(shares: Mapping[str, BasinShares]) -> pd.DataFrame:
    """Per optimizer (rows, by label), the percentage of starts with each outcome."""
    rows = {style.label(n): [100.0 * v for v in s] for n, s in shares.items()}
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(SHARE_COLUMNS))


def _pct(share: float) -> str:
    pct = 100.0 * share
    if 0 < pct < 1:
        return "under 1%"
    if 99 < pct < 100:
        return "over 99%"
    return f"{pct:.0f}%"


def _join(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def describe_basins(landscape, shares: Mapping[str, BasinShares], steps: int) -> list[str]:
    """Sentences that name what the maps show: the surface's case, then one per optimizer
    (optimizers whose rounded shares are the same share a sentence)."""
    glob = global_flags(landscape)
    n_glob, n_min = int(glob.sum()), len(glob)
    if n_min == 1:
        sentences = ["This surface has a single minimum: every start that converges ends there."]
    elif n_glob == n_min:
        every = "Both minima" if n_min == 2 else f"All {n_min} minima"
        sentences = [
            f"{every} have the same (global) loss: which one an optimizer reaches depends "
            "only on where it starts."
        ]
    else:
        sentences = [
            f"Of the {n_min} known minima, {n_glob} {'is' if n_glob == 1 else 'are'} global; "
            "an optimizer that stops in a local minimum has no way of knowing that a better "
            "solution exists elsewhere."
        ]
    # (singular, plural) verb phrases of the outcomes other than a global minimum.
    phrases = {
        "local": (
            "ends in a local minimum, though the global one is lower",
            "end in a local minimum, though the global one is lower",
        ),
        "not_converged": (
            f"is near no minimum after {steps} steps",
            f"are near no minimum after {steps} steps",
        ),
        "diverged": ("diverges", "diverge"),
    }
    groups: dict[tuple, list[str]] = {}
    for name, s in shares.items():
        groups.setdefault(tuple(_pct(v) for v in s), []).append(name)
    for names in groups.values():
        s = shares[names[0]]
        who = _join([style.label(n) for n in names])
        many = len(names) > 1
        they, reach = ("they", "reach") if many else ("it", "reaches")
        bits = [(getattr(s, f), verbs[many]) for f, verbs in phrases.items() if getattr(s, f) > 0]
        if not bits:
            sentences.append(f"{who} {reach} a global minimum from every start.")
            continue
        (share, what), rest = bits[0], bits[1:]
        words = [f"From {_pct(share)} of starts {who} {what}"]
        words += [f"from {_pct(share)} {they} {what}" for share, what in rest]
        if s.global_ > 0:
            words.append(f"from {_pct(s.global_)} {they} {reach} a global minimum")
        else:
            words.append(f"{they} {reach} a global minimum from no start")
        sentences.append("; ".join(words) + ".")
    return sentences


# Surfaces with several minima, whose maps split into basins (tests check each has them).
SURFACES_WITH_BASINS = ("himmelblau", "wells", "rastrigin")


def basins_hint(landscape, shares: Mapping[str, BasinShares], steps: int) -> str | None:
    """What to try when the maps show little: a surface with one minimum (no basins to
    tell apart), or most starts of every optimizer near no minimum after ``steps`` steps."""
    names = [f"*{name}*" for name in SURFACES_WITH_BASINS]  # as the sidebar lists them
    try_instead = ", ".join(names[:-1]) + " or " + names[-1]
    if len(landscape.minima) == 1:
        hint = (
            f"{landscape.title} has a single minimum, so its maps can only show which starts "
            f"reach it in {steps} steps. To see basins, pick a surface with several minima "
            f"in the sidebar: {try_instead}."
        )
        if shares and min(s.not_converged for s in shares.values()) >= 0.5:
            hint += " Or raise **Steps per run** to watch more starts arrive."
        return hint
    if shares and min(s.not_converged for s in shares.values()) >= 0.5:
        return (
            f"Most starts reach no minimum in {steps} steps: raise **Steps per run** (or α in "
            "the sidebar) to see the basins fill in."
        )
    return None


def divergence_warning(shares: Mapping[str, BasinShares], most: float = 0.5) -> str | None:
    """A warning naming the optimizers that diverge from at least ``most`` of the starts."""
    names = [style.label(n) for n, s in shares.items() if s.diverged >= most]
    if not names:
        return None
    verb = "diverges" if len(names) == 1 else "diverge"
    return (
        f"{_join(names)} {verb} from most starts: the learning rate is too large for this "
        "surface; lower α in the sidebar (or in the per-optimizer settings)."
    )
