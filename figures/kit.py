"""What the figure modules share: float32 arrays for the JSON, colours with alpha and dashes,
the φ axes, critical-point markers, arrows and the click grid (the one contour colour system
is figures/levels.py)."""

from __future__ import annotations

import os

import numpy as np
import plotly.graph_objects as go

from figures import style

# Plotly validates a trace when it is built (go.Scatter(...)), again when a figure takes it,
# and every layout property set. Our figures are validated in full in the test suite
# (tests/conftest.py sets DESCENT_VALIDATE_FIGURES=1: every figure any test builds); the
# server skips the second pass, about a tenth of a view's CPU, and tests/test_figure_cache.py
# checks that the JSON is the same either way.
VALIDATE = os.environ.get("DESCENT_VALIDATE_FIGURES") == "1"


def new_figure(data=None, layout=None) -> go.Figure:
    """``go.Figure(data, layout)``, validated only where ``VALIDATE`` is set (see above)."""
    return go.Figure(data=data, layout=layout, _validate=VALIDATE)


PHI0, PHI1 = "φ₀", "φ₁"
CLICK_GRID_NAME = "click-grid"
CLICK_GRID_N = 40
KIND_NAMES = {"minimum": "minima", "saddle": "saddles", "maximum": "maxima"}


# ----- small helpers ----------------------------------------------------------------------


def f32(values) -> np.ndarray:
    """float32 for the figure JSON (Plotly writes arrays as base64: half of float64's size);
    what is not finite becomes NaN."""
    values = np.asarray(values, dtype=float)
    with np.errstate(over="ignore", invalid="ignore"):
        out = values.astype(np.float32)
    out[~np.isfinite(out)] = np.nan
    return out


