"""The sensitivity and basin pages in a real browser: the plots render, read as intended (the
stability line, the legend of minima), without exceptions or console errors."""

from __future__ import annotations

import pytest

from tests.browser.helpers import (
    assert_no_console_errors,
    assert_no_exception,
    screenshot,
    wait_idle,
)

PLOTS = '.js-plotly-plot[data-testid="descent-chart"]'


def _open(page, url: str, plots: int) -> None:
    page.goto(url)
    wait_idle(page, timeout=120000)
    page.wait_for_function(
        f"document.querySelectorAll('{PLOTS} .main-svg').length >= {plots}", timeout=60000
    )
    assert page.locator(PLOTS).count() >= plots
    page.wait_for_timeout(500)


def _texts(page, selector: str) -> list[str]:
    return page.evaluate(
        "(sel) => Array.from(document.querySelectorAll(sel)).map(e => e.textContent)", selector
    )


def test_sensitivity(page, app_server):
    _open(page, f"{app_server}/sensitivity", plots=2)
    assert_no_exception(page)
    assert_no_console_errors(page)
    annotations = " ".join(_texts(page, f"{PLOTS} .annotation-text"))
    assert "GD stability limit 2/λmax" in annotations
    legend = _texts(page, f"{PLOTS} .legendtext")
    for name in ("GD", "SGD", "Momentum", "Nesterov", "Adam"):
        assert name in legend
    # The sentence that reads the sweep names the widest convergent range.
    assert page.get_by_text("Converges (final loss within tolerance").first.is_visible()
    assert page.get_by_text("The widest range is").first.is_visible()
    screenshot(page, "sensitivity")


@pytest.mark.parametrize(
    ("query", "name", "n_global"),
    [
        ("", "basins", 1),
        ("?surface=himmelblau", "basins_himmelblau", 4),
        ("?surface=rastrigin", "basins_rastrigin", 1),
        ("?surface=wells", "basins_wells", 1),
    ],
)
def test_basins(page, app_server, query, name, n_global):
    _open(page, f"{app_server}/basins{query}", plots=1)
    assert_no_exception(page)
    assert_no_console_errors(page)
    legend = _texts(page, f"{PLOTS} .legendtext")
    assert sum(t.startswith("global (") for t in legend) == n_global, legend
    titles = " ".join(_texts(page, f"{PLOTS} .annotation-text"))
    for label in ("GD", "SGD", "Momentum", "Nesterov", "Adam"):
        assert label in titles
    assert page.locator('[data-testid="stMain"] [data-testid="stDataFrame"]').count() == 1
    screenshot(page, name)
