"""The race: optimizers animated side by side on a landscape's contour and its 3D surface.

Pure Plotly builders: they take a landscape and `RunView`s and return a `go.Figure`; the
animation frames update only the moving markers and their short tails, so the figure stays
small. `clicked_point` reads the start a user clicked on the invisible click grid.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import plotly.colors
import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

from figures import style
from figures.animation import pause_args, play_args, step_slider

CLICK_GRID_NAME = "click-grid"
# The uid prefixes of the traces that the animation frames update; every other trace is static.
MOVING_ROLES = ("tail2d", "head2d", "tail3d", "head3d")
BASE_FRAME_MS = 120  # one frame at speed 1x
SPEEDS = (0.5, 1.0, 2.0, 4.0)
LOG_DECADES = 4.0  # a log colour scale resolves losses down to 1e-4 of the grid's range
# The 3D heights resolve fewer decades: the deep, narrow funnels of a log surface at its
# minima would hide the optimizers that reached them.
SURFACE_LOG_DECADES = 2.0
CLICK_GRID_N = 40
CONTOUR_LEVELS = 20
PHI0, PHI1 = "φ₀", "φ₁"
# Pixels: the margins, and the rows below the plots (axis labels, slider, buttons).
MARGIN = dict(l=50, r=10, t=70, b=140)
SLIDER_TOP_PX = 50
SLIDER_PX = 52


@dataclass(frozen=True, eq=False)
class RunView:
    """One optimizer's run as the figures need it.

    ``points`` (T+1, 2) and ``losses`` (T+1,); ``diverged`` is the step at which the run
    diverged, or -1. The run module holds points and losses from that step on at their last
    good values, so ``points[diverged]`` is where a diverged run stopped.
    """

    name: str
    points: np.ndarray
    losses: np.ndarray
    diverged: int = -1
    label: str | None = None

    def __post_init__(self):
        points = np.asarray(self.points, dtype=float)
        losses = np.asarray(self.losses, dtype=float)
        if points.ndim != 2 or points.shape[1] != 2:
            raise ValueError(f"points must have shape (T+1, 2), got {points.shape}")
        if losses.shape != points.shape[:1]:
            raise ValueError(f"losses must have shape ({len(points)},), got {losses.shape}")
        object.__setattr__(self, "points", points)
        object.__setattr__(self, "losses", losses)
        object.__setattr__(self, "diverged", int(self.diverged))
        if self.label is None:
            object.__setattr__(self, "label", style.label(self.name))

    @classmethod
    def from_trajectory(cls, trajectory, *, label: str | None = None, index: int | None = None):
        """The view of an `optimizers.Trajectory`; ``index`` picks one run of a batched one."""
        points, losses, diverged = trajectory.points, trajectory.losses, trajectory.diverged
        if np.ndim(points) == 3:
            if index is None:
                raise ValueError("the trajectory holds several runs: pass index=")
            points, losses = points[:, index], losses[:, index]
            diverged = np.asarray(diverged)[index]
        return cls(trajectory.optimizer, points, losses, int(diverged), label)

    @property
    def steps(self) -> int:
        return len(self.points) - 1

    @property
    def is_diverged(self) -> bool:
        return self.diverged >= 0

    @property
    def end(self) -> int:
        """The number of good points: the path drawn is ``points[:end]``."""
        return max(1, self.diverged) if self.is_diverged else len(self.points)

    @property
    def legend_label(self) -> str:
        if self.is_diverged:
            return f"{self.label} (diverged at step {self.diverged})"
        return self.label


def frame_steps(steps: int, max_frames: int = 100) -> np.ndarray:
    """At most ``max_frames`` steps from 0 to ``steps``, evenly spaced, both ends included."""
    if max_frames < 1:
        raise ValueError(f"max_frames must be at least 1, got {max_frames}")
    n = min(max_frames, steps + 1)
    if n == 1:
        return np.array([steps])
    # The spacing is at least one step, so rounding never merges two frames.
    return np.round(np.linspace(0, steps, n)).astype(int)


# ----- colour transform -------------------------------------------------------------------


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
                text.append(_decade(k))
        return dict(tickvals=vals, ticktext=text)


def _decade(k: int) -> str:
    return f"{10.0**k:g}" if -3 <= k <= 3 else f"1e{k}"


# ----- small array helpers ----------------------------------------------------------------


def _f32(values) -> np.ndarray:
    """float32 for the figure JSON (Plotly writes arrays as base64: half of float64's size)."""
    values = np.asarray(values, dtype=float)
    with np.errstate(over="ignore", invalid="ignore"):
        out = values.astype(np.float32)
    out[~np.isfinite(out)] = np.nan
    return out


def _bilinear(xs, ys, z, px, py) -> np.ndarray:
    """z on the regular grid (xs, ys), z[y, x], interpolated at (px, py); NaN outside."""
    fx = np.interp(px, xs, np.arange(len(xs)), left=np.nan, right=np.nan)
    fy = np.interp(py, ys, np.arange(len(ys)), left=np.nan, right=np.nan)
    ok = np.isfinite(fx) & np.isfinite(fy)
    out = np.full(np.shape(px), np.nan)
    fx, fy = fx[ok], fy[ok]
    i = np.minimum(fx.astype(int), len(xs) - 2)
    j = np.minimum(fy.astype(int), len(ys) - 2)
    tx, ty = fx - i, fy - j
    out[ok] = (
        z[j, i] * (1 - tx) * (1 - ty)
        + z[j, i + 1] * tx * (1 - ty)
        + z[j + 1, i] * (1 - tx) * ty
        + z[j + 1, i + 1] * tx * ty
    )
    return out


def _cell_max(xs, ys, z, px, py) -> np.ndarray:
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


def _with_alpha(hex_color: str, alpha: float) -> str:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[k : k + 2], 16) for k in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def _lighten(hex_color: str, amount: float) -> str:
    """The colour mixed with white: an opaque stand-in for transparency, which WebGL lines
    blend unreliably."""
    h = hex_color.lstrip("#")
    r, g, b = (round(int(h[k : k + 2], 16) * (1 - amount) + 255 * amount) for k in (0, 2, 4))
    return f"#{r:02X}{g:02X}{b:02X}"


