"""Cached sweeps for the sensitivity and basin pages: one vectorized run per optimizer, keyed
by small hashable arguments (the learning rates by their range and count, not as arrays)."""

from __future__ import annotations

import streamlit as st

from landscapes import get_landscape
from optimizers import SPECS
from optimizers.sweeps import BasinMap, Grid2D, Sweep, hyper_grid, log_range, lr_sweep
from optimizers.sweeps_extra import basin_map_ends, one_minus_log_values
from ui.config import Config, OptimizerSettings, schedule_from_tuple

# The hyperparameter heatmaps: how many learning rates and beta/gamma values, and how close
# to 1 the values go (beta up to 0.999, gamma up to 0.9999).
HEAT_LRS = 40
HEAT_VALUES = 25
HEAT_DECADES = {"beta": 3.0, "gamma": 4.0}
HEAT_PARAM = {name: spec.heat for name, spec in SPECS.items() if spec.heat}  # from the specs


def _landscape(surface: str, params: tuple):
    return get_landscape(surface, **dict(params))


@st.cache_data(max_entries=128, show_spinner=False)
def _sweep(
    surface, params, optimizer, start, lo, hi, count, steps, beta, gamma, eps, batch_size, seed,
    schedule,
) -> Sweep:  # fmt: skip
    return lr_sweep(
        _landscape(surface, params),
        optimizer,
        start,
        log_range(lo, hi, count),
        steps,
        beta=beta,
        gamma=gamma,
        eps=eps,
        batch_size=batch_size,
        seed=seed,
        schedule=schedule_from_tuple(schedule),
    )


def lr_sweep_setting(cfg: Config, s: OptimizerSettings, lo: float, hi: float, count: int) -> Sweep:
    """``count`` learning rates from ``lo`` to ``hi`` for one optimizer, with its other
    settings, from the configured start and minibatch sequence."""
    return _sweep(
        cfg.surface, cfg.landscape_params, s.name, tuple(cfg.start), float(lo), float(hi),
        int(count), cfg.steps, s.beta, s.gamma, s.eps, s.batch_size, cfg.seed, cfg.schedule,
    )  # fmt: skip


@st.cache_data(max_entries=32, show_spinner=False)
def _hyper(
    surface, params, optimizer, start, lo, hi, name, steps, beta, gamma, eps, batch_size, seed,
    schedule,
) -> Grid2D:  # fmt: skip
    fixed = {"beta": beta, "gamma": gamma}
    fixed.pop(name)
    return hyper_grid(
        _landscape(surface, params),
        optimizer,
        start,
        log_range(lo, hi, HEAT_LRS),
        name,
        one_minus_log_values(HEAT_DECADES[name], HEAT_VALUES),
        steps,
        eps=eps,
        batch_size=batch_size,
        seed=seed,
        schedule=schedule_from_tuple(schedule),
        **fixed,
    )


def hyper_grid_setting(cfg: Config, s: OptimizerSettings, lo: float, hi: float) -> Grid2D:
    """Final loss over (lr, beta) for momentum and Nesterov, (lr, gamma) for Adam."""
    return _hyper(
        cfg.surface, cfg.landscape_params, s.name, tuple(cfg.start), float(lo), float(hi),
        HEAT_PARAM[s.name], cfg.steps, s.beta, s.gamma, s.eps, s.batch_size, cfg.seed,
        cfg.schedule,
    )  # fmt: skip


@st.cache_data(max_entries=48, show_spinner=False)
def _basins(
    surface, params, optimizer, n, steps, lr, beta, gamma, eps, batch_size, seed, schedule
) -> BasinMap:
    return basin_map_ends(
        _landscape(surface, params),
        optimizer,
        n,
        steps,
        lr=lr,
        beta=beta,
        gamma=gamma,
        eps=eps,
        batch_size=batch_size,
        seed=seed,
        schedule=schedule_from_tuple(schedule),
    )


def basin_map_setting(cfg: Config, s: OptimizerSettings, n: int, steps: int) -> BasinMap:
    """Where one optimizer, with its own settings, ends from each start of an n x n grid."""
    return _basins(
        cfg.surface, cfg.landscape_params, s.name, int(n), int(steps), s.lr, s.beta, s.gamma,
        s.eps, s.batch_size, cfg.seed, cfg.schedule,
    )  # fmt: skip
