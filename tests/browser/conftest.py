"""Fixtures for Playwright browser tests against a real ``streamlit run``.

Fixtures (visible to tests under ``tests/browser/`` only):

* ``app_server`` (session): starts ``python -m streamlit run $DESCENT_APP`` (default
  ``app.py``, relative to the repo root, cwd = repo root) on a free port and yields its
  base URL, e.g. ``http://127.0.0.1:54321``. Server output goes to
  ``artifacts/streamlit-server.log``.
* ``browser`` (session): headless Chromium via sync Playwright. Uses ``$DESCENT_CHROMIUM``,
  else ``/usr/bin/chromium`` if present, else Playwright's own build. Skips (loudly) when
  ``DESCENT_SKIP_BROWSER=1`` or no browser launches; with ``DESCENT_REQUIRE_BROWSER=1``
  (set by ``make test`` when it found a browser) a launch failure is an error instead.
* ``page`` (function): fresh context, viewport 1500x1000, with ``page.console_errors``.
* ``app_page`` (function): ``page`` already at ``app_server`` and idle.

Every test in this folder is auto-marked ``browser`` (``pytest -m "not browser"`` skips them).
Helpers: ``from tests.browser.helpers import wait_idle, assert_no_exception, screenshot``.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.browser.helpers import ARTIFACTS_DIR, REPO_ROOT, ConsoleError, wait_idle

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT = {"width": 1500, "height": 1000}
SERVER_START_TIMEOUT = 60.0
_HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    for item in items:
        if _HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


def _loud(msg: str) -> str:
    bar = "#" * 72
    return f"\n{bar}\n## BROWSER TESTS SKIPPED: {msg}\n{bar}"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _health_ok(base_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base_url}/_stcore/health", timeout=2) as resp:
            return resp.status == 200 and resp.read().decode().strip() == "ok"
    except OSError:
        return False


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def app_server():
    app = Path(os.environ.get("DESCENT_APP") or "app.py")
    if not app.is_absolute():
        app = REPO_ROOT / app
    if not app.exists():
        pytest.fail(f"Streamlit app not found: {app}")

    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    log_path = ARTIFACTS_DIR / "streamlit-server.log"
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(app),
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
        "--server.runOnSave", "false",
    ]  # fmt: skip
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            cmd,
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group, killed as a whole below
        )
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while not _health_ok(base_url):
            if proc.poll() is not None:
                out = log_path.read_text(errors="replace")
                pytest.fail(
                    f"streamlit exited early (code {proc.returncode}): {' '.join(cmd)}\n{out}"
                )
            if time.monotonic() > deadline:
                out = log_path.read_text(errors="replace")
                pytest.fail(f"streamlit not healthy after {SERVER_START_TIMEOUT:.0f}s\n{out}")
            time.sleep(0.25)
        yield base_url
    finally:
        _stop(proc)


def _executable() -> str | None:
    env_path = os.environ.get("DESCENT_CHROMIUM")
    if env_path:
        return env_path
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    return None


@pytest.fixture(scope="session")
def browser():
    required = os.environ.get("DESCENT_REQUIRE_BROWSER") == "1"
    if os.environ.get("DESCENT_SKIP_BROWSER") == "1":
        pytest.skip(_loud("DESCENT_SKIP_BROWSER=1 (no Chromium found by `make test`)"))
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        if required:
            raise
        pytest.skip(_loud(f"playwright not importable: {exc}"))

    pw = sync_playwright().start()
    executable = _executable()
    try:
        browser = pw.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
    except Exception as exc:
        pw.stop()
        if required:
            raise
        pytest.skip(_loud(f"chromium ({executable or 'playwright build'}) failed: {exc}"))
    try:
        yield browser
    finally:
        browser.close()
        pw.stop()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=VIEWPORT)
    pg = context.new_page()
    errors: list[ConsoleError] = []
    pg.console_errors = errors

    def on_console(msg):
        if msg.type == "error":
            url = (msg.location or {}).get("url", "") or ""
            errors.append(ConsoleError("console", msg.text, url))

    def on_pageerror(exc):
        errors.append(ConsoleError("pageerror", str(getattr(exc, "stack", None) or exc)))

    pg.on("console", on_console)
    pg.on("pageerror", on_pageerror)
    try:
        yield pg
    finally:
        context.close()


@pytest.fixture
def app_page(page, app_server):
    page.goto(app_server)
    wait_idle(page, timeout=60000)
    return page