def _light_part(colorscale: str, skip: float, n: int = 11) -> list:
    """The colour scale without its darkest ``skip`` fraction (the dark end of a reversed
    sequential scale would swallow the dark optimizer colours)."""
    stops = np.linspace(0.0, 1.0, n)
    colors = plotly.colors.sample_colorscale(colorscale, skip + (1 - skip) * stops)
    return [[float(s), c] for s, c in zip(stops, colors, strict=True)]


def _group_keys(runs: Sequence[RunView]) -> list[str]:
    """Legend groups: the optimizer's name, numbered only when it races more than once."""
    names = [r.name for r in runs]
    return [n if names.count(n) == 1 else f"{n}-{i}" for i, n in enumerate(names)]


# ----- the race figure --------------------------------------------------------------------


@dataclass(frozen=True)
class _Lifted:
    """A run's points in both views: 2D coordinates and the 3D height drawn above the mesh."""

    run: RunView
    key: str
    color: str
    z3: np.ndarray  # (T+1,): height of the path in the 3D scene, NaN off the surface
    heads: np.ndarray  # (T+1, 2): where the marker is drawn at each step
    z3_head: np.ndarray  # (T+1,): height of the marker, clear of every facet around it

    @cached_property
    def short(self) -> tuple[_ShortRows, _ShortRows, _ShortRows]:
        """The path's x, y and 3D height as the frames write them, formatted on demand."""
        points = self.run.points
        return _ShortRows(points[:, 0]), _ShortRows(points[:, 1]), _ShortRows(self.z3)


def _stop_point(path: np.ndarray, bounds) -> np.ndarray:
    """Where a diverged run leaves the picture: its last point if that is inside the bounds,
    else the point where its path last crossed their edge."""
    (x0, x1), (y0, y1) = bounds
    lo, hi = np.array([x0, y0]), np.array([x1, y1])
    inside = np.all(np.isfinite(path) & (path >= lo) & (path <= hi), axis=1)
    if inside[-1]:
        return path[-1]
    before = np.flatnonzero(inside)
    if before.size == 0:
        return np.clip(path[-1], lo, hi)
    a = path[before[-1]]
    step = path[before[-1] + 1] - a
    with np.errstate(divide="ignore", invalid="ignore"):
        to_edge = np.where(step > 0, (hi - a) / step, np.where(step < 0, (lo - a) / step, 1.0))
    # Just inside the edge, so the marker is not cut in half by the plot's border.
    margin = 0.02 * (hi - lo)
    return np.clip(a + min(1.0, float(np.min(to_edge))) * step, lo + margin, hi - margin)


