"""Helpers for Playwright browser tests against a real ``streamlit run``.

How to use (pytest runs with ``--import-mode=importlib`` and ``pythonpath = ["."]``,
see pyproject.toml, so the repo root is importable and ``tests`` is a namespace package)::

    import pytest
    from tests.browser.helpers import (
        assert_no_console_errors,
        assert_no_exception,
        screenshot,
        wait_idle,
    )

    pytestmark = pytest.mark.browser  # optional: tests/browser/* are auto-marked


    def test_home(page, app_server):
        page.goto(app_server)
        wait_idle(page)
        assert_no_exception(page)
        assert_no_console_errors(page)
        screenshot(page, "home")

Fixtures (``app_server``, ``browser``, ``page``, ``app_page``) live in
``tests/browser/conftest.py`` and are visible only to tests under ``tests/browser/``.
Every ``page`` carries ``page.console_errors``: a list of :class:`ConsoleError` with
every console error and uncaught page error seen since the page opened.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS_DIR = REPO_ROOT / "artifacts"
SCREENSHOT_DIR = ARTIFACTS_DIR / "screenshots"

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]", "0.0.0.0"})

_IDLE_JS = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app) return false;
    if (app.getAttribute('data-test-script-state') !== 'notRunning') return false;
    if (app.getAttribute('data-test-connection-state') !== 'CONNECTED') return false;
    return document.querySelector('[data-testid="stSkeleton"]') === null;
}"""


@dataclass(frozen=True)
class ConsoleError:
    """One browser-side error: ``kind`` is "console" (console.error) or "pageerror"."""

    kind: str
    text: str
    url: str = ""

    def __str__(self) -> str:
        where = f" (at {self.url})" if self.url else ""
        return f"[{self.kind}] {self.text}{where}"


def _is_local_url(url: str) -> bool:
    if not url:
        return False
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return (parts.hostname or "") in LOCAL_HOSTS


# Opened at /<page>, Streamlit's frontend first probes /<page>/_stcore/health and
# /<page>/_stcore/host-config (404) to find the server's base path, then uses the root.
BASE_PATH_PROBE = re.compile(r"/[a-z_]+/_stcore/(health|host-config)$")


def is_harmless(err: ConsoleError) -> bool:
    """Known noise: failed loads of *non-local* URLs in an offline sandbox, and the base-path
    probe of a deep link. Any other failed load of a 127.0.0.1/localhost URL is real.
    """
    if err.kind != "console":
        return False
    if err.url and BASE_PATH_PROBE.search(urlsplit(err.url).path):
        return True
    text = err.text
    network_noise = "net::ERR" in text or "Failed to load resource" in text
    if not network_noise:
        return False
    if err.url:
        return not _is_local_url(err.url)
    # No location: harmless only if the message names no local host at all.
    return not any(host in text for host in ("127.0.0.1", "localhost"))


def real_console_errors(page, *, verbose: bool = True) -> list[ConsoleError]:
    """``page.console_errors`` minus known-harmless network noise (printed when filtered)."""
    kept: list[ConsoleError] = []
    for err in getattr(page, "console_errors", []):
        if is_harmless(err):
            if verbose:
                print(f"[browser] ignoring harmless network noise: {err}")
        else:
            kept.append(err)
    return kept


def assert_no_console_errors(page) -> None:
    """Fail if the page logged any console/page error other than offline network noise."""
    errors = real_console_errors(page)
    assert not errors, "browser console errors:\n" + "\n".join(f"  {e}" for e in errors)


def wait_idle(page, timeout: float = 30000, settle: float = 400) -> None:
    """Wait until the Streamlit script run is finished and the page has settled.

    Idle means: ``[data-testid=stApp]`` has ``data-test-script-state='notRunning'``,
    is connected, and no ``[data-testid=stSkeleton]`` placeholder remains. The condition
    must hold on two checks ``settle`` ms apart, so a rerun that an interaction has just
    triggered (but that has not yet flipped the state) is not missed. ``timeout`` is in
    milliseconds, like Playwright's.
    """
    deadline = time.monotonic() + timeout / 1000.0
    while True:
        remaining_ms = max(1.0, (deadline - time.monotonic()) * 1000.0)
        page.wait_for_function(_IDLE_JS, timeout=remaining_ms, polling=100)
        page.wait_for_timeout(settle)
        if page.evaluate(_IDLE_JS):
            return
        if time.monotonic() >= deadline:
            raise TimeoutError(f"Streamlit app did not become idle within {timeout} ms")


def assert_no_exception(page) -> None:
    """Fail if any ``st.exception`` / uncaught-script-error box is visible on the page."""
    boxes = page.locator('[data-testid="stException"]')
    visible = [boxes.nth(i) for i in range(boxes.count()) if boxes.nth(i).is_visible()]
    if visible:
        texts = "\n---\n".join(box.inner_text() for box in visible)
        raise AssertionError(f"{len(visible)} Streamlit exception(s) on the page:\n{texts}")


def screenshot(page, name: str) -> Path:
    """Save a full-page PNG to ``artifacts/screenshots/<name>.png`` and return its path.

    Streamlit scrolls inside its own main container, so Playwright's ``full_page`` alone
    would only capture the viewport: the viewport is grown to the content height for the
    shot and restored afterwards.
    """
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    original = page.viewport_size
    content_height = page.evaluate(
        """() => {
            let h = document.documentElement.scrollHeight;
            for (const sel of ['[data-testid="stMain"]', '[data-testid="stAppViewContainer"]',
                               '[data-testid="stSidebarContent"]']) {
                const el = document.querySelector(sel);
                if (el) h = Math.max(h, el.scrollHeight);
            }
            return h;
        }"""
    )
    try:
        if original and content_height > original["height"]:
            page.set_viewport_size(
                {"width": original["width"], "height": min(int(content_height), 16000)}
            )
            page.wait_for_timeout(300)
        page.screenshot(path=str(path), full_page=True)
    finally:
        if original and page.viewport_size != original:
            page.set_viewport_size(original)
    return path


def click_saddle_start(page, chart) -> dict[str, str]:
    """Click the saddle's contour in ``chart`` a quarter across and 30% down its bounds
    [-3, 3] x [-2, 2], about (-1.5, 0.8); wait for the start to reach the URL and the rerun to
    end. Returns the query parameters."""
    chart.scroll_into_view_if_needed()
    box = chart.locator(".nsewdrag").first.bounding_box()  # the contour's plot area
    x, y = box["x"] + 0.25 * box["width"], box["y"] + 0.3 * box["height"]
    page.mouse.move(x, y)
    page.wait_for_timeout(300)
    page.mouse.click(x, y)
    page.wait_for_function("() => location.search.includes('x0=')", timeout=30000)
    wait_idle(page, timeout=90000)
    query = dict(p.split("=") for p in page.evaluate("location.search")[1:].split("&"))
    assert abs(float(query["x0"]) + 1.5) < 0.2 and abs(float(query["y0"]) - 0.8) < 0.2
    return query
