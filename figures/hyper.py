"""Heatmaps of an optimizer's final loss over (α, β) or (α, γ), side by side on one colour
scale. Pure Plotly builders: `Grid2D`s in, `go.Figure` out."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from figures import style
from figures.kit import decade as _decade
from figures.kit import new_figure
from figures.sensitivity import FLOOR_DECADES
from optimizers.sweeps import Grid2D
from optimizers.sweeps_extra import loss_excess

DIVERGED_CELL_COLOR = "#E8E8E8"
HEATMAP_COLORSCALE = "Viridis"
PARAM_SYMBOLS = {"beta": "β", "gamma": "γ"}
SPACING = 0.07  # between the panels, a fraction of the width


def _one_minus_axis(values: np.ndarray) -> tuple[np.ndarray, list[float], list[str]]:
    """Coordinates -log10(1 - value) and ticks at 0, 0.9, 0.99, ... labelled with the value."""
    values = np.asarray(values, dtype=float)
    with np.errstate(divide="ignore"):
        u = -np.log10(1.0 - values)
    top = int(np.floor(np.nanmax(u) + 1e-9))
    ticks = list(range(0, top + 1))
    text = ["0"] + [f"{1 - 10.0**-k:.{k}f}" for k in ticks[1:]]
    return u, [float(t) for t in ticks], text


@dataclass(frozen=True)
class HyperPanel:
    """One heatmap: an optimizer's final loss over (lr, ``param``)."""

    name: str
    param: str  # "beta" or "gamma"
    grid: Grid2D
    current: tuple[float, float] | None = None  # the sidebar's (lr, value)


def _log_gaps(panels: list[HyperPanel], best: float, start_loss: float):
    """log10 of each panel's final-loss gap to ``best`` (NaN where diverged), and the colour
    range: whole decades covering every finite one."""
    floor = max(start_loss - best, 1e-300) * 10.0**-FLOOR_DECADES
    logs = []
    for p in panels:
        gap = loss_excess(p.grid.final_loss, best, floor)
        logs.append(np.where(p.grid.diverged, np.nan, np.log10(gap)))
    finite = np.concatenate([z[np.isfinite(z)] for z in logs] + [np.array([0.0])])
    zmin, zmax = float(np.floor(finite.min())), float(np.ceil(finite.max()))
    return logs, zmin, max(zmax, zmin + 1)


def _panel_traces(p: HyperPanel, z: np.ndarray, x: np.ndarray, u: np.ndarray, axes: dict) -> list:
    """The grey diverged cells, the heatmap, and the sidebar's setting of one panel, on the
    ``axes`` (xaxis=..., yaxis=...) of its column."""
    sym = PARAM_SYMBOLS.get(p.param, p.param)
    values = np.asarray(p.grid.ys, dtype=float)
    custom = np.stack(
        [
            np.broadcast_to(10.0**x, z.shape),
            np.broadcast_to(values[:, None], z.shape),
            np.asarray(p.grid.final_loss, dtype=float),
        ],
        axis=-1,
    )
    traces = [
        go.Heatmap(
            x=x,
            y=u,
            z=np.where(p.grid.diverged, 1.0, np.nan),
            colorscale=[[0, DIVERGED_CELL_COLOR], [1, DIVERGED_CELL_COLOR]],
            showscale=False,
            hoverinfo="skip",
            meta=dict(role="diverged-cells", optimizer=p.name),
            name="diverged",
            **axes,
        ),
        go.Heatmap(
            x=x,
            y=u,
            z=z,
            customdata=custom,
            coloraxis="coloraxis",
            meta=dict(role="heat", optimizer=p.name),
            name=style.label(p.name),
            hovertemplate=f"<b>{style.label(p.name)}</b><br>α %{{customdata[0]:.3g}}, "
            f"{sym} %{{customdata[1]:.4g}}<br>final loss %{{customdata[2]:.4g}}"
            "<extra></extra>",
            **axes,
        ),
    ]
    if p.current is not None:
        lr, value = p.current
        traces.append(
            go.Scatter(
                x=[np.log10(lr)],
                y=[-np.log10(max(1.0 - value, 1e-12))],
                mode="markers",
                marker=dict(symbol="circle-open", size=16, color="#FFFFFF", line=dict(width=3)),
                showlegend=False,
                meta=dict(role="current", optimizer=p.name),
                hovertemplate=f"sidebar setting: α %{{customdata[0]:.3g}}, {sym} "
                "%{customdata[1]:.4g}<extra></extra>",
                customdata=[[lr, value]],
                **axes,
            )
        )
    return traces