def _lift(run: RunView, key: str, scale: LossScale, surface, lift: float, bounds) -> _Lifted:
    """Heights for the 3D path: above the true surface and above the coarse mesh drawn for it,
    so a path along a narrow valley is not hidden under the mesh's facets."""
    xs, ys, zs = surface
    px, py = run.points[:, 0], run.points[:, 1]
    mesh = _bilinear(xs, ys, zs, px, py)
    z3 = np.fmax(scale(run.losses), mesh) + lift
    z3[~np.isfinite(mesh)] = np.nan
    heads = run.points.copy()
    if run.is_diverged:
        # Its "x" goes where it left the picture, so it is seen even when it flew far off.
        heads[run.diverged :] = _stop_point(run.points[: run.end], bounds)
    top = _cell_max(xs, ys, zs, heads[:, 0], heads[:, 1])
    z3_head = np.fmax(z3, top + lift) + lift
    return _Lifted(run, key, style.color(run.name), z3, heads, z3_head)


def _head_symbol(run: RunView, step: int, view: str = "2d") -> str:
    """An "x" once the run has diverged. In 3D Plotly draws symbols as text, and its "x" is
    the emoji U+274C, which many systems lack (or draw red): use its "+" there."""
    if run.is_diverged and step >= run.diverged:
        return "x" if view == "2d" else "cross"
    return "circle"


def _short(values) -> list:
    """A few numbers as a JSON list at 5 significant digits: for the frames' tiny arrays this
    is shorter than base64 and much quicker for Plotly to validate than NumPy arrays."""
    return [float(f"{v:.5g}") if np.isfinite(v) else None for v in np.ravel(values)]


class _ShortRows:
    """`_short` of a 1D array's entries, each formatted once: a point shows in up to
    ``tail`` frames, and formatting was most of the time spent building them."""

    def __init__(self, values: np.ndarray):
        self._values = np.asarray(values, dtype=float).tolist()
        self._short: list = [_UNSET] * len(self._values)

    def __call__(self, lo: int, hi: int) -> list:
        """The formatted entries lo..hi-1."""
        short, values = self._short, self._values
        for i in range(lo, hi):
            if short[i] is _UNSET:
                v = values[i]
                short[i] = float(f"{v:.5g}") if math.isfinite(v) else None
        return short[lo:hi]


_UNSET = object()


def _moving(lifted: _Lifted, step: int, tail: int) -> list[dict]:
    """What changes from frame to frame: tail 2D, head 2D, tail 3D, head 3D (as dicts)."""
    run = lifted.run
    lo = max(0, step - tail + 1)
    head = lifted.heads[step]
    xs, ys, zs = lifted.short
    tail_xy = dict(x=xs(lo, step + 1), y=ys(lo, step + 1))
    head_xy = dict(
        x=_short(head[:1]), y=_short(head[1:]), customdata=[_short([step, run.losses[step]])]
    )
    head_2d, head_3d = dict(head_xy), dict(head_xy, z=_short(lifted.z3_head[step : step + 1]))
    if run.is_diverged:
        # Only a diverged run's marker changes shape, so only its frames carry the symbol.
        head_2d["marker"] = dict(symbol=_head_symbol(run, step, "2d"))
        head_3d["marker"] = dict(symbol=_head_symbol(run, step, "3d"))
    return [
        dict(type="scattergl", **tail_xy),
        dict(type="scattergl", **head_2d),
        dict(type="scatter3d", **tail_xy, z=zs(lo, step + 1)),
        dict(type="scatter3d", **head_3d),
    ]


def _head_hover(run: RunView) -> str:
    diverged = f"<br>diverges at step {run.diverged}" if run.is_diverged else ""
    return (
        f"<b>{run.label}</b><br>step %{{customdata[0]}}<br>"
        f"{PHI0} %{{x:.4g}}, {PHI1} %{{y:.4g}}<br>loss %{{customdata[1]:.4g}}"
        f"{diverged}<extra></extra>"
    )


