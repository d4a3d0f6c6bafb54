"""Load benchmark: N sessions at once, each opening views back to back through Streamlit's
own websocket (``/_stcore/stream``), as a class following shared links would.

    python bench/load.py                              # the app at http://127.0.0.1:8501
    python bench/load.py --levels 1,5,10,20 --duration 30
    python bench/load.py --url http://127.0.0.1:9000 --pid 1234 --pid 1235
    python bench/load.py --url http://lab.example:8501 --allow-remote

One *view* is what a browser does when it opens a link: a new websocket, one ``rerun_script``
BackMsg carrying the link's query string and page, then wait for the ``script_finished``
ForwardMsg. Its latency is from connecting to that message. Each session picks a random page
and a random valid configuration for every view. A level runs N sessions for ``--duration``
seconds (views begun before the end finish) or ``--views`` views each, whichever comes first.

Server RSS is the sum of the replicas' resident memory after each level (Linux /proc): the
processes given by ``--pid``, else those ``make serve`` lists in ``artifacts/serve-<port>.json``,
else the process listening on the URL's port; of a launcher (deploy/launch.py), the
``streamlit run`` it started. Only loopback URLs unless ``--allow-remote``.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import json
import os
import random
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from deploy.client import PAGES, VIEW_TIMEOUT, View, one_view  # noqa: E402,F401  (websocket client)
from landscapes import LANDSCAPE_NAMES, get_landscape  # noqa: E402
from landscapes.presets import PRESETS  # noqa: E402
from optimizers import OPTIMIZER_NAMES  # noqa: E402

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
LEVELS = (1, 5, 10, 20)
SERVE_STATE = REPO / "artifacts" / "serve-{port}.json"  # written by deploy/serve.py


# ----- random valid links -------------------------------------------------------------------
def random_query(rng: random.Random, page: str) -> dict[str, str | list[str]]:
    """A link a learner might share: another surface, start, α, seed and optimizers, and the
    page's own sizes near their defaults (every value within the app's ranges)."""
    surface = rng.choice(LANDSCAPE_NAMES)
    ls = get_landscape(surface)
    preset = PRESETS[surface]
    (x0, x1), (y0, y1) = ls.bounds
    optimizers = rng.sample(OPTIMIZER_NAMES, rng.randint(1, min(5, len(OPTIMIZER_NAMES))))
    query: dict[str, str | list[str]] = {
        "surface": surface,
        "x0": f"{rng.uniform(x0, x1):.2f}",
        "y0": f"{rng.uniform(y0, y1):.2f}",
        "log_lr": f"{min(1.0, max(-5.0, preset.lg_lr + rng.uniform(-0.5, 0.3))):.2f}",
        "seed": str(rng.randrange(1000)),
        "opt": optimizers,
    }
    if page == "sensitivity":
        query["sens_n"] = str(rng.choice((40, 60, 80)))
    elif page == "basins":
        query["grid"] = str(rng.choice((40, 50, 60)))
    elif page == "sgd_lab":
        query["lab_step"] = str(rng.randrange(10))
    return query


# ----- a level: N sessions at once ------------------------------------------------------------
@dataclass
class Level:
    sessions: int
    views: list[View] = field(default_factory=list)
    wall: float = 0.0
    rss_mb: float | None = None

    @property
    def latencies(self) -> list[float]:
        return sorted(v.seconds for v in self.views if v.ok)

    @property
    def failed(self) -> int:
        return sum(not v.ok for v in self.views)

    def percentile(self, q: float) -> float:
        lat = self.latencies
        if not lat:
            return float("nan")
        if len(lat) == 1:
            return lat[0]
        return statistics.quantiles(lat, n=100, method="inclusive")[round(q) - 1]

    @property
    def views_per_s(self) -> float:
        return len(self.latencies) / self.wall if self.wall else 0.0


async def session(base, rng, deadline, max_views, views: list[View], pages) -> None:
    cookies: dict[str, str] = {}  # one browser: sticky-session cookies persist across views
    for _ in range(max_views):
        if time.monotonic() >= deadline:
            return
        page = rng.choice(pages)
        views.append(await one_view(base, page, random_query(rng, page), cookies))


async def run_level(base, n, duration, max_views, seed, pages) -> Level:
    level = Level(n)
    deadline = time.monotonic() + duration
    t0 = time.perf_counter()
    await asyncio.gather(
        *(
            session(base, random.Random(seed * 1000 + i), deadline, max_views, level.views, pages)
            for i in range(n)
        )
    )
    level.wall = time.perf_counter() - t0
    return level


# ----- server memory --------------------------------------------------------------------------
def servers(pid: int) -> list[int]:
    """The Streamlit servers of a replica: the processes ``pid`` started (a replica is the
    launcher, deploy/launch.py, and its ``streamlit run`` child), or ``pid`` itself."""
    try:
        children = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        children = []
    return [s for child in children for s in servers(child)] or [pid]


def rss_mb(pids: list[int]) -> float | None:
    """The resident memory of the replicas' servers (see `servers`), summed."""
    total, seen = 0, False
    for pid in (s for p in pids for s in servers(p)):
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
                    seen = True
        except OSError:
            continue
    return total / 1024 if seen else None


