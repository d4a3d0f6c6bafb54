"""Learning-rate sensitivity: final loss and steps to the tolerance against the learning rate,
one line per optimizer (the heatmaps over two hyperparameters are figures/hyper.py's).

Pure Plotly builders: `Sweep`s in, `go.Figure` out; `describe_sweeps` says in words what the
curves show.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from figures import style
from figures.kit import decade as _decade
from figures.kit import new_figure
from optimizers.sweeps import Sweep
from optimizers.sweeps_extra import (
    best_lr,
    convergent_range,
    fastest,
    first_diverging_lr,
    loss_excess,
)

# Losses are plotted as the gap to the global minimum, floored this many decades below the
# start's gap: a run that reached the minimum to machine precision sits on the floor.
FLOOR_DECADES = 12
DIVERGED_SYMBOL = "x-thin-open"
LIMIT_COLOR = "#7F7F7F"
GRID_COLOR = "#E5E5E5"
# The rows' y domains: 0.62 and 0.38 of the height left by a gap of 0.07, as make_subplots
# computes them.
ROW_DOMAINS = ((0.4234, 1.0), (0.0, 0.3534))


def _fmt(value: float) -> str:
    """A learning rate as a teacher would write it: 0.003, 0.8, 2, 0.0001, 3.2e-5."""
    if value == 0 or not np.isfinite(value):
        return f"{value:g}"
    text = f"{value:.2g}"
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    return f"{mantissa}e{int(exponent)}"


ROW_DECADES = 0.45  # the vertical spacing of the per-optimizer rows of marks, in decades


@dataclass(frozen=True)
class LossAxis:
    """How final losses go on the log axis: the gap to ``best``, floored at ``floor``.

    Diverged runs are marked above ``ceiling``, one row per optimizer so that marks at the
    same learning rate do not hide each other; ``bottom`` is where the axis starts.
    """

    best: float
    floor: float
    bottom: float
    ceiling: float

    @classmethod
    def for_sweeps(cls, sweeps: Mapping[str, Sweep], best: float, start_loss: float) -> LossAxis:
        start_gap = max(start_loss - best, 1e-300)
        floor = start_gap * 10.0**-FLOOR_DECADES
        top = low = start_gap
        for sweep in sweeps.values():
            ok = np.asarray(sweep.diverged) < 0
            if ok.any():
                gaps = loss_excess(np.asarray(sweep.final_loss)[ok], best, floor)
                top, low = max(top, float(gaps.max())), min(low, float(gaps.min()))
        # A decade above the worst finished run, so the diverged marks stand apart.
        ceiling = 10.0 ** (np.ceil(np.log10(top)) + 1)
        bottom = max(floor, 10.0 ** (np.floor(np.log10(low)) - 1))
        return cls(best, floor, bottom, ceiling)

    def __call__(self, losses) -> np.ndarray:
        return loss_excess(losses, self.best, self.floor)

    def row(self, i: int, above: bool = True) -> float:
        """The height of the i-th row of marks above the ceiling (or above the bottom)."""
        base = self.ceiling if above else self.bottom
        return base * 10.0 ** (ROW_DECADES * (i + (0.5 if above else 0.6)))

    @property
    def title(self) -> str:
        return f"final loss − L(global min), floored at {self.floor:.0e}"


def _loss_trace(name: str, sweep: Sweep, axis: LossAxis, row: int) -> list[go.Scatter]:
    color = style.color(name)
    diverged = np.asarray(sweep.diverged) >= 0
    y = np.where(diverged, np.nan, axis(sweep.final_loss))
    lr = np.asarray(sweep.values, dtype=float)
    traces = [
        go.Scatter(
            x=lr,
            y=y,
            mode="lines",
            name=style.label(name),
            legendgroup=name,
            meta=dict(role="loss", optimizer=name),
            line=dict(color=color, width=3, dash=style.dash(name)),
            connectgaps=False,
            hovertemplate=f"<b>{style.label(name)}</b><br>α %{{x:.3g}}<br>"
            "final loss − min %{y:.3g}<extra></extra>",
            xaxis="x",
            yaxis="y",
        )
    ]
    if diverged.any():
        steps = np.asarray(sweep.diverged)[diverged]
        traces.append(
            go.Scatter(
                x=lr[diverged],
                y=np.full(int(diverged.sum()), axis.row(row)),
                mode="markers",
                name=f"{style.label(name)} diverged",
                legendgroup=name,
                showlegend=False,
                meta=dict(role="diverged", optimizer=name),
                marker=dict(symbol=DIVERGED_SYMBOL, size=9, color=color, line=dict(width=2.5)),
                customdata=steps,
                hovertemplate=f"<b>{style.label(name)}</b><br>α %{{x:.3g}}<br>"
                "diverged at step %{customdata}<extra></extra>",
                xaxis="x",
                yaxis="y",
            )
        )
    return traces


def _steps_trace(name: str, sweep: Sweep) -> go.Scatter:
    steps = np.asarray(sweep.steps_to_tol, dtype=float)
    # Step 0 (the start already within the tolerance) cannot go on a log axis: draw it at 1.
    y = np.where(steps >= 0, np.maximum(steps, 1), np.nan)
    return go.Scatter(
        x=np.asarray(sweep.values, dtype=float),
        y=y,
        mode="lines+markers",
        name=style.label(name),
        legendgroup=name,
        showlegend=False,
        meta=dict(role="steps", optimizer=name),
        line=dict(color=style.color(name), width=2.5, dash=style.dash(name)),
        marker=dict(size=7, color=style.color(name)),
        connectgaps=False,
        hovertemplate=f"<b>{style.label(name)}</b><br>α %{{x:.3g}}<br>"
        "reaches the tolerance at step %{y:.0f}<extra></extra>",
        xaxis="x2",
        yaxis="y2",
    )


def _reference_lines(sweeps: Mapping[str, Sweep], axis: LossAxis, best, limit, span):
    """Where runs diverged (the ceiling), the tolerance, and GD's stability limit 2/λmax: the
    layout's shapes and annotations."""
    lo, hi = span
    level = next(iter(sweeps.values())).level
    shapes, notes = [], []

    def hline(y, **line):
        shapes.append(
            dict(type="line", x0=0, x1=1, xref="x domain", y0=y, y1=y, yref="y", line=line)
        )

    if any(np.any(np.asarray(s.diverged) >= 0) for s in sweeps.values()):
        hline(axis.ceiling, color=LIMIT_COLOR, width=1, dash="dot")
        notes.append(
            dict(
                x=0.005,
                xref="x domain",
                xanchor="left",
                y=np.log10(axis.row((len(sweeps) - 1) / 2)),
                yref="y",
                text="diverged ✕",
                showarrow=False,
                font=dict(size=13, color="#444444"),
                bgcolor="rgba(255,255,255,0.85)",
            )
        )
    tolerance = max(level - best, axis.floor)
    hline(tolerance, color=LIMIT_COLOR, width=1.5, dash="dash")
    notes.append(
        dict(
            text="tolerance: converged below",
            font=dict(size=13, color="#444444"),
            xanchor="left",
            showarrow=False,
            x=0,
            xref="x domain",
            y=np.log10(tolerance),  # an annotation on a log axis takes log10 (a shape does not)
            yref="y",
            yanchor="top",
        )
    )
    if limit is not None and np.isfinite(limit) and lo <= limit <= hi:
        for x, y in (("x", "y"), ("x2", "y2")):
            shapes.append(
                dict(
                    type="line",
                    x0=limit,
                    x1=limit,
                    xref=x,
                    y0=0,
                    y1=1,
                    yref=f"{y} domain",
                    line=dict(color="#222222", width=2, dash="dash"),
                )
            )
        notes.append(
            dict(
                x=np.log10(limit),
                y=1.0,
                xref="x",
                yref="paper",
                text=f"GD stability limit 2/λmax = {_fmt(limit)}",
                showarrow=False,
                xanchor="right",
                yanchor="bottom",
                font=dict(size=13, color="#222222"),
                bgcolor="rgba(255,255,255,0.85)",
            )
        )
    return shapes, notes


