"""What the sensitivity and basin pages read off their sweeps: convergent learning-rate
ranges, the gradient-descent stability limit, basin shares, and a basin map that keeps
only the end points (pure NumPy).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from optimizers.analysis import DIVERGED, NOT_CONVERGED, default_tolerance, endpoint_labels
from optimizers.run import run
from optimizers.sweeps import BasinMap, Sweep

# run() keeps every step of every run; above this many (start, step) pairs a basin map is
# computed in blocks of starts, which gives the same result (the runs are independent and
# share one minibatch sequence) in bounded memory.
MAX_POINTS_PER_CALL = 4_000_000


# ----- learning-rate sweeps -------------------------------------------------------------------


def converged(sweep: Sweep) -> np.ndarray:
    """(K,) True where the run did not diverge and its final loss is within the tolerance."""
    return (np.asarray(sweep.diverged) < 0) & (np.asarray(sweep.final_loss) <= sweep.level)


class LrRange(NamedTuple):
    lo: float  # the smallest learning rate of the range
    hi: float  # the largest
    decades: float  # log10(hi / lo)
    at_lo_edge: bool  # the range starts at the sweep's first value (it may reach further)
    at_hi_edge: bool  # the range ends at the sweep's last value
    elsewhere: int = 0  # converging learning rates outside the range (isolated islands)


def convergent_range(sweep: Sweep) -> LrRange | None:
    """The widest unbroken run of learning rates whose runs converge, or None if none does.

    "Converge" means: not diverged, and the final loss at most ``sweep.level``. Runs of equal
    width: the one with the smaller learning rates.
    """
    ok = converged(sweep)
    if not ok.any():
        return None
    # Boundaries of the runs of True: starts where ok turns on, ends where it turns off.
    edges = np.diff(np.concatenate([[0], ok.astype(int), [0]]))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1) - 1
    values = np.asarray(sweep.values, dtype=float)
    widths = np.log10(values[ends] / values[starts])
    k = int(np.argmax(widths))
    i, j = int(starts[k]), int(ends[k])
    elsewhere = int(ok.sum()) - (j - i + 1)
    return LrRange(
        float(values[i]),
        float(values[j]),
        float(widths[k]),
        i == 0,
        j == len(values) - 1,
        elsewhere,
    )


def best_lr(sweep: Sweep) -> float | None:
    """The learning rate with the lowest final loss among the runs that did not diverge."""
    ok = np.asarray(sweep.diverged) < 0
    if not ok.any():
        return None
    losses = np.where(ok, sweep.final_loss, np.inf)
    return float(np.asarray(sweep.values)[int(np.argmin(losses))])


def first_diverging_lr(sweep: Sweep) -> float | None:
    """The smallest learning rate whose run diverged, or None."""
    bad = np.asarray(sweep.diverged) >= 0
    return float(np.asarray(sweep.values)[bad].min()) if bad.any() else None


def fastest(sweep: Sweep) -> tuple[int, float] | None:
    """(steps, learning rate) of the run that reached the tolerance in the fewest steps."""
    steps = np.asarray(sweep.steps_to_tol)
    ok = steps >= 0
    if not ok.any():
        return None
    k = int(np.argmin(np.where(ok, steps, np.iinfo(steps.dtype).max)))
    return int(steps[k]), float(np.asarray(sweep.values)[k])


def stability_limit(landscape) -> float:
    """2 / lambda_max at the global minimum: above it gradient descent near the minimum
    overshoots further every step (the textbook bound, exact for a quadratic)."""
    lam_max = float(max(landscape.global_minimum.eigenvalues))
    return 2.0 / lam_max if lam_max > 0 else float("inf")


def loss_excess(losses, best: float, floor: float) -> np.ndarray:
    """``losses - best`` floored at ``floor``: positive, so it can go on a log axis even when
    the minimum's loss is zero or negative."""
    return np.maximum(np.asarray(losses, dtype=float) - best, floor)


