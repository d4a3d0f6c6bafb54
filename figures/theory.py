"""Small figures of the Theory page, one per equation of fitting-models.md. Pure Plotly.

Contours share the look of the other pages; steps are drawn as arrows in data coordinates on
axes of equal scale, so a step's direction on screen is its direction in parameter space.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from figures import style
from figures.kit import PHI0, PHI1, arrow, new_figure, phi_axes
from figures.levels import ColorLevels

HEIGHT = 420
MARGIN = dict(l=55, r=15, t=45, b=105)
GRID = "#E6E6E6"
UPHILL = "#7A7A7A"


ASPECT = 1.5  # width / height of the zoomed contours' windows


def window_around(points, min_half: float, pad: float = 0.3, aspect: float = ASPECT):
    """A window ((x0, x1), (y0, y1)), ``aspect`` times wider than high, holding ``points``
    (k, 2) with a margin of ``pad`` times their span on every side; at least ``min_half``
    high on each side of the centre."""
    points = np.asarray(points, dtype=float).reshape(-1, 2)
    points = points[np.all(np.isfinite(points), axis=1)]
    lo, hi = points.min(axis=0), points.max(axis=0)
    centre = (lo + hi) / 2
    span_x, span_y = hi - lo
    half_y = max(span_y / 2, span_x / 2 / aspect) * (1 + 2 * pad)
    half_y = max(float(half_y), min_half)
    half_x = aspect * half_y
    return (
        (float(centre[0] - half_x), float(centre[0] + half_x)),
        (float(centre[1] - half_y), float(centre[1] + half_y)),
    )


def _layout(fig: go.Figure, title: str, height: int = HEIGHT) -> go.Figure:
    fig.update_layout(
        title=dict(text=title, x=0.01, xanchor="left", font=dict(size=15)),
        height=height,
        margin=MARGIN,
        font=dict(family=style.FONT_FAMILY, size=13),
        plot_bgcolor="white",
        legend=dict(
            orientation="h",
            yanchor="top",
            y=-0.2,
            xanchor="left",
            x=0.0,
            bgcolor="rgba(255,255,255,0.85)",
        ),
    )
    return fig


def _light_contour(landscape, xs, ys, z) -> go.Contour:
    """The loss in pale greys, at levels found on this window (the coloured arrows on top
    must stand out)."""
    return ColorLevels(landscape, z).contour(xs, ys, z, uid="loss", light=True, hoverinfo="skip")


def _arrow(fig, start, end, color, *, width=2.5, dash=False, row=None, col=None) -> None:
    """An arrow from ``start`` to ``end`` in data coordinates; ``dash``: a dotted line with
    an arrow head (annotations cannot be dashed)."""
    start, end = np.asarray(start, dtype=float), np.asarray(end, dtype=float)
    if not np.all(np.isfinite(np.concatenate([start, end]))) or np.allclose(start, end):
        return
    kwargs = {} if row is None else dict(row=row, col=col)
    if dash:
        # Annotations cannot be dashed: a dashed line with a short arrow at its tip instead.
        fig.add_trace(
            go.Scatter(
                x=[start[0], end[0]],
                y=[start[1], end[1]],
                mode="lines",
                line=dict(color=color, width=width, dash="dot"),
                hoverinfo="skip",
                showlegend=False,
            ),
            **kwargs,
        )
    tail = start if not dash else end - 1e-3 * (end - start)
    fig.add_annotation(arrow(tail, end, color, width=width), **kwargs)


def _legend_line(name: str, color: str, *, dash: str = "solid", symbol: str | None = None):
    """A legend entry for something drawn as an annotation."""
    return go.Scatter(
        x=[None],
        y=[None],
        mode="lines" if symbol is None else "markers",
        line=dict(color=color, width=3, dash=dash),
        marker=dict(color=color, size=11, symbol=symbol or "circle"),
        name=name,
    )


def _point(xy, name: str, color: str, symbol: str, size: int = 12, hover: str = "") -> go.Scatter:
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    return go.Scatter(
        x=xy[:, 0],
        y=xy[:, 1],
        mode="markers",
        marker=dict(symbol=symbol, size=size, color=color, line=dict(color="white", width=1.5)),
        name=name,
        hovertemplate=f"{name}<br>{PHI0} %{{x:.5g}}, {PHI1} %{{y:.5g}}{hover}<extra></extra>",
    )


# ----- 1. one gradient-descent step ---------------------------------------------------------


def gd_step_figure(landscape, grid, step, *, height: int = HEIGHT) -> go.Figure:
    """φ_t, the uphill gradient direction, and the step −α ∂L/∂φ to φ_{t+1}."""
    xs, ys, z = grid
    window = ((xs[0], xs[-1]), (ys[0], ys[-1]))
    fig = new_figure()
    fig.add_trace(_light_contour(landscape, xs, ys, z))
    # The gradient points uphill; draw it as long as the step so the two compare.
    length = float(np.linalg.norm(step.delta))
    g_norm = float(np.linalg.norm(step.grad))
    if g_norm > 0 and np.isfinite(length):
        _arrow(fig, step.phi, step.phi + step.grad / g_norm * length, UPHILL, dash=True)
    _arrow(fig, step.phi, step.new, style.color("gd"), width=3.5)
    fig.add_trace(_legend_line("uphill: direction of ∂L/∂φ", UPHILL, dash="dot"))
    fig.add_trace(_legend_line("step −α ∂L/∂φ", style.color("gd")))
    fig.add_trace(_point(step.phi, "φₜ", "#FFFFFF", "circle", 13))
    fig.add_trace(_point(step.new, "φₜ₊₁", style.color("gd"), "circle", 11))
    fig.data[-2].marker.line = dict(color="#111111", width=2.5)
    phi_axes(fig, window)
    return _layout(fig, "One step downhill from the start", height)


# ----- 2. momentum as a weighted sum --------------------------------------------------------


def momentum_weights_figure(weights, beta: float, total: int, *, height: int = HEIGHT):
    """Bars (1−β)β^k against k, with the effective memory 1/(1−β) marked."""
    weights = np.asarray(weights, dtype=float)
    k = np.arange(len(weights))
    color = style.color("momentum")
    fig = new_figure(
        go.Bar(
            x=k,
            y=weights,
            marker=dict(color=color, line=dict(width=0)),
            name="weight (1−β) β^k of the gradient k steps back",
            hovertemplate="k = %{x}<br>weight %{y:.4g}<extra></extra>",
        )
    )
    memory = 1.0 / (1.0 - beta)
    if memory <= k[-1] + 1:
        fig.add_vline(
            x=memory,
            line=dict(color="#111111", width=2, dash="dash"),
            annotation=dict(
                text=f"effective memory 1/(1−β) = {memory:.3g}",
                xanchor="left",
                yanchor="top",
                font=dict(size=13),
                bgcolor="rgba(255,255,255,0.85)",
            ),
            annotation_position="top right",
        )
    fig.update_xaxes(
        title_text="k: steps back (k = 0 is the newest gradient)",
        showgrid=False,
        range=[-0.8, len(weights) - 0.2],
    )
    fig.update_yaxes(title_text="weight", gridcolor=GRID, rangemode="tozero")
    fig.update_layout(showlegend=False, bargap=0.15)
    shown = f"first {len(weights)} of {total}" if len(weights) < total else f"all {total}"
    title = f"Weight (1−β) βᵏ of the gradient k steps back, β = {beta:g} ({shown} shown)"
    return _layout(fig, title, height)


# ----- 3. Nesterov's look-ahead --------------------------------------------------------------


def lookahead_figure(landscape, grid, la, *, height: int = 460) -> go.Figure:
    """Momentum's and both Nesterov forms' next step from the same state (φ_t, m_t): the
    notes' look-ahead φ_t − α m_t and the corrected φ_t − αβ m_t, where momentum alone goes."""
    xs, ys, z = grid
    window = ((xs[0], xs[-1]), (ys[0], ys[-1]))
    c_mom, c_nest = style.color("momentum"), style.color("nesterov")
    c_corr = style.color("nesterov_corrected")
    fig = new_figure()
    fig.add_trace(_light_contour(landscape, xs, ys, z))
    fig.add_trace(
        go.Scatter(
            x=la.history[:, 0],
            y=la.history[:, 1],
            mode="lines+markers",
            line=dict(color="#555555", width=1.5),
            marker=dict(size=6, color="#555555"),
            name=f"the {len(la.history) - 1} steps before",
            hovertemplate=f"{PHI0} %{{x:.5g}}, {PHI1} %{{y:.5g}}<extra></extra>",
        )
    )
    _arrow(fig, la.phi, la.ahead, "#111111", width=2, dash=True)
    # The gradient each method uses, as a direction (−∂L/∂φ) at the point where it is taken.
    reach = 0.3 * (window[1][1] - window[1][0])
    for where, grad, color in (
        (la.phi, la.grad_here, c_mom),
        (la.ahead, la.grad_ahead, c_nest),
        (la.coast, la.grad_coast, c_corr),
    ):
        norm = float(np.linalg.norm(grad))
        if norm > 0:
            _arrow(fig, where, where - grad / norm * reach, color, width=2, dash=True)
    # Momentum's step wide and pale underneath, Nesterov's narrow on top: both stay visible
    # when they nearly coincide.
    _arrow(fig, la.phi, la.momentum_next, c_mom, width=6)
    _arrow(fig, la.phi, la.nesterov_next, c_nest, width=2.5)
    _arrow(fig, la.phi, la.corrected_next, c_corr, width=1.5)
    fig.add_trace(_legend_line("look-ahead φₜ − α mₜ", "#111111", dash="dot"))
    fig.add_trace(_legend_line("momentum", c_mom))
    fig.add_trace(_legend_line("Nesterov", c_nest))
    fig.add_trace(_legend_line("Nesterov βm", c_corr))
    fig.add_trace(_point(la.phi, "φₜ", "#FFFFFF", "circle", 14))
    fig.data[-1].marker.line = dict(color="#111111", width=2.5)
    fig.add_trace(_point(la.ahead, "look-ahead point", c_nest, "diamond", 14))
    fig.add_trace(_point(la.momentum_next, "φₜ₊₁ momentum", c_mom, "square", 11))
    fig.add_trace(_point(la.nesterov_next, "φₜ₊₁ Nesterov", c_nest, "circle", 11))
    fig.add_trace(_point(la.coast, "corrected look-ahead φₜ − αβ mₜ", c_corr, "diamond", 11))
    fig.add_trace(_point(la.corrected_next, "φₜ₊₁ Nesterov βm", c_corr, "circle", 8))
    for trace in fig.data[-5:]:
        trace.showlegend = False
    phi_axes(fig, window)
    fig = _layout(fig, "Solid: the next step · dotted: −∂L/∂φ where it is taken", height)
    return fig.update_layout(legend=dict(y=-0.19), margin=dict(MARGIN, b=85))


