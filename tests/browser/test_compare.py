"""The comparison page in a real browser: plot, animation, sliders, URL round trip."""

from __future__ import annotations

import re

import pytest

from tests.browser.helpers import (
    assert_no_console_errors,
    assert_no_exception,
    click_saddle_start,
    screenshot,
    wait_idle,
)

# st.plotly_chart's plots, or the compare page's own component (ui/plotly_chart.py).
PLOT = ".js-plotly-plot"
# The compare page draws its 2D part first; the 3D scene and the animation come after.
RACE_READY = ".descent-plot .gl-container [id^=scene]"
# The default page (compare) lives at the root; "/compare" is not one of its addresses.
PAGES = ["", "sgd_lab", "sensitivity", "basins", "convexity", "theory"]

# The α slider's thumb, and the figure's animation step shown by its slider.
LR_SLIDER = '[data-testid="stSidebar"] [data-testid="stSlider"]:has-text("Learning rate")'
CURRENT_STEP_JS = """() => {
    const el = document.querySelector('.js-plotly-plot .slider-group > .slider-label');
    return el ? el.textContent : null;
}"""
# The coordinates of the first optimizer's full path on the contour, as the browser holds them.
PATH_JS = """() => {
    const gd = document.querySelector('.js-plotly-plot');
    // _fullData holds decoded arrays (the figure JSON carries base64 typed arrays).
    const paths = gd._fullData.filter(t => t.type === 'scatter' && t.legendgroup
                                           && t.x && t.x.length > 20);
    return Array.from(paths[0].x).slice(0, 40).map(v => Math.round(v * 1e4) / 1e4);
}"""


def open_page(page, url: str) -> None:
    page.goto(url)
    wait_idle(page, timeout=60000)
    page.wait_for_selector(PLOT, state="attached", timeout=60000)
    wait_idle(page)
    page.wait_for_function(
        "s => { const e = document.querySelector(s); return e && e.offsetHeight > 100; }",
        arg=PLOT,
        timeout=30000,
    )


@pytest.mark.parametrize("name", PAGES)
def test_every_page_opens_with_a_plot_and_no_error(page, app_server, name):
    open_page(page, f"{app_server}/{name}")
    assert page.locator(PLOT).count() >= 1
    assert_no_exception(page)
    assert_no_console_errors(page)


def open_race(page, url: str) -> None:
    open_page(page, url)
    page.wait_for_selector(RACE_READY, state="attached", timeout=60000)
    page.wait_for_selector(".descent-plot .updatemenu-button", timeout=30000)


def test_compare_page_plays_scrubs_and_shares(page, app_server, browser):
    open_race(page, f"{app_server}/")
    assert_no_exception(page)
    screenshot(page, "compare")

    # Play: the animation's step label advances.
    page.locator(PLOT).first.scroll_into_view_if_needed()
    page.locator(".updatemenu-button", has_text="Play").first.click()
    page.wait_for_timeout(1500)
    first = page.evaluate(CURRENT_STEP_JS)
    page.wait_for_timeout(1500)
    second = page.evaluate(CURRENT_STEP_JS)
    assert first and second
    step = lambda text: int(re.search(r"\d+", text).group())  # noqa: E731
    assert step(second) > step(first), (first, second)

    # A slider moves: the plot and the URL change.
    before_path = page.evaluate(PATH_JS)
    before_url = page.url
    page.evaluate("() => { document.querySelector('.descent-plot').__marked = true; }")
    thumb = page.locator(f"{LR_SLIDER} [role=slider], {LR_SLIDER} input[type=range]").first
    thumb.focus()
    for _ in range(4):
        thumb.press("ArrowRight")
    page.wait_for_function("u => window.location.href !== u", arg=before_url, timeout=15000)
    wait_idle(page)
    assert "log_lr=" in page.url
    after_path = page.evaluate(PATH_JS)
    assert after_path != before_path
    # Updated in place (Plotly.react), not rebuilt: the element is the one marked before.
    assert page.evaluate("() => document.querySelector('.descent-plot').__marked === true")
    assert_no_exception(page)
    assert_no_console_errors(page)

    # The same URL in a new page shows the same view.
    shared = page.url
    other = browser.new_context(viewport={"width": 1500, "height": 1000}).new_page()
    try:
        open_race(other, shared)
        assert other.evaluate(PATH_JS) == after_path
        caption = '[data-testid="stSidebar"] [data-testid="stCaptionContainer"]'
        alpha = page.locator(caption, has_text="α =").first.inner_text()
        assert other.locator(caption, has_text="α =").first.inner_text() == alpha
        screenshot(other, "compare_shared")
    finally:
        other.context.close()


def test_clicking_the_contour_sets_the_start(page, app_server):
    open_race(page, f"{app_server}/?surface=saddle")
    chart = page.locator(".descent-plot").first
    query = click_saddle_start(page, chart)
    # The race now starts there: its start marker moved.
    start = page.evaluate(
        "() => { const t = document.querySelector('.descent-plot')._fullData"
        ".find(d => d.name === 'start' && d.type === 'scatter'); return [t.x[0], t.y[0]]; }"
    )
    assert start == pytest.approx([float(query["x0"]), float(query["y0"])], abs=1e-6)
    assert_no_exception(page)
    assert_no_console_errors(page)
    screenshot(page, "compare_clicked_start")


def test_until_plotly_js_loads_a_static_preview_shows_the_race(page, app_server):
    """plotly.js takes seconds to load on a slow machine: the race's contour and paths show
    first as SVG. Here it never arrives: the preview stays, with a message, and no traceback."""
    page.route("**/app/static/plotly-*.min.js", lambda route: route.abort())
    page.goto(f"{app_server}/?surface=himmelblau")
    page.wait_for_selector(".descent-plot .descent-plot-error", timeout=60000)
    wait_idle(page)
    poster = page.locator(".descent-plot .descent-poster")
    assert poster.count() == 1 and poster.is_visible()
    assert poster.locator("polyline").count() == 5  # the five default optimizers
    assert poster.bounding_box()["height"] > 300
    assert "could not load" in page.locator(".descent-plot-error").first.inner_text()
    assert_no_exception(page)
    screenshot(page, "compare_preview_without_plotly")


def test_a_malformed_link_warns_instead_of_failing(page, app_server):
    open_page(page, f"{app_server}/?log_lr=banana&surface=himmelblau")
    assert_no_exception(page)
    warning = page.locator('[data-testid="stAlert"]', has_text="log_lr")
    assert warning.count() >= 1
    screenshot(page, "compare_bad_link")
