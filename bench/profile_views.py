"""Server time of one view per page: the script run a new visitor's link causes, profiled.

    python bench/profile_views.py                 # every page: fresh and repeat view times
    python bench/profile_views.py --profile basins --top 25   # cProfile of one fresh view

A *fresh* view runs with Streamlit's caches emptied (``cache_data`` and ``cache_resource``):
what a link to a configuration nobody opened yet costs. A *repeat* view is the same link from a new
session right after: the cached computations are reused, figures and widgets are not. Each
is the median of ``--repeats`` runs of the app's script through AppTest (the CPU time of the
script thread: no browser, no websocket), on the default configuration of each page.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import io
import logging
import pstats
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import streamlit as st  # noqa: E402
import streamlit.components.v2.manifest_scanner as manifest_scanner  # noqa: E402
from streamlit.runtime.scriptrunner import script_runner  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

APP = str(REPO / "app.py")
PAGES = ("compare", "sgd_lab", "sensitivity", "basins", "convexity", "theory")

# The installed packages do not change while this runs: scan them for components once, not
# once per AppTest (about 0.4 s of test harness, not of the app).
manifest_scanner.scan_component_manifests = functools.cache(
    manifest_scanner.scan_component_manifests
)

_profiler: list[cProfile.Profile] = []  # when set, the script thread runs under it
_script_seconds: list[float] = []
_run_script = script_runner.ScriptRunner._run_script


def _timed_run_script(self, *args, **kwargs):
    # CPU time of the script thread: the machine is shared, and wall time counts the others.
    t0 = time.thread_time()
    try:
        if _profiler:
            return _profiler[0].runcall(_run_script, self, *args, **kwargs)
        return _run_script(self, *args, **kwargs)
    finally:
        _script_seconds.append(time.thread_time() - t0)


script_runner.ScriptRunner._run_script = _timed_run_script


def view(page: str, fresh: bool, query: dict | None = None) -> float:
    """Seconds of script time for one view of ``page`` from a new session."""
    if fresh:
        st.cache_data.clear()
        st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=300)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.switch_page(f"pages/{page}.py")
    _script_seconds.clear()
    at.run()
    if at.exception:
        raise RuntimeError(f"{page}: {[e.value for e in at.exception]}")
    return sum(_script_seconds)


def profile(page: str, top: int) -> str:
    view(page, fresh=False)  # imports and module-level caches, as in a running server
    _profiler.append(cProfile.Profile())
    try:
        seconds = view(page, fresh=True)
    finally:
        prof = _profiler.pop()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    return f"## {page}: fresh view {seconds:.3f} s\n\n```\n{out.getvalue()}\n```"


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--pages", type=lambda s: s.split(","), default=list(PAGES))
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--profile", help="print a cProfile of one fresh view of this page")
    p.add_argument("--top", type=int, default=30)
    args = p.parse_args(argv)
    logging.disable(logging.WARNING)  # AppTest's "missing ScriptRunContext" noise
    if args.profile:
        print(profile(args.profile, args.top))
        return
    for page in args.pages:  # warm imports and module-level caches of every page first
        view(page, fresh=False)
    print("| page | fresh view CPU s | repeat view CPU s |\n|---|---:|---:|")
    for page in args.pages:
        fresh = statistics.median(view(page, fresh=True) for _ in range(args.repeats))
        repeat = statistics.median(view(page, fresh=False) for _ in range(args.repeats))
        print(f"| {page} | {fresh:.3f} | {repeat:.3f} |", flush=True)


if __name__ == "__main__":
    main()