# ----- 4. Adam's bias correction ------------------------------------------------------------


def bias_correction_figure(curves, g: float, beta: float, gamma: float, *, height: int = HEIGHT):
    """Raw and corrected moments under a constant gradient g, against the step t (log)."""
    color = style.color("adam")
    fig = make_subplots(
        figure=new_figure(),
        rows=1,
        cols=2,
        horizontal_spacing=0.12,
        subplot_titles=(
            f"first moment, β = {beta:g}: target g = {g:g}",
            f"second moment, γ = {gamma:g}: target g² = {g * g:g}",
        ),
    )
    pairs = (
        (1, curves.m, curves.m_tilde, "m_t (raw)", "m̃_t = m_t / (1 − β^t)", g),
        (2, curves.v, curves.v_tilde, "v_t (raw)", "ṽ_t = v_t / (1 − γ^t)", g * g),
    )
    for col, raw, corrected, raw_name, corr_name, target in pairs:
        fig.add_hline(y=target, line=dict(color="#999999", width=1), row=1, col=col)
        fig.add_trace(
            go.Scatter(
                x=curves.t,
                y=raw,
                mode="lines",
                line=dict(color="#6B6B6B", width=2.5, dash="dash"),
                name=raw_name,
                hovertemplate=f"t %{{x}}<br>{raw_name} %{{y:.4g}}<extra></extra>",
            ),
            row=1,
            col=col,
        )
        fig.add_trace(
            go.Scatter(
                x=curves.t,
                y=corrected,
                mode="lines+markers",
                line=dict(color=color, width=3),
                marker=dict(size=np.where(curves.t <= 3, 8, 0), color=color),
                name=corr_name,
                hovertemplate=f"t %{{x}}<br>{corr_name} %{{y:.4g}}<extra></extra>",
            ),
            row=1,
            col=col,
        )
        fig.update_yaxes(
            range=[-0.05 * target, 1.15 * target], gridcolor=GRID, row=1, col=col, zeroline=True
        )
        fig.update_xaxes(type="log", title_text="step t (log)", gridcolor=GRID, row=1, col=col)
    for annotation in fig.layout.annotations:
        annotation.font = dict(size=13)
    return _layout(fig, "", height).update_layout(margin=dict(MARGIN, t=35))


