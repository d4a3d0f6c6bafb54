"""The SGD lab in a real browser: it renders without errors, and Play moves the animation."""

from __future__ import annotations

import pytest

from figures.sgd_epoch import position_text
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


LAB = ".descent-lab"
STEP_TEXT = ".descent-lab .descent-step-text"
LOSS_STEP = '.st-key-sgd_loss_chart .descent-overlay [data-uid="step"]'
# Where the heads are and what the status line says, as drawn over the epoch chart.
HEADS_JS = """() => {
    const mark = uid => document.querySelector(`.descent-lab .descent-overlay [data-uid="${uid}"]`);
    return ['head:gd', 'head:sgd'].map(uid => [mark(uid).dataset.x, mark(uid).dataset.y])
        .concat([mark('status').textContent]);
}"""


def _step(page) -> int:
    """The step the epoch chart shows ("step 12 / 200")."""
    return int(page.locator(STEP_TEXT).inner_text().split()[1])


def _sent_frames(page) -> list:
    """Every websocket frame the page sends from now on (call before page.goto)."""
    sent = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(payload)))
    return sent


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


# The markers drawn over the epoch chart for the moving trace ``uid`` (one path, a marker
# per point).
_DRAWN_POINTS = """(uid) => {
    const mark = document.querySelector(`.descent-lab .descent-overlay [data-uid="${uid}"]`);
    return mark ? (mark.getAttribute('d').match(/M/g) || []).length : 0;
}"""


def _shown(page, uid: str) -> int:
    """Markers on screen of the moving trace ``uid`` ("minibatch" or "visited")."""
    return page.evaluate(_DRAWN_POINTS, uid)


@pytest.mark.parametrize(
    ("query", "name", "batch_size", "per_epoch"),
    [
        ("", "sgd_lab", 16, 2),  # Rosenbrock: batches of 16 of N = 32
        ("?surface=gabor", "sgd_lab_gabor", 6, 5),
        ("?surface=saddle&x0=2.5&y0=0", "sgd_lab_saddle", 8, 4),
    ],
)
def test_sgd_lab_plays_in_the_browser(page, app_server, query, name, batch_size, per_epoch):
    sent = _sent_frames(page)
    _open(page, f"{app_server}/sgd_lab{query}")
    assert_no_exception(page)
    chart = page.locator(PLOTS).first
    assert _step(page) == 0
    first = page.evaluate(HEADS_JS)
    assert first[2] == f"step 0: epoch 1, batch 1 of {per_epoch}"
    page.evaluate("() => { document.querySelector('.descent-lab .js-plotly-plot').__marked = 1; }")
    frames = len(sent)

    # Play advances the heads and the status line; Pause holds the step.
    page.locator(".descent-lab .descent-play").click()
    page.wait_for_timeout(1200)
    assert page.evaluate(HEADS_JS) != first
    page.locator(".descent-lab .descent-play").click()
    paused = _step(page)
    assert paused > 0
    page.wait_for_timeout(500)
    assert _step(page) == paused
    status = page.evaluate(HEADS_JS)[2]
    steps = int(page.locator('.descent-lab input[aria-label="step"]').get_attribute("max"))
    assert status == f"step {paused}: {position_text(paused, steps, per_epoch)}"  # as Python says
    # On screen: this step's minibatch, the examples its epoch used before it, the status
    # line, and the contour (a layout image, which these updates leave alone).
    assert _shown(page, "minibatch") == batch_size
    assert _shown(page, "visited") == (paused % per_epoch) * batch_size
    assert page.locator(f"{LAB} text", has_text=f"step {paused}:").count() == 1
    assert chart.locator(".imagelayer image").count() == 1
    # The loss chart marks the step.
    page.wait_for_function(
        "([sel, s]) => { const m = document.querySelector(sel);"
        " return m && JSON.parse(m.dataset.x)[0] === s; }",
        arg=[LOSS_STEP, paused],
        timeout=10000,
    )
    chart.screenshot(path=str(SCREENSHOT_DIR / f"{name}_paused.png"))
    page.locator(".st-key-sgd_loss_chart").screenshot(path=str(SCREENSHOT_DIR / f"{name}_loss.png"))

    # Play resumes from the paused step (it does not start over).
    resumed = page.evaluate(
        "() => { document.querySelector('.descent-lab .descent-play').click();"
        " return document.querySelector('.descent-lab .descent-step-text').textContent; }"
    )
    assert int(resumed.split()[1]) == paused
    page.wait_for_timeout(400)
    before_speed = _step(page)
    assert before_speed > paused
    # A new speed keeps the step and keeps playing.
    page.locator('.descent-lab select[aria-label="speed"]').select_option("0.5")
    after_speed = _step(page)
    assert after_speed >= before_speed
    page.wait_for_timeout(500)
    assert _step(page) > after_speed
    page.locator(".descent-lab .descent-play").click()
    s = _step(page)

    # ±1 step, and the keys with the chart focused: Space plays and pauses, arrows step.
    page.locator('.descent-lab button[title^="One step forward"]').click()
    assert _step(page) == s + 1
    page.locator('.descent-lab button[title^="One step back"]').click()
    page.locator('.descent-lab button[title^="One step back"]').click()
    assert _step(page) == s - 1
    page.locator(LAB).focus()
    page.keyboard.press("ArrowRight")
    assert _step(page) == s
    page.keyboard.press("Space")
    page.wait_for_timeout(400)
    page.keyboard.press("Space")
    moved = _step(page)
    assert moved > s
    page.wait_for_timeout(300)
    assert _step(page) == moved

    # The step slider: back to step 0, a new epoch with nothing used yet.
    slider = page.locator('.descent-lab input[aria-label="step"]')
    slider.focus()
    slider.press("Home")
    assert _step(page) == 0
    assert page.evaluate(HEADS_JS)[2] == f"step 0: epoch 1, batch 1 of {per_epoch}"
    assert _shown(page, "visited") == 0
    assert _shown(page, "minibatch") == batch_size
    # The chart is the same element, and the browser never asked the server.
    assert page.evaluate("() => document.querySelector('.descent-lab .js-plotly-plot').__marked")
    assert len(sent) == frames
    _assert_no_console_errors(page)
    screenshot(page, name)


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
