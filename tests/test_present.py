"""Presentation mode (?present=1): the figures and their controls, without the long text."""

from __future__ import annotations

import pytest

from tests.pages import open_page
from tests.test_app import chart_data, make_app, warnings_text
from ui.compare import CONVENTIONS


def _texts(at) -> str:
    parts = [e.value for kind in ("caption", "markdown", "subheader", "info") for e in at.get(kind)]
    return "\n".join(str(p) for p in parts)


def test_compare_in_presentation_mode_keeps_the_charts_and_drops_the_text():
    normal, shown = make_app(), make_app(present="1")
    assert not shown.exception
    assert "How it works" in _texts(normal) and CONVENTIONS in _texts(normal)
    assert "How it works" not in _texts(shown) and CONVENTIONS not in _texts(shown)
    assert "Press ▶ to race them" in _texts(normal)
    assert "Press ▶ to race them" not in _texts(shown)
    assert len(shown.get("latex")) < len(normal.get("latex"))  # the sidebar keeps its formula
    # The figures, the results and the sidebar's controls stay.
    assert len(chart_data(shown)) == len(chart_data(normal)) == 1  # contour, surface, loss
    assert len(shown.sidebar.slider) == len(normal.sidebar.slider) > 0
    assert shown.query_params["present"] == "1"  # kept in the URL, not refused


@pytest.mark.parametrize(
    "page, query, long_text",
    [
        ("pages/sgd_lab.py", {}, "Each step draws a minibatch"),
        ("pages/basins.py", {"grid": "20", "basin_steps": "50"}, "Every cell is one run"),
        ("pages/convexity.py", {}, "What the notes say"),
    ],
)
def test_other_pages_drop_their_long_text(page, query, long_text):
    normal = open_page(page, timeout=120, **query)
    shown = open_page(page, timeout=120, present="1", **query)
    assert long_text in _texts(normal)
    assert long_text not in _texts(shown)
    assert len(chart_data(shown)) == len(chart_data(normal)) > 0


def test_a_bad_present_value_is_named_and_ignored():
    at = make_app(present="yes")
    assert "present" in warnings_text(at) and "yes" in warnings_text(at)
    assert "How it works" in _texts(at)
