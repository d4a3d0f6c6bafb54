"""What the figure modules share: float32 arrays for the JSON, colours with alpha, the φ axis
names, critical-point markers, arrows, and the one contour colour system.

The contour colour system: `LossScale` maps a loss to colour (linear, or log10 of the gap to
the lowest loss), `ColorLevels` cuts the scaled losses of a surface's grid into
`CONTOUR_LEVELS` equal bands, and every contour (a Plotly contour trace, the PNG images of
the race and the SGD lab, the static preview, the GIF export, the 3D surface) colours them with
`COLORSCALE`: the house scale without its darkest `COLOR_TRIM`, which would swallow the dark
markers drawn on top. The bands are drawn without lines between them, as images and as
traces alike.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.colors as pc
import plotly.graph_objects as go

from figures import style
from figures.png import png_data_uri

PHI0, PHI1 = "φ₀", "φ₁"
LOG_DECADES = 4.0  # a log colour scale resolves losses down to 1e-4 of the grid's range
# The 3D heights resolve fewer decades: the deep, narrow funnels of a log surface at its
# minima would hide the optimizers that reached them.
SURFACE_LOG_DECADES = 2.0
LEVELS_N = 121  # the grid (per side) on which a surface's colour levels are found
CONTOUR_LEVELS = 20
COLOR_TRIM = 0.3  # the darkest part of style.SURFACE_COLORSCALE that no contour uses
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


# ----- the contour colour system ----------------------------------------------------------


@dataclass(frozen=True)
class LossScale:
    """How losses map to colour (and to height on the 3D surface).

    Linear, or log10(loss - L* + eps) with L* the lowest loss on the plotted domain and eps
    ``10**-decades`` of the loss range, so the bottom of a valley does not run off to -inf.
    """

    log: bool
    floor: float = 0.0
    eps: float = 1.0

    @classmethod
    def for_landscape(
        cls, landscape, grid_losses: np.ndarray, decades: float = LOG_DECADES
    ) -> LossScale:
        if not landscape.log_contour:
            return cls(False)
        finite = grid_losses[np.isfinite(grid_losses)]
        floor = min([float(finite.min())] + [c.loss for c in landscape.critical_points])
        span = float(finite.max()) - floor
        eps = span * 10.0**-decades if span > 0 else 1.0
        return cls(True, floor, eps)

    def __call__(self, losses) -> np.ndarray:
        losses = np.asarray(losses, dtype=float)
        if not self.log:
            return losses
        with np.errstate(invalid="ignore"):
            return np.log10(np.maximum(losses - self.floor, 0.0) + self.eps)

    @property
    def title(self) -> str:
        if not self.log:
            return "loss"
        if abs(self.floor) <= self.eps:
            return "loss (log)"
        return "loss − L* (log)"

    def ticks(self, lo: float, hi: float) -> dict:
        """Axis/colorbar ticks on a log scale: where loss - L* is a whole decade, labelled
        with that value (not with the log), skipping decades squeezed together near eps."""
        if not self.log:
            return {}
        vals, text = [], []
        for k in range(int(np.ceil(np.log10(self.eps))), int(np.ceil(hi)) + 1):
            at = float(np.log10(10.0**k + self.eps))
            if lo <= at <= hi and (not vals or at - vals[-1] > 0.5):
                vals.append(at)
                text.append(decade(k))
        return dict(tickvals=vals, ticktext=text)


def _trimmed(colorscale: str, lo: float, hi: float, n: int = 11) -> list:
    stops = np.linspace(0.0, 1.0, n)
    colors = pc.sample_colorscale(colorscale, (lo + (hi - lo) * stops).tolist())
    return [[float(s), c] for s, c in zip(stops, colors, strict=True)]


# Every contour's colours; LIGHT_COLORSCALE is the pale grey variant for small plots whose
# coloured arrows must stand out (light cyan fades on the blue scale).
COLORSCALE = _trimmed(style.SURFACE_COLORSCALE, COLOR_TRIM, 1.0)
LIGHT_COLORSCALE = _trimmed("Greys", 0.45, 0.02)


def band_colors(n: int = CONTOUR_LEVELS) -> np.ndarray:
    """(n, 3) uint8: the fill colour of each band, darkest (lowest loss) first: COLORSCALE at
    the band's middle, as Plotly fills a contour's bands."""
    mids = (np.arange(n) + 0.5) / n
    rgb = pc.sample_colorscale(COLORSCALE, mids.tolist())
    return np.array([pc.unlabel_rgb(c) for c in rgb]).round().astype(np.uint8)


def band_index(fraction) -> np.ndarray:
    """The band (0 = lowest loss) of each `ColorLevels.fraction` value."""
    return np.clip(np.asarray(fraction) * CONTOUR_LEVELS, 0, CONTOUR_LEVELS - 1).astype(np.uint8)


class ColorLevels:
    """A surface's colour levels: the scaled losses of its grid from lowest to highest, cut
    into CONTOUR_LEVELS equal bands. Found on the landscape's own ``LEVELS_N`` grid, so every
    contour of one surface (any figure, any resolution) has the same levels."""

    def __init__(self, landscape, grid_losses=None):
        if grid_losses is None:
            _, _, grid_losses = landscape.grid(LEVELS_N)
        self.scale = LossScale.for_landscape(landscape, grid_losses)
        z = self.scale(grid_losses)
        finite = z[np.isfinite(z)]
        self.zmin, self.zmax = (float(finite.min()), float(finite.max())) if finite.size else (0, 1)
        if not self.zmax > self.zmin:
            self.zmax = self.zmin + 1.0
        self.size = (self.zmax - self.zmin) / CONTOUR_LEVELS

    def fraction(self, losses) -> np.ndarray:
        """Where each loss lies between the lowest and highest level, in [0, 1]; 1 where it
        is not finite."""
        t = (self.scale(losses) - self.zmin) / (self.zmax - self.zmin)
        return np.clip(np.nan_to_num(t, nan=1.0, posinf=1.0, neginf=0.0), 0.0, 1.0)

    def contour(
        self,
        xs,
        ys,
        losses,
        *,
        uid: str = "contour",
        colorbar: dict | None = None,
        light: bool = False,
        **trace,
    ) -> go.Contour:
        """The filled contour of ``losses`` (on the grid xs, ys) at these levels; ``light``:
        in LIGHT_COLORSCALE; ``trace`` overrides the trace's other properties."""
        return go.Contour(
            **{
                **dict(
                    x=f32(xs),
                    y=f32(ys),
                    z=f32(self.scale(losses)),
                    # On a log scale the colour is not the loss: carry the loss for the hover.
                    customdata=f32(losses) if self.scale.log else None,
                    uid=uid,
                    name=uid,
                    colorscale=LIGHT_COLORSCALE if light else COLORSCALE,
                    zmin=self.zmin,
                    zmax=self.zmax,
                    autocontour=False,
                    contours=dict(
                        start=self.zmin,
                        end=self.zmax,
                        size=self.size,
                        coloring="fill",
                        showlines=False,
                    ),
                    showscale=colorbar is not None,
                    colorbar=colorbar,
                    hovertemplate=(
                        f"{PHI0} %{{x:.3g}}, {PHI1} %{{y:.3g}}<br>loss "
                        + ("%{customdata:.4g}" if self.scale.log else "%{z:.4g}")
                        + "<extra></extra>"
                    ),
                    showlegend=False,
                ),
                **trace,
            }
        )

    def band_colors(self, losses) -> np.ndarray:
        """(..., 3) uint8 colours of ``losses`` as the filled contour draws them: one colour
        per band; white where the loss is not finite."""
        rgb = band_colors()[band_index(self.fraction(losses))]
        rgb[~np.isfinite(self.scale(losses))] = 255
        return rgb

    def png(self, losses) -> str:
        """`band_colors` of a grid of losses (loss[y, x]) as a PNG data URI, top row = max y."""
        return png_data_uri(self.band_colors(losses)[::-1])

    def image(self, xs, ys, losses) -> dict:
        """The filled contour of ``losses`` (on the grid xs, ys) as a layout image.

        An animation frame drawn with redraw=False replots each subplot with only the
        (scatter) traces it animates and drops every other trace type, a contour included;
        a layout image is not a trace and stays.
        """
        return dict(
            source=self.png(losses),
            xref="x",
            yref="y",
            x=float(xs[0]),
            y=float(ys[-1]),
            sizex=float(xs[-1] - xs[0]),
            sizey=float(ys[-1] - ys[0]),
            xanchor="left",
            yanchor="top",
            sizing="stretch",
            layer="below",
        )

    def colorbar_trace(self, colorbar: dict, xaxis: str = "x", yaxis: str = "y") -> go.Scatter:
        """An invisible trace that only shows the colour bar (for a contour drawn as image)."""
        return go.Scatter(
            x=[None],
            y=[None],
            uid="colorbar",
            name="colorbar",
            mode="markers",
            marker=dict(
                color=[self.zmin],
                colorscale=COLORSCALE,
                cmin=self.zmin,
                cmax=self.zmax,
                showscale=True,
                colorbar=colorbar,
            ),
            hoverinfo="skip",
            showlegend=False,
            xaxis=xaxis,
            yaxis=yaxis,
        )

    def colorbar(self, x: float | None = None, side: str = "right", **kw) -> dict:
        bar = dict(title=dict(text=self.scale.title, side=side), thickness=12, outlinewidth=0)
        if x is not None:
            bar.update(x=x, xanchor="left")
        return dict(bar, **self.scale.ticks(self.zmin, self.zmax), **kw)