def _moving_traces(lifted: _Lifted, step: int, tail: int, size: float) -> list:
    """The moving traces with their full styling, showing ``step``; ``size`` of the marker."""
    run, key, color = lifted.run, lifted.key, lifted.color
    tail2d, head2d, tail3d, head3d = (
        {k: v for k, v in d.items() if k not in ("type", "marker")}
        for d in _moving(lifted, step, tail)
    )
    if run.is_diverged:
        size = max(size, 14.0)  # an "x" needs more room than a disc to read
    common = dict(legendgroup=key, name=run.legend_label)
    hover = _head_hover(run)
    head_marker = dict(size=size, color=color, line=dict(color="#FFFFFF", width=1))
    return [
        go.Scattergl(
            **tail2d,
            **common,
            uid=f"tail2d:{key}",
            mode="lines",
            line=dict(color=color, width=3.5),
            showlegend=False,
            hoverinfo="skip",
            xaxis="x",
            yaxis="y",
        ),
        go.Scattergl(
            **head2d,
            **common,
            uid=f"head2d:{key}",
            mode="markers",
            marker=dict(head_marker, symbol=_head_symbol(run, step, "2d")),
            selected=dict(marker=dict(opacity=1)),
            unselected=dict(marker=dict(opacity=1)),
            hovertemplate=hover,
            showlegend=True,
            xaxis="x",
            yaxis="y",
        ),
        go.Scatter3d(
            **tail3d,
            **common,
            uid=f"tail3d:{key}",
            mode="lines",
            line=dict(color=color, width=7),
            showlegend=False,
            hoverinfo="skip",
            scene="scene",
        ),
        go.Scatter3d(
            **head3d,
            **common,
            uid=f"head3d:{key}",
            mode="markers",
            marker=dict(
                size=7 + 0.25 * (size - 9), color=color, symbol=_head_symbol(run, step, "3d")
            ),
            hovertemplate=hover,
            showlegend=False,
            scene="scene",
        ),
    ]


def _static_path_traces(lifted: _Lifted) -> list:
    """The whole path, faint, on both views (up to the divergence step)."""
    run, key, color = lifted.run, lifted.key, lifted.color
    end = run.end
    pts = run.points[:end]
    faint = _with_alpha(color, 0.4)
    hover = (
        f"<b>{run.label}</b><br>step %{{pointNumber}}<br>"
        f"{PHI0} %{{x:.4g}}, {PHI1} %{{y:.4g}}<br>loss %{{customdata:.4g}}<extra></extra>"
    )
    return [
        go.Scatter(
            x=_f32(pts[:, 0]),
            y=_f32(pts[:, 1]),
            customdata=_f32(run.losses[:end]),
            uid=f"path2d:{key}",
            name=run.legend_label,
            legendgroup=key,
            showlegend=False,
            mode="lines",
            line=dict(color=faint, width=1.5),
            hovertemplate=hover,
            xaxis="x",
            yaxis="y",
        ),
        go.Scatter3d(
            x=_f32(pts[:, 0]),
            y=_f32(pts[:, 1]),
            z=_f32(lifted.z3[:end]),
            customdata=_f32(run.losses[:end]),
            uid=f"path3d:{key}",
            name=run.legend_label,
            legendgroup=key,
            showlegend=False,
            mode="lines",
            line=dict(color=_lighten(color, 0.55), width=3),
            hovertemplate=hover,
            scene="scene",
        ),
    ]


_KIND_NAMES = {"minimum": "minima", "saddle": "saddles", "maximum": "maxima"}
_KIND_SYMBOLS_3D = {"minimum": "diamond", "saddle": "x", "maximum": "square"}


def _critical_traces(landscape, scale: LossScale, surface, lift: float) -> list:
    traces = []
    by_kind: dict[str, list] = {}
    for c in landscape.critical_points:
        by_kind.setdefault(c.kind, []).append(c)
    for kind, found in by_kind.items():
        pts = np.array([c.point for c in found], dtype=float)
        losses = np.array([c.loss for c in found])
        marker = style.CRITICAL_MARKERS[kind]
        hover = (
            f"<b>{kind}</b><br>{PHI0} %{{x:.4g}}, {PHI1} %{{y:.4g}}"
            "<br>loss %{customdata:.4g}<extra></extra>"
        )
        common = dict(
            name=_KIND_NAMES[kind],
            legendgroup=f"critical:{kind}",
            customdata=losses,
            hovertemplate=hover,
        )
        traces.append(
            go.Scatter(
                x=pts[:, 0],
                y=pts[:, 1],
                **common,
                uid=f"critical2d-{kind}",  # no ":": Plotly's image export reads uids as CSS classes
                mode="markers",
                marker=marker,
                selected=dict(marker=dict(opacity=1)),
                unselected=dict(marker=dict(opacity=1)),
                showlegend=True,
                legendrank=1001,
                xaxis="x",
                yaxis="y",
            )
        )
        if kind == "minimum":
            xs, ys, zs = surface
            z = np.fmax(scale(losses), _cell_max(xs, ys, zs, pts[:, 0], pts[:, 1])) + lift
            traces.append(
                go.Scatter3d(
                    x=pts[:, 0],
                    y=pts[:, 1],
                    z=z,
                    **common,
                    uid=f"critical3d-{kind}",
                    mode="markers",
                    marker=dict(
                        symbol=_KIND_SYMBOLS_3D[kind],
                        size=6,
                        color=marker["color"],
                        line=dict(color=marker["line"]["color"], width=2),
                    ),
                    showlegend=False,
                    scene="scene",
                )
            )
    return traces


