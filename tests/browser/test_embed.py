"""Descent inside an iframe, as a course page or a slide tool embeds it: Streamlit's
``?embed=true`` with Descent's presentation mode (``present=1``)."""

from __future__ import annotations

import functools
import http.server
import threading

import pytest

from tests.browser.helpers import ARTIFACTS_DIR, assert_no_exception, wait_idle
from tests.browser.test_compare import LR_SLIDER, open_race

COURSE_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Week 3: optimizers</title></head>
<body style="font-family: sans-serif; margin: 2rem">
<h1>Week 3: how optimizers move</h1>
<p>Press play and watch Adam take the valley.</p>
<iframe id="descent" src="{src}" width="1200" height="900" style="border: 1px solid #ccc">
</iframe>
</body></html>
"""


@pytest.fixture
def course_site(tmp_path):
    """A tiny static site on its own port (another origin than the app's), as a course page."""

    def serve(src: str) -> str:
        (tmp_path / "index.html").write_text(COURSE_PAGE.format(src=src), encoding="utf-8")
        return f"http://127.0.0.1:{server.server_address[1]}/index.html"

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield serve
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    "path, figure, long_text",
    [
        ("", ".descent-plot.js-plotly-plot", "How it works"),
        ("sgd_lab", ".js-plotly-plot", "Each step draws a minibatch"),
    ],
)
def test_an_embedded_view_in_presentation_mode_shows_the_figure(
    page, app_server, course_site, path, figure, long_text
):
    src = f"{app_server}/{path}?embed=true&present=1&surface=himmelblau"
    page.goto(course_site(src))
    frame = page.frame_locator("#descent")
    frame.locator(figure).first.wait_for(state="visible", timeout=90000)
    frame.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(
        timeout=90000
    )
    app = frame.locator('[data-testid="stApp"]')
    # Streamlit's embed mode: no header bar or toolbar inside the frame.
    assert frame.locator('[data-testid="stToolbar"]').count() == 0
    text = app.inner_text()
    assert "Himmelblau" in text  # the view the link names
    assert long_text not in text
    assert_no_exception(page)  # nothing in the host page itself
    assert frame.locator('[data-testid="stException"]').count() == 0
    shots = ARTIFACTS_DIR / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / f"embed-{path or 'compare'}.png"))


def test_presentation_mode_stays_when_a_control_or_the_page_changes(page, app_server):
    open_race(page, f"{app_server}/?present=1")
    assert "How it works" not in page.locator('[data-testid="stMain"]').inner_text()
    before = page.url
    thumb = page.locator(f"{LR_SLIDER} [role=slider], {LR_SLIDER} input[type=range]").first
    thumb.focus()
    for _ in range(3):
        thumb.press("ArrowRight")
    page.wait_for_function("u => window.location.href !== u", arg=before, timeout=15000)
    wait_idle(page)
    assert "log_lr=" in page.url and "present=1" in page.url, page.url
    assert "How it works" not in page.locator('[data-testid="stMain"]').inner_text()
    # Another page: the switch drops the URL's parameters, the session keeps presenting.
    page.locator('[data-testid="stSidebarNav"] a', has_text="Convexity").click()
    page.wait_for_url("**/convexity*", timeout=30000)
    wait_idle(page, timeout=60000)
    page.wait_for_function("() => location.search.includes('present=1')", timeout=15000)
    main = page.locator('[data-testid="stMain"]').inner_text()
    assert "Convexity" in main and "What the notes say" not in main
    assert_no_exception(page)