def rgba(hex_color: str, alpha: float) -> str:
    """ "#RRGGBB" with an alpha, as a CSS rgba() string."""
    h = hex_color.lstrip("#")
    r, g, b = (int(h[k : k + 2], 16) for k in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def decade(k: int) -> str:
    """The label of 10**k on a log axis: 0.001 to 1000 written out, else 1e-5."""
    return f"{10.0**k:g}" if -3 <= k <= 3 else f"1e{k}"


def dash_array(dash: str, width: float) -> str:
    """A Plotly line dash as an SVG stroke-dasharray, the way plotly.js draws it for a line of
    this width (ui/race_chart.js draws the race's trails the same way)."""
    w = max(width, 3)
    parts = {
        "dot": (w, w),
        "dash": (3 * w, 3 * w),
        "longdash": (5 * w, 5 * w),
        "dashdot": (3 * w, w, w, w),
        "longdashdot": (5 * w, 2 * w, w, 2 * w),
    }.get(dash)
    return ",".join(f"{p:g}" for p in parts) if parts else "none"


def cell_max(xs, ys, z, px, py) -> np.ndarray:
    """The highest of the four grid corners around each point: no triangulation of the mesh
    rises above it, so a marker there is never inside the drawn surface. NaN outside."""
    fx = np.interp(px, xs, np.arange(len(xs)), left=np.nan, right=np.nan)
    fy = np.interp(py, ys, np.arange(len(ys)), left=np.nan, right=np.nan)
    ok = np.isfinite(fx) & np.isfinite(fy)
    out = np.full(np.shape(px), np.nan)
    i = np.minimum(fx[ok].astype(int), len(xs) - 2)
    j = np.minimum(fy[ok].astype(int), len(ys) - 2)
    out[ok] = np.max([z[j, i], z[j, i + 1], z[j + 1, i], z[j + 1, i + 1]], axis=0)
    return out


def arrow(start, end, color: str, *, width: float = 2.5, xref="x", yref="y", **kw) -> dict:
    """An annotation arrow from ``start`` to ``end`` in data coordinates."""
    # Plotly scales the head with the line width: keep heads of wide arrows moderate.
    head = 1.2 if width <= 3 else 3.6 / width
    return dict(
        x=float(end[0]),
        y=float(end[1]),
        ax=float(start[0]),
        ay=float(start[1]),
        xref=xref,
        yref=yref,
        axref=xref,
        ayref=yref,
        showarrow=True,
        arrowhead=2,
        arrowsize=head,
        arrowwidth=width,
        arrowcolor=color,
        text="",
        standoff=0,
        startstandoff=0,
        **kw,
    )


def phi_axes(fig: go.Figure, bounds, *, row=None, col=None, anchor: str = "x") -> None:
    """φ₀ and φ₁ axes over ``bounds``, at equal scale (``anchor``: the x axis the y axis
    keeps its scale to), ticks outside and a frame."""
    (x0, x1), (y0, y1) = bounds
    axis = dict(showgrid=False, zeroline=False, ticks="outside", ticklen=4, mirror=True)
    where = dict(row=row, col=col)
    fig.update_xaxes(title_text=PHI0, range=[x0, x1], constrain="domain", **where, **axis)
    fig.update_yaxes(
        title_text=PHI1,
        range=[y0, y1],
        scaleanchor=anchor,
        scaleratio=1,
        constrain="domain",
        **where,
        **axis,
    )


def critical_traces(
    points, *, legend: bool = True, enlarge: int = 0, eigenvalues: bool = False, **trace
) -> list[go.Scatter]:
    """One marker trace per kind of critical point (uid ``critical2d-<kind>``), hover with the
    loss (and the Hessian's eigenvalues if asked); ``trace`` adds to each (axes, legendrank)."""
    traces = []
    for kind, marker in style.CRITICAL_MARKERS.items():
        chosen = [c for c in points if c.kind == kind]
        if not chosen:
            continue
        xy = np.array([c.point for c in chosen], dtype=float)
        extra = "<br>eigenvalues %{customdata[1]:.3g}, %{customdata[2]:.3g}" if eigenvalues else ""
        data = [[c.loss, *c.eigenvalues] if eigenvalues else [c.loss] for c in chosen]
        traces.append(
            go.Scatter(
                x=xy[:, 0],
                y=xy[:, 1],
                customdata=np.array(data, dtype=float),
                uid=f"critical2d-{kind}",  # no ":": Plotly's image export reads uids as CSS
                name=KIND_NAMES[kind],
                legendgroup=f"critical:{kind}",
                mode="markers",
                marker=dict(marker, size=marker["size"] + enlarge),
                selected=dict(marker=dict(opacity=1)),
                unselected=dict(marker=dict(opacity=1)),
                hovertemplate=(
                    f"<b>{kind}</b><br>{PHI0} %{{x:.4g}}, {PHI1} %{{y:.4g}}"
                    f"<br>loss %{{customdata[0]:.4g}}{extra}<extra></extra>"
                ),
                showlegend=legend,
                **trace,
            )
        )
    return traces


def click_grid(
    landscape,
    n: int = CLICK_GRID_N,
    *,
    webgl: bool = True,
    rounded: bool = True,
    size: int = 10,
    hint: str = "click to start here",
):
    """Invisible, selectable points over a contour: Plotly cannot select points on contour
    traces, so a click lands on one of these and its customdata says where (and the loss).

    ``webgl``: every animation frame of the race redraws the whole figure, and as 1600 SVG
    markers the grid made each redraw about a third slower. ``rounded``: round to about a
    tenth of the spacing, so a clicked start reads 2.44, not 2.4358974.
    """
    (x0, x1), (y0, y1) = landscape.bounds
    gx, gy = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    if rounded:
        decimals = max(0, 1 - int(np.floor(np.log10(min(landscape.extent) / (n - 1)))))
        gx, gy = np.round(gx, decimals), np.round(gy, decimals)
    gx, gy = gx.ravel(), gy.ravel()
    loss = landscape.loss(np.stack([gx, gy], axis=-1))
    # A transparent colour with full opacity: hover, and so click-to-select, still work
    # (opacity 0 would stop them; checked with on_select="rerun", selection_mode="points").
    invisible = dict(color="rgba(0,0,0,0)", opacity=1)
    trace = go.Scattergl if webgl else go.Scatter
    return trace(
        x=f32(gx),
        y=f32(gy),
        customdata=f32(np.stack([gx, gy, loss], axis=-1)),
        uid=CLICK_GRID_NAME,
        name=CLICK_GRID_NAME,
        mode="markers",
        marker=dict(size=size, **invisible),
        selected=dict(marker=invisible),
        unselected=dict(marker=invisible),
        hovertemplate=(
            f"{PHI0} %{{customdata[0]:.3g}}, {PHI1} %{{customdata[1]:.3g}}"
            f"<br>loss %{{customdata[2]:.4g}}<br><i>{hint}</i><extra></extra>"
        ),
        showlegend=False,
        xaxis="x",
        yaxis="y",
    )


def minima_3d_trace(landscape, heights, surface, lift: float) -> go.Scatter3d | None:
    """The minima on the 3D surface (uid ``critical3d-minimum``): at their height on the
    ``heights`` scale, and above the drawn mesh ``surface`` = (xs, ys, z), lifted by ``lift``."""
    found = [c for c in landscape.critical_points if c.kind == "minimum"]
    if not found:
        return None
    pts = np.array([c.point for c in found], dtype=float)
    losses = np.array([c.loss for c in found])
    xs, ys, zs = surface
    z = np.fmax(heights(losses), cell_max(xs, ys, zs, pts[:, 0], pts[:, 1])) + lift
    marker = style.CRITICAL_MARKERS["minimum"]
    return go.Scatter3d(
        x=pts[:, 0],
        y=pts[:, 1],
        z=z,
        customdata=losses,
        uid="critical3d-minimum",
        name=KIND_NAMES["minimum"],
        legendgroup="critical:minimum",
        mode="markers",
        marker=dict(
            symbol="diamond",
            size=6,
            color=marker["color"],
            line=dict(color=marker["line"]["color"], width=2),
        ),
        hovertemplate=(
            f"<b>minimum</b><br>{PHI0} %{{x:.4g}}, {PHI1} %{{y:.4g}}"
            "<br>loss %{customdata:.4g}<extra></extra>"
        ),
        showlegend=False,
        scene="scene",
    )
