"""AppTests of the learning-rate sensitivity page: the sweep's numbers as the figure holds
them, the stability limit on the quadratic, the URL controls and their warnings."""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from landscapes.presets import DEFAULT_OPTIMIZERS
from tests.pages import chart_figures
from tests.pages import open_page as open_page_at
from tests.plotly_json import values

PAGE = "pages/sensitivity.py"


def open_page(**query) -> AppTest:
    return open_page_at(PAGE, timeout=120, **query)


def figures(at: AppTest) -> list[dict]:
    return chart_figures(at)


def traces(fig: dict, role: str) -> dict[str, dict]:
    return {
        t["meta"]["optimizer"]: t for t in fig["data"] if (t.get("meta") or {}).get("role") == role
    }


@pytest.fixture(scope="module")
def default_page() -> AppTest:
    return open_page()


def test_default_page_has_one_line_per_optimizer_over_the_range(default_page):
    fig = figures(default_page)[0]
    lines = traces(fig, "loss")
    assert list(lines) == list(DEFAULT_OPTIMIZERS)
    for line in lines.values():
        x = values(line["x"])
        assert x.size == 60
        assert x.min() == pytest.approx(1e-4) and x.max() == pytest.approx(10.0)
        assert np.all(np.diff(np.log10(x)) == pytest.approx(5 / 59))
    # Steps to the tolerance in the second row, one per optimizer.
    assert list(traces(fig, "steps")) == list(DEFAULT_OPTIMIZERS)
    text = " ".join(a["text"] for a in fig["layout"]["annotations"])
    assert "GD stability limit 2/λmax" in text


def test_default_page_reads_the_ranges(default_page):
    """On the default surface (Rosenbrock), the text gives each optimizer's convergent range
    and, as the seed claims, Adam's is the widest."""
    words = " ".join(m.value for m in default_page.markdown)
    assert "Converges (final loss within tolerance, not diverged)" in words
    for label in ("GD", "SGD", "Momentum", "Nesterov", "Adam"):
        assert f"**{label}**:" in words
    assert "The widest range is Adam's." in words
    # The stability line sits at 2 / lambda_max of Rosenbrock's minimum (about 0.002).
    fig = figures(default_page)[0]
    limits = {s["x0"] for s in fig["layout"]["shapes"] if s["x0"] == s["x1"]}
    assert len(limits) == 1 and limits.pop() == pytest.approx(2 / 1001.6, rel=1e-3)


def test_heatmaps_for_momentum_nesterov_and_adam(default_page):
    fig = figures(default_page)[1]
    heat = traces(fig, "heat")
    assert list(heat) == ["momentum", "nesterov", "adam"]
    for trace in heat.values():
        assert values(trace["z"]).shape == (25, 40)
    # On Rosenbrock the largest learning rates diverge for every beta.
    cells = traces(fig, "diverged-cells")
    assert np.isfinite(values(cells["momentum"]["z"])[:, -1]).all()
    assert np.isnan(values(heat["momentum"]["z"])[:, -1]).all()


def test_the_heatmaps_say_whom_they_are_for():
    # The optimizers and their swept hyperparameter come from the specs' ``heat``.
    at = open_page(opt=["gd", "sgd"], sens_n="10")
    infos = [i.value for i in at.info]
    assert "Choose Momentum, Nesterov or Adam in the sidebar to see α against β or γ." in infos
    at = open_page(opt=["gd", "adam"], sens_n="10")
    captions = [c.value for c in at.caption]
    assert "Heatmaps are drawn for Momentum, Nesterov and Adam, not GD." in captions
    assert any(
        c.startswith("Final loss over α and β (Momentum, Nesterov) or α and γ (Adam), from")
        for c in captions
    )


def test_gd_does_best_below_the_stability_limit_on_the_quadratic():
    at = open_page(surface="quadratic")
    fig = figures(at)[0]
    gd = traces(fig, "loss")["gd"]
    lr, loss = values(gd["x"]), values(gd["y"])
    # Curvatures 1 and 0.1: 2 / lambda_max = 2; the best constant step is 2 / (1 + 0.1).
    assert 0.5 < lr[np.nanargmin(loss)] < 2.0
    # Every learning rate within a decade of the lowest loss lies below the limit (the
    # lowest ones sit on the plot's floor, so there may be several).
    near_best = lr[loss <= 10 * np.nanmin(loss)]
    assert near_best.max() < 2.0
    limits = [s["x0"] for s in fig["layout"]["shapes"] if s["x0"] == s["x1"]]
    assert limits and all(x == pytest.approx(2.0) for x in limits)
    # Above the limit the iteration blows up: every GD run beyond 2.2 diverges.
    diverged = values(traces(fig, "diverged")["gd"]["x"])
    assert diverged.min() > 2.0
    assert np.all(np.isin(lr[lr > 2.2], diverged))


def test_the_lr_range_follows_the_url():
    at = open_page(sens_lo="-2", sens_hi="0", sens_n="80")
    x = values(traces(figures(at)[0], "loss")["gd"]["x"])
    assert x.size == 80
    assert x.min() == pytest.approx(0.01) and x.max() == pytest.approx(1.0)
    assert not at.warning


def test_a_bad_count_warns_and_keeps_the_default():
    at = open_page(sens_n="abc")
    warnings = [w.value for w in at.warning]
    assert any("sens_n" in w for w in warnings), warnings
    x = values(traces(figures(at)[0], "loss")["gd"]["x"])
    assert x.size == 60


def test_a_reversed_range_warns_and_is_swapped():
    at = open_page(sens_lo="0", sens_hi="-1")
    assert any("smallest α must lie below" in w.value for w in at.warning)
    x = values(traces(figures(at)[0], "loss")["gd"]["x"])
    assert x.min() == pytest.approx(0.1) and x.max() == pytest.approx(1.0)


def test_no_optimizer_chosen_gives_a_message():
    at = open_page()
    at.sidebar.multiselect(key="opt").set_value([]).run()
    assert not at.exception
    assert any("Choose at least one optimizer" in i.value for i in at.info)
    assert not chart_figures(at)


def test_surface_with_negative_minimum_plots_the_gap():
    """Wells' minimum has loss -2.72: the axis shows the gap to it, all positive."""
    at = open_page(surface="wells")
    fig = figures(at)[0]
    assert "final loss − L(global min)" in fig["layout"]["yaxis"]["title"]["text"]
    for line in traces(fig, "loss").values():
        y = values(line["y"])
        assert np.nanmin(y) > 0
