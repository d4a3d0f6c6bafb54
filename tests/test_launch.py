"""The launcher (deploy/launch.py) for real: a ``streamlit run`` child on a free loopback
port answers its health check while the warm-up is still running, the warm-up runs every
page's default view without an exception, and SIGTERM or a terminal's Ctrl-C leaves no child
behind."""

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

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from deploy.client import PAGES  # noqa: E402
from deploy.launch import WARM_PREFIX  # noqa: E402

BOUND = 120.0  # seconds: start, warm-up and stop each end well within this


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def health(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=5) as resp:
            return resp.read().strip() == b"ok"
    except OSError:
        return False


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def alive(pid: int) -> bool:
    """Running (a zombie, dead but not yet reaped by its parent, is not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


class Launcher:
    def __init__(self, log: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        with open(log, "wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "deploy.launch", "--server.port", str(self.port),
                 "--server.address", "127.0.0.1", "--server.headless", "true",
                 "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
                cwd=REPO,
                env=dict(os.environ, PYTHONUNBUFFERED="1"),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, as a terminal gives it
            )  # fmt: skip

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_healthy(self) -> None:
        deadline = time.monotonic() + BOUND
        while not health(self.url):
            assert self.proc.poll() is None, self.text()
            assert time.monotonic() < deadline, self.text()
            time.sleep(0.05)

    def streamlit_pid(self) -> int:
        (pid,) = children(self.proc.pid)
        return pid

    def stop_all(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


def test_health_answers_during_the_warm_up_which_runs_every_page(tmp_path):
    launcher = Launcher(tmp_path / "launch.log")
    try:
        launcher.wait_healthy()
        assert WARM_PREFIX not in launcher.text()  # healthy before the warm-up ended
        answered_while_warming = 0
        deadline = time.monotonic() + BOUND
        while WARM_PREFIX not in launcher.text():
            assert time.monotonic() < deadline, launcher.text()
            assert health(launcher.url)  # every answer during the warm-up is ok
            answered_while_warming += 1
            time.sleep(0.1)
        assert answered_while_warming >= 1
        lines = [line for line in launcher.text().splitlines() if line.startswith("launch:")]
        assert lines[-1].startswith(f"{WARM_PREFIX} {len(PAGES)} views in "), lines
        assert len(lines) == 1, lines  # no failed view, no exception message
        child = launcher.streamlit_pid()
        # The server runs with glibc's memory settings (deploy/launch.py: MALLOC_ENV).
        env = Path(f"/proc/{child}/environ").read_bytes().split(b"\0")
        assert {b"MALLOC_ARENA_MAX=2", b"MALLOC_MMAP_THRESHOLD_=131072"} <= set(env)
        launcher.proc.send_signal(signal.SIGTERM)  # to the launcher only
        assert launcher.proc.wait(timeout=BOUND) == 0
        assert not alive(child)
    finally:
        launcher.stop_all()


def test_ctrl_c_during_the_warm_up_stops_the_child(tmp_path):
    launcher = Launcher(tmp_path / "launch.log")
    try:
        launcher.wait_healthy()
        child = launcher.streamlit_pid()
        os.killpg(launcher.proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        code = launcher.proc.wait(timeout=BOUND)
        assert code == 0, launcher.text()
        assert not alive(child)
        assert WARM_PREFIX not in launcher.text()  # interrupted before it ended
    finally:
        launcher.stop_all()


def test_a_killed_launcher_takes_its_child_along(tmp_path):
    """SIGKILL cannot be forwarded: the kernel stops the child (make serve restarts a dead
    replica on the same port, which an orphaned server would still hold)."""
    launcher = Launcher(tmp_path / "launch.log")
    try:
        launcher.wait_healthy()
        child = launcher.streamlit_pid()
        launcher.proc.kill()  # the launcher alone
        launcher.proc.wait(timeout=BOUND)
        deadline = time.monotonic() + 10
        while alive(child):
            assert time.monotonic() < deadline, "the child outlived its launcher"
            time.sleep(0.1)
        assert not health(launcher.url)  # nothing answers on the port any more
    finally:
        launcher.stop_all()


@pytest.mark.parametrize(
    ("argv", "url"),
    [
        ([], "http://127.0.0.1:8501"),
        (["--server.port", "9000"], "http://127.0.0.1:9000"),
        (["--server.port=9001", "--server.address", "0.0.0.0"], "http://127.0.0.1:9001"),
        (["--server.address=10.1.2.3", "--server.baseUrlPath", "/descent/"],
         "http://10.1.2.3:8501/descent"),
    ],
)  # fmt: skip
def test_the_launcher_finds_the_child_where_streamlit_listens(argv, url, monkeypatch):
    from deploy.launch import local_url

    monkeypatch.delenv("STREAMLIT_SERVER_PORT", raising=False)
    monkeypatch.delenv("STREAMLIT_SERVER_ADDRESS", raising=False)
    assert local_url(argv) == url
