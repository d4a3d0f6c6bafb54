"""Figures of the Convexity page: a segment on the contour, the loss along it against its
chord, and the map of the smallest Hessian eigenvalue. Pure Plotly builders.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from figures import style
from figures.kit import PHI0, PHI1, click_grid, critical_traces, new_figure
from figures.kit import f32 as _f32
from figures.levels import ColorLevels
from landscapes.convexity import ChordCheck, CurvatureMap, symlog, symlog_width

NOT_CONVEX = "#B2182B"  # the red end of the diverging scale: "curves downward here"
NOT_CONVEX_FILL = "rgba(178, 24, 43, 0.28)"
CONVEX = "#2166AC"
SEGMENT_COLOR = "#111111"
CHORD_COLOR = "#6B6B6B"
POINT_LABELS = ("A", "B")
CLICK_N = 50
MARGIN = dict(l=60, r=20, t=50, b=105)


def _layout(fig: go.Figure, title: str, height: int) -> go.Figure:
    fig.update_layout(
        title=dict(text=title, x=0.01, xanchor="left", font=dict(size=16)),
        height=height,
        margin=MARGIN,
        font=dict(family=style.FONT_FAMILY, size=13),
        plot_bgcolor="white",
        legend=dict(orientation="h", yanchor="top", y=-0.2, xanchor="left", x=0.0),
    )
    return fig


def _segment_traces(a, b, losses: Sequence[float] | None = None) -> list:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    halo = go.Scatter(
        x=[a[0], b[0]],
        y=[a[1], b[1]],
        mode="lines",
        line=dict(color="white", width=7),
        hoverinfo="skip",
        showlegend=False,
    )
    line = go.Scatter(
        x=[a[0], b[0]],
        y=[a[1], b[1]],
        mode="lines",
        line=dict(color=SEGMENT_COLOR, width=3),
        name="segment A–B",
        hoverinfo="skip",
        showlegend=False,
    )
    text = [
        f"{name} = ({p[0]:.3g}, {p[1]:.3g})" + ("" if losses is None else f"<br>loss {loss:.4g}")
        for name, p, loss in zip(POINT_LABELS, (a, b), losses or (None, None), strict=True)
    ]
    ends = go.Scatter(
        x=[a[0], b[0]],
        y=[a[1], b[1]],
        mode="markers+text",
        text=list(POINT_LABELS),
        textposition="middle center",
        textfont=dict(color="white", size=13, family=style.FONT_FAMILY),
        marker=dict(size=24, color=SEGMENT_COLOR, line=dict(color="white", width=2)),
        hovertext=text,
        hoverinfo="text",
        name="A and B",
        showlegend=False,
    )
    return [halo, line, ends]


def _axes(fig: go.Figure, bounds) -> None:
    (x0, x1), (y0, y1) = bounds
    fig.update_xaxes(title_text=PHI0, range=[x0, x1], showgrid=False, zeroline=False)
    fig.update_yaxes(title_text=PHI1, range=[y0, y1], showgrid=False, zeroline=False)


def segment_figure(landscape, grid, check: ChordCheck, *, height: int = 480) -> go.Figure:
    """The contour with the segment A–B and, in red, the stretches above the chord."""
    xs, ys, z = grid
    fig = new_figure()
    levels = ColorLevels(landscape)
    fig.add_trace(levels.contour(xs, ys, z, uid="loss", colorbar=levels.colorbar(len=0.9)))
    fig.add_trace(
        click_grid(
            landscape,
            CLICK_N,
            webgl=False,
            rounded=False,
            size=9,
            hint="click to move the point here",
        )
    )
    fig.add_traces(_segment_traces(check.a, check.b, (check.losses[0], check.losses[-1])))
    for lo, hi in check.intervals:
        inside = (check.t >= lo) & (check.t <= hi)
        pts = check.points[inside]
        fig.add_trace(
            go.Scatter(
                x=pts[:, 0],
                y=pts[:, 1],
                mode="lines",
                line=dict(color=NOT_CONVEX, width=6),
                name="above the chord",
                hoverinfo="skip",
                showlegend=False,
            )
        )
    # Redraw the end markers on top of the red stretches.
    fig.add_trace(_segment_traces(check.a, check.b, (check.losses[0], check.losses[-1]))[-1])
    _axes(fig, landscape.bounds)
    return _layout(fig, "Click the contour to move A or B", height)


def chord_figure(check: ChordCheck, *, height: int = 480) -> go.Figure:
    """L((1-t)A + tB) against the chord (1-t)L(A) + tL(B); red where the loss is above."""
    fig = new_figure()
    for k, (lo, hi) in enumerate(check.intervals):
        inside = (check.t >= lo) & (check.t <= hi)
        t = np.concatenate([[lo], check.t[inside], [hi]])
        loss = np.interp(t, check.t, check.losses)
        chord = np.interp(t, check.t, check.chord)
        fig.add_trace(
            go.Scatter(
                x=np.concatenate([t, t[::-1]]),
                y=np.concatenate([loss, chord[::-1]]),
                fill="toself",
                fillcolor=NOT_CONVEX_FILL,
                line=dict(width=0),
                mode="lines",
                name="surface above the chord: not convex",
                legendgroup="above",
                showlegend=k == 0,
                hoverinfo="skip",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=check.t,
            y=check.chord,
            mode="lines",
            line=dict(color=CHORD_COLOR, width=2.5, dash="dash"),
            name="chord (1−t) L(A) + t L(B)",
            hovertemplate="t %{x:.3f}<br>chord %{y:.4g}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=check.t,
            y=check.losses,
            mode="lines",
            line=dict(color=SEGMENT_COLOR, width=3),
            name="loss L((1−t) A + t B)",
            hovertemplate="t %{x:.3f}<br>loss %{y:.4g}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[0.0, 1.0],
            y=[check.losses[0], check.losses[-1]],
            mode="markers+text",
            text=list(POINT_LABELS),
            textposition="middle center",
            textfont=dict(color="white", size=13),
            marker=dict(size=24, color=SEGMENT_COLOR, line=dict(color="white", width=2)),
            hoverinfo="skip",
            showlegend=False,
            cliponaxis=False,
        )
    )
    for lo, hi in check.intervals:
        for t in (lo, hi):
            if 0.01 < t < 0.99:  # an edge at A or B needs no marking
                fig.add_vline(x=t, line=dict(color=NOT_CONVEX, width=1, dash="dot"))
    fig.update_xaxes(
        title_text="t (0 at A, 1 at B)", range=[-0.04, 1.04], showgrid=True, gridcolor="#EEE"
    )
    fig.update_yaxes(title_text="loss", showgrid=True, gridcolor="#EEE", zeroline=False)
    title = "Loss along the segment against its chord"
    return _layout(fig, title, height)


def _symlog_ticks(scale: float, width: float) -> tuple[list[float], list[str]]:
    top = int(np.floor(np.log10(max(scale, 1e-300))))
    bottom = int(np.round(np.log10(width)))
    decades = [10.0**k for k in range(bottom + 1, top + 1)]
    # Every decade when few, else every other one from the top down, so labels never crowd.
    if len(decades) > 4:
        decades = decades[::-1][::2][::-1]
    values = [-d for d in decades[::-1]] + [0.0] + decades
    return [float(symlog(v, width)) for v in values], [_number(v) for v in values]


def _number(value: float) -> str:
    if value == 0:
        return "0"
    sign = "−" if value < 0 else ""
    mag = abs(value)
    return sign + (f"{mag:g}" if 1e-3 <= mag < 1e5 else f"1e{int(np.log10(mag))}")


def curvature_figure(
    cmap: CurvatureMap, critical_points, a=None, b=None, *, height: int = 480
) -> go.Figure:
    """The smallest Hessian eigenvalue on a symmetric-log diverging scale centred at zero.

    Red: the surface curves downward along some direction there (not convex); blue: it
    curves upward along every direction. The black line is where the smallest curvature
    crosses zero.
    """
    width = symlog_width(cmap.scale)
    z = symlog(cmap.lam_min, width)
    top = float(np.nanmax(np.abs(z))) or 1.0
    tickvals, ticktext = _symlog_ticks(cmap.scale, width)
    fig = new_figure()
    fig.add_trace(
        go.Heatmap(
            x=cmap.xs,
            y=cmap.ys,
            z=_f32(z),
            customdata=_f32(np.stack([cmap.lam_min, cmap.lam_max], axis=-1)),
            colorscale=style.DIVERGING_COLORSCALE,
            zmid=0.0,
            zmin=-top,
            zmax=top,
            colorbar=dict(
                title=dict(text="smallest curvature λ_min (symmetric log)", side="right"),
                tickvals=tickvals,
                ticktext=ticktext,
                thickness=12,
                outlinewidth=0,
                len=0.9,
            ),
            hovertemplate=(
                f"{PHI0} %{{x:.3g}}, {PHI1} %{{y:.3g}}<br>λ_min %{{customdata[0]:.4g}}"
                "<br>λ_max %{customdata[1]:.4g}<extra></extra>"
            ),
            name="λ_min",
        )
    )
    if np.nanmin(cmap.lam_min) < 0 < np.nanmax(cmap.lam_min):
        fig.add_trace(
            go.Contour(
                x=cmap.xs,
                y=cmap.ys,
                z=_f32(cmap.lam_min),
                contours=dict(start=0.0, end=0.0, size=1.0, coloring="none"),
                line=dict(color="black", width=1.5),
                showscale=False,
                hoverinfo="skip",
                name="λ_min = 0",
                showlegend=False,
            )
        )
    fig.add_traces(critical_traces(critical_points, enlarge=3, eigenvalues=True))
    if a is not None and b is not None:
        # After the critical points: A or B often sits on a minimum, and its star must not
        # hide the letter.
        halo, line, ends = _segment_traces(a, b)
        line.line.dash = "dot"
        ends.marker.size = 18
        ends.textfont.size = 11
        fig.add_traces([halo, line, ends])
    _axes(fig, ((cmap.xs[0], cmap.xs[-1]), (cmap.ys[0], cmap.ys[-1])))
    return _layout(fig, "Smallest curvature of the surface (red: not convex there)", height)