def _start_traces(lifted: Sequence[_Lifted]) -> list:
    starts = np.unique(np.round([lf.run.points[0] for lf in lifted], 12), axis=0)
    # One marker per distinct start; its 3D height is that of the first run from there.
    z = [next(lf.z3_head[0] for lf in lifted if np.allclose(lf.run.points[0], p)) for p in starts]
    hover = f"<b>start</b><br>{PHI0} %{{x:.4g}}, {PHI1} %{{y:.4g}}<extra></extra>"
    common = dict(name="start", legendgroup="start", hovertemplate=hover)
    return [
        go.Scatter(
            x=starts[:, 0],
            y=starts[:, 1],
            **common,
            uid="start2d",
            mode="markers",
            marker=style.START_MARKER,
            selected=dict(marker=dict(opacity=1)),
            unselected=dict(marker=dict(opacity=1)),
            showlegend=True,
            legendrank=1002,
            xaxis="x",
            yaxis="y",
        ),
        go.Scatter3d(
            x=starts[:, 0],
            y=starts[:, 1],
            z=z,
            **common,
            uid="start3d",
            mode="markers",
            marker=dict(symbol="circle-open", size=7, color=style.START_MARKER["color"]),
            showlegend=False,
            scene="scene",
        ),
    ]


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
        x=_f32(gx),
        y=_f32(gy),
        customdata=_f32(np.stack([gx, gy, loss], axis=-1)),
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


def _controls(names: list[str], plot_height: float) -> tuple[list, list]:
    """Play/Pause, a speed menu and the step slider, below the plots.

    Two rows (the slider across the full width, the buttons under it: Play and Pause on the
    left, speed on the right) so that nothing overlaps however narrow the figure gets. Paper
    coordinates are fractions of the plot height, so the pixel offsets are converted.
    """

    def below(px: float) -> float:
        return -px / plot_height

    def play(duration: float) -> list:
        # Naming every frame makes Play start from the first one even when the slider sits
        # at the last (the initial view).
        return play_args(names, duration, redraw=True, fromcurrent=False)

    buttons = dict(
        type="buttons",
        direction="left",
        showactive=False,
        x=0.0,
        xanchor="left",
        y=below(SLIDER_TOP_PX + SLIDER_PX),
        yanchor="top",
        pad=dict(t=0, r=6),
        buttons=[
            dict(label="▶ Play", method="animate", args=play(BASE_FRAME_MS)),
            dict(label="❚❚ Pause", method="animate", args=pause_args()),
        ],
    )
    speed = dict(
        type="dropdown",
        direction="up",
        showactive=True,
        active=SPEEDS.index(1.0),
        x=1.0,
        xanchor="right",
        y=below(SLIDER_TOP_PX + SLIDER_PX),
        yanchor="top",
        pad=dict(t=0),
        buttons=[
            dict(
                label=f"Speed {s:g}×",
                method="animate",
                args=play(round(BASE_FRAME_MS / s)),
            )
            for s in SPEEDS
        ],
    )
    slider = step_slider(
        names,
        redraw=True,
        active=len(names) - 1,
        x=0.0,
        len=1.0,
        xanchor="left",
        y=below(SLIDER_TOP_PX),
        yanchor="top",
        pad=dict(t=0, b=0, l=0, r=0),
        currentvalue=dict(prefix="step ", xanchor="left", font=dict(size=13, color="#333333")),
    )
    return [buttons, speed], [slider]


def race_figure(landscape, runs: Sequence[RunView], **options) -> go.Figure:
    """Optimizers racing on ``landscape``: contour (left) and 3D surface (right), animated.

    Static traces draw each run's full path faintly, the landscape's critical points and the
    start; the moving traces (a marker and the last ``tail`` points per run and view) are the
    only ones the frames update. The figure opens on the last step, so a still image shows
    where every optimizer got to; Play runs from step 0. Frames sample at most
    ``max_frames`` steps evenly from 0 to T, T included. Options: ``contour_n``,
    ``surface_n``, ``max_frames``, ``tail``, ``height``.
    """
    fig, frames, controls = _race_parts(landscape, runs, **options)
    if frames:
        fig.frames = frames
        fig.update_layout(controls)
    return fig


