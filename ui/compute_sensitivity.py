"""The sensitivity page's cached sweeps: one vectorized run per optimizer, keyed by its frozen
`RunSpec` and the learning rates' range and count (not the rates as arrays)."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from optimizers import SPECS
from optimizers.sweeps import Grid2D, Sweep, hyper_grid, log_range, lr_sweep
from optimizers.sweeps_extra import one_minus_log_values
from ui.config import Config, OptimizerSettings, RunSpec

# The hyperparameter heatmaps: how many learning rates and beta/gamma values, and how close
# to 1 the values go (beta up to 0.999, gamma up to 0.9999).
HEAT_LRS = 40
HEAT_VALUES = 25
HEAT_DECADES = {"beta": 3.0, "gamma": 4.0}
HEAT_PARAM = {name: spec.heat for name, spec in SPECS.items() if spec.heat}  # from the specs


@st.cache_data(max_entries=128, show_spinner=False)
def _sweep(spec: RunSpec, lo: float, hi: float, count: int) -> Sweep:
    return lr_sweep(
        spec.landscape(),
        spec.optimizer,
        spec.start,
        log_range(lo, hi, count),
        spec.steps,
        **spec.options(),
    )


def lr_sweep_setting(cfg: Config, s: OptimizerSettings, lo: float, hi: float, count: int) -> Sweep:
    """``count`` learning rates from ``lo`` to ``hi`` for one optimizer, with its other
    settings, from the configured start and minibatch sequence."""
    return _sweep(cfg.run_spec(s.name), float(lo), float(hi), int(count))


@st.cache_data(max_entries=32, show_spinner=False)
def _hyper(spec: RunSpec, lo: float, hi: float, name: str, size: tuple[int, int]) -> Grid2D:
    """``spec`` without ``name`` among its hyperparameters: that one is swept, over ``size``
    (learning rates, values)."""
    return hyper_grid(
        spec.landscape(),
        spec.optimizer,
        spec.start,
        log_range(lo, hi, size[0]),
        name,
        one_minus_log_values(HEAT_DECADES[name], size[1]),
        spec.steps,
        **spec.options(),
    )


def hyper_grid_setting(
    cfg: Config, s: OptimizerSettings, lo: float, hi: float, size=(HEAT_LRS, HEAT_VALUES)
) -> Grid2D:
    """Final loss over (lr, beta) for momentum and Nesterov, (lr, gamma) for Adam, on a grid
    of ``size`` (learning rates, values)."""
    # The swept value leaves the key: the grid is the same whatever the sidebar's β.
    name = HEAT_PARAM[s.name]
    spec = cfg.run_spec(s.name)
    spec = replace(spec, hyper=tuple(h for h in spec.hyper if h[0] != name))
    return _hyper(spec, float(lo), float(hi), name, (int(size[0]), int(size[1])))
