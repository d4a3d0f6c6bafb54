"""The one contour colour system: `LossScale` maps a loss to colour (linear, or log10 of the gap to
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
from figures.kit import PHI0, PHI1, decade, f32
from figures.png import png_data_uri

LOG_DECADES = 4.0  # a log colour scale resolves losses down to 1e-4 of the grid's range
# The 3D heights resolve fewer decades: the deep, narrow funnels of a log surface at its
# minima would hide the optimizers that reached them.
SURFACE_LOG_DECADES = 2.0
LEVELS_N = 121  # the grid (per side) on which a surface's colour levels are found
CONTOUR_LEVELS = 20
COLOR_TRIM = 0.3  # the darkest part of style.SURFACE_COLORSCALE that no contour uses


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
