"""Critical points (minima, saddles, maxima) of a landscape, found numerically.

Newton's method on the gradient runs from a grid of starts in lockstep; the converged points
are de-duplicated and classified by the eigenvalues of the Hessian there. Nothing is guessed:
even the textbook points of the analytic surfaces are found this way and tested against
their known values.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

KINDS = ("minimum", "saddle", "maximum")


class CriticalPoint(NamedTuple):
    point: np.ndarray  # (2,)
    loss: float
    kind: str  # "minimum" | "saddle" | "maximum"
    eigenvalues: tuple[float, float]


def classify(eigenvalues: np.ndarray, tol: float = 1e-9) -> str:
    lo, hi = float(np.min(eigenvalues)), float(np.max(eigenvalues))
    scale = max(abs(lo), abs(hi), 1e-300)
    if lo > tol * scale:
        return "minimum"
    if hi < -tol * scale:
        return "maximum"
    return "saddle"


def find_critical_points(landscape, grid: int = 41, iters: int = 60) -> tuple[CriticalPoint, ...]:
    """All critical points of ``landscape`` inside its bounds, minima first by loss."""
    (x0, x1), (y0, y1) = landscape.bounds
    xs = np.linspace(x0, x1, grid)
    ys = np.linspace(y0, y1, grid)
    pts = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    if landscape.critical_seeds:
        pts = np.concatenate([pts, np.asarray(landscape.critical_seeds, dtype=float)])
    wx, wy = landscape.extent
    with np.errstate(all="ignore"):
        for _ in range(iters):
            g = landscape.grad(pts)
            h = landscape.hessian(pts)
            det = h[:, 0, 0] * h[:, 1, 1] - h[:, 0, 1] * h[:, 1, 0]
            ok = np.abs(det) > 1e-14
            safe = np.where(ok, det, 1.0)
            dx = (h[:, 1, 1] * g[:, 0] - h[:, 0, 1] * g[:, 1]) / safe
            dy = (h[:, 0, 0] * g[:, 1] - h[:, 1, 0] * g[:, 0]) / safe
            step = np.stack([dx, dy], axis=-1)
            # Damp long Newton steps so that starts do not jump across the whole surface.
            limit = 0.25 * np.array([wx, wy])
            factor = np.min(np.where(np.abs(step) > limit, limit / np.abs(step), 1.0), axis=-1)
            pts = np.where(ok[:, None], pts - step * factor[:, None], np.nan)
            # Drop starts that left the surface; stop once every survivor has converged.
            keep = np.all(np.isfinite(pts), axis=-1) & landscape.in_bounds(pts)
            moved = np.max(np.abs(step[keep]), initial=0.0)
            pts = pts[keep]
            if moved < 1e-12 * max(wx, wy):
                break
        g = landscape.grad(pts)
        gscale = np.abs(landscape.grad(pts + 1e-3 * np.array([wx, wy]))).max(axis=-1) + 1.0
        good = (
            np.all(np.isfinite(pts), axis=-1)
            & landscape.in_bounds(pts)
            & (np.linalg.norm(g, axis=-1) < 1e-9 * gscale)
        )
    found: list[np.ndarray] = []
    tol = 1e-6 * max(wx, wy)
    # Most starts converge onto a few points: merge exact-ish repeats first, then neighbours.
    _, first = np.unique(np.round(pts[good] / tol), axis=0, return_index=True)
    for p in pts[good][np.sort(first)]:
        if not any(np.max(np.abs(p - q)) < tol for q in found):
            found.append(p)
    points = []
    for p in found:
        eig = np.linalg.eigvalsh(landscape.hessian(p))
        points.append(
            CriticalPoint(
                point=p.copy(),
                loss=float(landscape.loss(p)),
                kind=classify(eig),
                eigenvalues=(float(eig[0]), float(eig[1])),
            )
        )
    order = {k: i for i, k in enumerate(KINDS)}
    points.sort(key=lambda c: (order[c.kind], c.loss, c.point[0], c.point[1]))
    return tuple(points)