# ----- 5. the normalized step ---------------------------------------------------------------


def scale_step_figure(landscape, grid, gd, normalized, *, height: int = HEIGHT) -> go.Figure:
    """One GD step and one normalized step from the same point of an axis-aligned bowl."""
    xs, ys, z = grid
    fig = new_figure()
    fig.add_trace(_light_contour(landscape, xs, ys, z))
    _arrow(fig, gd.phi, gd.new, style.color("gd"), width=3.5)
    _arrow(fig, normalized.phi, normalized.new, style.color("normalized"), width=3.5)
    fig.add_trace(_legend_line("gradient descent: −α ∂L/∂φ", style.color("gd")))
    fig.add_trace(_legend_line("normalized: α along each coordinate", style.color("normalized")))
    fig.add_trace(_point(gd.phi, "φₜ", "#FFFFFF", "circle", 13))
    fig.data[-1].marker.line = dict(color="#111111", width=2.5)
    fig.data[-1].showlegend = False
    phi_axes(fig, ((xs[0], xs[-1]), (ys[0], ys[-1])))
    return _layout(fig, f"One step each, α = {gd.alpha:.3g}", height)


# ----- 6. Adam balances the coordinates ------------------------------------------------------


def balance_figure(landscape, grid, gd_points, adam_points, *, height: int = 420) -> go.Figure:
    """Left: both paths on the bowl. Right: |Δφ| per coordinate and step (log)."""
    xs, ys, z = grid
    fig = make_subplots(
        figure=new_figure(),
        rows=1,
        cols=2,
        column_widths=[0.42, 0.58],
        horizontal_spacing=0.1,
        subplot_titles=("paths", "step length per coordinate |Δφ_k|"),
    )
    fig.add_trace(_light_contour(landscape, xs, ys, z), row=1, col=1)
    for name, points in (("gd", gd_points), ("adam", adam_points)):
        fig.add_trace(_balance_path(name, points), row=1, col=1)
        for trace in _coordinate_steps(name, points):
            fig.add_trace(trace, row=1, col=2)
    _balance_axes(fig, xs, ys, gd_points, adam_points)
    for annotation in fig.layout.annotations:
        annotation.font = dict(size=13)
    fig = _layout(fig, "", height).update_layout(margin=dict(MARGIN, t=35))
    fig.update_layout(legend=dict(x=0.46, xanchor="left"))
    return fig


