"""Start the app and warm it: ``streamlit run app.py`` as a child, then every page's default
view once, so the first real visitor finds imports done and the caches full.

    python -m deploy.launch                           # streamlit run app.py (port 8501)
    python -m deploy.launch --server.port 9000        # any `streamlit run` option
    python -m deploy.launch other_app.py --server.port 9000

Streamlit runs no app code before its first session, so a fresh server pays for NumPy,
Plotly and pandas imports and for every view's computation when the first visitor arrives.
The launcher waits until the child answers ``/_stcore/health``; the health answer is never
delayed, since the warm-up begins only after it. Then a background thread opens one
Streamlit websocket session per page on loopback (deploy/client.py, as bench/load.py does),
compare first, one after another, and logs one line, e.g. ``launch: warmed 6 views in
4.2 s``. The views fill the process-wide ``st.cache_data`` caches, which every session
shares.

SIGINT and SIGTERM go to the child; the launcher exits when it does, with its exit code. If
the launcher itself is killed (SIGKILL), the kernel kills the child too (Linux).
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# glibc: each thread that allocates gets its own arena (up to 8 per core), and after a large
# block is freed it raises its mmap threshold, so later NumPy arrays land in those arenas,
# whose freed memory it rarely returns. Two arenas and a fixed 128 KiB threshold (large
# arrays mmapped, given back when freed): 269 -> 224 MB after the same 40 views
# (bench/memory.py). Set for the child unless the environment sets them already.
MALLOC_ENV = {"MALLOC_ARENA_MAX": "2", "MALLOC_MMAP_THRESHOLD_": "131072"}
HEALTH_TIMEOUT = 120.0  # seconds for the child to answer /_stcore/health
WARM_PREFIX = "launch: warmed"  # the warm-up's log line starts with this


def option(args: list[str], name: str) -> str | None:
    """The value of ``--name value`` or ``--name=value`` in ``args`` (the last one wins)."""
    value = None
    for i, arg in enumerate(args):
        if arg == name and i + 1 < len(args):
            value = args[i + 1]
        elif arg.startswith(name + "="):
            value = arg.split("=", 1)[1]
    return value


def local_url(args: list[str]) -> str:
    """Where this machine reaches the child: its port, on loopback when it listens on all
    interfaces."""
    port = option(args, "--server.port") or os.environ.get("STREAMLIT_SERVER_PORT") or "8501"
    address = option(args, "--server.address") or os.environ.get("STREAMLIT_SERVER_ADDRESS")
    host = "127.0.0.1" if address in (None, "", "0.0.0.0", "::", "localhost") else address
    base = (option(args, "--server.baseUrlPath") or "").strip("/")
    return f"http://{host}:{port}" + (f"/{base}" if base else "")


def healthy(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=timeout) as resp:
            return resp.status == 200 and resp.read().strip() == b"ok"
    except OSError:
        return False


def warm(url: str, pages: tuple[str, ...]) -> tuple[float, list[str]]:
    """Open each page's default view once, one after another; the seconds it took and one
    message per view that failed."""
    from deploy.client import one_view

    async def views():
        return [await one_view(url, page, {}, {}) for page in pages]

    t0 = time.perf_counter()
    done = asyncio.run(views())
    failed = [f"/{v.page}: {v.error}" for v in done if not v.ok]
    return time.perf_counter() - t0, failed


def warm_when_healthy(child: subprocess.Popen, url: str, stopping: threading.Event) -> None:
    """Wait for the child's health answer, then warm it (runs in a background thread).
    Nothing is logged once ``stopping`` is set: the views failed for that reason alone."""
    from deploy.client import PAGES

    deadline = time.monotonic() + HEALTH_TIMEOUT
    while not healthy(url):
        if stopping.is_set():
            return
        if child.poll() is not None or time.monotonic() > deadline:
            print("launch: the app never answered its health check; not warmed", flush=True)
            return
        time.sleep(0.1)
    try:
        seconds, failed = warm(url, PAGES)
    except Exception as exc:  # the app serves on, only colder
        seconds, failed = 0.0, [f"{type(exc).__name__}: {exc}"]
    if stopping.is_set() or child.poll() is not None:
        return
    for message in failed:
        print(f"launch: warm-up view {message}", flush=True)
    ok = len(PAGES) - len(failed)
    print(f"{WARM_PREFIX} {ok} views in {seconds:.1f} s", flush=True)


def die_with_parent() -> None:
    """In the child, before it runs streamlit (Linux): the kernel kills it when the launcher
    dies, however the launcher dies (``prctl(PR_SET_PDEATHSIG, SIGKILL)``), so a killed
    launcher never leaves a server holding its port."""
    import ctypes

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def streamlit_command(argv: list[str]) -> list[str]:
    script = argv[0] if argv and argv[0].endswith(".py") else "app.py"
    rest = argv[1:] if argv and argv[0].endswith(".py") else argv
    return [sys.executable, "-m", "streamlit", "run", script, *rest]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    linux = sys.platform.startswith("linux")
    # No thread runs yet, so preexec_fn is safe here.
    child = subprocess.Popen(
        streamlit_command(argv),
        env=MALLOC_ENV | dict(os.environ),
        preexec_fn=die_with_parent if linux else None,
    )
    stopping = threading.Event()

    def forward(signum, frame):
        stopping.set()
        if child.poll() is None:
            child.send_signal(signum)

    signal.signal(signal.SIGINT, forward)
    signal.signal(signal.SIGTERM, forward)
    threading.Thread(
        target=warm_when_healthy, args=(child, local_url(argv), stopping), name="warm", daemon=True
    ).start()
    code = child.wait()
    return 128 - code if code < 0 else code  # killed by signal N: the shell's 128 + N


if __name__ == "__main__":
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    sys.exit(main())
