"""The SGD lab's minibatch figure: the full loss beside the loss of one minibatch, on the same
colour levels, with the current point, both minima and the two gradients as arrows."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from figures import style
from figures.kit import PHI0, PHI1, arrow, new_figure, phi_axes
from figures.levels import ColorLevels

DARK = "#222222"


def _arrow(tail, vector, scale, color, xref, yref, width: float = 3.5) -> dict:
    tip = np.asarray(tail) - scale * np.asarray(vector)  # downhill: the way a step goes
    return arrow(tail, tip, color, width=width, xref=xref, yref=yref)


def _point_traces(point, full_minimum, batch_minimum, col: int) -> list[go.Scatter]:
    """The full loss's minimum, the minibatch loss's minimum and the current point, on the
    panel ``col`` (in the legend once, from the first panel)."""
    markers = [
        ("minimum of L", full_minimum, dict(style.CRITICAL_MARKERS["minimum"], size=16)),
        (
            "minimum of L_B",
            batch_minimum,
            dict(
                symbol="star", size=17, color=style.color("sgd"), line=dict(color=DARK, width=1.5)
            ),
        ),
        (
            "current φ",
            point,
            dict(symbol="circle", size=13, color="#FFFFFF", line=dict(color=DARK, width=2.5)),
        ),
    ]
    traces = []
    for name, where, marker in markers:
        where = np.asarray(where, dtype=float)
        traces.append(
            go.Scatter(
                x=where[:1],
                y=where[1:],
                uid=f"{name}:{col}",
                name=name,
                legendgroup=name,
                showlegend=col == 1,
                mode="markers",
                marker=marker,
                hovertemplate=(
                    f"<b>{name}</b><br>{PHI0} %{{x:.4g}}, {PHI1} %{{y:.4g}}<extra></extra>"
                ),
            )
        )
    return traces


def _arrow_legend(grads) -> list[go.Scatter]:
    """Legend entries for the two gradient arrows (annotations have none), with lengths."""
    return [
        go.Scatter(
            x=[None],
            y=[None],
            name=f"{name} (length {norm:.3g})",
            mode="lines",
            line=dict(color=color, width=3.5),
        )
        for name, color, norm in (
            ("−∇L, full batch", style.color("gd"), grads.full_norm),
            ("−∇L_B, minibatch", style.color("sgd"), grads.minibatch_norm),
        )
    ]


def minibatch_figure(
    landscape,
    full_grid: tuple,
    batch_grid: tuple,
    point,
    full_minimum,
    batch_minimum,
    grads,
    arrow_scale: float,
    *,
    batch_label: str = "this minibatch",
    height: int = 480,
) -> go.Figure:
    """The full loss (left) and the minibatch's loss (right) on the same colour levels.

    ``full_grid`` and ``batch_grid`` are (xs, ys, loss[y, x]); ``grads`` a
    `optimizers.minibatch.GradientPair` at ``point``. Both panels mark the current point,
    the full loss's minimum and the minibatch loss's minimum; the arrows show the downhill
    directions -dL/dphi (full batch, on the left) and -dL_B/dphi (minibatch, on both),
    multiplied by the same ``arrow_scale``.
    """
    xs, ys, full = full_grid
    bxs, bys, mini = batch_grid
    levels = ColorLevels(landscape)
    fig = make_subplots(
        figure=new_figure(),
        rows=1,
        cols=2,
        horizontal_spacing=0.1,
        subplot_titles=("Full loss L(φ): all N examples", f"Minibatch loss L_B(φ): {batch_label}"),
    )
    fig.add_trace(levels.contour(xs, ys, full, uid="full-contour"), row=1, col=1)
    fig.add_trace(
        levels.contour(
            bxs, bys, mini, uid="batch-contour", colorbar=levels.colorbar(1.01, len=0.9)
        ),
        row=1,
        col=2,
    )
    point = np.asarray(point, dtype=float)
    gd_color, sgd_color = style.color("gd"), style.color("sgd")
    for col in (1, 2):
        fig.add_traces(_point_traces(point, full_minimum, batch_minimum, col), rows=1, cols=col)
    fig.add_traces(_arrow_legend(grads), rows=1, cols=1)
    if arrow_scale > 0:
        # The full-batch arrow is wider and drawn first: it shows around the minibatch one
        # when the two point the same way.
        fig.add_annotation(_arrow(point, grads.full, arrow_scale, gd_color, "x", "y", width=7))
        fig.add_annotation(_arrow(point, grads.minibatch, arrow_scale, sgd_color, "x", "y"))
        fig.add_annotation(_arrow(point, grads.minibatch, arrow_scale, sgd_color, "x2", "y2"))

    for col, anchor in ((1, "x"), (2, "x2")):
        phi_axes(fig, landscape.bounds, row=1, col=col, anchor=anchor)
    fig.update_layout(
        font=dict(family=style.FONT_FAMILY, size=13),
        height=height,
        margin=dict(l=55, r=75, t=80, b=45),
        legend=dict(orientation="h", x=0.0, xanchor="left", y=1.13, yanchor="bottom"),
        hovermode="closest",
    )
    return fig
