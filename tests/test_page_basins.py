"""AppTests of the basins page: which minimum each optimizer reaches, read from the table
and the figure, on surfaces with one, four equal and three unequal minima, and when the
learning rate makes the runs diverge."""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from landscapes import PRESETS
from tests.pages import chart_figures
from tests.pages import open_page as open_page_at
from tests.plotly_json import values

PAGE = "pages/basins.py"
LABELS = ["GD", "SGD", "Momentum", "Nesterov", "Adam"]


def open_page(**query) -> AppTest:
    return open_page_at(PAGE, timeout=120, **query)


def figure(at: AppTest) -> dict:
    charts = chart_figures(at)
    assert len(charts) == 1
    return charts[0]


def maps(fig: dict) -> dict[str, dict]:
    return {
        t["meta"]["optimizer"]: t
        for t in fig["data"]
        if (t.get("meta") or {}).get("role") == "basins"
    }


def outcomes(fig: dict, name: str) -> set[str]:
    """The outcome names in one optimizer's map (its hover text)."""
    return {str(v) for v in np.ravel(np.asarray(maps(fig)[name]["text"], dtype=object))}


def legend(fig: dict) -> list[str]:
    return [t["name"] for t in fig["data"] if (t.get("meta") or {}).get("role") == "legend"]


def table(at: AppTest):
    frames = at.main.dataframe
    assert len(frames) == 1
    return frames[0].value


def test_quadratic_every_start_reaches_the_single_minimum():
    at = open_page(surface="quadratic", grid="20")
    shares = table(at)
    assert list(shares.index) == LABELS
    assert shares.loc["GD", "global minimum"] == pytest.approx(100.0)
    assert shares.loc["GD"].drop("global minimum").sum() == pytest.approx(0.0)
    fig = figure(at)
    gd = maps(fig)["gd"]
    z = values(gd["z"]).reshape(20, 20)
    assert np.all(z == 0)  # the code of minimum 0 everywhere
    (only,) = outcomes(fig, "gd")
    assert only.startswith("global (0.00, ")  # the origin (its φ₁ may print as -0.00)
    assert legend(fig)[0] == only
    # Default steps follow the sidebar's (200 on this surface), under the cap of 300.
    assert at.slider(key="basin_steps").value == PRESETS["quadratic"].steps == 200
    assert at.slider(key="grid").value == 20


def test_himmelblau_maps_hold_all_four_minima():
    at = open_page(surface="himmelblau", grid="24")
    fig = figure(at)
    found = outcomes(fig, "gd")
    assert len({o for o in found if o.startswith("global (")}) == 4
    # The same minimum has the same code (colour) on every map.
    codes = {}
    for name, trace in maps(fig).items():
        z = np.ravel(values(trace["z"]))
        text = np.ravel(np.asarray(trace["text"], dtype=object))
        for code, label in zip(z, text, strict=True):
            assert codes.setdefault(label, int(code)) == int(code), name
    assert sorted(c for label, c in codes.items() if label.startswith("global")) == [0, 1, 2, 3]
    assert sum(n.startswith("global (") for n in legend(fig)) == 4
    assert table(at).loc["GD", "global minimum"] == pytest.approx(100.0)
    words = " ".join(m.value for m in at.markdown)
    assert "All 4 minima have the same (global) loss" in words


def test_wells_some_gd_starts_end_in_a_local_minimum():
    at = open_page(surface="wells", grid="20")
    shares = table(at)
    assert 0 < shares.loc["GD", "global minimum"] < 100
    assert shares.loc["GD", "local minimum"] > 0
    assert shares.loc["GD"].sum() == pytest.approx(100.0)
    assert len([n for n in legend(figure(at)) if n.startswith("local (")]) == 2
    words = " ".join(m.value for m in at.markdown)
    assert "in a local minimum, though the global one is lower" in words


def test_a_huge_learning_rate_shows_diverged_runs():
    at = open_page(log_lr="1", grid="16")
    fig = figure(at)
    assert "diverged" in legend(fig)
    assert "diverged" in outcomes(fig, "gd")
    assert table(at).loc["GD", "diverged"] > 50
    assert any("diverge" in w.value and "GD" in w.value for w in at.warning)


def test_bad_url_values_warn_and_fall_back():
    at = open_page(grid="abc", basin_steps="5000")
    warnings = " ".join(w.value for w in at.warning)
    assert "**grid**" in warnings and "**basin_steps**" in warnings
    assert at.slider(key="grid").value == 60
    assert at.slider(key="basin_steps").value == 300  # Rosenbrock's 1000 steps, capped


def test_no_optimizer_chosen_gives_a_message():
    at = open_page(grid="10")
    at.sidebar.multiselect(key="opt").set_value([]).run()
    assert not at.exception
    assert any("Choose at least one optimizer" in i.value for i in at.info)
    assert not chart_figures(at)


def test_steps_follow_the_surface_until_set_by_hand():
    at = open_page(grid="10")
    assert at.slider(key="basin_steps").value == 300  # Rosenbrock: 1000 steps, capped
    at.sidebar.selectbox(key="surface").set_value("quadratic").run()
    assert not at.exception
    assert at.slider(key="basin_steps").value == 200  # the quadratic's own 200
    at.slider(key="basin_steps").set_value(50).run()
    at.sidebar.selectbox(key="surface").set_value("himmelblau").run()
    assert at.slider(key="basin_steps").value == 50  # chosen by hand: kept
