"""The SGD lab's learning-rate chart: α at each step with the epochs as bands (its loss chart
is figures/loss_chart.py's, as everywhere)."""

from __future__ import annotations

from math import ceil

import numpy as np
import plotly.graph_objects as go

from figures import style
from figures.kit import new_figure

DARK = "#222222"


def lr_figure(lrs, steps_per_epoch: int, *, height: int = 300) -> go.Figure:
    """alpha at each step, with the epochs as alternating bands and the decays marked."""
    lrs = np.asarray(lrs, dtype=float)
    steps = len(lrs)
    top = float(np.nanmax(lrs)) if steps else 1.0
    # Pairs of several epochs a band when there are very many.
    group = max(1, ceil(ceil(steps / steps_per_epoch) / 60))
    fig = new_figure()
    fig.add_trace(_epoch_bands(steps, steps_per_epoch, group, 1.15 * top))
    fig.add_trace(
        go.Scatter(
            x=np.arange(steps),
            y=lrs,
            customdata=np.arange(steps) // steps_per_epoch + 1,
            name="α",
            mode="lines",
            line=dict(color=style.color("sgd"), width=3, shape="hv"),
            hovertemplate="step %{x} (epoch %{customdata})<br>α = %{y:.4g}<extra></extra>",
        )
    )
    for annotation in _decay_notes(lrs):
        fig.add_annotation(annotation)
    band = "epoch" if group == 1 else f"{group} epochs"
    fig.update_xaxes(
        title_text=f"step (shaded bands: every other {band}, {steps_per_epoch} steps per epoch)",
        range=[-0.5, steps - 0.5],
        showgrid=False,
        zeroline=False,
    )
    fig.update_yaxes(title_text="learning rate α", range=[0, 1.15 * top], rangemode="tozero")
    fig.update_layout(
        font=dict(family=style.FONT_FAMILY, size=13),
        height=height,
        margin=dict(l=60, r=15, t=20, b=50),
        showlegend=False,
        hovermode="closest",
    )
    return fig


def _epoch_bands(steps: int, steps_per_epoch: int, group: int, height: float) -> go.Scatter:
    """Every other band of ``group`` epochs, as one filled trace: a shape per band would make
    a long run's figure slow to build."""
    epochs = ceil(steps / steps_per_epoch)
    band_x, band_y = [], []
    for e in range(0, epochs, 2 * group):
        lo = e * steps_per_epoch - 0.5
        hi = min((e + group) * steps_per_epoch, steps) - 0.5
        band_x += [lo, hi, hi, lo, lo, None]
        band_y += [0, 0, height, height, 0, None]
    return go.Scatter(
        x=band_x,
        y=band_y,
        name="epochs",
        mode="lines",
        fill="toself",
        fillcolor="#E8ECF3",
        line=dict(width=0),
        hoverinfo="skip",
    )


def _decay_notes(lrs: np.ndarray) -> list[dict]:
    """For a step decay (a smooth decay changes alpha every step): the notes' reading of a
    decaying alpha, explore first and fine-tune last, and each decay's factor."""
    changes = np.flatnonzero(np.diff(lrs) != 0) + 1
    if not 0 < len(changes) <= 12:
        return []
    notes = [
        dict(
            x=0.5 * (lo + hi - 1),
            y=float(lrs[lo]),
            text=text,
            showarrow=False,
            yshift=-14,
            font=dict(size=13, color=DARK),
            bgcolor="rgba(255,255,255,0.8)",
        )
        for lo, hi, text in (
            (0, changes[0], "high α: explore"),
            (changes[-1], len(lrs), "low α: fine-tune"),
        )
    ]
    notes += [
        dict(
            x=int(t),
            y=float(lrs[t - 1]),
            text=f"×{lrs[t] / lrs[t - 1]:.3g}",
            showarrow=False,
            yshift=12,
            xanchor="left",
            font=dict(size=12, color="#555555"),
        )
        for t in changes
    ]
    return notes