def _columns(n: int, spacing: float = SPACING) -> list[list[float]]:
    """The x domains of ``n`` side-by-side panels, as plotly's make_subplots lays them out."""
    width = (1.0 - spacing * (n - 1)) / n
    return [[(width + spacing) * c, (width + spacing) * c + width] for c in range(n)]


def hyper_figure(panels: list[HyperPanel], best: float, start_loss: float) -> go.Figure:
    """Heatmaps side by side on one colour scale: log10 of the final loss's gap to the global
    minimum; diverged cells in flat grey."""
    domains = _columns(max(1, len(panels)))
    axes = {"xaxis": dict(anchor="y", domain=domains[0]), "yaxis": dict(anchor="x", domain=[0, 1])}
    if not panels:
        return new_figure(layout=axes)
    logs, zmin, zmax = _log_gaps(panels, best, start_loss)
    ticks = np.arange(zmin, zmax + 1, max(1, int(np.ceil((zmax - zmin) / 8))))
    traces, titles = [], []
    for col, (p, z, domain) in enumerate(zip(panels, logs, domains, strict=True), start=1):
        sfx = "" if col == 1 else str(col)
        sym = PARAM_SYMBOLS.get(p.param, p.param)
        x = np.log10(np.asarray(p.grid.xs, dtype=float))
        u, tickvals, ticktext = _one_minus_axis(p.grid.ys)
        traces += _panel_traces(p, z, x, u, dict(xaxis=f"x{sfx}", yaxis=f"y{sfx}"))
        decades = np.arange(np.ceil(x.min() - 1e-9), np.floor(x.max() + 1e-9) + 1).astype(int)
        axes[f"xaxis{sfx}"] = dict(
            anchor=f"y{sfx}",
            domain=domain,
            title=dict(text="α (log)"),
            tickvals=decades.tolist(),
            ticktext=[_decade(k) for k in decades],
            range=[x.min(), x.max()],
        )
        axes[f"yaxis{sfx}"] = dict(
            anchor=f"x{sfx}",
            domain=[0, 1],
            title=dict(text=sym),
            tickvals=tickvals,
            ticktext=ticktext,
            range=[u.min(), u.max()],
        )
        titles.append(
            dict(
                text=f"{style.label(p.name)}: α and {sym}",
                x=(domain[0] + domain[1]) / 2,
                y=1.0,
                xref="paper",
                yref="paper",
                xanchor="center",
                yanchor="bottom",
                showarrow=False,
                font=dict(size=15, color="#222222"),
            )
        )
    # A legend entry for the grey cells.
    traces.append(
        go.Scatter(
            x=[None],
            y=[None],
            mode="markers",
            name="diverged",
            marker=dict(
                symbol="square", size=14, color=DIVERGED_CELL_COLOR, line=dict(color="#999999")
            ),
            showlegend=True,
            hoverinfo="skip",
        )
    )
    # One figure, its layout in one assignment: plotly.py's make_subplots and update machinery
    # were most of the build.
    return new_figure(
        data=traces,
        layout=dict(
            **axes,
            annotations=titles,
            coloraxis=dict(
                colorscale=HEATMAP_COLORSCALE,
                cmin=zmin,
                cmax=zmax,
                colorbar=dict(
                    title=dict(text="final loss<br>− min", side="top"),
                    tickvals=ticks.tolist(),
                    ticktext=[_decade(int(k)) for k in ticks],
                    thickness=14,
                ),
            ),
            height=400,
            margin=dict(l=60, r=20, t=60, b=60),
            font=dict(family=style.FONT_FAMILY, size=14),
            plot_bgcolor="#FFFFFF",
            legend=dict(orientation="h", yanchor="top", y=-0.2, x=1, xanchor="right"),
        ),
    )
