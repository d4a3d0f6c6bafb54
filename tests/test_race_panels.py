"""The compare page's three panels (figures/race_panels.py): their layouts are assigned in
one go rather than through plotly.py's update machinery; they must still carry everything."""

from __future__ import annotations

import json

import plotly.graph_objects as go
import plotly.io as pio
import pytest

from figures.kit import PHI0, PHI1
from figures.loss_chart import HEIGHT as LOSS_HEIGHT
from figures.loss_chart import loss_figure
from figures.race_panels import PANEL_HEIGHT, contour_figure, surface_figure
from landscapes import get_landscape

NAMES = ["gd", "adam"]


def _json(fig) -> dict:
    return json.loads(pio.to_json(fig, validate=False, remove_uids=False))


@pytest.fixture(scope="module")
def ls():
    return get_landscape("himmelblau")


def test_every_panel_has_the_white_template(ls):
    white = _json(go.Figure(layout=dict(template="plotly_white")))["layout"]["template"]
    for fig in (
        contour_figure(ls, NAMES, ls.default_start),
        surface_figure(ls, NAMES, ls.default_start),
        loss_figure(NAMES, dict(title="loss (log)", range=[-3.0, 2.0]), 300),
    ):
        assert _json(fig)["layout"]["template"] == white


def test_contour_layout_spans_the_bounds_with_its_band_image_below(ls):
    layout = _json(contour_figure(ls, NAMES, ls.default_start))["layout"]
    (x0, x1), (y0, y1) = ls.bounds
    (image,) = layout["images"]
    assert image["source"].startswith("data:image/png;base64,")
    assert (image["x"], image["y"], image["sizex"], image["sizey"]) == (x0, y1, x1 - x0, y1 - y0)
    assert image["layer"] == "below" and image["xref"] == "x" and image["yref"] == "y"
    assert layout["xaxis"]["range"] == [x0, x1] and layout["yaxis"]["range"] == [y0, y1]
    assert (layout["xaxis"]["title"]["text"], layout["yaxis"]["title"]["text"]) == (PHI0, PHI1)
    assert layout["yaxis"]["scaleanchor"] == "x" and layout["yaxis"]["scaleratio"] == 1
    assert layout["height"] == PANEL_HEIGHT and layout["showlegend"] is False


def test_surface_scene_and_loss_axes(ls):
    surface = _json(surface_figure(ls, NAMES, ls.default_start))
    (x0, x1), (y0, y1) = ls.bounds
    scene = surface["layout"]["scene"]
    assert scene["xaxis"]["range"] == [x0, x1] and scene["yaxis"]["range"] == [y0, y1]
    assert scene["aspectmode"] == "manual" and scene["aspectratio"]["z"] == 0.55
    assert all(t.get("scene", "scene") == "scene" for t in surface["data"])
    assert surface["layout"]["height"] == PANEL_HEIGHT
    loss = _json(loss_figure(NAMES, dict(title="loss − L* (log)", range=[-3.0, 2.0]), 300))
    assert loss["layout"]["xaxis"]["range"] == [0, 300]
    assert loss["layout"]["yaxis"]["type"] == "log"
    assert loss["layout"]["yaxis"]["range"] == [-3.0, 2.0]
    assert loss["layout"]["yaxis"]["title"]["text"] == "loss − L* (log)"
    assert loss["layout"]["height"] == LOSS_HEIGHT
    assert [t["uid"] for t in loss["data"]] == ["loss-0", "lossx-0", "loss-1", "lossx-1"]
