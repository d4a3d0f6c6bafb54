"""Every page's charts are updated in place (Plotly.react into the same element) when a
sidebar slider moves, not rebuilt."""

from __future__ import annotations

import pytest

from tests.browser.helpers import assert_no_console_errors, assert_no_exception, wait_idle

CHART = '[data-testid="descent-chart"]'
LR_SLIDER = '[data-testid="stSidebar"] [data-testid="stSlider"]:has-text("Learning rate")'
# Mark every chart element and count its redraws from now on.
MARK_JS = """() => document.querySelectorAll('.js-plotly-plot[data-testid="descent-chart"]')
    .forEach(gd => { gd.__marked = true; gd.__redraws = 0;
                     gd.on('plotly_afterplot', () => { gd.__redraws += 1; }); })"""
REDRAWN_JS = """() => Array.from(document.querySelectorAll(
    '.js-plotly-plot[data-testid="descent-chart"]')).some(gd => gd.__redraws > 0)"""


@pytest.mark.parametrize(
    ("path", "query", "depends_on_alpha"),
    [
        ("sgd_lab", "surface=quadratic", True),
        ("sensitivity", "surface=quadratic", True),
        ("basins", "surface=quadratic&grid=20", True),
        ("convexity", "surface=quadratic", False),  # the same figures at any α
        ("theory", "", True),
    ],
)
def test_a_slider_move_redraws_each_chart_in_the_same_element(
    page, app_server, path, query, depends_on_alpha
):
    page.goto(f"{app_server}/{path}?{query}")
    wait_idle(page, timeout=90000)
    page.wait_for_selector(f".js-plotly-plot{CHART}", timeout=60000)
    wait_idle(page)
    count = page.locator(CHART).count()
    assert count >= 1
    page.evaluate(MARK_JS)
    url = page.url
    thumb = page.locator(f"{LR_SLIDER} [role=slider], {LR_SLIDER} input[type=range]").first
    thumb.focus()
    for _ in range(3):
        thumb.press("ArrowLeft")
    page.wait_for_function("u => window.location.href !== u", arg=url, timeout=15000)
    wait_idle(page, timeout=90000)
    if depends_on_alpha:
        page.wait_for_function(REDRAWN_JS, timeout=30000)
    # The same elements, all of them, and no new ones beside them.
    assert page.locator(CHART).count() == count
    marked = page.evaluate(
        f"() => Array.from(document.querySelectorAll('{CHART}')).every(e => e.__marked === true)"
    )
    assert marked
    assert_no_exception(page)
    assert_no_console_errors(page)
