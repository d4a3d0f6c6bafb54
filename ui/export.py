"""Taking Descent to class: the race (or the SGD lab's epoch) as an animated GIF, built only
when someone asks for it, and meaningful file names for every figure's PNG download.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import streamlit as st

from figures.animation_gif import GifOptions, lab_gif, race_gif
from figures.run_view import RunView
from landscapes import get_landscape
from ui.compute_compare import race
from ui.compute_sgd_lab import LabKey, lab_runs
from ui.config import Config
from ui.gate import gated

WIDTH_CHOICES = (480, 640, 800, 1024, 1200)
FPS_CHOICES = (5, 8, 10, 12, 15, 20, 25)
SECONDS_RANGE = (2, 20)
IMAGE_SCALE = 2  # the modebar's PNG: twice the size on screen, sharp on a projector


def file_stem(page: str, cfg: Config, figure: str | None = None, optimizers=None) -> str:
    """``descent-<page>-<surface>-<optimizers>[-<figure>]``: what a downloaded image is of,
    in characters every file system takes. ``optimizers``: those the figure shows, if not
    the sidebar's (the SGD lab shows GD and SGD)."""
    names = cfg.optimizers if optimizers is None else optimizers
    parts = ["descent", page, cfg.surface, "-".join(names), figure]
    stem = "-".join(p for p in parts if p)
    return re.sub(r"[^A-Za-z0-9_-]+", "-", stem)


def plotly_config(page: str, cfg: Config, figure: str | None = None, optimizers=None) -> dict:
    """Plotly's config for a figure: no logo, and the camera button saves a 2x PNG named by
    `file_stem`."""
    return {
        "displaylogo": False,
        "toImageButtonOptions": {
            "format": "png",
            "filename": file_stem(page, cfg, figure, optimizers),
            "scale": IMAGE_SCALE,
        },
    }


# ----- the GIFs, cached per configuration and options ---------------------------------------


def compare_gif(cfg: Config, options: GifOptions) -> bytes:
    return _compare_gif(repr(cfg), cfg, options)


@st.cache_data(max_entries=8, show_spinner=False)
def _compare_gif(key: str, _cfg: Config, options: GifOptions) -> bytes:
    # ``key`` is the configuration's repr (exact), as in ui.compute_compare.race_view.
    views = [RunView.from_trajectory(t) for t in race(_cfg).values()]
    return race_gif(_cfg.landscape(), views, options)


@st.cache_data(max_entries=8, show_spinner=False)
def sgd_lab_gif(key: LabKey, options: GifOptions) -> bytes:
    gd, sgd = lab_runs(key)
    return lab_gif(get_landscape(key.surface, **dict(key.params)), gd, sgd, options)


@st.fragment
@gated
def gif_download(build: Callable[[GifOptions], bytes], file_name: str, key: str) -> None:
    """A popover with the GIF's options and its download button. The GIF is built when the
    button is pressed (Streamlit runs ``data`` then, in the background), never on a rerun;
    the options rerun only this fragment."""
    with st.popover("Animated GIF", icon=":material/animated_images:"):
        width = st.select_slider("Width (px)", WIDTH_CHOICES, 800, key=f"{key}_width")
        fps = st.select_slider("Frames per second", FPS_CHOICES, 12, key=f"{key}_fps")
        seconds = st.slider("Length (s)", *SECONDS_RANGE, 6, key=f"{key}_seconds")
        options = GifOptions(int(width), int(fps), float(seconds))
        st.caption(
            f"{options.frames} frames, then the end is held a moment before it loops. "
            "For slides: drop the file onto a slide like a picture."
        )
        st.download_button(
            "Download the GIF",
            lambda: build(options),
            file_name=f"{file_name}.gif",
            mime="image/gif",
            on_click="ignore",
            icon=":material/download:",
            key=f"{key}_download",
        )
