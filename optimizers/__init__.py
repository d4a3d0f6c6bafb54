"""Vectorized NumPy optimizers in the forms of fitting-models.md (no UI imports).

`optimizers.rules.SPECS` is the registry: one spec per optimizer."""

from optimizers import schedules
from optimizers.rules import (
    OPTIMIZER_NAMES,
    RULES,
    SPECS,
    Hyperparameter,
    Rule,
    Spec,
    default_lg_lr,
    get_rule,
    get_spec,
)
from optimizers.run import Trajectory, minibatches, run

__all__ = [
    "OPTIMIZER_NAMES",
    "RULES",
    "SPECS",
    "Hyperparameter",
    "Rule",
    "Spec",
    "Trajectory",
    "default_lg_lr",
    "get_rule",
    "get_spec",
    "minibatches",
    "run",
    "schedules",
]
