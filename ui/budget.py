"""How much work one view may ask of the server: about 2 s of one core.

Each size a user controls has its own maximum (the widgets' ranges, checked on the URL by
ui/params.py), but their product is what costs: a basin map of 150 x 150 starts x 1000 steps
x 8 optimizers is 180 million optimizer steps, about 30 s. A page asks here how large its
grid or sweep may be at the other sizes, and shows the message when it had to cut. Budgets
are in run-steps (one optimizer step of one run on a textbook surface), measured on the
2-core test machine: about 0.2 us per step in a basin map (end points only) and 0.5 us in a
sweep that records every loss, plus a fixed cost per step of each vectorized call (NumPy's
per-call overhead), counted as ``STEP_OVERHEAD`` runs more (bench/README.md, "Caps").

A step on a surface fitted to data sums its examples and costs more: each run counts as
``RunSpec.step_cost`` run-steps (the Gabor model's full batch of 30 examples, 8.5).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

BASIN_RUN_STEPS = 6_000_000  # about 1.2 s (the default map, 5 optimizers x 60 x 60 x 300, fits)
SWEEP_RUN_STEPS = 6_000_000  # about 2 s, heatmaps included
STEP_OVERHEAD = 300  # runs: one vectorized step costs as much as this many more runs


def _costlier(costs: Sequence[float]) -> str:
    """Why a step costs more here, when it does."""
    top = max(costs, default=1.0)
    if top < 1.5:
        return ""
    return f" A step here sums the data's examples: up to {top:.3g} times a textbook surface's."


def basin_grid(n: int, steps: int, costs: Sequence[float], smallest: int) -> tuple[int, str | None]:
    """The grid size (starts per side) within the budget, and why it is smaller, if it is.
    ``costs``: one run-step of each optimizer (`RunSpec.step_cost`)."""
    per_run = steps * sum(costs)
    if not costs or (n * n + STEP_OVERHEAD) * per_run <= BASIN_RUN_STEPS:
        return n, None
    runs = int(BASIN_RUN_STEPS // per_run) - STEP_OVERHEAD
    fitted = min(n, max(smallest, math.isqrt(max(runs, 0))))
    k = len(costs)
    return fitted, (
        f"{n} × {n} starts × {steps} steps × {k} optimizer{'s' * (k != 1)} is more than one "
        f"view may compute ({BASIN_RUN_STEPS / 1e6:g} million steps): mapping {fitted} × "
        f"{fitted} starts.{_costlier(costs)} Fewer steps or optimizers allow a finer grid."
    )


HEAT_SHARE = 0.75  # of SWEEP_RUN_STEPS the heatmaps may take before they are made coarser
MIN_HEAT = (8, 5)  # the coarsest heatmap: learning rates x values


def heat_size(
    lrs: int, values: int, steps: int, heat_costs: Sequence[float]
) -> tuple[int, int, str | None]:
    """The heatmaps' grid (learning rates x values) within their share of the sweep budget,
    and why it is coarser, if it is: both axes shrink by the same factor."""
    per_run = steps * sum(heat_costs)
    allowed = HEAT_SHARE * SWEEP_RUN_STEPS
    if not heat_costs or (lrs * values + STEP_OVERHEAD) * per_run <= allowed:
        return lrs, values, None
    shrink = math.sqrt(max(allowed / per_run - STEP_OVERHEAD, 0) / (lrs * values))
    nl, nv = max(MIN_HEAT[0], int(lrs * shrink)), max(MIN_HEAT[1], int(values * shrink))
    k = len(heat_costs)
    return (
        nl,
        nv,
        (
            f"{k} heatmap{'s' * (k != 1)} of {lrs} × {values} runs × {steps} steps is more than "
            f"one view may compute: each heatmap has {nl} × {nv} runs.{_costlier(heat_costs)}"
        ),
    )


def sweep_count(
    count: int,
    steps: int,
    costs: Sequence[float],
    heat_costs: Sequence[float],
    heat_runs: int,
    smallest: int,
) -> tuple[int, str | None]:
    """How many learning rates each optimizer's sweep may take, after one heatmap of
    ``heat_runs`` runs for each of ``heat_costs``, and why it is fewer, if it is. ``costs``:
    one run-step of each optimizer (`RunSpec.step_cost`: a sweep's run-step also finds the
    loss of its point, on a textbook surface as on the data, so the same ratio holds)."""
    heat = sum((heat_runs + STEP_OVERHEAD) * steps * c for c in heat_costs)
    per_run = steps * sum(costs)
    if not costs or (count + STEP_OVERHEAD) * per_run + heat <= SWEEP_RUN_STEPS:
        return count, None
    runs = int((SWEEP_RUN_STEPS - heat) // per_run) - STEP_OVERHEAD
    fitted = min(count, max(smallest, runs))
    k = len(costs)
    return fitted, (
        f"{count} learning rates × {steps} steps × {k} optimizer{'s' * (k != 1)} (and the "
        f"heatmaps) is more than one view may compute ({SWEEP_RUN_STEPS / 1e6:g} million "
        f"steps): sweeping {fitted} learning rates.{_costlier(costs)} Fewer steps or "
        "optimizers allow more."
    )
