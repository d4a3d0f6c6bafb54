"""The compare page's three panels as static Plotly figures: the contour, the 3D surface and
the loss against step.

Each optimizer k gets empty, styled traces (uids ``path2d:k``, ``trail3d:k``, ``head3d:k``,
``loss:k``, ``lossx:k``) that the browser fills from the motion payload
(figures/race_motion.py) at the α it shows; what moves with the step on the 2D plots (trails,
heads, the step line) the browser draws over them itself (ui/race_chart.js). Separate
figures, so that on a narrow screen the contour and the surface stack.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from figures import style
from figures.kit import PHI0, PHI1, critical_traces, minima_3d_trace, new_figure
from figures.kit import cell_max as _cell_max
from figures.kit import f32 as _f32
from figures.kit import rgba as _with_alpha
from figures.levels import COLORSCALE, SURFACE_LOG_DECADES, ColorLevels, LossScale

BANDS_PX = 301  # the contour image's size: a few KB of PNG
PANEL_HEIGHT = 440
CONTOUR_MARGIN = dict(l=50, r=10, t=10, b=45)
FONT = dict(family=style.FONT_FAMILY, size=13)


def marker_sizes(n: int) -> list[float]:
    """Runs that end together would hide each other: earlier markers are drawn larger, so a
    stack of them shows as concentric rings."""
    return [9 + min(4.5, 24 / max(1, n - 1)) * (n - 1 - i) for i in range(n)]


def contour_figure(landscape, optimizers: Sequence[str], start) -> go.Figure:
    """The contour with the critical points and the start; per optimizer an empty faint
    path."""
    levels = ColorLevels(landscape)
    (x0, x1), (y0, y1) = landscape.bounds
    fig = new_figure()
    # The colour bar, carried by an invisible point.
    fig.add_trace(levels.colorbar_trace(levels.colorbar(thickness=10, len=0.9)))
    fig.add_traces(critical_traces(landscape.critical_points))
    fig.add_trace(
        go.Scatter(
            x=[start[0]],
            y=[start[1]],
            uid="start2d",
            name="start",
            mode="markers",
            marker=style.START_MARKER,
            hovertemplate=f"<b>start</b><br>{PHI0} %{{x:.4g}}, {PHI1} %{{y:.4g}}<extra></extra>",
        )
    )
    for k, name in enumerate(optimizers):
        color, label = style.color(name), style.label(name)
        fig.add_traces(
            [
                go.Scatter(
                    uid=f"path2d-{k}",
                    name=label,
                    mode="lines",
                    line=dict(color=_with_alpha(color, 0.35), width=1.5, dash=style.dash(name)),
                    hoverinfo="skip",
                ),
            ]
        )
    # The loss's colour bands as an image (the static preview's, figures/poster.py), not a
    # contour trace: an animation frame redraws only the traces that move, and Plotly would
    # drop a contour trace that is not among them.
    image = _bands_image(landscape)
    axis = dict(showgrid=False, zeroline=False, ticks="outside", ticklen=4, mirror=True)
    # One assignment, not update_layout: plotly.py's update machinery was most of the build.
    fig.layout = dict(
        images=[image],
        xaxis=dict(title=dict(text=PHI0), range=[x0, x1], constrain="domain", **axis),
        yaxis=dict(
            title=dict(text=PHI1),
            range=[y0, y1],
            scaleanchor="x",
            scaleratio=1,
            constrain="domain",
            **axis,
        ),
        font=FONT,
        height=PANEL_HEIGHT,
        margin=CONTOUR_MARGIN,
        showlegend=False,
        hovermode="closest",
        uirevision=f"contour:{landscape.name}:{landscape.bounds}",
    )
    return fig


@functools.lru_cache(maxsize=16)
def _bands_image(landscape) -> dict:
    """The contour's colour bands, BANDS_PX per side (a few KB of PNG; kept for the surfaces
    drawn last: on the Gabor model the grid under it was a third of a compare view)."""
    return ColorLevels(landscape).image(*landscape.grid(BANDS_PX))


def _surface_grid(landscape, n: int = 48):
    """The 3D heights' scale, the mesh (x, y, heights) and the lift that keeps paths above it."""
    _, _, grid = landscape.grid(121)
    heights = LossScale.for_landscape(landscape, grid, SURFACE_LOG_DECADES)
    hgrid = heights(grid)
    hmin, hmax = float(np.nanmin(hgrid)), float(np.nanmax(hgrid))
    lift = 0.012 * (hmax - hmin if hmax > hmin else 1.0)
    sx, sy, sgrid = landscape.grid(n)
    return heights, (sx, sy, heights(sgrid)), lift


def surface_lift(landscape) -> dict:
    """How the browser lifts a path onto the 3D surface: height = max(scale(loss), the mesh
    under it) + lift; the mesh is the surface trace's z over ``n`` × ``n`` points of the
    bounds."""
    heights, (sx, _, _), lift = _surface_grid(landscape)
    return dict(log=heights.log, floor=heights.floor, eps=heights.eps, lift=lift, n=len(sx))


