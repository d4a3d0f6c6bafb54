"""What a trajectory reached: nearest known minimum, steps to a tolerance, basin labels."""

from __future__ import annotations

import numpy as np

# Labels of basin maps besides the index of the minimum reached.
NOT_CONVERGED = -1
DIVERGED = -2


def default_tolerance(landscape) -> float:
    """A distance that counts as "at the minimum": 1% of the larger side of the bounds."""
    return 0.01 * max(landscape.extent)


def nearest_minimum(landscape, points, only_global: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Index into ``landscape.minima`` of the nearest minimum to each point, and the distance
    (among the global minima only, if asked)."""
    minima = np.array([m.point for m in landscape.minima])  # (K, 2)
    if only_global:
        minima = np.where(is_global(landscape, np.arange(len(minima)))[:, None], minima, np.inf)
    points = np.asarray(points, dtype=float)
    dist = np.linalg.norm(points[..., None, :] - minima, axis=-1)  # (..., K)
    index = np.argmin(dist, axis=-1)
    return index, np.take_along_axis(dist, index[..., None], axis=-1)[..., 0]


def first_step_within(points, landscape, tol: float, only_global: bool = False) -> np.ndarray:
    """First step at which each run is within ``tol`` of some known minimum (of a global
    one, if asked), or -1.

    points: (T + 1, 2) or (T + 1, R, 2); returns an int or an (R,) array.
    """
    _, dist = nearest_minimum(landscape, points, only_global)
    hit = dist <= tol
    return np.where(hit.any(axis=0), hit.argmax(axis=0), -1)


def first_step_below(losses, level: float) -> np.ndarray:
    """First step at which each run's loss is at most ``level``, or -1."""
    hit = np.asarray(losses) <= level
    return np.where(hit.any(axis=0), hit.argmax(axis=0), -1)


def endpoint_labels(landscape, trajectory, tol: float | None = None) -> np.ndarray:
    """For each run: the index of the minimum it ended within ``tol`` of, or NOT_CONVERGED
    or DIVERGED."""
    tol = default_tolerance(landscape) if tol is None else tol
    final = trajectory.points[-1]
    index, dist = nearest_minimum(landscape, final)
    labels = np.where(dist <= tol, index, NOT_CONVERGED)
    return np.where(np.asarray(trajectory.diverged) >= 0, DIVERGED, labels)


def minimum_label(landscape, index: int) -> str:
    """A short name for minimum ``index``: its coordinates, and "global" for the best."""
    if index == DIVERGED:
        return "diverged"
    if index == NOT_CONVERGED:
        return "not converged"
    m = landscape.minima[index]
    best = landscape.minima[0].loss
    tag = "global" if abs(m.loss - best) <= 1e-9 * max(1.0, abs(best)) else "local"
    x, y = np.round(m.point, 2) + 0.0  # + 0.0 turns -0.0 into 0.0
    return f"{tag} ({x:.2f}, {y:.2f})"


def is_global(landscape, index) -> np.ndarray:
    """True where ``index`` names a minimum whose loss equals the global minimum's."""
    losses = np.array([m.loss for m in landscape.minima])
    best = losses[0]
    glob = np.abs(losses - best) <= 1e-9 * max(1.0, abs(best))
    index = np.asarray(index)
    return np.where(index >= 0, glob[np.clip(index, 0, None)], False)


def summary(landscape, trajectory, tol: float | None = None) -> dict:
    """The results-table row of one run (a single-start trajectory).

    "steps to tolerance" counts the first step within ``tol`` of any known minimum, a local
    one included; "steps to global minimum" only of a global one.
    """
    tol = default_tolerance(landscape) if tol is None else tol
    final = trajectory.points[-1]
    index, dist = nearest_minimum(landscape, final)
    reached = int(first_step_within(trajectory.points, landscape, tol))
    reached_global = int(first_step_within(trajectory.points, landscape, tol, only_global=True))
    diverged = int(trajectory.diverged)
    return {
        "final loss": float(trajectory.losses[-1]),
        "best loss": float(np.min(trajectory.losses)),
        "steps to tolerance": reached if reached >= 0 else None,
        "steps to global minimum": reached_global if reached_global >= 0 else None,
        "nearest minimum": minimum_label(landscape, int(index)),
        "distance": float(dist),
        "diverged at": diverged if diverged >= 0 else None,
    }