def _current_marks(current: Mapping[str, float], axis: LossAxis, span) -> list:
    """A triangle on the axis at each optimizer's sidebar learning rate (inside ``span``)."""
    lo, hi = span
    marks = []
    for row, (name, lr) in enumerate(current.items()):
        if lo <= lr <= hi:
            marks.append(
                go.Scatter(
                    x=[lr],
                    y=[axis.row(row, above=False)],
                    mode="markers",
                    legendgroup=name,
                    showlegend=False,
                    meta=dict(role="current", optimizer=name),
                    marker=dict(
                        symbol="triangle-up",
                        size=13,
                        color=style.color(name),
                        line=dict(color="#FFFFFF", width=1),
                    ),
                    hovertemplate=f"<b>{style.label(name)}</b>: sidebar α = "
                    "%{x:.3g}<extra></extra>",
                    xaxis="x",
                    yaxis="y",
                )
            )
    return marks


def sensitivity_figure(
    sweeps: Mapping[str, Sweep],
    best: float,
    start_loss: float,
    steps: int,
    limit: float | None = None,
    current: Mapping[str, float] | None = None,
) -> go.Figure:
    """Two rows sharing the log learning-rate axis: the final loss (as the gap to the global
    minimum ``best``), and the steps each run needed to reach the tolerance.

    ``limit`` (2/lambda_max) draws the gradient-descent stability line; ``current`` maps an
    optimizer to its learning rate in the sidebar, marked on the axis.
    """
    # Two rows sharing the learning-rate axis (make_subplots' layout, written out): the top
    # row's x axis follows the bottom's, which carries the tick labels.
    layout = dict(
        xaxis=dict(anchor="y", domain=[0.0, 1.0], matches="x2", showticklabels=False),
        yaxis=dict(anchor="x", domain=list(ROW_DOMAINS[0])),
        xaxis2=dict(anchor="y2", domain=[0.0, 1.0]),
        yaxis2=dict(anchor="x2", domain=list(ROW_DOMAINS[1])),
    )
    if not sweeps:
        return new_figure(layout=layout)
    axis = LossAxis.for_sweeps(sweeps, best, start_loss)
    lrs = np.concatenate([np.asarray(s.values, dtype=float) for s in sweeps.values()])
    lo, hi = float(lrs.min()), float(lrs.max())
    traces = []
    for row, (name, sweep) in enumerate(sweeps.items()):
        traces += _loss_trace(name, sweep, axis, row)
        traces.append(_steps_trace(name, sweep))
    shapes, notes = _reference_lines(sweeps, axis, best, limit, (lo, hi))
    traces += _current_marks(current or {}, axis, (lo, hi))
    decades = np.arange(np.floor(np.log10(lo)), np.ceil(np.log10(hi)) + 1).astype(int)
    shared = dict(
        type="log",
        range=[np.log10(lo) - 0.05, np.log10(hi) + 0.05],
        tickvals=[10.0**k for k in decades],
        ticktext=[_decade(k) for k in decades],
        showgrid=True,
        gridcolor=GRID_COLOR,
        zeroline=False,
    )
    logy = dict(type="log", gridcolor=GRID_COLOR, exponentformat="power")
    layout["xaxis"].update(shared)
    layout["xaxis2"].update(shared, title=dict(text="learning rate α (log)"))
    layout["yaxis"].update(
        logy,
        title=dict(text=axis.title),
        range=[np.log10(axis.bottom), np.log10(axis.row(len(sweeps))) - 0.1],
    )
    layout["yaxis2"].update(
        logy,
        title=dict(text="steps to tolerance"),
        dtick=1,
        range=[-0.1, np.log10(max(steps, 10)) + 0.1],
    )
    # One figure, its layout in one assignment: plotly.py's make_subplots and update machinery
    # were most of the build.
    return new_figure(
        data=traces,
        layout=dict(
            **layout,
            shapes=shapes,
            annotations=notes,
            height=720,
            margin=dict(l=80, r=20, t=50, b=60),
            font=dict(family=style.FONT_FAMILY, size=14),
            plot_bgcolor="#FFFFFF",
            legend=dict(orientation="h", yanchor="bottom", y=1.06, x=0, font=dict(size=14)),
            hovermode="closest",
        ),
    )


