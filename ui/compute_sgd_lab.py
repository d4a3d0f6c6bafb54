"""The SGD lab's cached computations and its one-click settings.

Every cached function takes SGD's frozen `RunSpec` (``lab_key``): everything a lab run
depends on, as small values, so that the cache is never keyed on arrays.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import streamlit as st

from figures import sgd_epoch, sgd_motion
from optimizers import run
from optimizers.minibatch import (
    arrow_scale,
    batch_position,
    gradient_pair,
    grid_argmin,
    minibatch_grid,
    on_grid_edge,
    run_report,
    suggested_step_decay,
    with_epochs_of,
)
from ui import sidebar
from ui.compute_common import surface_grid
from ui.config import Config, RunSpec
from ui.plotly_chart import FigureJSON

GRID_N = 101  # contour resolution of the minibatch view


LabKey = RunSpec  # the lab's key is SGD's run spec (surface, start, steps, alpha, batch...)


def lab_key(cfg: Config) -> LabKey:
    """What the lab runs: SGD with its own settings, and GD with SGD's alpha and schedule."""
    return cfg.run_spec("sgd")


def _landscape(key: LabKey):
    return key.landscape()


@st.cache_data(max_entries=64, show_spinner=False)
def lab_runs(key: LabKey):
    """(GD, SGD) trajectories from the same start with the same alpha at every step.

    The schedule counts epochs of SGD's batches for both: for GD alone every step is an
    epoch, and a step decay would then shrink its alpha far sooner than SGD's.
    """
    sgd = key.run()
    schedule = with_epochs_of(key.schedule_object(), sgd.steps_per_epoch)
    gd = run(key.landscape(), "gd", key.start, key.steps, key.lr, schedule=schedule)
    return gd, sgd


class LabView(NamedTuple):
    """The SGD lab's epoch for the browser (figures/sgd_epoch.py, sgd_motion.py): the static
    figure (its traces keep their uids, which the browser fills by) and both runs as binary
    arrays."""

    figure: FigureJSON
    motion: dict


@st.cache_data(max_entries=64, show_spinner=False)
def lab_view(key: LabKey) -> LabView:
    """What the lab's epoch chart draws."""
    gd, sgd = lab_runs(key)
    ls = _landscape(key)
    # Mark the critical points near these paths (all of them unless the surface is crowded).
    figure = sgd_epoch.lab_figure(ls.for_view([gd.points, sgd.points]), gd, sgd)
    return LabView(FigureJSON.of(figure, remove_uids=False), sgd_motion.lab_motion(ls, gd, sgd))


# About 0.5 MB each (two 101 x 101 grids); a scrubbed slider fills it fast.
@st.cache_data(max_entries=32, show_spinner=False)
def step_view(key: LabKey, step: int, n: int = GRID_N) -> dict:
    """What SGD faces at ``step``: the minibatch's loss on the grid, both minima, both
    gradients at the current point (with one arrow scale) and the step's epoch and batch."""
    ls = _landscape(key)
    _, sgd = lab_runs(key)
    batch = np.asarray(sgd.batches[step], dtype=int)
    point = sgd.points[step]
    full_grid = surface_grid(key.surface, key.params, n)
    batch_grid = minibatch_grid(ls, batch, n)
    if ls.minima:
        full_minimum = np.asarray(ls.global_minimum.point, dtype=float)
    else:
        full_minimum = grid_argmin(*full_grid)
    grads = gradient_pair(ls, point, batch)
    batch_minimum = grid_argmin(*batch_grid)
    return dict(
        batch=batch,
        point=point,
        full_grid=full_grid,
        batch_grid=batch_grid,
        full_minimum=full_minimum,
        batch_minimum=batch_minimum,
        batch_minimum_on_edge=on_grid_edge(batch_grid[0], batch_grid[1], batch_minimum),
        grads=grads,
        scale=arrow_scale([grads.full, grads.minibatch], ls.extent),
        position=batch_position(step, sgd.steps_per_epoch),
        lr=float(sgd.lrs[step]),
    )


@st.cache_data(max_entries=64, show_spinner=False)
def reports(key: LabKey) -> dict:
    """The results row of GD and of SGD, keyed by optimizer name."""
    ls = _landscape(key)
    gd, sgd = lab_runs(key)
    return {t.optimizer: run_report(ls, t) for t in (gd, sgd)}


# ----- one-click settings ------------------------------------------------------------------


def seed_schedule(key: LabKey, steps_per_epoch: int) -> dict:
    """The sidebar values of the notes' schedule (step decay) fitted to this run's length."""
    factor, every = suggested_step_decay(key.steps, steps_per_epoch)
    return {"sched": "step", "decay": factor, "every": every}


def use_values(values: dict) -> None:
    """Callback: put ``values`` into the sidebar's widgets (keys as in ui.sidebar) before the
    rerun draws them."""
    st.session_state.update(values)


class Scenario(NamedTuple):
    title: str
    what: str  # a one-line explanation
    values: dict  # sidebar widget values


SCENARIOS = {
    "saddle": Scenario(
        "Saddle: GD stalls, SGD escapes",
        "Started on the line φ₁ = 0 the gradient never points off it: GD slides into the "
        "saddle (0, 0) and stops; SGD's noisy gradients push it off the line into a minimum.",
        dict(surface="saddle", x0=2.5, y0=0.0, sched="constant"),
    ),
    "wells": Scenario(
        "Three wells: noise finds the deeper well",
        "From (1, −2) GD rolls into the nearest, shallower well; SGD with one example per "
        "batch and a high α is knocked out of it and settles in the deepest well "
        "(seed 0; some seeds stay).",
        dict(
            surface="wells",
            x0=1.0,
            y0=-2.0,
            log_lr=-0.7,
            bs=1,
            steps=300,
            noise=0.5,
            seed=0,
            sched="step",
            decay=0.5,
            every=3,
        ),
    ),
    "gabor": Scenario(
        "Gabor model: a better fit",
        "GD fits the data with a local minimum (loss ≈ 4); SGD with batches of 3 escapes "
        "it and finds the global minimum (loss ≈ 0.24) (seed 0; some seeds stay).",
        dict(
            surface="gabor",
            x0=2.5,
            y0=11.25,
            log_lr=-1.0,
            bs=3,
            steps=300,
            seed=0,
            sched="step",
            decay=0.5,
            every=8,
        ),
    ),
}


def use_scenario(name: str) -> None:
    """Callback: switch the sidebar to scenario ``name`` (a new surface gets its defaults
    first, as when the surface is picked by hand)."""
    values = SCENARIOS[name].values
    st.session_state["surface"] = values["surface"]
    sidebar._on_surface_change()
    st.session_state.update(values)
