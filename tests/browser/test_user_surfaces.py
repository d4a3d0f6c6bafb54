"""Your own surface and your own data, in a real browser: type a formula and see it plotted
and raced; upload a CSV and see the model fitted over its points."""

from __future__ import annotations

import numpy as np
import pytest

from landscapes import get_landscape
from tests.browser.helpers import (
    assert_no_console_errors,
    assert_no_exception,
    screenshot,
    wait_idle,
)
from tests.browser.test_compare import RACE_READY, step_of

PLOT = ".js-plotly-plot"
SIDEBAR = '[data-testid="stSidebar"]'
HIMMELBLAU = "(x**2 + y - 11)**2 + (x + y**2 - 7)**2"
# The first optimizer's path on the race's contour panel (ui/race_chart.js fills it at the
# α shown) and the plotted range (the contour's colour bands are one image over it).
RACE_JS = """() => {
    const gd = document.querySelector('.descent-race .descent-contour');
    const path = gd.data.find(t => t.uid === 'path2d-0');
    const image = gd.layout.images[0];
    return {x: Array.from(path.x).slice(0, 3), y: Array.from(path.y).slice(0, 3),
            cx: [image.x, image.x + image.sizex], cy: [image.y - image.sizey, image.y]};
}"""


def _wait_race(page) -> None:
    wait_idle(page, timeout=90000)
    page.wait_for_selector(RACE_READY, state="attached", timeout=90000)
    page.wait_for_function(
        "() => { const gd = document.querySelector('.descent-race .descent-contour');"
        " const p = gd && gd.data && gd.data.find(t => t.uid === 'path2d-0');"
        " return p && p.x && p.x.length > 2; }",
        timeout=60000,
    )
    wait_idle(page)


def _type_formula(page, text: str) -> None:
    box = page.locator(f"{SIDEBAR} textarea[aria-label='L(x, y) =']")
    box.fill(text)
    box.press("Control+Enter")
    page.wait_for_timeout(500)
    _wait_race(page)


def test_a_typed_formula_is_plotted_and_raced(page, app_server):
    page.goto(f"{app_server}/?surface=custom")
    _wait_race(page)
    _type_formula(page, HIMMELBLAU)
    for value, label in zip((-5, 5, -5, 5), ("φ₀ from", "φ₀ to", "φ₁ from", "φ₁ to"), strict=True):
        field = page.locator(f"{SIDEBAR} input[aria-label='{label}']")
        field.fill(str(value))
        field.press("Enter")
        page.wait_for_timeout(300)
        wait_idle(page, timeout=90000)
    _wait_race(page)
    assert_no_exception(page)

    ls = get_landscape("custom", expr=HIMMELBLAU, xlim=(-5, 5), ylim=(-5, 5))
    race = page.evaluate(RACE_JS)
    # Plotted over the typed range; the paths start at the surface's own default start.
    assert race["cx"] == [-5, 5] and race["cy"] == [-5, 5]
    # (The browser's paths are uint16 fractions of the divergence box, 10x the plot: 1.5e-3.)
    assert race["x"][0] == pytest.approx(ls.default_start[0], abs=2e-3)
    assert race["y"][0] == pytest.approx(ls.default_start[1], abs=2e-3)
    # ...and they go downhill on the typed surface.
    assert ls.loss(np.array([race["x"][2], race["y"][2]])) < ls.loss(np.array(ls.default_start))
    assert "expr=" in page.url and "xlo=-5" in page.url  # the link reproduces it

    play = page.locator(".descent-play")
    play.click()  # at the last step, Play starts over
    page.wait_for_timeout(500)
    first = step_of(page)
    page.wait_for_timeout(700)
    assert step_of(page) > first
    play.click()  # pause
    page.wait_for_timeout(300)
    screenshot(page, "custom")

    # A bad formula: a message, and the race drawn before stays.
    box = page.locator(f"{SIDEBAR} textarea[aria-label='L(x, y) =']")
    box.fill("x + __import__('os')")
    box.press("Control+Enter")
    page.wait_for_timeout(500)
    wait_idle(page, timeout=90000)
    message = page.locator(SIDEBAR).get_by_text("not a function you can call", exact=False)
    message.wait_for(timeout=60000)
    wait_idle(page, timeout=90000)
    assert "The surface shown is the previous one" in message.inner_text()
    assert page.evaluate(RACE_JS)["cx"] == [-5, 5]
    assert_no_exception(page)

    # Another surface and back: the formula box still holds the text, the race its surface.
    box.fill(HIMMELBLAU)
    box.press("Control+Enter")
    page.wait_for_timeout(500)
    _wait_race(page)
    for surface in ("saddle", "custom"):
        page.locator(f"{SIDEBAR} [data-testid=stSelectbox]", has_text="Surface").click()
        page.get_by_role("option", name=surface, exact=True).click()
        page.wait_for_timeout(500)
        _wait_race(page)
    assert box.input_value() == HIMMELBLAU
    assert page.evaluate(RACE_JS)["cx"] == [-5, 5]
    console = [
        e for e in page.console_errors if not (e.kind == "pageerror" and e.text == "undefined")
    ]
    page.console_errors[:] = console  # pausing an animation rejects Plotly's own promise
    assert_no_console_errors(page)


