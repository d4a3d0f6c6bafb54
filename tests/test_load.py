"""The load benchmark (bench/load.py) at a tiny level, so it cannot rot: two sessions, one
view each, against a real ``streamlit run`` through Streamlit's websocket."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO / "deploy"))

import load  # noqa: E402
import serve  # noqa: E402

TITLES = {
    "": "Compare optimizers",
    "sgd_lab": "Minibatch SGD lab",
    "sensitivity": "Learning-rate sensitivity",
    "basins": "Basins of attraction",
    "convexity": "Convexity",
    "theory": "Theory",
}


@pytest.fixture(scope="module")
def replica(tmp_path_factory):
    r = serve.Replica(serve.free_port(), tmp_path_factory.mktemp("replica") / "replica.log")
    r.start(dict(serve.os.environ, PYTHONUNBUFFERED="1"))
    try:
        r.wait_healthy()
        yield r
    finally:
        r.stop()


def test_two_sessions_one_view_each(replica):
    levels = load.main(["--url", replica.url, "--levels", "2", "--views", "1", "--pid",
                        str(replica.proc.pid)])  # fmt: skip
    (level,) = levels
    assert level.sessions == 2 and len(level.views) == 2 and level.failed == 0
    for view in level.views:
        # The page asked for is the page that ran, and the random link is one the app accepts.
        assert view.title == TITLES[view.page]
        assert not any("link's parameter" in w for w in view.warnings), view.warnings
        assert 0 < view.seconds < load.VIEW_TIMEOUT
    assert 0 < level.percentile(50) <= level.percentile(95) <= max(level.latencies)
    assert level.views_per_s == pytest.approx(2 / level.wall)
    assert 50 < level.rss_mb < 2000  # one Streamlit process: tens to hundreds of MB


def test_every_page_opens_with_its_title(replica):
    """One view of each page, sequentially: page names reach the right script."""
    rng = random.Random(1)
    for page, title in TITLES.items():
        view = load.run_async(load.one_view(replica.url, page, load.random_query(rng, page), {}))
        assert view.ok, view.error
        assert view.title == title


def test_remote_urls_need_consent():
    with pytest.raises(SystemExit):
        load.parse_args(["--url", "http://192.0.2.1:8501"])
    assert load.parse_args(["--url", "http://192.0.2.1:8501", "--allow-remote"]).url


def test_percentiles_of_known_latencies():
    level = load.Level(1, [load.View("", s, True) for s in (1.0, 2.0, 3.0, 4.0, 5.0)], wall=2.5)
    assert level.percentile(50) == 3.0
    assert level.percentile(95) == pytest.approx(4.8)  # inclusive: 4 + 0.8 * (5 - 4)
    assert level.views_per_s == 2.0


def test_a_replicas_memory_is_its_servers_not_its_launchers():
    """``make serve`` lists each replica's launcher; the RSS reported is the server it
    started (here a parent that starts one child, as deploy/launch.py does)."""
    import subprocess
    import time

    servers = load.servers
    sleep = "import time; time.sleep(30)"
    code = f"import subprocess, sys; subprocess.Popen([sys.executable, '-c', {sleep!r}]); {sleep}"
    parent = subprocess.Popen([sys.executable, "-c", code])
    try:
        deadline = time.monotonic() + 10
        while servers(parent.pid) == [parent.pid]:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        (child,) = servers(parent.pid)
        assert child != parent.pid
        status = open(f"/proc/{child}/status").read()
        assert f"PPid:\t{parent.pid}" in status
    finally:
        for pid in servers(parent.pid):
            subprocess.run(["kill", str(pid)], check=False)
        parent.kill()
        parent.wait()
