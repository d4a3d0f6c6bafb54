"""Helpers shared by the figure modules: float32 arrays for the JSON, colours with alpha,
the φ axis names, critical-point markers and the contour colour levels."""

from __future__ import annotations

import numpy as np
import plotly.colors as pc
import plotly.graph_objects as go

from figures import style
from figures.png import png_data_uri
from figures.race import LossScale

PHI0, PHI1 = "φ₀", "φ₁"
N_LEVELS = 24


def f32(values) -> np.ndarray:
    """float32 for the figure JSON (written as base64, half the size of float64)."""
    values = np.asarray(values, dtype=float)
    with np.errstate(over="ignore", invalid="ignore"):
        out = values.astype(np.float32)
    out[~np.isfinite(out)] = np.nan
    return out


def rgba(hex_color: str, alpha: float) -> str:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[k : k + 2], 16) for k in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


class ColorLevels:
    """One colour scale and one set of contour levels, shared by every contour of a figure."""

    def __init__(self, landscape, grid_losses):
        self.scale = LossScale.for_landscape(landscape, grid_losses)
        z = self.scale(grid_losses)
        self.zmin, self.zmax = float(np.nanmin(z)), float(np.nanmax(z))
        if not self.zmax > self.zmin:
            self.zmax = self.zmin + 1.0
        span = self.zmax - self.zmin
        # The darkest blue would swallow the dark trajectory colours: start part way in.
        self.cmin = self.zmin - 0.3 * span
        self.size = span / N_LEVELS

    def contour(self, xs, ys, losses, *, uid: str, colorbar: dict | None = None) -> go.Contour:
        return go.Contour(
            x=f32(xs),
            y=f32(ys),
            z=f32(self.scale(losses)),
            # On a log scale the colour is not the loss: carry the loss for the hover.
            customdata=f32(losses) if self.scale.log else None,
            uid=uid,
            name=uid,
            colorscale=style.SURFACE_COLORSCALE,
            zmin=self.cmin,
            zmax=self.zmax,
            autocontour=False,
            contours=dict(
                start=self.zmin, end=self.zmax, size=self.size, coloring="heatmap", showlines=True
            ),
            line=dict(color="rgba(255,255,255,0.55)", width=0.6),
            showscale=colorbar is not None,
            colorbar=colorbar,
            hovertemplate=(
                f"{PHI0} %{{x:.3g}}, {PHI1} %{{y:.3g}}<br>loss "
                + ("%{customdata:.4g}" if self.scale.log else "%{z:.4g}")
                + "<extra></extra>"
            ),
            showlegend=False,
        )

    def band_colors(self, losses) -> np.ndarray:
        """(..., 3) uint8 colours of ``losses`` as a filled contour draws them: one colour per
        band between levels, and a pale line where the band changes."""
        z = self.scale(losses)
        band = np.clip(np.floor((z - self.zmin) / self.size), 0, N_LEVELS - 1)
        band = np.where(np.isfinite(z), band, 0).astype(int)
        centres = self.zmin + (np.arange(N_LEVELS) + 0.5) * self.size
        where = (centres - self.cmin) / (self.zmax - self.cmin)
        table = np.array(
            [
                [int(c) for c in rgb[4:-1].split(",")]
                for rgb in pc.sample_colorscale(style.SURFACE_COLORSCALE, list(where))
            ],
            dtype=float,
        )
        rgb = table[band]
        edge = np.zeros(band.shape, dtype=bool)
        edge[:, 1:] |= band[:, 1:] != band[:, :-1]
        edge[1:, :] |= band[1:, :] != band[:-1, :]
        rgb[edge] = 0.55 * rgb[edge] + 0.45 * 255.0
        rgb[~np.isfinite(z)] = 255.0
        return np.round(rgb).astype(np.uint8)

    def image(self, xs, ys, losses) -> dict:
        """The filled contour of ``losses`` (on the grid xs, ys) as a layout image.

        An animation frame drawn with redraw=False replots each subplot with only the
        (scatter) traces it animates and drops every other trace type, a contour included;
        a layout image is not a trace and stays.
        """
        rgb = self.band_colors(losses)[::-1]  # the image's first row is the top (largest y)
        return dict(
            source=png_data_uri(rgb),
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
                colorscale=style.SURFACE_COLORSCALE,
                cmin=self.cmin,
                cmax=self.zmax,
                showscale=True,
                colorbar=colorbar,
            ),
            hoverinfo="skip",
            showlegend=False,
            xaxis=xaxis,
            yaxis=yaxis,
        )

    def colorbar(self, x: float, side: str = "right", **kw) -> dict:
        return dict(
            title=dict(text=self.scale.title, side=side),
            x=x,
            xanchor="left",
            thickness=12,
            outlinewidth=0,
            **self.scale.ticks(self.zmin, self.zmax),
            **kw,
        )


def critical_traces(landscape, xaxis="x", yaxis="y", showlegend=True) -> list:
    traces = []
    names = {"minimum": "minima", "saddle": "saddles", "maximum": "maxima"}
    for kind in ("minimum", "saddle"):
        found = [c for c in landscape.critical_points if c.kind == kind]
        if not found:
            continue
        pts = np.array([c.point for c in found])
        traces.append(
            go.Scatter(
                x=pts[:, 0],
                y=pts[:, 1],
                customdata=[c.loss for c in found],
                uid=f"critical:{kind}:{xaxis}",
                name=names[kind],
                legendrank=4 if kind == "minimum" else 5,
                legendgroup=f"critical:{kind}",
                mode="markers",
                marker=style.CRITICAL_MARKERS[kind],
                hovertemplate=(
                    f"<b>{kind}</b><br>{PHI0} %{{x:.4g}}, {PHI1} %{{y:.4g}}"
                    "<br>loss %{customdata:.4g}<extra></extra>"
                ),
                showlegend=showlegend,
                xaxis=xaxis,
                yaxis=yaxis,
            )
        )
    return traces
