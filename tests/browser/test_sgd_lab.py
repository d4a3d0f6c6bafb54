"""The SGD lab in a real browser: it renders without errors, and Play moves the animation."""

from __future__ import annotations

import pytest

from tests.browser.helpers import (
    SCREENSHOT_DIR,
    assert_no_console_errors,
    assert_no_exception,
    click_saddle_start,
    screenshot,
    wait_idle,
)


def _assert_no_console_errors(page, paused: bool = False) -> None:
    """No console errors; after Pause, but for Plotly's own: pausing interrupts the running
    Plotly.animate, whose promise plotly.js then rejects with ``undefined`` and nobody
    catches (any Plotly animation does this)."""
    if paused:
        page.console_errors[:] = [
            e for e in page.console_errors if not (e.kind == "pageerror" and e.text == "undefined")
        ]
    assert_no_console_errors(page)


PLOTS = '.js-plotly-plot[data-testid="descent-chart"]'
N_PLOTS = 4  # animation, loss against step, minibatch view, learning rate


def _slider_text(page) -> str:
    """The current-value text of the animation's step slider ("step 12 · epoch 4, ...")."""
    return page.evaluate(
        """(sel) => {
            const plot = document.querySelector(sel);
            const texts = plot ? plot.querySelectorAll('.slider-container text') : [];
            for (const t of texts) if (t.textContent.startsWith('step ')) return t.textContent;
            return null;
        }""",
        PLOTS,
    )


def _press(page, label: str) -> None:
    """Click a Plotly animation button where a person would (Playwright's own click calls
    the SVG group inert)."""
    button = page.locator(PLOTS).first.locator(".updatemenu-button", has_text=label).first
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    assert box is not None, f"no {label} button"
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def _open(page, url: str) -> None:
    page.goto(url)
    wait_idle(page, timeout=90000)
    page.wait_for_timeout(500)
    assert page.locator(".stDialog", has_text="Page not found").count() == 0
    page.wait_for_function(
        f"document.querySelectorAll('{PLOTS} .main-svg').length >= {N_PLOTS}", timeout=60000
    )
    assert page.locator(PLOTS).count() >= N_PLOTS
    assert page.locator("h1", has_text="Minibatch SGD lab").count() == 1


# The markers a trace shows on screen, by the trace's name (Plotly keeps each trace's data
# on its SVG group as __data__).
_RENDERED_POINTS = """([sel, name]) => {
    const gd = document.querySelector(sel);
    const counts = [];
    gd.data.forEach((trace, index) => {
        if (trace.name !== name) return;
        for (const g of gd.querySelectorAll('g.trace.scatter')) {
            const d = g.__data__;
            if (d && d[0] && d[0].trace && d[0].trace.index === index)
                counts.push(g.querySelectorAll('path.point').length);
        }
    });
    return counts;
}"""


def _shown(page, name: str) -> int:
    """Markers on screen of the moving trace ``name`` (its legend-only twin shows none)."""
    return max(page.evaluate(_RENDERED_POINTS, [PLOTS, name]))


@pytest.mark.parametrize(
    ("query", "name", "batch_size", "per_epoch"),
    [
        ("", "sgd_lab", 16, 2),  # Rosenbrock: batches of 16 of N = 32
        ("?surface=gabor", "sgd_lab_gabor", 6, 5),
        ("?surface=saddle&x0=2.5&y0=0", "sgd_lab_saddle", 8, 4),
    ],
)
def test_sgd_lab_plays(page, app_server, query, name, batch_size, per_epoch):
    _open(page, f"{app_server}/sgd_lab{query}")
    assert_no_exception(page)

    before = _slider_text(page)
    assert before.startswith("step 0 ·"), before
    _press(page, "Play")
    page.wait_for_timeout(1500)
    during = _slider_text(page)
    _assert_no_console_errors(page)
    _press(page, "Pause")
    page.wait_for_timeout(300)
    paused = _slider_text(page)
    page.wait_for_timeout(700)
    assert _slider_text(page) == paused, "the animation kept running after Pause"
    step_before = int(before.split()[1])
    step_during = int(during.split()[1])
    assert step_during > step_before, (before, during)
    assert "epoch" in during or "end" in during

    # The right panel's status line shows the paused frame's step, and the contour (a layout
    # image, which frames drawn with redraw=False leave alone) is still there.
    chart = page.locator(PLOTS).first
    step_paused = int(paused.split()[1])
    assert chart.locator("text", has_text=f"step {step_paused}:").count() == 1
    assert chart.locator(".imagelayer image").count() == 1

    # On screen: this step's minibatch, and the examples its epoch used before it.
    assert _shown(page, "current minibatch") == batch_size
    assert _shown(page, "used earlier this epoch") == (step_paused % per_epoch) * batch_size

    _assert_no_console_errors(page, paused=True)
    chart.screenshot(path=str(SCREENSHOT_DIR / f"{name}_paused.png"))
    screenshot(page, name)

    _press(page, "Start")  # back to step 0: a new epoch, nothing used yet
    page.wait_for_timeout(500)
    assert _slider_text(page).startswith("step 0 ·")
    assert _shown(page, "used earlier this epoch") == 0
    assert _shown(page, "current minibatch") == batch_size


def test_sgd_lab_url_step_and_warning(page, app_server):
    _open(page, f"{app_server}/sgd_lab?surface=linreg&lab_step=abc")
    assert_no_exception(page)
    warning = page.locator('[data-testid="stAlert"]', has_text="lab_step")
    assert warning.count() >= 1
    assert "not a number" in warning.first.inner_text()
    _assert_no_console_errors(page)


def test_clicking_the_contour_sets_the_start(page, app_server):
    _open(page, f"{app_server}/sgd_lab?surface=saddle")
    chart = page.locator(PLOTS).first
    click_saddle_start(page, chart)
    assert_no_exception(page)
    _assert_no_console_errors(page)
