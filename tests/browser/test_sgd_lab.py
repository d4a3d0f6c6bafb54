"""The SGD lab in a real browser: it renders without errors, and Play moves the animation."""

from __future__ import annotations

import re

import pytest

from tests.browser.helpers import (
    assert_no_console_errors,
    assert_no_exception,
    screenshot,
    wait_idle,
)

# Opened at a page's own path (/sgd), Streamlit first looks for its server one level down
# (/sgd/_stcore/health and /host-config) and falls back to the root: two harmless 404s.
PROBE_404 = re.compile(r"/[a-z_]+/_stcore/(health|host-config)$")


def _assert_no_console_errors(page) -> None:
    page.console_errors[:] = [
        e for e in page.console_errors if not ("404" in e.text and PROBE_404.search(e.url))
    ]
    assert_no_console_errors(page)


PLOTS = '[data-testid="stPlotlyChart"] .js-plotly-plot'
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
    page.wait_for_function(
        f"document.querySelectorAll('{PLOTS} .main-svg').length >= {N_PLOTS}", timeout=60000
    )
    assert page.locator(PLOTS).count() >= N_PLOTS


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("", "sgd_lab"),
        ("?surface=gabor", "sgd_lab_gabor"),
        ("?surface=saddle&x0=2.5&y0=0", "sgd_lab_saddle"),
    ],
)
def test_sgd_lab_plays(page, app_server, query, name):
    _open(page, f"{app_server}/sgd{query}")
    assert_no_exception(page)
    assert page.get_by_text("Minibatch SGD lab").first.is_visible()

    before = _slider_text(page)
    assert before.startswith("step 0 ·"), before
    _press(page, "Play")
    page.wait_for_timeout(1500)
    during = _slider_text(page)
    _press(page, "Pause")
    page.wait_for_timeout(300)
    paused = _slider_text(page)
    page.wait_for_timeout(700)
    assert _slider_text(page) == paused, "the animation kept running after Pause"
    step_before = int(before.split()[1])
    step_during = int(during.split()[1])
    assert step_during > step_before, (before, during)
    assert "epoch" in during or "end" in during

    # The right panel's status line follows the frame.
    status = page.locator(PLOTS).first.locator("text", has_text=f"step {step_during}:")
    assert status.count() >= 1 or int(paused.split()[1]) != step_during

    _assert_no_console_errors(page)
    screenshot(page, name)


def test_sgd_lab_url_step_and_warning(page, app_server):
    _open(page, f"{app_server}/sgd?surface=linreg&lab_step=abc")
    assert_no_exception(page)
    warning = page.locator('[data-testid="stAlert"]', has_text="lab_step")
    assert warning.count() >= 1
    assert "not a number" in warning.first.inner_text()
    _assert_no_console_errors(page)