def one_minus_log_values(decades: float, count: int) -> np.ndarray:
    """``count`` values of beta (or gamma) from 0 up to 1 - 10^-decades, evenly spaced in
    -log10(1 - value), so that 0.9, 0.99 and 0.999 get equal room."""
    if decades <= 0 or count < 2:
        raise ValueError(f"need decades > 0 and count >= 2, got {decades!r}, {count!r}")
    return 1.0 - 10.0 ** -np.linspace(0.0, decades, int(count))


# ----- basin maps -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _EndpointsOnly:
    """A landscape seen by run() when only the end points matter.

    run() evaluates the loss of every point of every step to find divergence; here the loss
    is zero, so only the divergence box decides, which also catches every non-finite point
    (comparisons with NaN are false). On every surface a finite point inside the box has a
    finite loss, so the flags are the same as with the real loss, at a fraction of the cost
    on the data landscapes.
    """

    landscape: object

    @property
    def n_examples(self) -> int:
        return self.landscape.n_examples

    def divergence_box(self):
        return self.landscape.divergence_box()

    def grad(self, points):
        return self.landscape.grad(points)

    def minibatch_grad(self, points, idx):
        return self.landscape.minibatch_grad(points, idx)

    def loss(self, points):
        return np.zeros(np.shape(points)[:-1])

    def __getattr__(self, name):
        # Anything else (minibatch_offsets, where the landscape has it) is the landscape's,
        # so run() takes exactly the same path as on the landscape itself.
        return getattr(self.landscape, name)


def basin_map_ends(
    landscape, optimizer, n, steps, tol=None, bounds=None, max_points=MAX_POINTS_PER_CALL, **kwargs
) -> BasinMap:
    """Same result as ``optimizers.sweeps.basin_map``: which known minimum ``optimizer``
    reaches from each start of an n x n grid. Faster (the loss is not evaluated along the
    way), and in blocks of starts when n * n * steps exceeds ``max_points``."""
    (x0, x1), (y0, y1) = bounds or landscape.bounds
    xs = np.linspace(x0, x1, n)
    ys = np.linspace(y0, y1, n)
    starts = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    tol = default_tolerance(landscape) if tol is None else tol
    view = _EndpointsOnly(landscape)
    block = max(1, int(max_points) // (int(steps) + 1))
    labels, finals = [], []
    for lo in range(0, len(starts), block):
        traj = run(view, optimizer, starts[lo : lo + block], steps, **kwargs)
        labels.append(endpoint_labels(landscape, traj, tol))
        finals.append(traj.points[-1])
    labels = np.concatenate(labels).reshape(n, n)
    return BasinMap(xs, ys, labels, np.concatenate(finals).reshape(n, n, 2))


def global_flags(landscape) -> np.ndarray:
    """(K,) True for every known minimum whose loss equals the global minimum's."""
    losses = np.array([m.loss for m in landscape.minima])
    return np.abs(losses - losses[0]) <= 1e-9 * max(1.0, abs(losses[0]))


class BasinShares(NamedTuple):
    global_: float  # share of starts that end at a minimum of the global loss
    local: float  # at a minimum of higher loss
    not_converged: float
    diverged: float


def basin_shares(landscape, labels) -> BasinShares:
    """Shares (0..1, summing to 1) of the outcomes in a basin map's labels."""
    labels = np.asarray(labels).ravel()
    if labels.size == 0:
        raise ValueError("labels is empty")
    glob = global_flags(landscape)
    at_min = labels >= 0
    is_glob = np.zeros(labels.shape, dtype=bool)
    is_glob[at_min] = glob[labels[at_min]]
    total = labels.size
    return BasinShares(
        float(is_glob.sum() / total),
        float((at_min & ~is_glob).sum() / total),
        float((labels == NOT_CONVERGED).sum() / total),
        float((labels == DIVERGED).sum() / total),
    )
