"""The basins page's cached maps: where one optimizer ends from each start of a grid, keyed by
its frozen `RunSpec` (without a start: the grid gives them) and the grid's size."""

from __future__ import annotations

import streamlit as st

from optimizers.sweeps import BasinMap
from optimizers.sweeps_extra import basin_map_ends
from ui.config import Config, OptimizerSettings, RunSpec


@st.cache_data(max_entries=48, show_spinner=False)
def _basins(spec: RunSpec, n: int) -> BasinMap:
    return basin_map_ends(
        spec.landscape(), spec.optimizer, n, spec.steps, lr=spec.lr, **spec.options()
    )


def basin_map_setting(cfg: Config, s: OptimizerSettings, n: int, steps: int) -> BasinMap:
    """Where one optimizer, with its own settings, ends from each start of an n x n grid."""
    return _basins(cfg.run_spec(s.name, start=None, steps=int(steps)), int(n))