def _listening_pid(port: int) -> int | None:
    """The process with a socket listening on ``port`` (Linux /proc; own processes only)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            cols = line.split()
            if int(cols[1].rsplit(":", 1)[1], 16) == port and cols[3] == "0A":  # LISTEN
                inodes.add(f"socket:[{cols[9]}]")
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            for fd in (proc / "fd").iterdir():
                if os.readlink(fd) in inodes:
                    return int(proc.name)
        except OSError:
            continue
    return None


def server_pids(base: str, given: list[int]) -> list[int]:
    if given:
        return given
    port = urlsplit(base).port or 80
    state = Path(str(SERVE_STATE).format(port=port))
    if state.exists():
        return [r["pid"] for r in json.loads(state.read_text())["replicas"]]
    pid = _listening_pid(port)
    return [pid] if pid else []


# ----- report ---------------------------------------------------------------------------------
def report(levels: list[Level]) -> str:
    rows = [
        "| sessions | views | failed | p50 s | p95 s | max s | views/s | server RSS MB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for lv in levels:
        lat = lv.latencies
        rss = "n/a" if lv.rss_mb is None else f"{lv.rss_mb:.0f}"
        rows.append(
            f"| {lv.sessions} | {len(lv.views)} | {lv.failed} | {lv.percentile(50):.2f} | "
            f"{lv.percentile(95):.2f} | {max(lat, default=float('nan')):.2f} | "
            f"{lv.views_per_s:.2f} | {rss} |"
        )
    return "\n".join(rows)


def check_url(base: str, allow_remote: bool) -> None:
    host = urlsplit(base).hostname or ""
    if host not in LOOPBACK and not allow_remote:
        raise SystemExit(f"{base}: not a loopback address; pass --allow-remote to load it")


async def main_async(args) -> list[Level]:
    levels = []
    pids = server_pids(args.url, args.pid)
    for n in args.levels:
        level = await run_level(args.url, n, args.duration, args.views, args.seed, args.pages)
        level.rss_mb = rss_mb(pids)
        levels.append(level)
        lv = level
        print(
            f"# {n} sessions: {len(lv.views)} views ({lv.failed} failed) in {lv.wall:.1f} s",
            file=sys.stderr,
            flush=True,
        )
        for v in lv.views:
            if not v.ok:
                print(f"#   failed {v.link}: {v.error}", file=sys.stderr)
        for v in sorted(lv.views, key=lambda v: -v.seconds)[: args.slowest]:
            print(f"#   {v.seconds:6.2f} s {v.link}", file=sys.stderr)
    return levels


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--url", default="http://127.0.0.1:8501", help="the app's base URL")
    p.add_argument(
        "--levels",
        type=lambda s: [int(x) for x in s.split(",")],
        default=list(LEVELS),
        help="sessions at once, comma-separated (default 1,5,10,20)",
    )
    p.add_argument("--duration", type=float, default=30.0, help="seconds per level (max 600)")
    p.add_argument("--views", type=int, default=50, help="at most this many views per session")
    p.add_argument("--pages", type=lambda s: s.split(","), default=list(PAGES),
                   help="url paths to visit ('' is compare), comma-separated")  # fmt: skip
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--pid", type=int, action="append", default=[], help="a replica's pid")
    p.add_argument("--allow-remote", action="store_true", help="allow a non-loopback URL")
    p.add_argument("--slowest", type=int, default=0, help="list this many slowest views")
    p.add_argument("--json", type=Path, help="also write the views here")
    args = p.parse_args(argv)
    if not 0 < args.duration <= 600 or not 0 < args.views <= 1000:
        p.error("--duration must be in (0, 600] and --views in [1, 1000]")
    if any(not 0 < n <= 200 for n in args.levels):
        p.error("each level must be 1 to 200 sessions")
    check_url(args.url, args.allow_remote)
    return args


def run_async(coro):
    """``asyncio.run``, also from a thread whose event loop is running (Playwright's sync
    API keeps one in the test process)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def main(argv=None) -> list[Level]:
    args = parse_args(argv)
    levels = run_async(main_async(args))
    print(report(levels))
    if args.json:
        args.json.write_text(
            json.dumps(
                [
                    {
                        "sessions": lv.sessions,
                        "rss_mb": lv.rss_mb,
                        "wall": lv.wall,
                        "views": [v.__dict__ for v in lv.views],
                    }
                    for lv in levels
                ],  # fmt: skip
                indent=1,
            )
        )
    return levels


if __name__ == "__main__":
    main()