def test_an_uploaded_csv_is_fitted(page, app_server, tmp_path):
    rng = np.random.default_rng(7)
    x = np.sort(rng.uniform(-15, 15, 40))
    u = -1.0 + 0.06 * 15.0 * x
    y = np.sin(u) * np.exp(-u * u / 32) + rng.normal(0, 0.08, 40)
    csv = tmp_path / "measurements.csv"
    csv.write_text(
        "time,signal\n" + "".join(f"{a:.4f},{b:.4f}\n" for a, b in zip(x, y, strict=True))
    )
    bad = tmp_path / "broken.csv"
    bad.write_text("time,signal\n1,2\n3,n/a\n5,6\n")

    page.goto(f"{app_server}/sgd_lab?surface=data&model=gabor")
    wait_idle(page, timeout=90000)
    page.locator(f"{SIDEBAR} input[type=file]").set_input_files(str(csv))
    page.wait_for_timeout(800)
    wait_idle(page, timeout=90000)
    sidebar = page.locator(SIDEBAR)
    assert "Fitting 40 rows from the file measurements.csv (columns time, signal)" in (
        sidebar.inner_text()
    )
    page.wait_for_function(
        f"document.querySelectorAll('{PLOT} .main-svg').length >= 3", timeout=60000
    )
    assert_no_exception(page)
    # The data view shows the user's 40 points and the model curves over them.
    shown = page.evaluate(
        """() => {
            for (const gd of document.querySelectorAll('.js-plotly-plot')) {
                const pts = (gd._fullData || []).filter(t => t.mode && t.mode.includes('markers')
                    && t.x && t.x.length === 40);
                const curves = (gd._fullData || [])
                    .filter(t => (t.name || '').startsWith('model at'));
                if (pts.length && curves.length) return {n: pts[0].x.length, curves: curves.length,
                                                          x0: pts[0].x[0]};
            }
            return null;
        }"""
    )
    assert shown is not None and shown["n"] == 40 and shown["curves"] >= 2
    assert abs(shown["x0"] - round(x[0], 4)) < 1e-3
    assert "rows=" in page.url  # 40 rows fit in the link

    # From a start in the global minimum's basin the fit ends on the points (the picture
    # for the README: the animation's last frame).
    for label, value in (("Start φ₀", -3), ("Start φ₁", 12)):
        field = page.locator(f"{SIDEBAR} input[aria-label='{label}']")
        field.fill(str(value))
        field.press("Enter")
        page.wait_for_timeout(300)
        wait_idle(page, timeout=90000)
    page.wait_for_function(
        f"document.querySelectorAll('{PLOT} .main-svg').length >= 3", timeout=60000
    )
    # The lab's step slider (ui/sgd_chart.js) to its end: the last step of the epoch.
    slider = page.locator('.descent-lab input[aria-label="step"]')
    slider.focus()
    slider.press("End")
    page.wait_for_timeout(500)
    screenshot(page, "data")

    # A broken file: its message names the line and cell; the fit on screen stays.
    page.locator(f"{SIDEBAR} input[type=file]").set_input_files(str(bad))
    page.wait_for_timeout(800)
    wait_idle(page, timeout=90000)
    text = sidebar.inner_text()
    assert "line 3, column y: 'n/a': it is not a number" in text
    assert "Fitting 40 rows from the file measurements.csv" in text
    assert_no_exception(page)
    assert_no_console_errors(page)
