"""Learning-rate sensitivity: final loss and steps to the tolerance against the learning rate,
one line per optimizer, and heatmaps of the final loss over (alpha, beta) or (alpha, gamma).

Pure Plotly builders: `Sweep`s and `Grid2D`s in, `go.Figure` out; `describe_sweeps` says in
words what the curves show.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from figures import style
from figures.kit import decade as _decade
from optimizers.sweeps import Grid2D, Sweep
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
DIVERGED_CELL_COLOR = "#E8E8E8"
HEATMAP_COLORSCALE = "Viridis"
GRID_COLOR = "#E5E5E5"


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
            line=dict(color=color, width=3),
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
        line=dict(color=style.color(name), width=2.5),
        marker=dict(size=7, color=style.color(name)),
        connectgaps=False,
        hovertemplate=f"<b>{style.label(name)}</b><br>α %{{x:.3g}}<br>"
        "reaches the tolerance at step %{y:.0f}<extra></extra>",
        xaxis="x2",
        yaxis="y2",
    )


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
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        row_heights=[0.62, 0.38],
        vertical_spacing=0.07,
    )
    if not sweeps:
        return fig
    axis = LossAxis.for_sweeps(sweeps, best, start_loss)
    level = next(iter(sweeps.values())).level
    lrs = np.concatenate([np.asarray(s.values, dtype=float) for s in sweeps.values()])
    lo, hi = float(lrs.min()), float(lrs.max())
    for row, (name, sweep) in enumerate(sweeps.items()):
        for trace in _loss_trace(name, sweep, axis, row):
            fig.add_trace(trace)
        fig.add_trace(_steps_trace(name, sweep))

    any_diverged = any(np.any(np.asarray(s.diverged) >= 0) for s in sweeps.values())
    if any_diverged:
        fig.add_hline(
            y=axis.ceiling, line=dict(color=LIMIT_COLOR, width=1, dash="dot"), row=1, col=1
        )
        fig.add_annotation(
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
    fig.add_hline(
        y=max(level - best, axis.floor),
        line=dict(color=LIMIT_COLOR, width=1.5, dash="dash"),
        annotation=dict(
            text="tolerance: converged below", font=dict(size=13, color="#444444"), xanchor="left"
        ),
        annotation_position="bottom left",
        row=1,
        col=1,
    )
    if limit is not None and np.isfinite(limit) and lo <= limit <= hi:
        for row in (1, 2):
            fig.add_vline(x=limit, line=dict(color="#222222", width=2, dash="dash"), row=row, col=1)
        fig.add_annotation(
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
    if current:
        for row, (name, lr) in enumerate(current.items()):
            if lo <= lr <= hi:
                fig.add_trace(
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
    decades = np.arange(np.floor(np.log10(lo)), np.ceil(np.log10(hi)) + 1).astype(int)
    fig.update_xaxes(
        type="log",
        range=[np.log10(lo) - 0.05, np.log10(hi) + 0.05],
        tickvals=[10.0**k for k in decades],
        ticktext=[_decade(k) for k in decades],
        showgrid=True,
        gridcolor=GRID_COLOR,
        zeroline=False,
    )
    fig.update_xaxes(title_text="learning rate α (log)", row=2, col=1)
    fig.update_yaxes(type="log", gridcolor=GRID_COLOR, exponentformat="power")
    fig.update_yaxes(
        title_text=axis.title,
        range=[np.log10(axis.bottom), np.log10(axis.row(len(sweeps))) - 0.1],
        row=1,
        col=1,
    )
    fig.update_yaxes(
        title_text="steps to tolerance",
        dtick=1,
        range=[-0.1, np.log10(max(steps, 10)) + 0.1],
        row=2,
        col=1,
    )
    fig.update_layout(
        height=720,
        margin=dict(l=80, r=20, t=50, b=60),
        font=dict(family=style.FONT_FAMILY, size=14),
        plot_bgcolor="#FFFFFF",
        legend=dict(orientation="h", yanchor="bottom", y=1.06, x=0, font=dict(size=14)),
        hovermode="closest",
    )
    return fig


# ----- heatmaps over two hyperparameters ----------------------------------------------------


PARAM_SYMBOLS = {"beta": "β", "gamma": "γ"}


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


def hyper_figure(panels: list[HyperPanel], best: float, start_loss: float) -> go.Figure:
    """Heatmaps side by side on one colour scale: log10 of the final loss's gap to the global
    minimum; diverged cells in flat grey."""
    n = max(1, len(panels))
    titles = [f"{style.label(p.name)}: α and {PARAM_SYMBOLS.get(p.param, p.param)}" for p in panels]
    fig = make_subplots(rows=1, cols=n, subplot_titles=titles or None, horizontal_spacing=0.07)
    if not panels:
        return fig
    floor = max(start_loss - best, 1e-300) * 10.0**-FLOOR_DECADES
    logs = []
    for p in panels:
        gap = loss_excess(p.grid.final_loss, best, floor)
        logs.append(np.where(p.grid.diverged, np.nan, np.log10(gap)))
    finite = np.concatenate([z[np.isfinite(z)] for z in logs] + [np.array([0.0])])
    zmin, zmax = float(np.floor(finite.min())), float(np.ceil(finite.max()))
    if zmax <= zmin:
        zmax = zmin + 1
    ticks = np.arange(zmin, zmax + 1, max(1, int(np.ceil((zmax - zmin) / 8))))

    for col, (p, z) in enumerate(zip(panels, logs, strict=True), start=1):
        x = np.log10(np.asarray(p.grid.xs, dtype=float))
        u, tickvals, ticktext = _one_minus_axis(p.grid.ys)
        sym = PARAM_SYMBOLS.get(p.param, p.param)
        fig.add_trace(
            go.Heatmap(
                x=x,
                y=u,
                z=np.where(p.grid.diverged, 1.0, np.nan),
                colorscale=[[0, DIVERGED_CELL_COLOR], [1, DIVERGED_CELL_COLOR]],
                showscale=False,
                hoverinfo="skip",
                meta=dict(role="diverged-cells", optimizer=p.name),
                name="diverged",
            ),
            row=1,
            col=col,
        )
        values = np.asarray(p.grid.ys, dtype=float)
        custom = np.stack(
            [
                np.broadcast_to(10.0**x, z.shape),
                np.broadcast_to(values[:, None], z.shape),
                np.asarray(p.grid.final_loss, dtype=float),
            ],
            axis=-1,
        )
        fig.add_trace(
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
            ),
            row=1,
            col=col,
        )
        if p.current is not None:
            lr, value = p.current
            fig.add_trace(
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
                ),
                row=1,
                col=col,
            )
        decades = np.arange(np.ceil(x.min() - 1e-9), np.floor(x.max() + 1e-9) + 1).astype(int)
        fig.update_xaxes(
            title_text="α (log)",
            tickvals=decades.tolist(),
            ticktext=[_decade(k) for k in decades],
            range=[x.min(), x.max()],
            row=1,
            col=col,
        )
        fig.update_yaxes(
            title_text=sym,
            tickvals=tickvals,
            ticktext=ticktext,
            range=[u.min(), u.max()],
            row=1,
            col=col,
        )
    fig.update_annotations(font=dict(size=15, color="#222222"))
    # A legend entry for the grey cells.
    fig.add_trace(
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
    fig.update_layout(
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
    )
    return fig


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
