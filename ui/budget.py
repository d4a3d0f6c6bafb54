"""How much work one view may ask of the server: about 2 s of one core.

Each size a user controls has its own maximum (the widgets' ranges, checked on the URL by
ui/params.py), but their product is what costs: a basin map of 150 x 150 starts x 1000 steps
x 8 optimizers is 180 million optimizer steps, about 30 s. A page asks here how large its
grid or sweep may be at the other sizes, and shows the message when it had to cut. Budgets
are in run-steps (one optimizer step of one run), measured on the 2-core test machine:
about 0.2 us per step in a basin map (end points only) and 0.5 us in a sweep that records
every loss, plus a fixed cost per step of each vectorized call (NumPy's per-call overhead),
counted as ``STEP_OVERHEAD`` runs more (bench/README.md, "Caps").
"""

from __future__ import annotations

import math

BASIN_RUN_STEPS = 8_000_000  # about 1.5 s
SWEEP_RUN_STEPS = 6_000_000  # about 2 s, heatmaps included
STEP_OVERHEAD = 300  # runs: one vectorized step costs as much as this many more runs


def basin_grid(n: int, steps: int, optimizers: int, smallest: int) -> tuple[int, str | None]:
    """The grid size (starts per side) within the budget, and why it is smaller, if it is."""
    if optimizers == 0 or (n * n + STEP_OVERHEAD) * steps * optimizers <= BASIN_RUN_STEPS:
        return n, None
    runs = BASIN_RUN_STEPS // (steps * optimizers) - STEP_OVERHEAD
    fitted = max(smallest, math.isqrt(max(runs, 0)))
    return fitted, (
        f"{n} × {n} starts × {steps} steps × {optimizers} optimizer"
        f"{'s' * (optimizers != 1)} is more than one view may compute "
        f"({BASIN_RUN_STEPS / 1e6:g} million steps): mapping {fitted} × {fitted} starts. "
        "Fewer steps or optimizers allow a finer grid."
    )


def sweep_count(
    count: int, steps: int, optimizers: int, heatmaps: int, heat_runs: int, smallest: int
) -> tuple[int, str | None]:
    """How many learning rates each optimizer's sweep may take, after ``heatmaps`` heatmaps
    of ``heat_runs`` runs each, and why it is fewer, if it is."""
    heat = heatmaps * (heat_runs + STEP_OVERHEAD) * steps
    if optimizers == 0 or (count + STEP_OVERHEAD) * steps * optimizers + heat <= SWEEP_RUN_STEPS:
        return count, None
    runs = (SWEEP_RUN_STEPS - heat) // (steps * optimizers) - STEP_OVERHEAD
    fitted = max(smallest, runs)
    fitted = min(fitted, count)
    return fitted, (
        f"{count} learning rates × {steps} steps × {optimizers} optimizer"
        f"{'s' * (optimizers != 1)} (and the heatmaps) is more than one view may compute "
        f"({SWEEP_RUN_STEPS / 1e6:g} million steps): sweeping {fitted} learning rates. "
        "Fewer steps or optimizers allow more."
    )
