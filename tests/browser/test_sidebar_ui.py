"""The shared sidebar in a real browser: no optimizer at all, a typed start out of range,
the reset button, and both themes (following the system's preference) at two sizes."""

from __future__ import annotations

import pytest

from tests.browser.helpers import (
    assert_no_exception,
    real_console_errors,
    screenshot,
    wait_idle,
)

SIDEBAR = '[data-testid="stSidebar"]'
OPTIMIZERS = f'{SIDEBAR} [data-testid="stMultiSelect"]'
BOX = f"{OPTIMIZERS} .react-aria-ComboBox"
CHIP = f"{BOX} [data-tag]"
NO_OPTIMIZER = "No optimizer chosen"
DESKTOP = {"width": 1600, "height": 1000}
PHONE = {"width": 390, "height": 844}


def _open(page, url: str) -> None:
    page.goto(url)
    wait_idle(page, timeout=90000)


def _assert_no_new_console_errors(page) -> None:
    """No console error but one known to issue 9's chart items: plotly.js's resize of a chart
    that has just been removed ("Resize must be passed a displayed plot div element")."""
    errors = [e for e in real_console_errors(page) if "Resize must be passed" not in e.text]
    assert not errors, errors


def _query(page) -> str:
    return page.evaluate("location.search")


def test_removing_every_chip_leaves_a_prompt_that_survives_a_reload(page, app_server):
    _open(page, f"{app_server}/?opt=gd&opt=adam")
    assert page.locator(CHIP).count() == 2
    # Remove the chips one by one, the last one included (it crashed the page before).
    for left in (1, 0):
        page.locator(f'{CHIP} button[aria-label^="Remove"]').first.click()
        wait_idle(page, timeout=90000)
        assert page.locator(CHIP).count() == left
    wait_idle(page, timeout=90000)
    assert_no_exception(page)
    assert page.locator(f"{SIDEBAR} [data-testid=stAlert]", has_text=NO_OPTIMIZER).count() == 1
    assert (
        page.locator("[data-testid=stMain] [data-testid=stAlert]")
        .filter(has_text="optimizer")
        .count()
        >= 1
    )  # the page itself says so too
    assert "opt=" in _query(page)
    screenshot(page, "sidebar_no_optimizer")

    page.reload()
    wait_idle(page, timeout=90000)
    assert_no_exception(page)
    assert page.locator(CHIP).count() == 0
    assert page.locator(f"{SIDEBAR} [data-testid=stAlert]", has_text=NO_OPTIMIZER).count() == 1
    assert page.locator('[data-testid="stAlert"]', has_text="Using the default").count() == 0
    _assert_no_new_console_errors(page)


def test_clear_all_then_choose_again(page, app_server):
    _open(page, f"{app_server}/")
    assert page.locator(CHIP).count() == 5
    page.locator(OPTIMIZERS).hover()
    page.locator(f'{BOX} [aria-label="Clear all"]').first.click()
    wait_idle(page, timeout=90000)
    assert_no_exception(page)
    assert page.locator(CHIP).count() == 0
    assert page.locator(f"{SIDEBAR} [data-testid=stAlert]", has_text=NO_OPTIMIZER).count() == 1
    # Pick one again: the race comes back with it alone.
    page.locator(f"{BOX} input").click()
    page.get_by_role("option", name="momentum", exact=True).click()
    page.keyboard.press("Escape")
    wait_idle(page, timeout=90000)
    assert_no_exception(page)
    assert page.locator(CHIP).count() == 1
    assert "opt=momentum" in _query(page)
    _assert_no_new_console_errors(page)


def test_a_typed_start_out_of_range_is_named_and_the_last_good_one_kept(page, app_server):
    _open(page, f"{app_server}/?surface=himmelblau&x0=1.5")
    field = page.locator(f'{SIDEBAR} [data-testid="stNumberInput"]', has_text="Start φ₀")
    box = field.locator("input")
    box.fill("42")
    box.press("Enter")
    wait_idle(page, timeout=90000)
    assert_no_exception(page)
    alert = page.locator('[data-testid="stAlert"]', has_text="x0")
    assert alert.count() == 1
    assert "`42`" not in alert.inner_text() and "42" in alert.inner_text()
    assert "between -5 and 5" in alert.inner_text() and "Back to 1.5" in alert.inner_text()
    assert box.input_value() == "1.50"
    assert "x0=1.5" in _query(page)


def test_reset_empties_the_link_and_keeps_the_page(page, app_server):
    _open(page, f"{app_server}/sgd_lab?surface=himmelblau&log_lr=-1.5&seed=4&tune=sgd.beta:0.5")
    page.locator(f"{SIDEBAR} button:visible", has_text="Reset to defaults").click()
    wait_idle(page, timeout=90000)
    assert_no_exception(page)
    assert _query(page) in ("", "?")
    assert page.url.rstrip("/").endswith("/sgd_lab")
    assert page.locator("h1", has_text="Minibatch SGD lab").count() == 1
    surface = page.locator(f'{SIDEBAR} [data-testid="stSelectbox"] input').first
    assert surface.input_value() == "rosenbrock"


def _background(page) -> tuple[int, ...]:
    rgb = page.evaluate(
        "() => getComputedStyle(document.querySelector('[data-testid=stApp]')).backgroundColor"
    )
    return tuple(int(v) for v in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3])


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_theme_follows_the_system_and_plots_stay_readable(browser, app_server, scheme, size):
    context = browser.new_context(viewport=size, color_scheme=scheme)
    page = context.new_page()
    try:
        _open(page, f"{app_server}/?surface=rastrigin")
        page.wait_for_selector(".descent-plot .main-svg", timeout=90000)
        wait_idle(page)
        assert_no_exception(page)
        background = _background(page)
        assert (sum(background) < 150) == (scheme == "dark"), background
        # The figure keeps its own white background, so its dark text stays readable.
        paper = page.evaluate(
            "() => getComputedStyle(document.querySelector('.descent-plot .main-svg'))"
            ".backgroundColor"
        )
        assert paper in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)"), paper
        # The race's own controls keep dark text on their light buttons in either theme.
        button = page.evaluate(
            "() => { const b = getComputedStyle(document.querySelector('.descent-play'));"
            " return [b.color, b.backgroundColor]; }"
        )
        assert button == ["rgb(31, 36, 48)", "rgb(255, 255, 255)"], button
        # The sidebar's formula (Rastrigin's is long) wraps inside the sidebar.
        if size == DESKTOP:
            sidebar = page.locator(SIDEBAR).bounding_box()
            formula = page.locator(f"{SIDEBAR} .katex").first.bounding_box()
            assert formula["x"] + formula["width"] <= sidebar["x"] + sidebar["width"] - 10
            assert formula["height"] > 40  # on two lines
        name = f"theme_{scheme}_{size['width']}x{size['height']}"
        if size == PHONE:
            screenshot(page, name)
            page.locator('[data-testid="stExpandSidebarButton"]').first.click()
            page.wait_for_timeout(800)
            screenshot(page, name + "_sidebar")
        else:
            screenshot(page, name)
            # The pages drawn by st.plotly_chart keep their white card in either theme.
            _open(page, f"{app_server}/convexity")
            page.wait_for_selector(".js-plotly-plot .main-svg", timeout=90000)
            papers = page.evaluate(
                "() => [...document.querySelectorAll('.js-plotly-plot .main-svg:first-child')]"
                ".map(e => getComputedStyle(e).backgroundColor)"
            )
            assert papers and set(papers) == {"rgb(255, 255, 255)"}, papers
            screenshot(page, f"theme_{scheme}_convexity")
    finally:
        context.close()
