"""Where a minibatch run stands at a step, and what its minibatch sees there (pure NumPy).

The SGD lab draws these facts: the epoch and batch of a step, the examples an epoch has
already used, the loss landscape of one minibatch and its lowest point, and the full-batch
and minibatch gradients at the current point with the angle between them.

Convention: step t is the update phi_t -> phi_{t+1}; it uses ``trajectory.batches[t]`` and
its gradient is taken at ``trajectory.points[t]``. Steps, epochs and batches count from 0
here; the page adds one when it prints them.
"""

from __future__ import annotations

from math import ceil
from typing import NamedTuple

import numpy as np

from optimizers import analysis


class BatchPosition(NamedTuple):
    epoch: int  # 0-based epoch of the step
    batch: int  # 0-based index of the step's batch within its epoch
    per_epoch: int  # batches per epoch, K


def batch_position(step: int, steps_per_epoch: int) -> BatchPosition:
    """Epoch and batch-within-epoch of step ``step`` (epochs of ``steps_per_epoch`` steps)."""
    if int(steps_per_epoch) != steps_per_epoch or steps_per_epoch < 1:
        raise ValueError(f"steps_per_epoch must be a whole number >= 1, got {steps_per_epoch!r}")
    if int(step) != step or step < 0:
        raise ValueError(f"step must be a whole number >= 0, got {step!r}")
    epoch, batch = divmod(int(step), int(steps_per_epoch))
    return BatchPosition(epoch, batch, int(steps_per_epoch))


def visited_mask(
    batches, step: int, steps_per_epoch: int, n_examples: int, include_current: bool = False
) -> np.ndarray:
    """(N,) bool: the examples that step ``step``'s epoch used before it (and at it, if asked).

    Batches are drawn without replacement, so the set grows by one batch per step and starts
    empty again with every epoch.
    """
    pos = batch_position(step, steps_per_epoch)
    first = step - pos.batch
    last = step + 1 if include_current else step
    mask = np.zeros(n_examples, dtype=bool)
    for t in range(first, min(last, len(batches))):
        mask[np.asarray(batches[t], dtype=int)] = True
    return mask


def with_epochs_of(schedule, steps_per_epoch: int):
    """``schedule`` with its epochs counted as ``steps_per_epoch`` steps, whatever batch the
    run uses: gradient descent then takes the same learning rate at each step as an SGD run
    whose epoch has that many steps (for gradient descent alone every step is an epoch)."""
    steps_per_epoch = int(steps_per_epoch)

    def counted(t, _steps_per_epoch, total_steps):
        return schedule(t, steps_per_epoch, total_steps)

    return counted


def suggested_step_decay(
    steps: int, steps_per_epoch: int, decays: int = 3, factor: float = 0.5, max_every: int = 50
) -> tuple[float, int]:
    """(factor, every): a step decay that shrinks alpha ``decays`` times within the run.

    The interval is the whole number of epochs that fits ``decays + 1`` equal stretches into
    the run's epochs, at least 1 and at most ``max_every`` (the sidebar's limit; a very long
    run then decays more often, see `step_decay_count`).
    """
    epochs = steps / max(int(steps_per_epoch), 1)
    every = int(np.clip(ceil(epochs / (decays + 1)), 1, max_every))
    return float(factor), every


def step_decay_count(steps: int, steps_per_epoch: int, every: int) -> int:
    """How many times a step decay every ``every`` epochs lowers alpha within ``steps`` steps
    (the last step is in epoch ceil(steps / steps_per_epoch) - 1)."""
    if steps < 1:
        return 0
    last_epoch = (int(steps) - 1) // max(int(steps_per_epoch), 1)
    return last_epoch // max(int(every), 1)


def grid_points(xs, ys) -> np.ndarray:
    """(H, W, 2) points of the grid with axes xs (W,), ys (H,)."""
    return np.stack(np.meshgrid(xs, ys), axis=-1)


def minibatch_grid(landscape, batch, n: int = 121, bounds=None):
    """The minibatch's loss on an n x n grid: (xs, ys, loss[y, x]), like ``landscape.grid``."""
    (x0, x1), (y0, y1) = bounds or landscape.bounds
    xs = np.linspace(x0, x1, n)
    ys = np.linspace(y0, y1, n)
    return xs, ys, landscape.minibatch_loss(grid_points(xs, ys), batch)


def grid_argmin(xs, ys, values) -> np.ndarray:
    """The grid point (x, y) with the lowest finite value: (2,). NaN when none is finite."""
    values = np.asarray(values, dtype=float)
    finite = np.isfinite(values)
    if not finite.any():
        return np.array([np.nan, np.nan])
    j, i = np.unravel_index(np.argmin(np.where(finite, values, np.inf)), values.shape)
    return np.array([xs[i], ys[j]], dtype=float)


def on_grid_edge(xs, ys, point) -> bool:
    """True when ``point`` lies on the border of the grid (xs, ys): a grid minimum there
    means the function keeps falling beyond the plotted bounds."""
    x, y = float(point[0]), float(point[1])
    return x in (float(xs[0]), float(xs[-1])) or y in (float(ys[0]), float(ys[-1]))