def surface_figure(landscape, optimizers: Sequence[str], start) -> go.Figure:
    """The 3D surface with its minima and the start; per optimizer an empty trail and head."""
    heights, mesh, lift = _surface_grid(landscape)
    fig = new_figure()
    fig.add_trace(_surface_trace(landscape, mesh))
    minima = minima_3d_trace(landscape, heights, mesh, lift)
    fig.add_traces([minima] if minima is not None else [])
    for t in fig.data[1:]:
        t.scene = "scene"
    fig.add_trace(_start_3d(landscape, start, heights, mesh, lift))
    for k, name in enumerate(optimizers):
        fig.add_traces(_run_3d_traces(k, name))
    # One assignment, not update_layout: plotly.py's update machinery was most of the build.
    fig.layout = dict(
        scene=_scene(landscape, heights, mesh[2], lift),
        font=FONT,
        height=PANEL_HEIGHT,
        margin=dict(l=0, r=0, t=0, b=0),
        showlegend=False,
        uirevision=f"surface:{landscape.name}",
    )
    return fig


def _surface_trace(landscape, mesh) -> go.Surface:
    """The mesh (x, y, heights), coloured by the loss at the contour's levels."""
    sx, sy, hz = mesh
    levels = ColorLevels(landscape)
    _, _, sgrid = landscape.grid(len(sx))
    return go.Surface(
        x=sx,
        y=sy,
        z=_f32(hz),
        surfacecolor=_f32(levels.scale(sgrid)),
        uid="surface",
        name="surface",
        colorscale=COLORSCALE,
        cmin=levels.zmin,
        cmax=levels.zmax,
        showscale=False,
        lighting=dict(ambient=0.75, diffuse=0.5, specular=0.05, roughness=0.9),
        contours=dict(z=dict(show=False)),
        hoverinfo="skip",
        showlegend=False,
    )


def _start_3d(landscape, start, heights, mesh, lift) -> go.Scatter3d:
    """The start, two lifts above the surface (or the mesh cell under it, if higher)."""
    sx, sy, hz = mesh
    sxy = np.asarray(start, dtype=float)
    top = _cell_max(sx, sy, hz, sxy[:1], sxy[1:])
    z0 = float(np.fmax(heights(landscape.loss(sxy[None, :]))[0], top[0]) + 2 * lift)
    return go.Scatter3d(
        x=[start[0]],
        y=[start[1]],
        z=[z0 if np.isfinite(z0) else None],
        uid="start3d",
        name="start",
        mode="markers",
        marker=dict(symbol="circle-open", size=7, color=style.START_MARKER["color"]),
        hoverinfo="skip",
    )


def _run_3d_traces(k: int, name: str) -> list[go.Scatter3d]:
    """Optimizer ``name``'s empty trail and head (the browser fills them by uid)."""
    color, label = style.color(name), style.label(name)
    return [
        go.Scatter3d(
            uid=f"trail3d-{k}",
            name=label,
            mode="lines",
            line=dict(color=color, width=6, dash=style.dash(name)),
            hoverinfo="skip",
        ),
        go.Scatter3d(
            uid=f"head3d-{k}",
            name=label,
            mode="markers",
            marker=dict(size=6, color=color, line=dict(color="#FFFFFF", width=1)),
            hovertemplate=f"<b>{label}</b><extra></extra>",
        ),
    ]


def _scene(landscape, heights, hz, lift) -> dict:
    """The 3D scene: the bounds, the heights' axis with room for the lifted paths, the camera."""
    (x0, x1), (y0, y1) = landscape.bounds
    hmin, hmax = float(np.nanmin(hz)), float(np.nanmax(hz))
    zbottom, ztop = hmin - 2 * lift, hmax + 4 * lift
    scene_axis = dict(showbackground=False, gridcolor="#DDDDDD", zerolinecolor="#BBBBBB")
    small = dict(tickfont=dict(size=11), title_font=dict(size=12))
    wx, wy = landscape.extent
    return dict(
        xaxis=dict(title=PHI0, range=[x0, x1], nticks=5, **scene_axis, **small),
        yaxis=dict(title=PHI1, range=[y0, y1], nticks=5, **scene_axis, **small),
        zaxis=dict(
            title=heights.title,
            range=[zbottom, ztop],
            nticks=4,
            tickformat=".3~g",
            **heights.ticks(zbottom, ztop),
            **scene_axis,
            **small,
        ),
        aspectmode="manual",
        aspectratio=dict(x=1.0, y=wy / wx, z=0.55),
        camera=dict(eye=dict(x=0.6, y=-1.1, z=1.6), center=dict(x=0, y=0, z=-0.15)),
        uirevision=f"race:{landscape.name}",
    )
