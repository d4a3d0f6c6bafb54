"""Vectorized NumPy optimizers in the forms of fitting-models.md (no UI imports)."""

from optimizers import schedules
from optimizers.rules import OPTIMIZER_NAMES, RULES, Rule, get_rule
from optimizers.run import Trajectory, minibatches, run

__all__ = [
    "OPTIMIZER_NAMES",
    "RULES",
    "Rule",
    "Trajectory",
    "get_rule",
    "minibatches",
    "run",
    "schedules",
]
