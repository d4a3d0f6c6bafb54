"""The minibatch SGD lab's figure: GD and SGD on the loss contour, beside the data with the
fitted model (or, on the analytic surfaces, a grid of the N examples), at step 0.

The browser plays the epoch (ui/sgd_chart.js with `figures.sgd_motion.lab_motion`'s arrays): it
fills the moving traces, found by uid, at every step. Only the 2D moving traces change, so
the contour is a layout image (see `figures.levels.ColorLevels.image`).
"""

from __future__ import annotations

from math import ceil

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from figures import style
from figures.kit import PHI0, PHI1, click_grid, new_figure
from figures.kit import critical_traces as _critical_traces
from figures.kit import f32 as _f32
from figures.kit import rgba as _rgba
from figures.levels import ColorLevels
from optimizers.minibatch import batch_position

TAIL = 8
CURVE_N = 120
GREY = "#B8BEC8"
DARK = "#222222"
CLICK_GRID_NAME = "click-grid"
CLICK_GRID_TRACE = 1  # lab_figure's click grid, right after the colour bar's trace
CLICK_GRID_N = 40
HEIGHT = 585
MARGIN = dict(l=55, r=15, t=125, b=60)  # room above the legend for Plotly's mode bar


# ----- small helpers ----------------------------------------------------------------------


def _points(x, y) -> dict:
    """Marker positions; no points is one NaN point (the browser fills the trace in place)."""
    if len(x) == 0:
        x, y = [np.nan], [np.nan]
    return dict(x=_f32(x), y=_f32(y))


def position_text(step: int, steps: int, steps_per_epoch: int) -> str:
    """ "epoch e, batch k of K" for step ``step`` (1-based for reading); "end" past the last."""
    if step >= steps:
        epochs = steps / steps_per_epoch
        return f"end: {steps} steps = {epochs:.3g} epochs"
    pos = batch_position(step, steps_per_epoch)
    return f"epoch {pos.epoch + 1}, batch {pos.batch + 1} of {pos.per_epoch}"


# ----- the lab figure --------------------------------------------------------------------


