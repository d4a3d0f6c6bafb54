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
# The compare page draws its 2D plots first; the 3D scene comes after.
RACE = '.descent-race[data-testid="descent-chart"]'
CONTOUR = ".descent-race .descent-contour"
RACE_READY = ".descent-race .descent-surface .gl-container"
# The default page (compare) lives at the root; "/compare" is not one of its addresses.
PAGES = ["", "sgd_lab", "sensitivity", "basins", "convexity", "theory"]

# The α slider's thumb, and the figure's animation step shown by its slider.
LR_SLIDER = '[data-testid="stSidebar"] [data-testid="stSlider"]:has-text("Learning rate")'
CURRENT_STEP_JS = """() => {
    const el = document.querySelector('.descent-race .descent-step-text');
    return el ? el.textContent : null;
}"""
# The coordinates of the first optimizer's full path on the contour, as the browser holds them.
PATH_JS = """() => {
    const gd = document.querySelector('.descent-race .descent-contour');
    const path = gd._fullData.find(t => t.uid === 'path2d-0');
    return Array.from(path.x).slice(0, 40).map(v => Math.round(v * 1e4) / 1e4);
}"""
# A trace of one of the race's plots, by uid: its x, y (and z) as plain arrays. What moves
# with the step on the 2D plots is drawn over them (ui/race_chart.js): a mark there gives its
# drawing and its data coordinates (of its last point, for a line).
TRACE_JS = """([plot, uid]) => {
    const gd = document.querySelector('.descent-race .descent-' + plot);
    const t = gd.data.find(t => t.uid === uid);
    const plain = a => (a ? Array.from(a) : null);
    if (t) return {x: plain(t.x), y: plain(t.y), z: plain(t.z)};
    const mark = gd.parentElement.querySelector(`.descent-overlay [data-uid="${uid}"]`);
    return {x: JSON.parse(mark.dataset.x || "[]"), y: JSON.parse(mark.dataset.y || "[]"),
            d: mark.getAttribute('d')};
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
    page.wait_for_function(
        "() => document.querySelector('.descent-race .descent-surface').data", timeout=30000
    )


def step_of(page) -> int:
    return int(re.search(r"step (\d+)", page.evaluate(CURRENT_STEP_JS)).group(1))


def trace(page, plot: str, uid: str) -> dict:
    return page.evaluate(TRACE_JS, [plot, uid])


def count_sent_frames(page) -> list:
    """Every websocket frame the page sends from now on (call before page.goto)."""
    sent = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(payload)))
    return sent


def test_compare_page_plays_scrubs_and_shares(page, app_server, browser):
    open_race(page, f"{app_server}/")
    assert_no_exception(page)
    screenshot(page, "compare")

    # Play: the animation's step label advances.
    page.locator(RACE).scroll_into_view_if_needed()
    page.locator(".descent-play").click()
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
    page.evaluate(
        f"() => {{ document.querySelector('{CONTOUR}').__marked = true;"
        f" document.querySelector('{RACE}').__marked = true; }}"
    )
    thumb = page.locator(f"{LR_SLIDER} [role=slider], {LR_SLIDER} input[type=range]").first
    thumb.focus()
    for _ in range(4):
        thumb.press("ArrowRight")
    page.wait_for_function("u => window.location.href !== u", arg=before_url, timeout=15000)
    wait_idle(page)
    assert "log_lr=" in page.url
    after_path = page.evaluate(PATH_JS)
    assert after_path != before_path
    # Updated in place (Plotly.react), not rebuilt: the elements are the ones marked before.
    assert page.evaluate(f"() => document.querySelector('{CONTOUR}').__marked === true")
    assert page.evaluate(f"() => document.querySelector('{RACE}').__marked === true")
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
    chart = page.locator(CONTOUR)
    query = click_saddle_start(page, chart)
    # The race now starts there: its start marker moved.
    start = page.evaluate(
        f"() => {{ const t = document.querySelector('{CONTOUR}')._fullData"
        ".find(d => d.uid === 'start2d'); return [t.x[0], t.y[0]]; }"
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
    page.wait_for_selector(".descent-race .descent-plot-error", timeout=60000)
    wait_idle(page)
    poster = page.locator(".descent-race .descent-poster")
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


def test_scrubbing_alpha_redraws_every_plot_in_the_browser_alone(page, app_server):
    sent = count_sent_frames(page)
    open_race(page, f"{app_server}/?surface=himmelblau")
    scrub = page.locator('[data-testid="alpha-scrub"] input[type=range]')
    centre = int(scrub.input_value())
    before = {
        (plot, uid): trace(page, plot, uid)
        for plot, uid in (("contour", "path2d-0"), ("surface", "trail3d-0"), ("loss", "loss-0"))
    }
    readout = page.locator(".descent-readout").inner_text()
    page.wait_for_timeout(500)
    frames = len(sent)
    scrub.focus()
    for _ in range(3):
        scrub.press("ArrowRight")
    assert int(scrub.input_value()) == centre + 3
    # The contour's path, the 3D trail and the loss curve all moved (the 3D scene when the
    # scrubber rests: in software rendering it takes about a second)...
    for (plot, uid), old in before.items():
        page.wait_for_function(
            f"([args, old]) => JSON.stringify(({TRACE_JS})(args)) !== JSON.stringify(old)",
            arg=[[plot, uid], old],
            timeout=20000,
        )
    assert page.locator(".descent-readout").inner_text() != readout
    # ...and the browser did not ask the server: no websocket message went out.
    assert len(sent) == frames
    # The scrubber cannot leave the computed range.
    scrub.press("End")
    for _ in range(3):
        scrub.press("ArrowRight")
    assert int(scrub.input_value()) == int(scrub.get_attribute("max")) == 2 * centre
    scrub.press("Home")
    scrub.press("ArrowLeft")
    assert int(scrub.input_value()) == 0
    assert len(sent) == frames
    assert_no_console_errors(page)


def test_play_pause_resume_speed_and_step_in_the_browser(page, app_server):
    open_race(page, f"{app_server}/")  # Rosenbrock: 1000 steps, a slow valley
    race = page.locator(RACE)
    race.scroll_into_view_if_needed()
    play = page.locator(".descent-play")
    play.click()  # at the last step, Play starts over
    page.wait_for_timeout(700)
    heads = [trace(page, "contour", f"head2d-{k}") for k in range(5)]
    page.wait_for_timeout(700)
    after = [trace(page, "contour", f"head2d-{k}") for k in range(5)]
    assert all(a != b for a, b in zip(after, heads, strict=True))  # the heads advance
    play.click()  # pause
    paused = step_of(page)
    assert 0 < paused < 1000
    page.wait_for_timeout(600)
    assert step_of(page) == paused
    # Play resumes from the paused step (it does not start over).
    resumed = page.evaluate(
        "() => { document.querySelector('.descent-play').click();"
        " return document.querySelector('.descent-step-text').textContent; }"
    )
    assert int(re.search(r"step (\d+)", resumed).group(1)) == paused
    page.wait_for_timeout(400)
    before_speed = step_of(page)
    assert before_speed > paused
    # A new speed keeps the step and keeps playing.
    page.locator('.descent-controls select[aria-label="speed"]').select_option("0.5")
    after_speed = step_of(page)
    assert after_speed >= before_speed
    page.wait_for_timeout(400)
    assert step_of(page) > after_speed
    play.click()
    # The loss chart and the readout mark the step shown.
    s = step_of(page)
    assert trace(page, "loss", "lossstep")["x"] == [s]
    assert page.locator(".descent-readout").inner_text().startswith(f"Step {s}:")
    # Step buttons, and the keys with the chart focused: Space plays and pauses, arrows step.
    page.locator('.descent-controls button[title^="One step forward"]').click()
    assert step_of(page) == s + 1
    page.locator('.descent-controls button[title^="One step back"]').click()
    page.locator('.descent-controls button[title^="One step back"]').click()
    assert step_of(page) == s - 1
    race.focus()
    page.keyboard.press("ArrowRight")
    assert step_of(page) == s
    page.keyboard.press("Space")
    page.wait_for_timeout(400)
    page.keyboard.press("Space")
    moved = step_of(page)
    assert moved > s
    page.wait_for_timeout(300)
    assert step_of(page) == moved
    assert_no_exception(page)
    assert_no_console_errors(page)


def test_a_run_that_diverges_at_a_larger_alpha_shows_as_diverged_there(page, app_server):
    # GD on the quadratic at α = 0.316 converges; ten times that diverges.
    open_race(page, f"{app_server}/?surface=quadratic&opt=gd&log_lr=-0.5")
    readout = page.locator(".descent-readout")
    assert "diverged" not in readout.inner_text()
    assert trace(page, "contour", "stop2d-0")["x"] == []
    scrub = page.locator('[data-testid="alpha-scrub"] input[type=range]')
    scrub.focus()
    scrub.press("End")
    page.wait_for_timeout(500)
    assert re.search(r"diverged at step \d+", readout.inner_text())
    assert len(trace(page, "contour", "stop2d-0")["x"]) == 1  # its "x" where it left
    assert trace(page, "contour", "head2d-0")["x"] == []
    assert len(trace(page, "loss", "lossx-0")["x"]) == 1
    scrub.press("Home")
    page.wait_for_timeout(300)
    assert "diverged" not in readout.inner_text()
    assert_no_exception(page)
    assert_no_console_errors(page)


def test_on_a_phone_the_contour_and_surface_stack_at_full_width(browser, app_server):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        open_race(page, f"{app_server}/")
        contour = page.locator(CONTOUR).bounding_box()
        surface = page.locator(".descent-race .descent-surface").bounding_box()
        assert contour["width"] >= 300 and surface["width"] >= 300
        assert surface["y"] >= contour["y"] + contour["height"]  # stacked, not overlapping
        # The surface's scene fills its panel (no blank half).
        scene = page.locator(".descent-race .descent-surface .gl-container").bounding_box()
        assert scene["width"] >= 300
        screenshot(page, "compare_phone")
    finally:
        context.close()


def test_leaving_the_compare_page_raises_no_error(page, app_server):
    open_race(page, f"{app_server}/")
    page.locator('[data-testid="stSidebarNav"] a', has_text="Minibatch SGD lab").click()
    page.wait_for_function("() => location.pathname.endsWith('sgd_lab')", timeout=30000)
    wait_idle(page, timeout=60000)
    page.wait_for_timeout(1000)
    assert_no_exception(page)
    assert_no_console_errors(page)


# The legend's line samples and the contour's trails: colour and dash as the browser drew them.
DASHES_JS = """() => {
    const race = document.querySelector('.descent-race');
    const swatches = Array.from(race.querySelectorAll('.descent-readout .descent-swatch line'));
    const trails = Array.from(race.querySelectorAll('.descent-overlay [data-uid^="trail2d-"]'));
    const pick = (n) => [n.getAttribute('stroke'), n.getAttribute('stroke-dasharray')];
    return {swatches: swatches.map(pick), trails: trails.map(pick),
            labels: Array.from(race.querySelectorAll('.descent-readout .descent-run b'))
                .map((b) => b.textContent)};
}"""


def test_fifteen_optimizers_stay_apart_by_colour_and_dash(page, app_server):
    """All 15 optimizers: the legend's samples and the trails show each one's colour and
    dash, so a family's members (one hue) differ by their dash."""
    from figures import style

    names = list(style.OPTIMIZER_COLORS)
    query = "&".join(f"opt={n}" for n in names)
    page.set_viewport_size({"width": 1400, "height": 1000})
    open_race(page, f"{app_server}/?{query}&steps=150")
    assert_no_exception(page)
    page.wait_for_function(
        "n => document.querySelectorAll('.descent-readout .descent-swatch').length === n",
        arg=len(names),
        timeout=30000,
    )
    drawn = page.evaluate(DASHES_JS)
    assert [t.split(" (")[0] for t in drawn["labels"]] == [style.label(n) for n in names]
    pairs = {(c.upper(), d) for c, d in drawn["swatches"]}
    assert len(pairs) == len(names)  # no two look alike
    for n, (color, dash) in zip(names, drawn["swatches"], strict=True):
        assert color.upper() == style.color(n).upper()
        assert (dash == "none") == (style.dash(n) == "solid"), n
    # The trails: the same colour and dash (both drawn at a width under plotly.js's 3 px
    # floor for dashes, so the same dash array).
    assert drawn["trails"] == drawn["swatches"]
    screenshot(page, "compare_fifteen_optimizers")