def race_figure_json(landscape, runs: Sequence[RunView], **options) -> str:
    """`race_figure` as Plotly JSON, built about three times faster.

    The frames and the animation controls are complete dicts already; plotly.py's validation
    of them was three quarters of the build time, and only the rest goes through it here.
    """
    fig, frames, controls = _race_parts(landscape, runs, **options)
    spec = fig.to_dict()  # NumPy arrays become base64 typed arrays, as in race_figure's JSON
    if frames:
        spec["frames"] = frames
        spec["layout"].update(controls)
    return pio.to_json(spec, validate=False)


def _race_parts(
    landscape,
    runs: Sequence[RunView],
    *,
    contour_n: int = 121,
    surface_n: int = 60,
    max_frames: int = 100,
    tail: int = 8,
    height: int = 620,
) -> tuple[go.Figure, list[dict], dict]:
    """The race figure without its animation; the frames, and the layout's controls (play,
    pause, speed and the step slider), as plain dicts."""
    runs = list(runs)
    steps = {r.steps for r in runs}
    if len(steps) > 1:
        raise ValueError(f"all runs must have the same number of steps, got {sorted(steps)}")
    if tail < 1:
        raise ValueError(f"tail must be at least 1, got {tail}")

    xs, ys, grid = landscape.grid(contour_n)
    scale = LossScale.for_landscape(landscape, grid)  # colour, both views
    zc = scale(grid)
    zmin, zmax = float(np.nanmin(zc)), float(np.nanmax(zc))
    heights = LossScale.for_landscape(landscape, grid, SURFACE_LOG_DECADES)  # 3D height
    hgrid = heights(grid)
    hmin, hmax = float(np.nanmin(hgrid)), float(np.nanmax(hgrid))
    lift = 0.012 * (hmax - hmin if hmax > hmin else 1.0)
    sx, sy, sgrid = landscape.grid(surface_n)
    surface = (sx, sy, heights(sgrid))
    keys = _group_keys(runs)
    lifted = [
        _lift(r, k, heights, surface, lift, landscape.bounds)
        for r, k in zip(runs, keys, strict=True)
    ]

    (x0, x1), (y0, y1) = landscape.bounds
    fig = make_subplots(
        rows=1,
        cols=2,
        specs=[[{"type": "xy"}, {"type": "scene"}]],
        column_widths=[0.5, 0.5],
        horizontal_spacing=0.09,
        subplot_titles=("Contour", "Surface"),
    )

    colorscale = _light_part(style.SURFACE_COLORSCALE, 0.3)
    ticks = scale.ticks(zmin, zmax)
    colorbar = dict(
        title=dict(text=scale.title, side="top"),
        x=0.455,
        xanchor="left",
        y=0.5,
        len=0.85,
        thickness=12,
        outlinewidth=0,
        **ticks,
    )
    fig.add_trace(
        go.Contour(
            x=xs,
            y=ys,
            z=_f32(zc),
            uid="contour",
            name="contour",
            colorscale=colorscale,
            zmin=zmin,
            zmax=zmax,
            # Filled bands rather than a smooth heatmap: each frame redraws the contour, and
            # bands draw faster (and read as levels). Explicit levels: Plotly's "nice" ones
            # leave only a handful of bands over a log range.
            autocontour=False,
            contours=dict(
                coloring="fill",
                showlines=True,
                start=zmin + (zmax - zmin) / CONTOUR_LEVELS,
                end=zmax,
                size=(zmax - zmin) / CONTOUR_LEVELS if zmax > zmin else 1.0,
            ),
            line=dict(color="rgba(255,255,255,0.45)", width=0.5),
            colorbar=colorbar,
            hoverinfo="skip",
            showlegend=False,
        ),
        row=1,
        col=1,
    )
    fig.add_trace(click_grid(landscape), row=1, col=1)
    fig.add_trace(
        go.Surface(
            x=sx,
            y=sy,
            z=_f32(surface[2]),
            surfacecolor=_f32(scale(sgrid)),
            customdata=_f32(sgrid),
            uid="surface",
            name="surface",
            colorscale=colorscale,
            cmin=zmin,
            cmax=zmax,
            showscale=False,
            opacity=1.0,
            lighting=dict(ambient=0.75, diffuse=0.5, specular=0.05, roughness=0.9),
            contours=dict(z=dict(show=False)),
            hovertemplate=(
                f"{PHI0} %{{x:.3g}}, {PHI1} %{{y:.3g}}<br>loss %{{customdata:.4g}}<extra></extra>"
            ),
            showlegend=False,
        ),
        row=1,
        col=2,
    )

    for lf in lifted:
        fig.add_traces(_static_path_traces(lf))
    fig.add_traces(_critical_traces(landscape, heights, surface, lift))
    if lifted:
        fig.add_traces(_start_traces(lifted))

    T = runs[0].steps if runs else 0
    shown = frame_steps(T, max_frames)
    moving_start = len(fig.data)
    # Runs that end together would hide each other: earlier markers are drawn larger, so a
    # stack of them shows as concentric rings.
    for i, lf in enumerate(lifted):
        size = 9 + min(4.5, 24 / max(1, len(lifted) - 1)) * (len(lifted) - 1 - i)
        fig.add_traces(_moving_traces(lf, T, tail, size))
    moving = list(range(moving_start, len(fig.data)))

    frames, controls = [], {}
    if lifted:
        for s in shown:
            data = [d for lf in lifted for d in _moving(lf, int(s), tail)]
            frames.append(dict(name=str(s), data=data, traces=moving))
        plot_height = height - MARGIN["t"] - MARGIN["b"]
        menus, sliders = _controls([str(s) for s in shown], plot_height)
        controls = dict(updatemenus=menus, sliders=sliders)

    axis = dict(showgrid=False, zeroline=False, ticks="outside", ticklen=4, mirror=True)
    fig.update_xaxes(
        title_text=PHI0, range=[x0, x1], constrain="domain", constraintoward="right", **axis
    )
    fig.update_yaxes(
        title_text=PHI1,
        range=[y0, y1],
        scaleanchor="x",
        scaleratio=1,
        constrain="domain",
        **axis,
    )
    wx, wy = landscape.extent
    ztop = hmax + 3 * lift
    zbottom = hmin - 2 * lift
    scene_axis = dict(showbackground=False, gridcolor="#DDDDDD", zerolinecolor="#BBBBBB")
    fig.update_scenes(
        xaxis=dict(title=PHI0, range=[x0, x1], **scene_axis),
        yaxis=dict(title=PHI1, range=[y0, y1], **scene_axis),
        zaxis=dict(
            title=heights.title,
            range=[zbottom, ztop],
            **heights.ticks(zbottom, ztop),
            **scene_axis,
        ),
        aspectmode="manual",
        aspectratio=dict(x=1.0, y=wy / wx, z=0.55),
        camera=dict(eye=dict(x=0.6, y=-1.1, z=1.6), center=dict(x=0, y=0, z=-0.15)),
        uirevision=f"race:{landscape.name}",
    )
    fig.update_layout(
        template="plotly_white",
        font=dict(family=style.FONT_FAMILY, size=13),
        height=height,
        margin=MARGIN,
        legend=dict(
            orientation="h",
            x=0.0,
            xanchor="left",
            y=1.08,
            yanchor="bottom",
            itemsizing="constant",
            itemclick="toggle",
            itemdoubleclick="toggleothers",
        ),
        hovermode="closest",
        uirevision=f"race:{landscape.name}:{landscape.bounds}",
    )
    return fig, frames, controls


