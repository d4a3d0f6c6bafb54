"""Cached computations: small hashable arguments in; NumPy results, or figure JSON, out."""

from __future__ import annotations

import math
from dataclasses import dataclass

import plotly.io as pio
import streamlit as st

from figures import style
from figures.poster import race_poster_svg
from figures.race import RunView, loss_figure, race_figure_json
from landscapes import get_landscape
from optimizers import run
from ui.config import Config, OptimizerSettings, schedule_from_tuple


def _landscape(surface: str, params: tuple):
    return get_landscape(surface, **dict(params))


@st.cache_data(max_entries=32, show_spinner=False)
def surface_grid(surface: str, params: tuple, n: int):
    return _landscape(surface, params).grid(n)


@st.cache_data(max_entries=256, show_spinner=False)
def trajectory(
    surface, params, optimizer, start, steps, lr, beta, gamma, eps, batch_size, seed, schedule
):
    ls = _landscape(surface, params)
    sched = schedule_from_tuple(schedule)
    return run(
        ls,
        optimizer,
        start,
        steps,
        lr,
        beta=beta,
        gamma=gamma,
        eps=eps,
        batch_size=batch_size,
        seed=seed,
        schedule=sched,
    )


def run_setting(config: Config, s: OptimizerSettings, start=None, steps=None):
    """The cached trajectory of one optimizer under ``config``."""
    return trajectory(
        config.surface,
        config.landscape_params,
        s.name,
        tuple(start if start is not None else config.start),
        steps or config.steps,
        s.lr,
        s.beta,
        s.gamma,
        s.eps,
        s.batch_size,
        config.seed,
        config.schedule,
    )


def race(config: Config) -> dict:
    """Every chosen optimizer's trajectory, keyed by name."""
    return {s.name: run_setting(config, s) for s in config.settings}


@dataclass(frozen=True)
class RaceCharts:
    race: str  # the race figure's Plotly JSON
    loss: str  # the loss-against-step figure's Plotly JSON
    poster: str  # SVG: the contour and paths, shown while plotly.js loads


def legend_label(config: Config, name: str) -> str:
    """The optimizer's name, with the factor on the slider's α when its α differs."""
    ratio = config.setting(name).lr / config.lr
    if math.isclose(ratio, 1.0, rel_tol=1e-9):
        return style.label(name)
    return f"{style.label(name)} (α × {ratio:.3g})"


def race_charts(config: Config, race_height: int, loss_height: int) -> RaceCharts:
    """The compare page's two figures, built once per configuration: a new visitor to a view
    already drawn (the default one above all) gets them without the 0.2-0.3 s build."""
    return _race_charts(repr(config), config, race_height, loss_height)


@st.cache_data(max_entries=16, show_spinner=False)
def _race_charts(key: str, _config: Config, race_height: int, loss_height: int) -> RaceCharts:
    # ``key`` is the configuration's repr (exact: floats print round-trip); ``_config``, which
    # Streamlit does not hash, is the same configuration as an object.
    runs = race(_config)
    # Mark the critical points near these paths (all of them unless the surface is crowded).
    ls = _config.landscape().for_view([t.points for t in runs.values()])
    views = [
        RunView.from_trajectory(t, label=legend_label(_config, name)) for name, t in runs.items()
    ]
    race_json = race_figure_json(ls, views, height=race_height)
    loss = loss_figure(views, loss_floor=ls.global_minimum.loss, height=loss_height)
    return RaceCharts(
        race=race_json,
        loss=pio.to_json(loss, validate=False),
        poster=race_poster_svg(ls, views),
    )
