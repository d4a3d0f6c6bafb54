"""First views in a real browser: the lesson under the compare page's title, Rastrigin's few
critical-point markers, and the lab pages' hints; screenshots of each to look at."""

from __future__ import annotations

import pytest

from landscapes.presets import lesson
from tests.browser.helpers import (
    assert_no_console_errors,
    assert_no_exception,
    screenshot,
    wait_idle,
)

PLOT = ".js-plotly-plot"
RACE_READY = ".descent-plot .gl-container [id^=scene]"


def _open(page, url: str, ready: str = PLOT) -> None:
    page.goto(url)
    wait_idle(page, timeout=120000)
    page.wait_for_selector(ready, state="attached", timeout=90000)
    wait_idle(page)
    page.wait_for_timeout(1500)


@pytest.mark.parametrize("surface", ["rosenbrock", "rastrigin", "wells"])
def test_compare_states_the_lesson_under_the_title(page, app_server, surface):
    _open(page, f"{app_server}/?surface={surface}", RACE_READY)
    assert_no_exception(page)
    assert_no_console_errors(page)
    title = page.locator('[data-testid="stMain"] h1').first.bounding_box()
    line = page.get_by_text(lesson(surface)).first
    assert line.is_visible()
    box = line.bounding_box()
    assert 0 <= box["y"] - (title["y"] + title["height"]) < 60  # right under the title
    if surface == "rastrigin":
        stars = page.evaluate(
            """() => {
                const gd = document.querySelector('.descent-plot .js-plotly-plot')
                    || document.querySelector('.js-plotly-plot');
                return gd._fullData.filter(t => ['minima', 'saddles', 'maxima'].includes(t.name)
                    && t.type !== 'scatter3d').reduce((n, t) => n + t.x.length, 0);
            }"""
        )
        assert 2 <= stars <= 8, stars
    screenshot(page, f"lesson_compare_{surface}")


@pytest.mark.parametrize(
    ("path", "hint", "name"),
    [
        ("sgd_lab", "never strays more than", "lesson_sgd_lab"),
        ("basins", "has a single minimum", "lesson_basins"),
        ("theory", "The loss decreased", "lesson_theory"),
        ("convexity", "Convexity", "lesson_convexity"),
    ],
)
def test_lab_pages_open_on_something_or_say_what_to_try(page, app_server, path, hint, name):
    _open(page, f"{app_server}/{path}")
    assert_no_exception(page)
    assert page.get_by_text(hint).first.is_visible()
    screenshot(page, name)
