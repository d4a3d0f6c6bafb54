"""The compare page's cached computations: one frozen `RunSpec` per optimizer in; NumPy
results, or figure JSON, out."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace

import numpy as np
import streamlit as st

from figures import style
from figures.loss_chart import loss_axis
from figures.loss_chart import loss_figure as loss_panel
from figures.poster import race_poster_svg
from figures.race_motion import AlphaSweep, alpha_factors, motion_payload
from figures.race_panels import contour_figure, marker_sizes, surface_figure, surface_lift
from figures.run_view import RunView
from optimizers import Trajectory
from ui.config import Config, OptimizerSettings, RunSpec
from ui.plotly_chart import figure_json

ALPHA_FACTORS = alpha_factors()  # the α scrubber's factors: K = 25 over ± one decade
CENTRE = int(np.flatnonzero(ALPHA_FACTORS == 1.0)[0])


@st.cache_data(max_entries=64, show_spinner=False)
def alpha_sweep(spec: RunSpec) -> Trajectory:
    """One vectorized run of ``spec`` at ``spec.lr * ALPHA_FACTORS``, all from its start."""
    starts = np.tile(np.asarray(spec.start, dtype=float), (len(ALPHA_FACTORS), 1))
    trajectory = spec.run(starts, spec.lr * ALPHA_FACTORS)
    # Every batch as one row of an array, not a list of a thousand small arrays: the cache
    # pickles this value on each write and read, and the list was most of that time.
    if len({len(b) for b in trajectory.batches}) == 1:
        trajectory = replace(trajectory, batches=np.stack(trajectory.batches))
    return trajectory


def _swept(config: Config, s: OptimizerSettings) -> Trajectory:
    return alpha_sweep(config.run_spec(s.name))


def sweeps(config: Config) -> list[AlphaSweep]:
    """Every chosen optimizer at its own α (``config.settings[i].lr``) times each factor."""
    return [AlphaSweep.from_trajectory(_swept(config, s), s.lr) for s in config.settings]


def _column(trajectory: Trajectory, k: int) -> Trajectory:
    """Run ``k`` of a batched trajectory, as a single run's trajectory."""
    return replace(
        trajectory,
        points=trajectory.points[:, k],
        losses=trajectory.losses[:, k],
        diverged=int(trajectory.diverged[k]),
        lrs=trajectory.lrs[:, k],
    )


def race(config: Config) -> dict:
    """Every chosen optimizer's trajectory at its own α, keyed by name: the scrubber's
    centre runs, so the table and the figure show the same runs."""
    return _centre_runs(repr(config), config)


@st.cache_data(max_entries=64, show_spinner=False)
def _centre_runs(key: str, _config: Config) -> dict:
    # Cached apart from the sweeps: a cache read unpickles its value, and the centre runs are
    # a 25th of the sweeps they come from (``key`` as in `_race_view`).
    return {s.name: _column(_swept(_config, s), CENTRE) for s in _config.settings}


@dataclass(frozen=True)
class RaceView:
    """What the compare page's chart component draws (figures as Plotly JSON)."""

    contour: dict  # Plotly figures as JSON-ready dicts, without their (shared) template
    surface: dict
    loss: dict
    template: dict
    motion: dict  # figures.race_motion.motion_payload
    poster: str  # SVG: the contour and paths, shown while plotly.js loads


def legend_label(config: Config, name: str) -> str:
    """The optimizer's name, with the factor on the slider's α when its α differs."""
    ratio = config.setting(name).lr / config.lr
    if math.isclose(ratio, 1.0, rel_tol=1e-9):
        return style.label(name)
    return f"{style.label(name)} (α × {ratio:.3g})"


def race_view(config: Config) -> RaceView:
    """The compare page's figures and paths, built once per configuration: a new visitor to
    a view already drawn (the default one above all) gets them at once."""
    return _race_view(repr(config), config)


@st.cache_data(max_entries=16, show_spinner=False)
def _race_view(key: str, _config: Config) -> RaceView:
    # ``key`` is the configuration's repr (exact: floats print round-trip); ``_config``, which
    # Streamlit does not hash, is the same configuration as an object.
    # Each sweep read once (a cache read unpickles it): the α scrubber's runs and their centres.
    trajectories = [_swept(_config, s) for s in _config.settings]
    swept = [
        AlphaSweep.from_trajectory(t, s.lr)
        for t, s in zip(trajectories, _config.settings, strict=True)
    ]
    centre = {
        s.name: _column(t, CENTRE) for t, s in zip(trajectories, _config.settings, strict=True)
    }
    # Mark the critical points near these paths (all of them unless the surface is crowded).
    ls = _config.landscape().for_view([t.points for t in centre.values()])
    names = [s.name for s in swept]
    motion = motion_payload(ls, swept, ALPHA_FACTORS)
    axis = loss_axis(swept)
    motion["loss_axis"] = axis
    motion["lift"] = surface_lift(ls)
    for optimizer, size in zip(motion["optimizers"], marker_sizes(len(names)), strict=True):
        optimizer["size"] = size  # px: earlier markers larger, so stacked ends show as rings
        optimizer["label"] = legend_label(_config, optimizer["name"])
    views = [RunView.from_trajectory(t) for t in centre.values()]
    figures = [
        json.loads(figure_json(fig, remove_uids=False))
        for fig in (
            contour_figure(ls, names, _config.start),
            surface_figure(ls, names, _config.start),
            loss_panel(names, axis, _config.steps),
        )
    ]
    templates = [fig["layout"].pop("template") for fig in figures]
    return RaceView(
        *figures,
        template=templates[0],
        motion=motion,
        poster=race_poster_svg(ls, views),
    )
