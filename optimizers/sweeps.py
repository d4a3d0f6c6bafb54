"""Many runs in one vectorized call: learning-rate sweeps, hyperparameter grids, basin maps."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from optimizers.analysis import default_tolerance, endpoint_labels, first_step_below
from optimizers.run import run


def log_range(lo: float, hi: float, count: int) -> np.ndarray:
    """``count`` values evenly spaced in log10 between ``lo`` and ``hi``."""
    if not (0 < lo < hi) or count < 2:
        raise ValueError(f"need 0 < lo < hi and count >= 2, got {lo!r}, {hi!r}, {count!r}")
    return np.logspace(np.log10(lo), np.log10(hi), int(count))


def loss_tolerance(landscape, relative: float = 1e-3) -> float:
    """A loss level that counts as converged: the global minimum's loss plus a small gap."""
    lo, hi = np.percentile(landscape.grid(41)[2], [0, 50])
    best = landscape.global_minimum.loss
    return best + relative * max(hi - lo, 1e-12)


@dataclass
class Sweep:
    values: np.ndarray  # (K,) the learning rates
    final_loss: np.ndarray  # (K,) frozen at divergence
    steps_to_tol: np.ndarray  # (K,) -1 where never
    diverged: np.ndarray  # (K,) step or -1
    level: float  # the loss tolerance used


def lr_sweep(landscape, optimizer, start, lrs, steps, level=None, **kwargs) -> Sweep:
    """Final loss and steps to ``level`` for every learning rate, from one start."""
    lrs = np.asarray(lrs, dtype=float)
    starts = np.broadcast_to(np.asarray(start, dtype=float), (lrs.size, 2))
    traj = run(landscape, optimizer, starts, steps, lr=lrs, **kwargs)
    level = loss_tolerance(landscape) if level is None else level
    reached = first_step_below(traj.losses, level)
    reached = np.where(traj.diverged >= 0, -1, reached)
    return Sweep(lrs, traj.losses[-1], reached, traj.diverged, level)


@dataclass
class Grid2D:
    xs: np.ndarray  # (nx,) first hyperparameter (e.g. lr)
    ys: np.ndarray  # (ny,) second hyperparameter (e.g. beta)
    final_loss: np.ndarray  # (ny, nx)
    diverged: np.ndarray  # (ny, nx) bool


def hyper_grid(landscape, optimizer, start, lrs, name, values, steps, **kwargs) -> Grid2D:
    """Final loss over a grid of (lr, ``name``), e.g. name="beta" or "gamma"."""
    lrs = np.asarray(lrs, dtype=float)
    values = np.asarray(values, dtype=float)
    lr_grid, value_grid = np.meshgrid(lrs, values)
    starts = np.broadcast_to(np.asarray(start, dtype=float), (lr_grid.size, 2))
    kwargs = dict(kwargs, **{name: value_grid.ravel()})
    traj = run(landscape, optimizer, starts, steps, lr=lr_grid.ravel(), **kwargs)
    shape = lr_grid.shape
    return Grid2D(lrs, values, traj.losses[-1].reshape(shape), (traj.diverged >= 0).reshape(shape))


@dataclass
class BasinMap:
    xs: np.ndarray  # (n,)
    ys: np.ndarray  # (n,)
    labels: np.ndarray  # (n, n) indexed [y, x]: minimum index, NOT_CONVERGED or DIVERGED
    final: np.ndarray  # (n, n, 2) final points


def basin_map(landscape, optimizer, n, steps, tol=None, bounds=None, **kwargs) -> BasinMap:
    """Which known minimum ``optimizer`` reaches from each start of an n x n grid."""
    (x0, x1), (y0, y1) = bounds or landscape.bounds
    xs = np.linspace(x0, x1, n)
    ys = np.linspace(y0, y1, n)
    starts = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    traj = run(landscape, optimizer, starts, steps, **kwargs)
    tol = default_tolerance(landscape) if tol is None else tol
    labels = endpoint_labels(landscape, traj, tol)
    return BasinMap(xs, ys, labels.reshape(n, n), traj.points[-1].reshape(n, n, 2))