# ----- reading a click --------------------------------------------------------------------


def click_grid_index(fig: go.Figure) -> int | None:
    """The curve number of the click grid in ``fig``, or None."""
    for i, trace in enumerate(fig.data):
        if getattr(trace, "name", None) == CLICK_GRID_NAME:
            return i
    return None


def _number(value) -> float | None:
    """A finite float at 6 significant digits (the figure stores float32), or None."""
    if isinstance(value, bool):
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return float(f"{out:.6g}") if np.isfinite(out) else None


def clicked_point(selection_event, curve_number: int | None = None) -> tuple[float, float] | None:
    """The (phi0, phi1) a user clicked, from ``st.plotly_chart(on_select=...)``'s event.

    Reads ``event["selection"]["points"]``; with ``curve_number`` (see `click_grid_index`)
    only points of that trace count. Prefers the point's customdata (the click grid carries
    its exact coordinates there), then its x and y. None for anything malformed or empty.
    """
    if not isinstance(selection_event, Mapping):
        return None
    selection = selection_event.get("selection")
    if not isinstance(selection, Mapping):
        return None
    points = selection.get("points")
    if not isinstance(points, Sequence) or isinstance(points, str):
        return None
    for point in points:
        if not isinstance(point, Mapping):
            continue
        if curve_number is not None and point.get("curve_number") != curve_number:
            continue
        custom = point.get("customdata")
        if isinstance(custom, Sequence) and not isinstance(custom, str) and len(custom) >= 2:
            x, y = _number(custom[0]), _number(custom[1])
            if x is not None and y is not None:
                return x, y
        x, y = _number(point.get("x")), _number(point.get("y"))
        if x is not None and y is not None:
            return x, y
    return None