def _balance_path(name: str, points) -> go.Scatter:
    return go.Scatter(
        x=points[:, 0],
        y=points[:, 1],
        mode="lines+markers",
        line=dict(color=style.color(name), width=2.5),
        marker=dict(size=4, color=style.color(name)),
        name=style.label(name),
        legendgroup=name,
        showlegend=False,
        hovertemplate=f"{style.label(name)}<br>{PHI0} %{{x:.4g}}, {PHI1} %{{y:.4g}}<extra></extra>",
    )


def _coordinate_steps(name: str, points) -> list[go.Scatter]:
    """|Δφ₀| and |Δφ₁| of each step (zero steps left out: the axis is log)."""
    steps = np.abs(np.diff(points, axis=0))
    t = np.arange(1, len(steps) + 1)
    traces = []
    for k, dash in ((0, "solid"), (1, "dot")):
        # φ₁ also carries sparse open markers, so it shows even where it lies on φ₀.
        traces.append(
            go.Scatter(
                x=t,
                y=np.where(steps[:, k] > 0, steps[:, k], np.nan),
                mode="lines" if k == 0 else "lines+markers",
                marker=dict(symbol="circle-open", size=9, maxdisplayed=16, line=dict(width=2)),
                line=dict(color=style.color(name), width=3 if k == 0 else 3.5, dash=dash),
                name=f"{style.label(name)}: |Δφ{'₀₁'[k]}|",
                legendgroup=name,
                hovertemplate=f"{style.label(name)} step %{{x}}<br>|Δφ{'₀₁'[k]}| "
                "%{y:.3g}<extra></extra>",
            )
        )
    return traces


def _balance_axes(fig: go.Figure, xs, ys, gd_points, adam_points) -> None:
    (x0, x1), (y0, y1) = (xs[0], xs[-1]), (ys[0], ys[-1])
    fig.update_xaxes(
        title_text=PHI0, range=[x0, x1], showgrid=False, constrain="domain", row=1, col=1
    )
    fig.update_yaxes(
        title_text=PHI1,
        range=[y0, y1],
        showgrid=False,
        scaleanchor="x",
        scaleratio=1,
        constrain="domain",
        row=1,
        col=1,
    )
    # GD's fast coordinate converges geometrically to round-off; showing that would squash
    # the comparison, so the axis stops two decades below the smallest first step.
    first = np.abs(np.concatenate([gd_points[1] - gd_points[0], adam_points[1] - adam_points[0]]))
    first = first[first > 0]
    bottom = np.log10(first.min()) - 2 if first.size else -6
    top = np.log10(first.max()) + 0.3 if first.size else 1
    fig.update_xaxes(title_text="step", gridcolor=GRID, row=1, col=2)
    fig.update_yaxes(
        type="log",
        range=[bottom, top],
        title_text="|Δφ| (log)",
        gridcolor=GRID,
        exponentformat="power",
        dtick=1,
        row=1,
        col=2,
    )
