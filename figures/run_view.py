"""One optimizer's run as the figures and the exports draw it (`RunView`), the steps an
animation shows, and where a diverged run leaves the picture."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from figures import style


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


def stop_point(path: np.ndarray, bounds) -> np.ndarray:
    """Where a diverged run leaves the picture: its last point if that is inside the bounds,
    else the point where its path last crossed their edge."""
    (x0, x1), (y0, y1) = bounds
    lo, hi = np.array([x0, y0]), np.array([x1, y1])
    # Just inside the edge, so the marker is not cut in half by the plot's border.
    margin = 0.02 * (hi - lo)
    inside = np.all(np.isfinite(path) & (path >= lo) & (path <= hi), axis=1)
    if inside[-1]:
        return path[-1]
    before = np.flatnonzero(inside)
    if before.size == 0:
        return np.clip(path[-1], lo + margin, hi - margin)
    a = path[before[-1]]
    step = path[before[-1] + 1] - a
    with np.errstate(divide="ignore", invalid="ignore"):
        to_edge = np.where(step > 0, (hi - a) / step, np.where(step < 0, (lo - a) / step, 1.0))
    return np.clip(a + min(1.0, float(np.min(to_edge))) * step, lo + margin, hi - margin)
