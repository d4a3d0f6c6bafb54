"""ui/figure_cache.py: a figure is built once per key, and every view gets the same JSON the
built figure gives (the SGD lab's figure, contour image and all)."""

from __future__ import annotations

import json

import numpy as np
import plotly.io as pio
import plotly.tools
import pytest
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


def test_figure_json_is_plotlys_text_without_changing_the_figure():
    """ui.plotly_chart.figure_json skips plotly's deep copy: the same text as pio.to_json on
    figures with arrays, object arrays (hover texts) and nested layout, and the figure is
    unchanged after it (its arrays are still arrays)."""
    import numpy as np
    import plotly.graph_objects as go

    from figures.basins import basin_figure
    from optimizers.sweeps_extra import basin_map_ends
    from ui.plotly_chart import figure_json

    ls = get_landscape("himmelblau")
    maps = {name: basin_map_ends(ls, name, 12, 30, lr=0.01) for name in ("gd", "adam")}
    gd = run(ls, "gd", ls.default_start, 50, 1e-2)
    sgd = run(ls, "sgd", ls.default_start, 50, 1e-2, batch_size=8)
    labels = np.array(list("abcde"), dtype=object)
    figures = [
        basin_figure(ls, maps, ls.grid(41)),
        sgd_epoch.lab_figure(ls, gd, sgd),
        go.Figure(go.Scatter(x=np.arange(5.0), y=np.arange(5.0) ** 2, text=labels)),
    ]
    for fig in figures:
        before = pio.to_json(fig, validate=False)
        for remove_uids in (True, False):
            assert figure_json(fig, remove_uids) == pio.to_json(
                fig, validate=False, remove_uids=remove_uids
            )
        assert pio.to_json(fig, validate=False) == before  # the figure was not changed
    assert isinstance(figures[2].data[0].x, np.ndarray)


def test_figures_send_the_same_json_without_the_second_validation(monkeypatch):
    """The server builds figures without plotly's second validation (figures.kit.VALIDATE),
    the tests with it: the same JSON either way, for builders of every page."""
    from figures import kit
    from figures.basins import basin_figure
    from figures.loss_chart import runs_loss_figure
    from figures.race_panels import contour_figure, surface_figure
    from figures.sgd_curves import lr_figure
    from figures.theory import momentum_weights_figure
    from optimizers.sweeps_extra import basin_map_ends

    ls = get_landscape("wells")
    gd = run(ls, "gd", ls.default_start, 60, 0.1)
    sgd = run(ls, "sgd", ls.default_start, 60, 0.1, batch_size=8)
    maps = {name: basin_map_ends(ls, name, 12, 30, lr=0.1) for name in ("gd", "adam")}
    builders = [
        lambda: basin_figure(ls, maps, ls.grid(41)),
        lambda: runs_loss_figure([gd, sgd], legend=True),
        lambda: contour_figure(ls, ["gd", "sgd"], ls.default_start),
        lambda: surface_figure(ls, ["gd", "sgd"], ls.default_start),
        lambda: lr_figure(sgd.lrs, 4),
        lambda: momentum_weights_figure(0.1 * 0.9 ** np.arange(30), 0.9, 30),
        lambda: sgd_epoch.lab_figure(ls, gd, sgd),  # make_subplots(figure=new_figure())
        lambda: _minibatch_figure(get_landscape("linreg")),
    ]
    for build in builders:
        monkeypatch.setattr(kit, "VALIDATE", True)
        checked = json.loads(pio.to_json(build(), validate=False))
        monkeypatch.setattr(kit, "VALIDATE", False)
        assert json.loads(pio.to_json(build(), validate=False)) == checked
    monkeypatch.setattr(kit, "VALIDATE", True)  # as in the tests: a typo is an error
    with pytest.raises(ValueError, match="bogus"):
        kit.new_figure(layout={"bogus": 1})


def _minibatch_figure(ls):
    from figures.sgd_minibatch import minibatch_figure
    from optimizers.minibatch import arrow_scale, gradient_pair, grid_argmin, minibatch_grid

    point, batch = np.array([1.7, -1.2]), [0, 4, 9, 13, 17]
    batch_grid = minibatch_grid(ls, batch, 31)
    grads = gradient_pair(ls, point, batch)
    scale = arrow_scale([grads.full, grads.minibatch], ls.extent)
    minimum = ls.global_minimum.point
    return minibatch_figure(
        ls, ls.grid(31), batch_grid, point, minimum, grid_argmin(*batch_grid), grads, scale
    )
