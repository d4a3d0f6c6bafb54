"""Run an optimizer on a landscape: one trajectory, or R of them in lockstep."""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

import numpy as np

from optimizers.rules import get_spec, per_run
from optimizers.schedules import Schedule, constant
from optimizers.updates import Hyper


def minibatches(n_examples: int, batch_size: int | None, steps: int, seed: int) -> list:
    """The example indices of each step: a fresh shuffle per epoch, cut into batches.

    Drawn without replacement: every epoch visits every example exactly once; the last batch
    of an epoch is smaller when batch_size does not divide N. ``None`` is the full batch.
    """
    everything = np.arange(n_examples)
    if batch_size is None or batch_size >= n_examples:
        return [everything] * steps
    rng = np.random.default_rng(seed)
    per_epoch = ceil(n_examples / batch_size)
    batches: list[np.ndarray] = []
    while len(batches) < steps:
        perm = rng.permutation(n_examples)
        batches.extend(perm[k * batch_size : (k + 1) * batch_size] for k in range(per_epoch))
    return batches[:steps]


@dataclass
class Trajectory:
    """What a run did. Arrays have a run axis R only when the start had one."""

    optimizer: str
    points: np.ndarray  # (steps + 1, 2) or (steps + 1, R, 2)
    losses: np.ndarray  # (steps + 1,) or (steps + 1, R): the full-data loss
    diverged: np.ndarray | int  # step at which each run diverged, or -1
    batches: list  # batches[t]: the example indices used at step t
    lrs: np.ndarray  # (steps,) or (steps, R): the learning rate of each step
    steps_per_epoch: int
    batch_size: int  # the number of examples per batch (N for the full batch)

    @property
    def steps(self) -> int:
        return self.points.shape[0] - 1

    @property
    def epochs(self) -> np.ndarray:
        """The epoch of each point: (steps + 1,), 0 at the start."""
        return np.arange(self.steps + 1) // self.steps_per_epoch


def run(
    landscape,
    optimizer: str,
    start,
    steps: int,
    lr,
    batch_size: int | None = None,
    seed: int = 0,
    schedule: Schedule | None = None,
    **hyper,
) -> Trajectory:
    """Run ``optimizer`` on ``landscape`` from ``start`` for ``steps`` steps.

    ``hyper`` holds the optimizer's hyperparameters by name (``beta``, ``gamma``, ``eps``,
    ``weight_decay``, ``psi``...; see `optimizers.rules.SPECS`); each missing one takes the
    spec's default. ``beta``, ``gamma`` and ``eps`` are accepted by every optimizer; any
    other name the optimizer does not take raises ValueError.

    ``start`` of shape (2,) gives one trajectory; (R, 2) gives R runs in lockstep, and then
    lr and every hyperparameter may each be a scalar or have shape (R,). All runs share one
    minibatch sequence, drawn from ``seed``; ``batch_size=None`` is the full batch, and "gd"
    always uses it. A run whose point or loss becomes non-finite or leaves
    ``landscape.divergence_box()`` is frozen at its last good point and flagged.
    """
    spec = get_spec(optimizer)
    accepted = spec.accepted()
    unknown = sorted(set(hyper) - set(accepted))
    if unknown:
        raise ValueError(
            f"{optimizer} takes no hyperparameter {', '.join(map(repr, unknown))}; it takes "
            f"{', '.join(accepted)}"
        )
    start = np.asarray(start, dtype=float)
    single = start.ndim == 1
    if start.shape[-1:] != (2,) or start.ndim not in (1, 2):
        raise ValueError(f"start must have shape (2,) or (R, 2), got {start.shape}")
    if not np.all(np.isfinite(start)):
        raise ValueError("start must be finite")
    if int(steps) != steps or steps < 0:
        raise ValueError(f"steps must be a whole number >= 0, got {steps!r}")
    steps = int(steps)
    phi0 = start.reshape(-1, 2)
    runs = phi0.shape[0]
    (bx0, bx1), (by0, by1) = landscape.divergence_box()
    if np.any((phi0[:, 0] < bx0) | (phi0[:, 0] > bx1) | (phi0[:, 1] < by0) | (phi0[:, 1] > by1)):
        raise ValueError("start lies far outside the landscape's bounds")
    alpha = per_run("lr", lr, runs, 0.0, np.inf, True, True) * np.ones((runs, 1))
    hp = Hyper(**{n: h.check(hyper.get(n, h.default), runs) for n, h in accepted.items()})
    n = landscape.n_examples
    if batch_size is not None and (int(batch_size) != batch_size or not 1 <= batch_size <= n):
        raise ValueError(f"batch_size must be a whole number from 1 to {n}, got {batch_size!r}")
    full = spec.full_batch or batch_size is None or int(batch_size) == n
    size = n if full else int(batch_size)
    batches = minibatches(n, None if full else size, steps, seed)
    per_epoch = ceil(n / size)
    schedule = schedule or constant()
    lrs = schedule(np.arange(steps), per_epoch, steps)[:, None] * alpha[:, 0][None, :]

    points = np.empty((steps + 1, runs, 2))
    points[0] = phi0
    state = spec.init(phi0)
    lookahead = spec.lookahead
    step_lrs = lrs[:, :, None]
    # Where the minibatch noise does not depend on phi, sum each batch once, up front.
    offsets = None
    if not full and hasattr(landscape, "minibatch_offsets"):
        offsets = landscape.minibatch_offsets(batches)
    with np.errstate(all="ignore"):
        for t in range(steps):
            a = step_lrs[t]
            phi = points[t]
            at = phi if lookahead is None else lookahead(phi, state, a, hp)
            if full:
                g = landscape.grad(at)
            elif offsets is not None:
                g = landscape.grad(at) + offsets[t]
            else:
                g = landscape.minibatch_grad(at, batches[t])
            points[t + 1], state = spec.update(g, phi, state, a, hp, t)
        losses, diverged = _losses_and_divergence(landscape, points)

    if single:
        return Trajectory(
            optimizer,
            points[:, 0],
            losses[:, 0],
            int(diverged[0]),
            batches,
            lrs[:, 0],
            per_epoch,
            size,
        )
    return Trajectory(optimizer, points, losses, diverged, batches, lrs, per_epoch, size)


def _losses_and_divergence(landscape, points):
    """The loss of every point, and each run's first bad step d (or -1), with points and
    losses from d on held at step d - 1. A step is bad when its point or loss is not finite
    or the point has left the landscape's divergence box.

    Runs are independent, so freezing afterwards gives what stopping at d would have. The
    points are visited in blocks of about 64k so that the temporaries stay in cache.
    """
    total, runs = points.shape[:2]
    (bx0, bx1), (by0, by1) = landscape.divergence_box()
    losses = np.empty((total, runs))
    first = np.full(runs, -1)
    block = max(1, 65_536 // runs)
    for lo in range(0, total, block):
        chunk = points[lo : lo + block]
        loss = landscape.loss(chunk)
        losses[lo : lo + block] = loss
        x, y = chunk[..., 0], chunk[..., 1]
        ok = (x >= bx0) & (x <= bx1) & (y >= by0) & (y <= by1) & np.isfinite(loss)
        if not ok.all():
            bad = ~ok & (first < 0)
            hit = bad.any(axis=0)
            first[hit] = lo + bad[:, hit].argmax(axis=0)
    for r in np.flatnonzero(first >= 0):
        d = first[r]
        points[d:, r] = points[d - 1, r]
        losses[d:, r] = losses[d - 1, r]
    return losses, first