# ----- loss against step ------------------------------------------------------------------


def loss_figure(
    runs: Sequence[RunView],
    *,
    log_y: bool = True,
    height: int = 320,
    loss_floor: float | None = None,
) -> go.Figure:
    """Loss against step for every run, in the optimizers' colours.

    On a log axis a loss that is not positive cannot be drawn: then every curve shows
    loss − L* (plus a hair, so the best point stays on the axis), with L* the lowest loss
    drawn, or ``loss_floor`` (e.g. the landscape's global minimum) when it is lower. A
    diverged run ends at its divergence step with an "x".
    """
    runs = list(runs)
    keys = _group_keys(runs)
    drawn = [r.losses[: r.end] for r in runs]
    finite = np.concatenate([d[np.isfinite(d)] for d in drawn]) if runs else np.array([])
    shift = 0.0
    title = "loss"
    if log_y and finite.size and finite.min() <= 0:
        best = float(finite.min())
        if loss_floor is not None:
            best = min(best, float(loss_floor))
        span = float(finite.max()) - best
        hair = span * 1e-6 if span > 0 else 1e-12
        shift = hair - best
        title = "loss − L* (log)"
    elif log_y:
        title = "loss (log)"

    fig = go.Figure()
    for run, key, losses in zip(runs, keys, drawn, strict=True):
        color = style.color(run.name)
        y = losses + shift
        fig.add_trace(
            go.Scatter(
                x=np.arange(len(losses)),
                y=y,
                customdata=losses,
                uid=f"loss:{key}",
                name=run.legend_label,
                legendgroup=key,
                mode="lines",
                line=dict(color=color, width=2),
                hovertemplate=(
                    f"<b>{run.label}</b><br>step %{{x}}<br>loss %{{customdata:.4g}}<extra></extra>"
                ),
            )
        )
        if run.is_diverged:
            fig.add_trace(
                go.Scatter(
                    x=[run.diverged],
                    y=[y[-1]],
                    uid=f"loss-diverged:{key}",
                    name=run.legend_label,
                    legendgroup=key,
                    showlegend=False,
                    mode="markers",
                    marker=dict(symbol="x", size=11, color=color, line=dict(width=1)),
                    hovertemplate=(
                        f"<b>{run.label}</b><br>diverged at step {run.diverged}<extra></extra>"
                    ),
                )
            )
    fig.update_xaxes(title_text="step", showgrid=True, zeroline=False)
    fig.update_yaxes(
        title_text=title, type="log" if log_y else "linear", showgrid=True, exponentformat="power"
    )
    shown = finite + shift
    shown = shown[shown > 0]
    if log_y and shown.size and np.log10(shown.max() / shown.min()) < 2.5:
        # Over a few decades Plotly labels every digit, in two sizes; 1-2-5 reads better.
        lo, hi = np.floor(np.log10(shown.min())), np.ceil(np.log10(shown.max()))
        ticks = [m * 10.0**k for k in np.arange(lo, hi + 1) for m in (1, 2, 5)]
        ticks = [t for t in ticks if shown.min() / 1.5 <= t <= shown.max() * 1.5]
        text = [f"{t:g}" if 1e-3 <= t < 1e4 else f"{t:.0e}" for t in ticks]
        fig.update_yaxes(tickvals=ticks, ticktext=text)
    fig.update_layout(
        template="plotly_white",
        font=dict(family=style.FONT_FAMILY, size=13),
        height=height,
        margin=dict(l=60, r=10, t=40, b=45),
        legend=dict(orientation="h", x=0.0, xanchor="left", y=1.02, yanchor="bottom"),
        hovermode="x unified",
    )
    return fig
