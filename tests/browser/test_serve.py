"""``make serve`` end to end: deploy/serve.py starts two replicas behind nginx on free
loopback ports; Chromium opens the app through nginx. Sessions spread over the replicas, and
every request of one session, its websocket included, stays on one replica."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.browser.helpers import REPO_ROOT, assert_no_exception, screenshot, wait_idle

sys.path.insert(0, str(REPO_ROOT / "deploy"))
import serve  # noqa: E402

MAX_SESSIONS = 4  # fresh browsers opened until two replicas have answered (least_conn: 2)
START_TIMEOUT = 120.0


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The supervisor, as `make serve` runs it; yields its state (url, replicas, prefix)."""
    port = serve.free_port()
    state_file = Path(str(serve.STATE_FILE).format(port=port))
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "deploy/serve.py", "--host", "127.0.0.1", "--port", str(port),
             "--replicas", "2"],
            cwd=REPO_ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not (state_file.exists() and serve.healthy(f"http://127.0.0.1:{port}")):
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "make serve did not start:\n" + log.read_text()
            time.sleep(0.5)
        yield json.loads(state_file.read_text())
    finally:
        state = json.loads(state_file.read_text())  # the replicas now, restarts included
        serve.stop_group(proc, timeout=30)  # SIGTERM: the supervisor stops nginx and replicas
    # Stopping the supervisor stopped everything it started and removed its files.
    assert not state_file.exists() and not Path(state["prefix"]).exists()
    for pid in [state["nginx_pid"]] + [r["pid"] for r in state["replicas"]]:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def _open_session(browser, url: str) -> tuple[set[str], str | None]:
    """A fresh browser opens the app; the replicas named by its responses (static files
    excepted, nginx serves those) and its route cookie."""
    context = browser.new_context(viewport={"width": 1500, "height": 1000})
    replicas: set[str] = set()
    static: list[str] = []

    def on_response(response):
        name = response.headers.get("x-descent-replica")
        if "/app/static/" in response.url:
            static.append(name)
        elif name:
            replicas.add(name)

    try:
        page = context.new_page()
        page.on("response", on_response)
        page.goto(url)
        wait_idle(page, timeout=90000)
        assert_no_exception(page)
        # The page is idle before the chart has fetched plotly.js on a busy machine.
        page.wait_for_function("() => window.Plotly !== undefined", timeout=90000)
        route = next(
            (c["value"] for c in context.cookies() if c["name"] == serve.ROUTE_COOKIE), None
        )
        if not screenshot_taken:
            screenshot(page, "serve_compare_through_nginx")
            screenshot_taken.append(True)
        assert static and set(static) == {"nginx"}, static  # plotly.js came from nginx
    finally:
        context.close()
    return replicas, route


screenshot_taken: list[bool] = []


@pytest.mark.timeout(400)
def test_sessions_spread_and_stick(served, browser):
    ports = {f"127.0.0.1:{r['port']}" for r in served["replicas"]}
    seen: dict[str, str] = {}  # route cookie -> replica
    for _ in range(MAX_SESSIONS):
        replicas, route = _open_session(browser, served["url"])
        assert route, "no sticky-session cookie was set"
        assert len(replicas) == 1, f"one session reached {replicas}"  # sticky
        (replica,) = replicas
        assert replica in ports
        seen[route] = replica
        if len(set(seen.values())) > 1:
            break
    assert set(seen.values()) == ports, seen  # different sessions reach both replicas

    # Each session's websocket went to the replica that served its page (the access log is
    # written when the socket closes).
    log = Path(served["prefix"]) / "access.log"
    pattern = re.compile(r'"GET /_stcore/stream [^"]*" 101 route=(\S+) upstream=(\S+)')
    deadline = time.monotonic() + 10
    while True:
        streams = {m[1]: m[2] for m in pattern.finditer(log.read_text())}
        if set(seen) <= set(streams) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    for route, replica in seen.items():
        assert streams.get(route) == replica, (route, replica, streams)


@pytest.mark.timeout(200)
def test_new_sessions_spread_evenly(served):
    """Browsers arriving one after another alternate between the replicas (least_conn, ties
    in turn): eight fresh sessions, four on each, each told its replica in the cookie."""
    from bench.load import run_async
    from deploy.client import one_view

    async def fresh_views():
        jars = [{} for _ in range(8)]
        views = [await one_view(served["url"], "convexity", {}, jar) for jar in jars]
        return views, jars

    views, jars = run_async(fresh_views())
    assert all(v.ok for v in views), [v.error for v in views]
    routes = [jar.get(serve.ROUTE_COOKIE) for jar in jars]
    assert sorted(routes) == ["r0"] * 4 + ["r1"] * 4, routes
    assert all(a != b for a, b in zip(routes, routes[1:], strict=False)), routes  # in turn
    # A browser that keeps its cookie stays on its replica (the answer names the replica that
    # gave it); one whose cookie names no replica is routed as a new browser.
    for route in ("r0", "r1", "r7", "evil"):
        jar = {serve.ROUTE_COOKIE: route}
        view = run_async(one_view(served["url"], "convexity", {}, jar))
        assert view.ok, view.error
        if route in ("r0", "r1"):
            assert jar[serve.ROUTE_COOKIE] == route
        else:
            assert jar[serve.ROUTE_COOKIE] in ("r0", "r1")


@pytest.mark.timeout(200)
def test_a_dead_replica_is_restarted(served):
    state_file = Path(str(serve.STATE_FILE).format(port=served["url"].rsplit(":", 1)[1]))
    victim = served["replicas"][0]
    os.kill(victim["pid"], signal.SIGKILL)
    deadline = time.monotonic() + 120
    while True:
        replica = json.loads(state_file.read_text())["replicas"][0]
        if replica["restarts"] == 1 and serve.healthy(f"http://127.0.0.1:{replica['port']}"):
            break
        assert time.monotonic() < deadline, "the replica was not restarted"
        time.sleep(0.5)
    assert replica["pid"] != victim["pid"] and replica["port"] == victim["port"]
    # nginx reaches it again: a health check through nginx until it answers from there.
    names = set()
    for _ in range(40):
        with urllib.request.urlopen(served["url"] + "/_stcore/health", timeout=5) as resp:
            names.add(resp.headers["X-Descent-Replica"])
        if f"127.0.0.1:{victim['port']}" in names:
            break
    assert f"127.0.0.1:{victim['port']}" in names, names


def test_replicas_run_with_bounded_malloc(served):
    """glibc's per-thread arenas and rising mmap threshold kept freed memory as RSS: the
    launcher (deploy/launch.py) fixes both in the server it starts for each replica (also for
    a replica the supervisor restarted)."""
    port = int(served["url"].rsplit(":", 1)[1])
    state = json.loads(Path(str(serve.STATE_FILE).format(port=port)).read_text())
    for replica in state["replicas"]:
        pid = replica["pid"]  # the launcher; its one child is the streamlit server
        (server,) = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        env = Path(f"/proc/{server}/environ").read_bytes().split(b"\0")
        assert b"MALLOC_ARENA_MAX=2" in env
        assert b"MALLOC_MMAP_THRESHOLD_=131072" in env
