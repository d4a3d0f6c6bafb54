"""First-view settings per landscape, chosen so that every optimizer visibly moves and none
diverges at once. The learning rates are exponents: alpha = 10 ** lg_lr.
"""

from __future__ import annotations

from typing import NamedTuple


class Preset(NamedTuple):
    lg_lr: float  # gradient-scaled optimizers: gd, sgd, momentum, nesterov
    lg_lr_adaptive: float  # fixed-step optimizers: normalized, adam, rmsprop, adagrad
    steps: int
    batch_size: int


PRESETS = {
    "quadratic": Preset(-0.5, -1.3, 150, 8),
    "rosenbrock": Preset(-3.0, -1.5, 1000, 8),
    "himmelblau": Preset(-2.0, -1.3, 200, 8),
    "wells": Preset(-1.0, -1.3, 300, 8),
    "saddle": Preset(-1.0, -1.3, 200, 8),
    "beale": Preset(-2.5, -1.7, 400, 8),
    "rastrigin": Preset(-2.7, -1.3, 200, 8),
    "linreg": Preset(-2.0, -1.3, 200, 5),
    "gabor": Preset(-1.3, -1.0, 300, 6),
}

ADAPTIVE = ("normalized", "adam", "rmsprop", "adagrad")
DEFAULT_OPTIMIZERS = ("gd", "sgd", "momentum", "nesterov", "adam")


def default_lg_lr(landscape_name: str, optimizer: str) -> float:
    preset = PRESETS[landscape_name]
    return preset.lg_lr_adaptive if optimizer in ADAPTIVE else preset.lg_lr
