"""The one loss-against-step figure: one curve per optimizer on a log axis, and an "x" where a
run diverged. The compare page's browser fills its empty curves from the motion payload
(ui/race_chart.js, which reads `loss_axis`); the SGD lab passes its runs and gets them drawn.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from figures import style
from figures.kit import f32, new_figure

HEIGHT = 300


def _runs(sweeps):
    """(losses (T+1, K), diverged (K,)) of each sweep or single-start trajectory."""
    for s in sweeps:
        losses = np.asarray(s.losses, dtype=float)
        yield losses.reshape(len(losses), -1), np.atleast_1d(np.asarray(s.diverged)).astype(int)


def loss_axis(sweeps) -> dict:
    """The loss chart's fixed y range (log10) over every run at every α, and the shift that
    makes a loss that is not positive drawable (loss − L* plus a hair). ``sweeps``: objects
    with ``losses`` (T+1, K) or (T+1,) and ``diverged`` (K,) or a step."""
    runs = list(_runs(sweeps))
    drawn = []
    for losses, diverged in runs:
        for k in range(losses.shape[1]):
            d = int(diverged[k])
            drawn.append(losses[: d if d > 0 else None, k])
    finite = np.concatenate(drawn) if drawn else np.array([1.0])
    finite = finite[np.isfinite(finite)]
    shift, title = 0.0, "loss (log)"
    if finite.size and finite.min() <= 0:
        best = float(finite.min())
        span = float(finite.max()) - best
        shift = (span * 1e-6 if span > 0 else 1e-12) - best
        title = "loss − L* (log)"
    shown = finite + shift
    shown = shown[shown > 0]
    if not shown.size:
        return dict(shift=shift, title=title, range=[-1.0, 1.0])
    start = max(float(losses[0, 0]) + shift for losses, _ in runs) if runs else shown.max()
    # Runs that blow up leave through the top; the axis keeps the interesting part.
    hi = np.log10(max(start, 1e-300)) + 0.5
    lo = max(np.log10(shown.min()), hi - 14.0) - 0.3
    return dict(shift=shift, title=title, range=[float(lo), float(hi)])


def log_ticks(log_range) -> dict:
    """1-2-5 ticks over a log axis spanning under 2.5 decades (there Plotly labels every digit,
    in two sizes); over more, Plotly's own powers of ten."""
    lo, hi = log_range
    if hi - lo >= 2.5:
        return {}
    ticks = [m * 10.0**k for k in range(int(np.floor(lo)), int(np.ceil(hi)) + 1) for m in (1, 2, 5)]
    ticks = [t for t in ticks if lo <= np.log10(t) <= hi]
    text = [f"{t:g}" if 1e-3 <= t < 1e4 else f"{t:.0e}" for t in ticks]
    return dict(tickvals=ticks, ticktext=text)


def _curve(k: int, name: str, run, axis: dict) -> list[go.Scatter]:
    """Optimizer k's curve and divergence mark: empty for the browser to fill, or ``run``'s
    (a single-start trajectory) drawn, the mark only if it diverged."""
    color, label = style.color(name), style.label(name)
    line = go.Scatter(
        uid=f"loss-{k}",
        name=label,
        legendgroup=name,
        mode="lines",
        line=dict(color=color, width=2, dash=style.dash(name)),
        hovertemplate=f"<b>{label}</b><br>step %{{x}}<extra></extra>",
    )
    mark = go.Scatter(
        uid=f"lossx-{k}",
        name=label,
        legendgroup=name,
        showlegend=False,
        mode="markers",
        marker=dict(symbol="x", size=11, color=color, line=dict(width=1)),
        hovertemplate=f"<b>{label}</b><br>diverged at step %{{x}}<extra></extra>",
    )
    if run is None:
        return [line, mark]
    losses = np.asarray(run.losses, dtype=float)
    d = int(np.max(run.diverged))
    drawn = losses[: max(1, d)] if d >= 0 else losses
    line.update(
        x=np.arange(len(drawn)),
        y=f32(drawn + axis["shift"]),
        customdata=f32(drawn),
        hovertemplate=f"<b>{label}</b><br>step %{{x}}<br>loss %{{customdata:.4g}}<extra></extra>",
    )
    if d < 0:
        return [line]
    mark.update(x=[d], y=f32(drawn[-1:] + axis["shift"]))
    return [line, mark]


def loss_figure(
    optimizers: Sequence[str],
    axis: dict,
    steps: int,
    runs: Sequence | None = None,
    *,
    legend: bool = False,
    height: int = HEIGHT,
) -> go.Figure:
    """Loss against step on the log axis ``axis`` (`loss_axis`): per optimizer k a curve
    (uid ``loss-k``) and a divergence mark (``lossx-k``); empty, or drawn from ``runs``."""
    fig = new_figure()
    for k, name in enumerate(optimizers):
        fig.add_traces(_curve(k, name, None if runs is None else runs[k], axis))
    # One assignment, not update_layout: plotly.py's update machinery was most of the build.
    fig.layout = dict(
        xaxis=dict(
            title=dict(text="step"), range=[0, max(1, steps)], showgrid=True, zeroline=False
        ),
        yaxis=dict(
            title=dict(text=axis["title"]),
            type="log",
            range=axis["range"],
            showgrid=True,
            exponentformat="power",
            **log_ticks(axis["range"]),
        ),
        font=dict(family=style.FONT_FAMILY, size=13),
        height=height,
        margin=dict(l=60, r=10, t=30 if legend else 10, b=45),
        showlegend=legend,
        legend=dict(orientation="h", x=0.0, xanchor="left", y=1.02, yanchor="bottom"),
        hovermode="closest",
    )
    return fig


def runs_loss_figure(runs: Sequence, **options) -> go.Figure:
    """`loss_figure` of single-start trajectories (same steps), on the axis that fits them."""
    steps = max((len(r.losses) - 1 for r in runs), default=0)
    return loss_figure([r.optimizer for r in runs], loss_axis(runs), steps, runs, **options)