def angle_between(u, v) -> float:
    """The angle between vectors u and v in degrees, in [0, 180]; NaN if either is zero."""
    u = np.asarray(u, dtype=float)
    v = np.asarray(v, dtype=float)
    nu, nv = np.linalg.norm(u), np.linalg.norm(v)
    if not (nu > 0 and nv > 0 and np.isfinite(nu) and np.isfinite(nv)):
        return float("nan")
    # atan2 of the cross and dot products stays accurate for nearly parallel vectors, where
    # arccos of the cosine loses half the digits.
    cross = u[0] * v[1] - u[1] * v[0]
    return float(np.degrees(np.arctan2(abs(cross), np.dot(u, v))))


class GradientPair(NamedTuple):
    point: np.ndarray  # (2,) where both gradients are taken
    full: np.ndarray  # (2,) dL/dphi
    minibatch: np.ndarray  # (2,) N/|B| sum_{i in B} dl_i/dphi
    full_norm: float
    minibatch_norm: float
    angle: float  # degrees between the two, NaN if either is zero


def gradient_pair(landscape, point, batch) -> GradientPair:
    """The full-batch and the minibatch gradient at ``point``, their lengths and angle."""
    point = np.asarray(point, dtype=float)
    full = np.asarray(landscape.grad(point), dtype=float)
    mini = np.asarray(landscape.minibatch_grad(point, batch), dtype=float)
    return GradientPair(
        point,
        full,
        mini,
        float(np.linalg.norm(full)),
        float(np.linalg.norm(mini)),
        angle_between(full, mini),
    )


def path_gap(first, second) -> float:
    """The largest distance between two runs' points at the same step (single-start
    trajectories with the same number of steps)."""
    return float(np.max(np.linalg.norm(first.points - second.points, axis=-1)))


def arrow_scale(vectors, extent, fraction: float = 0.3) -> float:
    """One factor for all ``vectors`` so that the longest is ``fraction`` of the plot's
    smaller side ``min(extent)``: arrows keep their relative lengths. 0 if all are zero."""
    lengths = [float(np.linalg.norm(v)) for v in vectors]
    longest = max([x for x in lengths if np.isfinite(x)], default=0.0)
    if longest <= 0:
        return 0.0
    return fraction * float(min(extent)) / longest


def _ending(landscape, point, diverged: int = -1, tol: float | None = None) -> tuple[str, str]:
    """(kind, text) of an end point: kind is "diverged", "global", "local", "saddle" or
    "not converged"; text names it as the results table does."""
    if diverged is not None and int(diverged) >= 0:
        return "diverged", f"diverged at step {int(diverged)}"
    tol = analysis.default_tolerance(landscape) if tol is None else tol
    point = np.asarray(point, dtype=float)
    index, dist = analysis.nearest_minimum(landscape, point)
    if float(dist) <= tol:
        m = landscape.minima[int(index)].point
        kind = "global" if analysis.is_global(landscape, int(index)) else "local"
        return kind, f"{kind} minimum ({m[0]:.2f}, {m[1]:.2f})"
    for saddle in landscape.saddles:
        if np.linalg.norm(point - saddle.point) <= tol:
            return "saddle", f"saddle ({saddle.point[0]:.2f}, {saddle.point[1]:.2f})"
    return "not converged", "not converged"


def where_it_ended(landscape, point, diverged: int = -1, tol: float | None = None) -> str:
    """A short description of an end point: a minimum, a saddle, diverged or not converged."""
    return _ending(landscape, point, diverged, tol)[1]


def ending_sentence(landscape, trajectory, who: str) -> str:
    """Where a single run ended, as a sentence in Markdown that tells a global minimum from a
    local one, e.g. "**GD** ended in a **local minimum (−1.94, −1.36)**, not the global one;
    final loss −1.91."."""
    kind, text = _ending(landscape, trajectory.points[-1], int(trajectory.diverged))
    loss = f"final loss {float(trajectory.losses[-1]):.4g}"
    if kind == "diverged":
        return f"**{who}** {text}: its path stops at its last finite point."
    if kind == "not converged":
        return f"**{who}** came near no minimum or saddle in {trajectory.steps} steps; {loss}."
    if kind == "local":
        return f"**{who}** ended in a **{text}**, not the global one; {loss}."
    return f"**{who}** ended at the **{text}**; {loss}."


def frame_steps(steps: int, steps_per_epoch: int, max_frames: int = 100) -> np.ndarray:
    """Steps to animate: every step while it fits, else each step of the opening epochs (so
    one can watch an epoch go by batch by batch), then evenly spaced to the last step.

    At most ``max_frames`` strictly increasing steps from 0 to ``steps``, both included. The
    opening stretch takes at most half the frames and covers at most two epochs.
    """
    steps, per_epoch = int(steps), max(int(steps_per_epoch), 1)
    if max_frames < 2:
        raise ValueError(f"max_frames must be at least 2, got {max_frames}")
    if steps + 1 <= max_frames:
        return np.arange(steps + 1)
    head = min(2 * per_epoch, max_frames // 2)
    rest = np.linspace(head, steps, max_frames - head)
    # The spacing of the rest is at least one step, so rounding never merges two frames.
    return np.concatenate([np.arange(head), np.round(rest).astype(int)])


def run_report(landscape, trajectory) -> dict:
    """One results row for a single run: where it ended and how low it got."""
    summary = analysis.summary(landscape, trajectory)
    return {
        "ended at": where_it_ended(landscape, trajectory.points[-1], int(trajectory.diverged)),
        "final φ": f"({trajectory.points[-1][0]:.3f}, {trajectory.points[-1][1]:.3f})",
        "final loss": summary["final loss"],
        "steps to a minimum": summary["steps to tolerance"],
    }
