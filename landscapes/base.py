"""The finite-sum landscape: L(phi) = sum_i l_i(phi) over N examples, phi = (phi0, phi1).

Every landscape broadcasts over points of shape (..., 2): one point, an (H, W, 2) plotting
grid and (R, 2) runs all go through the same code. Gradients are analytic.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from landscapes.critical import CriticalPoint, find_critical_points
from landscapes.presets import Preset

Bounds = tuple[tuple[float, float], tuple[float, float]]
Segment = tuple[tuple[float, float], tuple[float, float]]  # points A and B

# A surface with more critical points than this (Rastrigin's egg-box, the Gabor model) marks
# only its global minima and those within NEAR (of its larger side) of the paths on show.
CROWDED = 12
NEAR = 0.1


def pair(x, y) -> np.ndarray:
    """Stack two equally shaped arrays into (..., 2); cheaper than np.stack for tiny arrays."""
    sx, sy = np.shape(x), np.shape(y)
    out = np.empty((sx if sx == sy else np.broadcast_shapes(sx, sy)) + (2,))
    out[..., 0] = x
    out[..., 1] = y
    return out


def split(points):
    """Return (phi0, phi1) of points of shape (..., 2) as float arrays."""
    points = np.asarray(points, dtype=float)
    return points[..., 0], points[..., 1]


KEPT_GRID = 121  # Landscape.grid keeps grids up to this size: 117 KB of losses each


@dataclass(eq=False)
class Landscape:
    """Facts and calculus shared by every landscape.

    Subclasses implement ``example_losses`` and ``example_grads`` (the per-example terms),
    and may override ``loss`` and ``grad`` with a faster closed form of the same sum.

    A minibatch B estimates the full gradient without bias by scaling its sum by N/|B|:
    ``minibatch_grad(phi, B) = N/|B| * sum_{i in B} dl_i/dphi``. fitting-models.md writes the
    plain sum over B; the scaled sum differs only by the constant N/|B|, and with it a batch of
    all N examples gives exactly the gradient-descent step and alpha means the same at every
    batch size.
    """

    name: str
    title: str
    description: str
    formula: str
    bounds: Bounds
    default_start: tuple[float, float]
    n_examples: int
    log_contour: bool = False
    convex: bool = False  # on the plotted domain (tests check it against the Hessian)
    # The first view: alpha exponents, steps, batch size and its lesson (tests/test_lessons.py
    # checks the lesson). None for a user's surface: `landscapes.presets.preset_for` derives one.
    preset: Preset | None = None
    # The convexity page's first segment A -> B; None: one across the middle of the bounds.
    segment: Segment | None = None
    where_not_convex: str = ""  # where the curvature is negative, in words (tests check it)
    # Extra starting points for the Newton search of critical points (exact known locations).
    critical_seeds: tuple[tuple[float, float], ...] = field(default=())

    # ----- per-example terms (subclasses) -------------------------------------------------
    def example_losses(self, points) -> np.ndarray:
        """Per-example losses l_i, shape (..., N)."""
        raise NotImplementedError

    def example_grads(self, points) -> np.ndarray:
        """Per-example gradients dl_i/dphi, shape (..., N, 2)."""
        raise NotImplementedError

    # ----- sums ----------------------------------------------------------------------------
    def loss(self, points) -> np.ndarray:
        """Full loss L = sum_i l_i, shape (...)."""
        return self.example_losses(points).sum(axis=-1)

    def grad(self, points) -> np.ndarray:
        """Full gradient dL/dphi, shape (..., 2)."""
        return self.example_grads(points).sum(axis=-2)

    def minibatch_loss(self, points, idx) -> np.ndarray:
        """N/|B| * sum_{i in B} l_i: the loss that the minibatch B sees, shape (...)."""
        idx = np.asarray(idx, dtype=int)
        return self.example_losses(points)[..., idx].sum(axis=-1) * (self.n_examples / idx.size)

    def minibatch_grad(self, points, idx) -> np.ndarray:
        """N/|B| * sum_{i in B} dl_i/dphi: an unbiased estimate of the gradient, shape (..., 2)."""
        idx = np.asarray(idx, dtype=int)
        g = self.example_grads(points)[..., idx, :].sum(axis=-2)
        return g * (self.n_examples / idx.size)

    def hessian(self, points, h: float = 1e-5) -> np.ndarray:
        """Hessian by central differences of the analytic gradient, shape (..., 2, 2)."""
        points = np.asarray(points, dtype=float)
        scale = np.maximum(1.0, np.abs(points))
        cols = []
        for k in range(2):
            step = np.zeros_like(points)
            step[..., k] = h * scale[..., k]
            diff = self.grad(points + step) - self.grad(points - step)
            cols.append(diff / (2 * step[..., k : k + 1]))
        hess = np.stack(cols, axis=-1)
        return 0.5 * (hess + np.swapaxes(hess, -1, -2))

    # ----- facts ---------------------------------------------------------------------------
    def step_cost(self, examples: int | None = None) -> float:
        """The server time of one run's step here, in the steps ``ui/budget.py`` counts (one
        optimizer step on a textbook surface, about 0.2 us in a wide batch of runs). On a
        surface given by a formula the cost does not depend on ``examples``, the number of
        examples the gradient sums (None: all)."""
        return 1.0

    @property
    def is_data(self) -> bool:
        """A model fitted to data (its noise is the data's), not a textbook function."""
        return False

    @property
    def extent(self) -> tuple[float, float]:
        (x0, x1), (y0, y1) = self.bounds
        return x1 - x0, y1 - y0

    def divergence_box(self, margin: float = 10.0) -> Bounds:
        """A generous box around the bounds: leaving it counts as diverging."""
        (x0, x1), (y0, y1) = self.bounds
        wx, wy = self.extent
        return (x0 - margin * wx, x1 + margin * wx), (y0 - margin * wy, y1 + margin * wy)

    def grid(self, n: int = 121, bounds: Bounds | None = None) -> tuple[np.ndarray, ...]:
        """Axes and loss on an n x n grid: (xs (n,), ys (n,), loss (n, n) indexed [y, x]).

        Over the landscape's own bounds, grids of up to ``KEPT_GRID`` points per side are
        computed once and kept (read-only): a view's colour levels, 3D mesh and preview all
        use the 121 x 121 one, and on a data surface it costs as much as the view's runs."""
        kept = self.__dict__.setdefault("_grids", {}) if bounds is None and n <= KEPT_GRID else None
        if kept is not None and n in kept:
            return kept[n]
        (x0, x1), (y0, y1) = bounds or self.bounds
        xs = np.linspace(x0, x1, n)
        ys = np.linspace(y0, y1, n)
        pts = np.stack(np.meshgrid(xs, ys), axis=-1)
        out = xs, ys, self.loss(pts)
        if kept is not None:
            for a in out:
                a.flags.writeable = False
            kept[n] = out
        return out

    @cached_property
    def all_critical_points(self) -> tuple[CriticalPoint, ...]:
        """Minima, saddles and maxima inside the bounds, found by Newton's method."""
        return find_critical_points(self)

    @property
    def critical_points(self) -> tuple[CriticalPoint, ...]:
        """The critical points that plots mark: every one, unless the surface is crowded
        with them; then the global minima and those near the paths of the view (see
        ``for_view``), or near the default start."""
        shown = self.__dict__.get("_shown_critical_points")
        return shown if shown is not None else self.critical_points_near([self.default_start])

    def critical_points_near(self, points) -> tuple[CriticalPoint, ...]:
        """All critical points if there are at most CROWDED; else the global minima and the
        points within NEAR * (larger side) of some finite point of ``points``: an array of
        shape (..., 2) or a list of them (one per path)."""
        found = self.all_critical_points
        if len(found) <= CROWDED:
            return found
        parts = points if isinstance(points, list | tuple) else [points]
        pts = np.concatenate([np.asarray(p, dtype=float).reshape(-1, 2) for p in parts])
        pts = pts[np.all(np.isfinite(pts), axis=-1)]
        where = np.array([c.point for c in found])  # (K, 2)
        near = np.zeros(len(found), dtype=bool)
        for chunk in np.array_split(pts, max(1, len(pts) // 2000)):  # bounded memory
            if chunk.size:
                gaps = np.linalg.norm(where[:, None, :] - chunk[None], axis=-1)
                near |= gaps.min(axis=1) <= NEAR * max(self.extent)
        best = self.global_minimum.loss
        tol = 1e-9 * max(1.0, abs(best))
        return tuple(
            c
            for c, close in zip(found, near, strict=True)
            if close or (c.kind == "minimum" and c.loss - best <= tol)
        )

    def for_view(self, points) -> Landscape:
        """This landscape, marking the critical points near ``points`` (the paths a figure
        draws): a shallow copy, so the loss, the gradient and the full lists of minima,
        saddles and maxima are the same objects."""
        view = copy.copy(self)
        view.__dict__["_shown_critical_points"] = self.critical_points_near(points)
        return view

    @property
    def minima(self) -> tuple[CriticalPoint, ...]:
        """Local minima sorted by loss: the first is the global minimum (within the bounds)."""
        return tuple(c for c in self.all_critical_points if c.kind == "minimum")

    @property
    def saddles(self) -> tuple[CriticalPoint, ...]:
        return tuple(c for c in self.all_critical_points if c.kind == "saddle")

    @property
    def maxima(self) -> tuple[CriticalPoint, ...]:
        return tuple(c for c in self.all_critical_points if c.kind == "maximum")

    @property
    def global_minimum(self) -> CriticalPoint:
        return self.minima[0]

    def in_bounds(self, points) -> np.ndarray:
        x, y = split(points)
        (x0, x1), (y0, y1) = self.bounds
        return (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)