def example_cells(n: int) -> tuple[np.ndarray, np.ndarray, int, int]:
    """Cell centres (x (N,), y (N,)) of N examples laid out row by row, top row first, and
    the grid's (columns, rows): 8 columns up to 64 examples, else 16."""
    cols = min(n, 8 if n <= 64 else 16)
    rows = ceil(n / cols)
    i = np.arange(n)
    return (i % cols).astype(float), (rows - 1 - i // cols).astype(float), cols, rows


class _Panel:
    """The right-hand panel: all N examples, and what it shows at step 0."""

    def __init__(self, landscape, gd, sgd):
        self.ls, self.gd, self.sgd = landscape, gd, sgd
        self.n = landscape.n_examples
        self.steps = sgd.steps
        self.per_epoch = sgd.steps_per_epoch
        self.is_data = landscape.is_data
        if self.is_data:
            self.px = np.asarray(landscape.data_x, dtype=float)
            self.py = np.asarray(landscape.data_y, dtype=float)
            lo, hi = self.px.min(), self.px.max()
            pad = 0.04 * (hi - lo)
            self.curve_x = np.linspace(lo - pad, hi + pad, CURVE_N)
            ylo, yhi = float(self.py.min()), float(self.py.max())
            ypad = 0.25 * (yhi - ylo)
            self.x_range = [float(self.curve_x[0]), float(self.curve_x[-1])]
            self.y_range = [ylo - ypad, yhi + 2.0 * ypad]
            self.status_xy = (0.5 * (lo + hi), yhi + 1.4 * ypad)
        else:
            self.px, self.py, self.cols, self.rows = example_cells(self.n)
            self.x_range = [-0.6, self.cols - 0.4]
            self.y_range = [-0.6, self.rows + 0.5]
            self.status_xy = (0.5 * (self.cols - 1), self.rows - 0.1)

    def _markers(self) -> dict:
        """Marker styles: all examples, those used earlier this epoch, the current batch."""
        sgd_color = style.color("sgd")
        if self.is_data:
            return dict(
                examples=dict(size=9, color=GREY, line=dict(color="#8A93A3", width=1)),
                visited=dict(
                    size=9, color=_rgba(sgd_color, 0.3), line=dict(color=sgd_color, width=1.5)
                ),
                batch=dict(size=17, color=sgd_color, line=dict(color=DARK, width=1.5)),
            )
        cell = dict(symbol="square", size=34)
        return dict(
            examples=dict(cell, color="#E4E7EC", line=dict(width=0)),
            visited=dict(cell, color=_rgba(sgd_color, 0.35), line=dict(width=0)),
            batch=dict(cell, color=sgd_color, line=dict(color=DARK, width=2)),
        )

    def static_traces(self) -> list:
        """All examples (drawn under the moving ones) and the legend entry of the visited."""
        markers = self._markers()
        hover = (
            "example %{customdata}<br>x %{x:.3g}, y %{y:.3g}<extra></extra>"
            if self.is_data
            else "example %{customdata}<extra></extra>"
        )
        return [
            go.Scatter(
                x=self.px,
                y=self.py,
                customdata=np.arange(1, self.n + 1),
                uid="examples",
                name="not yet used this epoch",
                legendrank=10,
                mode="markers",
                marker=markers["examples"],
                hovertemplate=hover,
                xaxis="x2",
                yaxis="y2",
            ),
            # The moving trace is empty at the start of an epoch, and Plotly leaves empty
            # traces out of the legend: this entry stays.
            go.Scatter(
                x=[None],
                y=[None],
                uid="visited-legend",
                name="used earlier this epoch",
                legendrank=11,
                mode="markers",
                marker=markers["visited"],
                xaxis="x2",
                yaxis="y2",
            ),
        ]

    def overlay_traces(self) -> list:
        """Drawn above the moving traces: the example numbers in the cells."""
        if self.is_data:
            return []
        return [
            go.Scatter(
                x=self.px,
                y=self.py,
                text=[str(i + 1) for i in range(self.n)],
                uid="cell-numbers",
                name="cell numbers",
                mode="text",
                textfont=dict(size=12, color=DARK),
                hoverinfo="skip",
                showlegend=False,
                xaxis="x2",
                yaxis="y2",
            )
        ]

    def moving_traces(self) -> list:
        """The traces the browser moves (by uid), at step 0: no example used yet this epoch,
        the first minibatch, the status line; on data landscapes, SGD's and GD's models."""
        none = np.array([], dtype=int)
        batch = np.asarray(self.sgd.batches[0], dtype=int) if self.steps else none
        status = f"step 0: {position_text(0, self.steps, self.per_epoch)}"
        markers = self._markers()
        traces = [
            go.Scatter(
                **_points(self.px[none], self.py[none]),
                uid="visited",
                name="used earlier this epoch",
                mode="markers",
                marker=markers["visited"],
                showlegend=False,
                hoverinfo="skip",
                xaxis="x2",
                yaxis="y2",
            ),
            go.Scatter(
                **_points(self.px[batch], self.py[batch]),
                customdata=(batch + 1).tolist(),
                uid="minibatch",
                name="current minibatch",
                legendrank=12,
                mode="markers",
                marker=markers["batch"],
                hovertemplate="example %{customdata} (in this minibatch)<extra></extra>",
                xaxis="x2",
                yaxis="y2",
            ),
            go.Scatter(
                x=[self.status_xy[0]],
                y=[self.status_xy[1]],
                text=[status],
                uid="status",
                name="status",
                mode="text",
                textposition="middle center",
                textfont=dict(size=15, color=DARK),
                showlegend=False,
                hoverinfo="skip",
                xaxis="x2",
                yaxis="y2",
            ),
        ]
        if self.is_data:
            for traj, name, dash, width in (
                (self.sgd, "sgd", "solid", 3),
                (self.gd, "gd", "dash", 2),
            ):
                traces.append(
                    go.Scatter(
                        x=_f32(self.curve_x),
                        y=_f32(self.ls.model(self.curve_x, traj.points[0])),
                        uid=f"model:{name}",
                        name=f"model at {style.label(name)}'s φ",
                        legendrank=13 if name == "sgd" else 14,
                        mode="lines",
                        line=dict(color=style.color(name), width=width, dash=dash),
                        hoverinfo="skip",
                        xaxis="x2",
                        yaxis="y2",
                    )
                )
        return traces


def _run_traces(traj) -> tuple[list, list]:
    """(static, moving) traces of one run: its faint path and end marker; its tail and head
    at step 0, which the browser moves."""
    name = traj.optimizer
    color = style.color(name)
    label = style.label(name)
    diverged = int(np.max(traj.diverged)) if np.ndim(traj.diverged) else int(traj.diverged)
    if diverged >= 0:
        label += f" (diverged at step {diverged})"
    start = traj.points[:1]
    tail = dict(x=_f32(start[:, 0]), y=_f32(start[:, 1]))
    head = dict(tail, customdata=_f32([[0, traj.losses[0]]]))
    end = diverged if diverged > 0 else traj.steps + 1
    path = traj.points[:end]
    static = [
        go.Scatter(
            x=_f32(path[:, 0]),
            y=_f32(path[:, 1]),
            uid=f"path:{name}",
            name=label,
            legendgroup=name,
            showlegend=False,
            mode="lines",
            line=dict(color=_rgba(color, 0.45), width=1.5),
            hoverinfo="skip",
            xaxis="x",
            yaxis="y",
        ),
        go.Scatter(
            x=_f32(path[-1:, 0]),
            y=_f32(path[-1:, 1]),
            uid=f"end:{name}",
            name=f"{label}: end",
            legendgroup=name,
            legendrank=2.1 if name == "gd" else 2.2,  # after the two runs, before the rest
            mode="markers",
            marker=dict(
                symbol="diamond", size=11, color=color, line=dict(color="#FFFFFF", width=1.5)
            ),
            hovertemplate=(
                f"<b>{label} ended here</b><br>{PHI0} %{{x:.4g}}, {PHI1} %{{y:.4g}}<extra></extra>"
            ),
            xaxis="x",
            yaxis="y",
        ),
    ]
    moving = [
        go.Scatter(
            **tail,
            uid=f"tail:{name}",
            name=label,
            legendgroup=name,
            showlegend=False,
            mode="lines",
            line=dict(color=color, width=4),
            hoverinfo="skip",
            xaxis="x",
            yaxis="y",
        ),
        go.Scatter(
            **head,
            uid=f"head:{name}",
            name=label,
            legendrank=1 if name == "gd" else 2,
            legendgroup=name,
            mode="markers",
            marker=dict(size=13, color=color, line=dict(color="#FFFFFF", width=1.5)),
            selected=dict(marker=dict(opacity=1)),
            unselected=dict(marker=dict(opacity=1)),
            hovertemplate=(
                f"<b>{label}</b><br>step %{{customdata[0]}}<br>{PHI0} %{{x:.4g}}, "
                f"{PHI1} %{{y:.4g}}<br>loss %{{customdata[1]:.4g}}<extra></extra>"
            ),
            xaxis="x",
            yaxis="y",
        ),
    ]
    return static, moving


def lab_figure(landscape, gd, sgd, *, contour_n: int = 241) -> go.Figure:
    """GD and SGD on the contour (left) beside what the minibatch is (right), at step 0.

    ``gd`` and ``sgd`` are single-start `optimizers.Trajectory`s with the same number of
    steps. Step t shows both points at phi_t and SGD's batch of step t (the one that takes
    phi_t to phi_{t+1}) with the examples its epoch used before; the diamonds mark where both
    ended. The browser draws the later steps (`figures.sgd_motion`).
    """
    if gd.steps != sgd.steps:
        raise ValueError(f"gd and sgd must have the same steps, got {gd.steps} and {sgd.steps}")
    panel = _Panel(landscape, gd, sgd)
    right_title = "Data and the fitted model" if panel.is_data else f"The N = {panel.n} examples"
    fig = make_subplots(
        figure=new_figure(),
        rows=1,
        cols=2,
        column_widths=[0.52, 0.48],
        horizontal_spacing=0.12,
        subplot_titles=("Loss contour: GD and SGD from the same start", right_title),
    )
    xs, ys, grid = landscape.grid(contour_n)
    levels = ColorLevels(landscape)
    fig.add_layout_image(levels.image(xs, ys, grid))
    fig.add_trace(levels.colorbar_trace(levels.colorbar(0.45, side="top", len=0.85)))
    fig.add_trace(click_grid(landscape, CLICK_GRID_N, webgl=False, rounded=False))
    runs = [_run_traces(traj) for traj in (gd, sgd)]
    for static, _ in runs:
        fig.add_traces(static)
    fig.add_traces(_critical_traces(landscape.critical_points, legendrank=4))
    fig.add_trace(_start_trace(sgd.points))
    fig.add_traces(panel.static_traces())
    for _, moving in runs:
        fig.add_traces(moving)
    fig.add_traces(panel.moving_traces())
    fig.add_traces(panel.overlay_traces())
    _axes(fig, landscape, panel)
    fig.update_layout(
        font=dict(family=style.FONT_FAMILY, size=13),
        height=HEIGHT,
        margin=MARGIN,
        legend=dict(orientation="h", x=0.0, xanchor="left", y=1.09, yanchor="bottom"),
        hovermode="closest",
        uirevision=f"sgd-lab:{landscape.name}",
    )
    return fig


def _start_trace(points) -> go.Scatter:
    return go.Scatter(
        x=points[:1, 0],
        y=points[:1, 1],
        uid="start",
        name="start",
        legendrank=3,
        mode="markers",
        marker=style.START_MARKER,
        hovertemplate=f"<b>start</b><br>{PHI0} %{{x:.4g}}, {PHI1} %{{y:.4g}}<extra></extra>",
        xaxis="x",
        yaxis="y",
    )


def _axes(fig: go.Figure, landscape, panel: _Panel) -> None:
    """The contour's axes on the surface's bounds, equal scales; the right panel's on the data
    (with a grid) or, for the cells, hidden and square."""
    (x0, x1), (y0, y1) = landscape.bounds
    axis = dict(showgrid=False, zeroline=False, ticks="outside", ticklen=4, mirror=True)
    fig.update_xaxes(title_text=PHI0, range=[x0, x1], constrain="domain", row=1, col=1, **axis)
    fig.update_yaxes(
        title_text=PHI1,
        range=[y0, y1],
        scaleanchor="x",
        scaleratio=1,
        constrain="domain",
        row=1,
        col=1,
        **axis,
    )
    if panel.is_data:
        grid_axis = dict(axis, showgrid=True, gridcolor="#EEEEEE")
        fig.update_xaxes(title_text="x", range=panel.x_range, row=1, col=2, **grid_axis)
        fig.update_yaxes(title_text="y", range=panel.y_range, row=1, col=2, **grid_axis)
    else:
        fig.update_xaxes(range=panel.x_range, visible=False, constrain="domain", row=1, col=2)
        fig.update_yaxes(
            range=panel.y_range,
            visible=False,
            scaleanchor="x2",
            scaleratio=1,
            constrain="domain",
            row=1,
            col=2,
        )
