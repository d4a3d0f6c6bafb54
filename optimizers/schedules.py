"""Learning-rate schedules: plain functions from step to a multiplier of alpha.

A schedule is called with (steps (T,) int array, steps_per_epoch, total_steps) and returns
the multiplier of the base learning rate at each step; epoch_t = t // steps_per_epoch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Schedule:
    kind: str = "constant"
    factor: float = 1.0  # step: the decay factor; exponential: the factor per epoch
    every: int = 1  # step: decay every this many epochs
    final_fraction: float = 0.0  # cosine: the multiplier reached at the last step

    def __call__(self, t, steps_per_epoch: int, total_steps: int) -> np.ndarray:
        t = np.asarray(t, dtype=float)
        if self.kind == "constant":
            return np.ones_like(t)
        if self.kind == "step":
            epoch = np.floor(t / steps_per_epoch)
            return self.factor ** np.floor(epoch / self.every)
        if self.kind == "exponential":
            return self.factor ** (t / steps_per_epoch)
        if self.kind == "cosine":
            f = self.final_fraction
            return f + (1 - f) * 0.5 * (1 + np.cos(np.pi * t / max(total_steps, 1)))
        raise ValueError(f"unknown schedule kind {self.kind!r}")


def constant() -> Schedule:
    return Schedule("constant")


def step_decay(factor: float = 0.5, every: int = 10) -> Schedule:
    """The notes' schedule: alpha starts high and shrinks by ``factor`` every ``every`` epochs."""
    if not (np.isfinite(factor) and 0 < factor <= 1):
        raise ValueError(f"step decay factor must be in (0, 1], got {factor!r}")
    if int(every) != every or every < 1:
        raise ValueError(
            f"step decay interval must be a whole number of epochs >= 1, got {every!r}"
        )
    return Schedule("step", factor=float(factor), every=int(every))


def exponential(factor: float = 0.95) -> Schedule:
    if not (np.isfinite(factor) and 0 < factor <= 1):
        raise ValueError(f"exponential decay factor must be in (0, 1], got {factor!r}")
    return Schedule("exponential", factor=float(factor))


def cosine(final_fraction: float = 0.0) -> Schedule:
    if not (np.isfinite(final_fraction) and 0 <= final_fraction <= 1):
        raise ValueError(f"cosine final fraction must be in [0, 1], got {final_fraction!r}")
    return Schedule("cosine", final_fraction=float(final_fraction))


SCHEDULE_KINDS = ("constant", "step", "exponential", "cosine")


def make(
    kind: str | None = "constant", factor: float = 0.5, every: int = 10, final_fraction: float = 0.0
) -> Schedule:
    """A schedule by name, with the parameters that kind uses."""
    if kind in (None, "constant"):
        return constant()
    if kind == "step":
        return step_decay(factor, every)
    if kind == "exponential":
        return exponential(factor)
    if kind == "cosine":
        return cosine(final_fraction)
    raise ValueError(f"unknown schedule {kind!r}; choose one of {', '.join(SCHEDULE_KINDS)}")