# ----- words ---------------------------------------------------------------------------------


def describe_sweeps(sweeps: Mapping[str, Sweep], limit: float | None = None) -> str:
    """Markdown that reads the sweeps: each optimizer's widest convergent range of α, which
    is widest, where gradient descent does best and diverges against 2/lambda_max, and the
    fewest steps to the tolerance."""
    if not sweeps:
        return ""
    lo = min(float(np.min(s.values)) for s in sweeps.values())
    hi = max(float(np.max(s.values)) for s in sweeps.values())
    lines, widths = [], {}
    for name, sweep in sweeps.items():
        who = f"**{style.label(name)}**"
        rng = convergent_range(sweep)
        if rng is None:
            lines.append(f"{who}: for no α from {_fmt(lo)} to {_fmt(hi)}")
            continue
        widths[name] = rng.decades
        if rng.decades == 0:
            line = f"{who}: only at α = {_fmt(rng.lo)}"
        else:
            left = "≤ " if rng.at_lo_edge else ""
            right = " or more" if rng.at_hi_edge else ""
            line = (
                f"{who}: α from {left}{_fmt(rng.lo)} to {_fmt(rng.hi)}{right}, "
                f"a range of {rng.decades:.1f} decades"
            )
        if rng.elsewhere:
            many = rng.elsewhere > 1
            line += f" (and at {rng.elsewhere} isolated α{'s' if many else ''} outside it)"
        lines.append(line)
    notes = []
    if len(widths) > 1:
        top = max(widths.values())
        winners = [style.label(n) for n, w in widths.items() if np.isclose(w, top)]
        if len(winners) == 1:
            notes.append(f"The widest range is {winners[0]}'s.")
        else:
            notes.append(f"The widest ranges, tied, are {' and '.join(winners)}'s.")
    if "gd" in sweeps and limit is not None and np.isfinite(limit):
        gd = sweeps["gd"]
        best, first_bad = best_lr(gd), first_diverging_lr(gd)
        words = f"The GD stability limit 2/λmax is {_fmt(limit)}"
        if best is not None:
            side = "below" if best < limit else "above"
            words += f"; GD's lowest final loss is at α = {_fmt(best)}, {side} it"
        if first_bad is not None:
            words += f"; GD first diverges at α = {_fmt(first_bad)}"
        notes.append(words + ".")
    quick = {n: q for n, s in sweeps.items() if (q := fastest(s)) is not None}
    if quick:
        name = min(quick, key=lambda n: quick[n][0])
        steps, lr = quick[name]
        notes.append(
            f"Fewest steps to the tolerance: {style.label(name)}, {steps} at α = {_fmt(lr)}."
        )
    return (
        "Converges (final loss within tolerance, not diverged):\n"
        + "\n".join(f"- {line}" for line in lines)
        + ("\n\n" + " ".join(notes) if notes else "")
    )
