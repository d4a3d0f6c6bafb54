"""ui/figure_cache.py: a figure is built once per key, and every view gets the same JSON the
built figure gives (the SGD lab's figure, contour image and all)."""

from __future__ import annotations

import json

import plotly.io as pio
import plotly.tools
import streamlit as st

from figures import sgd_epoch
from landscapes import get_landscape
from optimizers import run
from ui.figure_cache import shared_figure


def _streamlit_json(fig) -> dict:
    """What st.plotly_chart sends to the browser for ``fig``."""
    figure = plotly.tools.return_figure_from_figure_or_data(fig, validate_figure=True)
    return json.loads(pio.to_json(figure, validate=False))


def test_shared_figure_sends_what_the_built_one_does():
    st.cache_resource.clear()
    ls = get_landscape("rosenbrock")
    gd = run(ls, "gd", ls.default_start, 300, 1e-3)
    sgd = run(ls, "sgd", ls.default_start, 300, 1e-3, batch_size=8, seed=0)
    built = sgd_epoch.lab_figure(ls, gd, sgd)
    calls = []

    def build():
        calls.append(1)
        return sgd_epoch.lab_figure(ls, gd, sgd)

    first = shared_figure("test_lab_figure", ("rosenbrock", 300), build)
    second = shared_figure("test_lab_figure", ("rosenbrock", 300), build)
    assert len(calls) == 1  # built once for the key
    assert second is first  # the same JSON text, not built or serialized again
    sent = json.loads(first.json)
    assert sent["layout"]["images"][0]["source"] == built.layout.images[0].source
    assert sent == _streamlit_json(built)  # what st.plotly_chart would send for the figure
    assert first.height == built.layout.height
    shared_figure("test_lab_figure", ("rosenbrock", 301), build)
    assert len(calls) == 2  # another key, another figure
