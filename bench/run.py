"""Descent benchmark: how fast are single runs, vectorized sweeps, basin maps and the app?

Run from anywhere (``make bench`` runs ``.venv/bin/python bench/run.py``)::

    python bench/run.py                  # every section, the browser one included
    python bench/run.py --quick          # fewer repeats
    python bench/run.py --no-browser     # skip the Playwright part of the browser section
    python bench/run.py --section sweep  # one section (repeatable): single, sweep, basin,
                                         # lr, browser, instant
    python bench/run.py --app /tmp/benchapp/app.py   # the browser section against another app

Prints markdown tables. Every timing uses ``time.perf_counter`` after one warm-up call, with
the garbage collector off while timing, and reports the best and the median of the repeats.
The last table lists every goal with its measured value and pass/fail.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.chdir(REPO)

import export  # noqa: E402  (bench/export.py: the GIF's build time and size)
import numpy as np  # noqa: E402

from bench.formula import section_formula  # noqa: E402
from landscapes import LANDSCAPE_NAMES, get_landscape  # noqa: E402
from landscapes.presets import PRESETS  # noqa: E402
from optimizers import OPTIMIZER_NAMES, RULES, default_lg_lr, run  # noqa: E402
from optimizers.sweeps import basin_map, log_range, lr_sweep  # noqa: E402

SECTIONS = ("single", "sweep", "basin", "lr", "browser", "instant", "export", "formula")
CHROMIUM = "/usr/bin/chromium"
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
PLOT_SELECTOR = ".js-plotly-plot, [data-testid=stPlotlyChart] .main-svg"
OK, FAIL = "✓", "✗"


# ----- timing and printing ------------------------------------------------------------------
@dataclass
class Timing:
    best: float  # seconds
    median: float
    repeats: int


def measure(fn: Callable[[], object], repeats: int, warmup: bool = True) -> Timing:
    """Call ``fn`` once to warm up, then ``repeats`` times; the best and median in seconds."""
    if warmup:
        fn()
    times = []
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeats):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
    finally:
        if was_enabled:
            gc.enable()
    return Timing(min(times), statistics.median(times), repeats)


def table(headers: list[str], rows: list[list[str]], align: str | None = None) -> str:
    """A padded markdown table; ``align`` has one char per column: l or r (default l, r...)."""
    align = align or "l" + "r" * (len(headers) - 1)
    cells = [headers] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]

    def line(row):
        out = [
            c.ljust(w) if a == "l" else c.rjust(w)
            for c, w, a in zip(row, widths, align, strict=True)
        ]
        return "| " + " | ".join(out) + " |"

    rule = ["-" * (w - 1) + (":" if a == "r" else "-") for w, a in zip(widths, align, strict=True)]
    return "\n".join([line(headers), "| " + " | ".join(rule) + " |"] + [line(r) for r in cells[1:]])


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:.1f}"


def heading(text: str) -> None:
    print(f"\n## {text}\n", flush=True)


@dataclass
class Goal:
    name: str
    measured: str
    goal: str
    passed: bool | None  # None: not measured


GOALS: list[Goal] = []


def goal(
    name: str,
    value: float | None,
    limit: float,
    unit: str,
    below: bool = True,
    error: str | None = None,
) -> str:
    """Record a goal; return its mark. ``below``: pass when value < limit, else value >= it.
    ``value=None`` is a skipped goal, or a failed one when ``error`` says what went wrong."""
    digits = {"x": 0, "ms": 1, "s": 3, "MB": 3}.get(unit, 3)

    sep = "" if unit == "x" else " "

    def fmt(v: float) -> str:
        return f"{v:.{digits}f}{sep}{unit}"

    if value is None and error:
        GOALS.append(Goal(name, error, f"{'<' if below else '>='} {limit:g}{sep}{unit}", False))
        return FAIL
    if value is None:
        GOALS.append(Goal(name, "n/a", f"{'<' if below else '>='} {limit:g}{sep}{unit}", None))
        return "n/a"
    passed = value < limit if below else value >= limit
    GOALS.append(Goal(name, fmt(value), f"{'<' if below else '>='} {limit:g}{sep}{unit}", passed))
    return OK if passed else FAIL


# ----- machine ------------------------------------------------------------------------------
def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def print_machine(args) -> None:
    try:
        nproc = len(os.sched_getaffinity(0))
    except AttributeError:
        nproc = os.cpu_count()
    try:
        import streamlit

        st_version = streamlit.__version__
    except ImportError:
        st_version = "not installed"
    print("# Descent benchmark\n")
    rows = [
        ["nproc", str(nproc)],
        ["CPU", cpu_model()],
        ["Python", platform.python_version()],
        ["numpy", np.__version__],
        ["streamlit", st_version],
        ["mode", "quick" if args.quick else "full"],
        ["repeats", f"{args.repeats} (single runs), {args.few} (other sections)"],
    ]
    print(table(["machine", ""], rows, "ll"))


# ----- 1. single runs -----------------------------------------------------------------------
def section_single(args) -> None:
    heading("1. Single runs: 1000 steps from the default start (ms per run)")
    steps = 1000
    full_rows, mini_rows, cells = [], [], []
    worst = {"full": (0.0, None, ""), "minibatch": (0.0, None, "")}
    for name in LANDSCAPE_NAMES:
        ls = get_landscape(name)
        preset = PRESETS[name]
        full_row, mini_row = [name], [f"{name} (B={preset.batch_size})"]
        for opt in OPTIMIZER_NAMES:
            lr = 10 ** default_lg_lr(name, opt)
            for kind, batch, row in (
                ("full", None, full_row),
                ("minibatch", preset.batch_size, mini_row),
            ):
                if kind == "minibatch" and RULES[opt].full_batch:
                    row.append("—")
                    continue
                t = measure(
                    lambda ls=ls, opt=opt, lr=lr, batch=batch: run(
                        ls, opt, ls.default_start, steps, lr, batch_size=batch
                    ),
                    args.repeats,
                )
                row.append(ms(t.best))
                cells.append(t.best)
                if t.best > worst[kind][0]:
                    worst[kind] = (t.best, t, f"{opt} on {name}")
        full_rows.append(full_row)
        mini_rows.append(mini_row)
    headers = ["landscape"] + list(OPTIMIZER_NAMES)
    print(f"Full batch, lr = 10 ** default_lg_lr; best of {args.repeats} after a warm-up.\n")
    print(table(headers, full_rows))
    print(
        f"\nMinibatch (batch_size = the preset's), best of {args.repeats}; — = always full batch.\n"
    )
    print(table(headers, mini_rows))
    print()
    overall = 0.0
    for kind, (best, t, where) in worst.items():
        print(f"- max {kind}: **{ms(best)} ms** ({where}; median {ms(t.median)} ms)")
        overall = max(overall, best)
    mark = goal("single run, max ms (full & minibatch)", overall * 1e3, 30, "ms")
    slow = sum(c >= 0.030 for c in cells)
    print(f"- goal: every single run < 30 ms: {mark} (max {ms(overall)} ms; "
          f"{slow} of {len(cells)} cells >= 30 ms)")  # fmt: skip


# ----- 2. vectorized sweep ------------------------------------------------------------------
def section_sweep(args) -> None:
    runs, steps, subset = 10_000, 500, args.subset
    heading(f"2. Vectorized sweep: {runs:,} runs x {steps} steps on rosenbrock")
    ls = get_landscape("rosenbrock")
    rng = np.random.default_rng(12345)
    (x0, x1), (y0, y1) = ls.bounds
    lrs = 10 ** rng.uniform(-4, -2, runs)
    starts = np.column_stack([rng.uniform(x0, x1, runs), rng.uniform(y0, y1, runs)])
    pick = np.sort(rng.choice(runs, subset, replace=False))
    rows = []
    for opt in ("adam", "gd", "momentum"):
        holder = {}

        def vectorized(opt=opt, holder=holder):
            holder["traj"] = run(ls, opt, starts, steps, lrs)

        vec = measure(vectorized, args.few)
        traj = holder["traj"]

        singles = []

        def one_at_a_time(opt=opt, singles=singles):
            singles.clear()
            for i in pick:
                singles.append(run(ls, opt, starts[i], steps, lrs[i]))

        run(ls, opt, starts[pick[0]], steps, lrs[pick[0]])  # warm the single-run path
        loop = measure(one_at_a_time, 1, warmup=False)
        per_run = loop.best / subset
        extrapolated = per_run * runs
        ratio = extrapolated / vec.best

        same = all(
            np.allclose(s.points, traj.points[:, i], rtol=1e-12, atol=1e-12)
            and np.allclose(s.losses, traj.losses[:, i], rtol=1e-12, atol=1e-12)
            and s.diverged == traj.diverged[i]
            for s, i in zip(singles, pick, strict=True)
        )
        n_div = int((traj.diverged >= 0).sum())
        vmark = goal(f"sweep {opt}: vectorized 10k x 500 (s)", vec.best, 0.5, "s")
        rmark = goal(f"sweep {opt}: speed-up vs one at a time", ratio, 50, "x", below=False)
        GOALS.append(
            Goal(
                f"sweep {opt}: equal to one-at-a-time on {subset} runs",
                "equal" if same else "DIFFERENT",
                "allclose 1e-12",
                same,
            )
        )
        rows.append(
            [
                opt,
                f"{vec.best:.3f} ({vec.median:.3f}) {vmark}",
                f"{per_run * 1e3:.2f}",
                f"{extrapolated:.1f}",
                f"{ratio:.0f}x {rmark}",
                OK if same else FAIL,
                f"{n_div}",
            ]
        )
    headers = [
        "optimizer",
        "vectorized s, best (median)",
        "ms per single run",
        f"one at a time s (extrapolated from {subset})",
        "ratio",
        f"equal on {subset} (1e-12)",
        "diverged",
    ]
    print(
        f"lr log-uniform in [1e-4, 1e-2], starts uniform in the bounds, seed 12345, full batch. "
        f"Vectorized: ONE run() call, best of {args.few}. One at a time: a random subset "
        f"of {subset} runs timed once and extrapolated x{runs // subset} "
        f"to {runs:,}.\n"
    )
    print(table(headers, rows))
    print("\n- goals: vectorized < 0.5 s, ratio >= 50x")


# ----- 3. basin maps ------------------------------------------------------------------------
def section_basin(args) -> None:
    n, steps, name = 100, 300, "himmelblau"
    heading(f"3. Basin maps: {n} x {n} starts x {steps} steps on {name}")
    ls = get_landscape(name)
    preset = PRESETS[name]
    rows, best_total, median_total = [], 0.0, 0.0
    for opt in OPTIMIZER_NAMES:
        lr = 10 ** default_lg_lr(name, opt)
        batch = None if RULES[opt].full_batch else preset.batch_size
        t = measure(
            lambda opt=opt, lr=lr, batch=batch: basin_map(
                ls, opt, n, steps, lr=lr, batch_size=batch
            ),
            args.few,
        )
        rows.append([opt, f"{lr:.3g}", "full" if batch is None else str(batch), ms(t.best),
                     ms(t.median)])  # fmt: skip
        best_total += t.best
        median_total += t.median
    mark = goal("basin maps, all optimizers (s)", best_total, 3.0, "s")
    rows.append(["**total**", "", "", f"**{ms(best_total)}**", f"**{ms(median_total)}**"])
    print(f"lr and batch size from the presets; best and median of {args.few}.\n")
    print(table(["optimizer", "lr", "batch", "best ms", "median ms"], rows))
    print(f"\n- total (sum of bests) {best_total:.2f} s, goal < 3 s: {mark}")


# ----- 4. lr sensitivity --------------------------------------------------------------------
def section_lr(args) -> None:
    count = 60
    lrs = log_range(1e-4, 10, count)
    heading(f"4. LR sensitivity: lr_sweep over {count} values log_range(1e-4, 10)")
    names = ("rosenbrock", "quadratic")
    rows = []
    totals = dict.fromkeys(names, 0.0)
    medians = dict.fromkeys(names, 0.0)
    for opt in OPTIMIZER_NAMES:
        row = [opt]
        for name in names:
            ls = get_landscape(name)
            steps = PRESETS[name].steps
            t = measure(
                lambda ls=ls, opt=opt, steps=steps: lr_sweep(ls, opt, ls.default_start, lrs, steps),
                args.few,
            )
            row.append(ms(t.best))
            totals[name] += t.best
            medians[name] += t.median
        rows.append(row)
    total = sum(totals.values())
    rows.append(["**total**"] + [f"**{ms(totals[n])}**" for n in names])
    rows.append(["total (medians)"] + [ms(medians[n]) for n in names])
    headers = ["optimizer"] + [f"{n} ({PRESETS[n].steps} steps) ms" for n in names]
    print(f"Full batch, from the default start; best of {args.few}.\n")
    print(table(headers, rows))
    mark = goal("lr sweeps, all optimizers x 2 landscapes (s)", total, 1.0, "s")
    print(f"\n- total {total:.3f} s (sum of bests), goal < 1 s: {mark}")


# ----- 5. browser ---------------------------------------------------------------------------
IDLE_JS = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app) return false;
    if (app.getAttribute('data-test-script-state') !== 'notRunning') return false;
    return document.querySelector('[data-testid="stSkeleton"]') === null;
}"""

# Page-side clocks. Playwright polls in the page's main thread, so while Plotly draws (a 3D
# scene takes about a second without a GPU) it would notice a plot late: the page records
# when things happen and the bench reads the stamps afterwards (ms since navigation start).
# "plot": the first Plotly plot with drawn traces; "scene": a 3D scene in it; "poster": the
# compare page's static preview of its contour (ui/plotly_chart.py), shown until Plotly draws.
STAMPS_INIT_JS = """
window.__benchStamps = {};
(() => {
    const stamps = window.__benchStamps;
    const stamp = (k) => { if (!(k in stamps)) stamps[k] = performance.now(); };
    new MutationObserver(() => {
        if (document.querySelector('[data-testid=stApp]')) stamp('app');
        if (document.querySelector('.js-plotly-plot .trace')) stamp('plot');
        if (document.querySelector('.descent-poster')) stamp('poster');
        if (document.querySelector('.js-plotly-plot .gl-container [id^=scene]')) stamp('scene');
    }).observe(document, {subtree: true, childList: true});
})();
"""

# Arms an update measurement: records when a script run starts and ends, and when the first
# Plotly plot is drawn again, whether updated in place (plotly_afterplot) or replaced by a
# new element (st.plotly_chart remounts on every new figure). The attribute's old value
# catches a running -> notRunning flip even when both happen before the observer runs.
ARM_JS = """() => {
    const t0 = performance.now();
    const u = window.__benchUpdate = {t0};
    if (window.__benchObserver) window.__benchObserver.disconnect();
    const old = document.querySelector('.js-plotly-plot');
    if (old) {
        old.__benchOld = true;
        const drawn = () => { if (window.__benchUpdate === u) u.plot ??= performance.now(); };
        if (old.on) old.on('plotly_afterplot', drawn);
    }
    const isRunning = (el) => el.getAttribute('data-test-script-state') === 'running';
    window.__benchObserver = new MutationObserver((records) => {
        for (const r of records) {
            const running = r.target.getAttribute && isRunning(r.target);
            if (r.oldValue === 'running' || running) u.running ??= performance.now();
        }
        const now = document.querySelector('.js-plotly-plot');
        if (now && !now.__benchOld && now.querySelector('.trace')) u.plot ??= performance.now();
    });
    window.__benchObserver.observe(document.body, {
        attributes: true, attributeOldValue: true, subtree: true, childList: true,
        attributeFilter: ['data-test-script-state'],
    });
    if (document.querySelector("[data-test-script-state='running']")) u.running ??= t0;
    return t0;
}"""

# The rerun is done: it ran, it stopped, nothing is left to load; returns the page's clock.
UPDATED_JS = """(plotSelector) => {
    const u = window.__benchUpdate;
    if (!u || u.running === undefined) return false;
    if (!document.querySelector("[data-test-script-state='notRunning']")) return false;
    if (document.querySelector("[data-test-script-state='running']")) return false;
    if (document.querySelector('[data-testid="stSkeleton"]')) return false;
    if (!document.querySelector(plotSelector)) return false;
    u.done ??= performance.now();
    return u.plot !== undefined;
}"""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def health_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
            return resp.status == 200
    except OSError:
        return False


def stop_server(proc: subprocess.Popen) -> None:
    """Terminate the server's process group; kill it if it has not exited within 10 s."""
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


def figure_sizes(app: Path) -> list[int] | str:
    """The JSON size of every Plotly figure of the app's default view, via AppTest."""
    try:
        from streamlit.testing.v1 import AppTest
    except ImportError as exc:
        return f"streamlit.testing not importable: {exc}"
    # AppTest's harmless "missing ScriptRunContext ... bare mode" warning.
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(
        logging.ERROR
    )
    at = AppTest.from_file(str(app), default_timeout=60)
    at.run()
    if at.exception:
        exc = at.exception[0]
        frames = [line.strip() for line in exc.stack_trace if line.strip().startswith("File ")]
        where = f" ({frames[-1].splitlines()[0]})" if frames else ""
        return f"the app raised: {exc.message}{where}"
    sizes = [len(chart.proto.spec) for chart in at.get("plotly_chart")]
    # The compare page draws through its own component (ui/plotly_chart.py): the figure JSON
    # is a string in the component's data.
    for element in at.get("bidi_component"):
        figure = json.loads(element.proto.json or "{}").get("figure")
        if isinstance(figure, str):
            sizes.append(len(figure))
    return sizes


def section_figure_size(app: Path) -> None:
    print("### Figure JSON of the default view (AppTest)\n")
    t0 = time.perf_counter()
    sizes = figure_sizes(app)
    elapsed = time.perf_counter() - t0
    if isinstance(sizes, str):
        print(f"- failed: {sizes}")
        goal("largest figure JSON (MB)", None, 1.0, "MB", error="app error")
        return
    if not sizes:
        print("- skipped: no plotly_chart in the default view")
        goal("largest figure JSON (MB)", None, 1.0, "MB")
        return
    rows = [[str(i), f"{s:,}", f"{s / 1e6:.3f}"] for i, s in enumerate(sizes)]
    print(table(["chart", "bytes", "MB"], rows))
    mark = goal("largest figure JSON (MB)", max(sizes) / 1e6, 1.0, "MB")
    print(
        f"\n- largest {max(sizes) / 1e6:.3f} MB, goal < 1 MB: {mark} (AppTest run {elapsed:.1f} s)"
    )


class AppError(RuntimeError):
    """The app showed an exception instead of a plot."""


def wait_first_plot(page, timeout_ms: float = 30_000) -> None:
    """Wait for the first visible Plotly plot; fail fast when the app shows an exception."""
    exception = "[data-testid=stException]"
    page.wait_for_selector(f"{PLOT_SELECTOR}, {exception}", state="visible", timeout=timeout_ms)
    if page.locator(PLOT_SELECTOR).first.is_visible():
        return
    # An exception box came first: the plot may still follow later in the same script run.
    page.wait_for_selector("[data-test-script-state='notRunning']", timeout=timeout_ms)
    if not page.locator(PLOT_SELECTOR).first.is_visible():
        text = page.locator(exception).first.inner_text()[:500]
        raise AppError(f"no Plotly plot; the app shows an exception:\n{text}")


def cold_loads(browser, url: str, count: int) -> list[dict]:
    """Seconds from navigation start to the app's root element, the first drawn Plotly plot and
    its 3D scene, each on a fresh context (empty cache), by the page's clock."""
    loads = []
    for _ in range(count):
        context = browser.new_context(viewport=VIEWPORT)
        try:
            context.add_init_script(STAMPS_INIT_JS)
            page = context.new_page()
            page.goto(url, wait_until="commit", timeout=60_000)
            wait_first_plot(page)
            wait_idle(page)
            page.wait_for_timeout(500)  # a second stage (the 3D scene) may follow the first
            stamps = page.evaluate("window.__benchStamps")
            loads.append(
                dict(
                    app=stamps["app"] / 1000 if "app" in stamps else None,
                    plot=stamps["plot"] / 1000 if "plot" in stamps else None,
                    poster=stamps["poster"] / 1000 if "poster" in stamps else None,
                    scene=stamps["scene"] / 1000 if "scene" in stamps else None,
                )
            )
        finally:
            context.close()
    return loads


def wait_idle(page, timeout_ms: float = 60_000, settle_ms: int = 400) -> None:
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        remaining = max(1.0, (deadline - time.monotonic()) * 1000)
        page.wait_for_function(IDLE_JS, timeout=remaining, polling=100)
        page.wait_for_timeout(settle_ms)
        if page.evaluate(IDLE_JS):
            return
        if time.monotonic() >= deadline:
            raise TimeoutError("the app did not become idle")


# The thumb of an st.slider: a [role=slider] element (BaseWeb) or, in newer Streamlit
# (react-aria), a visually hidden <input type=range>.
SLIDER_THUMB = "[data-testid=stSlider] [role=slider], [data-testid=stSlider] input[type=range]"
SLIDER_STATE_JS = """(el) => {
    const now = el.getAttribute('aria-valuenow') ?? el.value;
    const max = el.getAttribute('aria-valuemax') ?? el.max;
    return [String(now), String(max)];
}"""


def slider_updates(browser, url: str, count: int) -> tuple[list[dict], str]:
    """Seconds from a slider key press to the plot drawn again and to the rerun's end,
    ``count`` times, by the page's clock; and a note."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        page.goto(url, timeout=60_000)
        wait_first_plot(page)
        wait_idle(page)
        page.wait_for_timeout(1000)  # let a second drawing stage finish
        sidebar = ", ".join(f"[data-testid=stSidebar] {sel}" for sel in SLIDER_THUMB.split(", "))
        slider, where = page.locator(sidebar), "sidebar"
        if slider.count() == 0:
            slider, where = page.locator(SLIDER_THUMB), "main area (no sidebar slider)"
        if slider.count() == 0:
            return [], "no st.slider on the page"
        slider = slider.first
        label = slider.get_attribute("aria-label") or "?"
        times, values = [], []
        for _ in range(count):
            now, top = slider.evaluate(SLIDER_STATE_JS)
            key = "ArrowLeft" if now == top else "ArrowRight"
            slider.focus()
            page.evaluate(ARM_JS)
            page.keyboard.press(key)
            page.wait_for_function(UPDATED_JS, arg=PLOT_SELECTOR, polling=50, timeout=60_000)
            u = page.evaluate("window.__benchUpdate")
            times.append(dict(plot=(u["plot"] - u["t0"]) / 1000, done=(u["done"] - u["t0"]) / 1000))
            wait_idle(page)
            page.wait_for_timeout(300)
            values.append(f"{now} -> {slider.evaluate(SLIDER_STATE_JS)[0]}")
        return times, f"first slider in the {where}, {label!r}: {', '.join(values)}"
    finally:
        context.close()


def section_browser(args) -> None:
    heading("5. Browser: streamlit run + headless Chromium")
    app = Path(args.app)
    app = app if app.is_absolute() else REPO / app
    if not app.exists():
        print(f"- skipped: {app} does not exist yet")
        for name, limit, unit in (
            ("first plot, cold page (s)", 3.0, "s"),
            ("slider -> updated plot (s)", 1.0, "s"),
            ("largest figure JSON (MB)", 1.0, "MB"),
        ):
            goal(name, None, limit, unit)
        return
    print(f"App: `{app}`\n")
    section_figure_size(app)
    print("\n### Page timings\n")

    skip = None
    if args.no_browser:
        skip = "--no-browser"
    elif not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        skip = f"no Chromium at {CHROMIUM}"
    else:
        try:
            from playwright.sync_api import sync_playwright
        except ImportError as exc:
            skip = f"playwright not importable: {exc}"
    if skip:
        print(f"- skipped: {skip}")
        goal("first plot, cold page (s)", None, 3.0, "s")
        goal("slider -> updated plot (s)", None, 1.0, "s")
        return

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(app),
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
        "--server.runOnSave", "false",
    ]  # fmt: skip
    log = tempfile.NamedTemporaryFile(prefix="descent-bench-streamlit-", suffix=".log",
                                      delete=False)  # fmt: skip
    proc = subprocess.Popen(
        cmd,
        cwd=REPO,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    loads, updates, note, failure = [], [], "", None
    try:
        t0 = time.perf_counter()
        deadline = t0 + 60
        while not health_ok(url):
            if proc.poll() is not None or time.perf_counter() > deadline:
                print(f"- streamlit did not come up; log {log.name}:\n")
                print(Path(log.name).read_text(errors="replace")[-3000:])
                raise RuntimeError("streamlit did not start")
            time.sleep(0.1)
        print(f"- server healthy after {time.perf_counter() - t0:.2f} s (port {port})")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"),
                headless=True,
                args=CHROMIUM_ARGS,
            )
            try:
                loads = cold_loads(browser, url, 3)
                updates, note = slider_updates(browser, url, 3)
            finally:
                browser.close()
    except Exception as exc:  # report, do not lose the other sections' tables
        first_lines = "\n  ".join(str(exc).splitlines()[:4])
        print(f"- browser measurement failed: {type(exc).__name__}: {first_lines}")
        failure = "app error" if isinstance(exc, AppError) else "error"
    finally:
        stop_server(proc)
        log.close()

    rows = []
    plots = [x["plot"] for x in loads if x["plot"] is not None]
    # The first plot on screen: a static preview where the page has one, else the Plotly plot.
    firsts = [min(t for t in (x["poster"], x["plot"]) if t is not None) for x in loads
              if x["poster"] is not None or x["plot"] is not None]  # fmt: skip
    first = statistics.median(firsts) if firsts else None
    update = statistics.median(u["plot"] for u in updates) if updates else None
    fmark = goal("first plot, cold page (s, median of 3)", first, 3.0, "s", error=failure)
    umark = goal("slider -> updated plot (s, median of 3)", update, 1.0, "s", error=failure)

    def each(values, fmt="{:.2f}"):
        values = [v for v in values if v is not None]
        return ", ".join(fmt.format(v) for v in values), (
            f"{statistics.median(values):.2f}" if values else "-"
        )

    if loads:
        runs, median = each(x["app"] for x in loads)
        rows.append(["navigation -> stApp element (for reference)", runs, median, "", ""])
        runs, median = each(firsts)
        rows.append(["navigation -> first plot on screen (fresh context)", runs, median,
                     "< 3 s", fmark])  # fmt: skip
        if any(x["poster"] is not None for x in loads):
            runs, median = each(x["poster"] for x in loads)
            rows.append(["  of which: static preview (SVG)", runs, median, "", ""])
        runs, median = each(plots)
        rows.append(["navigation -> first interactive Plotly plot drawn", runs, median, "", ""])
        runs, median = each(x["scene"] for x in loads)
        rows.append(["navigation -> its 3D scene drawn (for reference)", runs, median, "", ""])
    if updates:
        runs, median = each((u["plot"] for u in updates), "{:.3f}")
        rows.append(["slider key -> plot drawn again", runs, median, "< 1 s", umark])
        runs, median = each((u["done"] for u in updates), "{:.3f}")
        rows.append(["slider key -> rerun done, no skeleton (for reference)", runs, median,
                     "", ""])  # fmt: skip
    if rows:
        print()
        print(table(["measure", "runs (s)", "median (s)", "goal", ""], rows, "lrrll"))
    print(
        "\n- Times are the page's own clock (performance.now), stamped when the DOM changes: "
        "Playwright polls in the page's main thread, which a drawing plot blocks."
    )
    if note:
        print(f"- slider: {note}")
    if not updates and loads:
        print("- slider update: not measured")
    print(f"- server log: {log.name}")


def section_instant(args) -> None:
    """Instant feedback (bench/browser_instant.py): payloads, α scrub, fps, slider moves."""
    import browser_instant  # bench/ is on sys.path when this file runs as a script

    browser_instant.section(args, sys.modules[__name__])


# ----- main ---------------------------------------------------------------------------------
def summary() -> None:
    heading("Summary of goals")
    rows = [
        [g.name, g.measured, g.goal, "skipped" if g.passed is None else (OK if g.passed else FAIL)]
        for g in GOALS
    ]
    print(table(["goal", "measured", "target", "pass"], rows, "lrll"))
    failed = sum(g.passed is False for g in GOALS)
    passed = sum(g.passed is True for g in GOALS)
    print(f"\n{passed} passed, {failed} failed, {sum(g.passed is None for g in GOALS)} skipped")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument(
        "--no-browser",
        action="store_true",
        help="skip Chromium (the AppTest figure size is still measured when the app exists)",
    )
    parser.add_argument(
        "--section",
        action="append",
        choices=SECTIONS,
        help="run only this section (repeatable); default: all",
    )
    parser.add_argument("--app", default="app.py", help="Streamlit app (default: app.py)")
    parser.add_argument(
        "--repeats",
        type=int,
        help="timed repeats of the single runs (default 5, quick 3); the other sections use "
        "at most 3 (quick 2)",
    )
    args = parser.parse_args(argv)
    args.repeats = args.repeats or (3 if args.quick else 5)
    args.few = min(args.repeats, 2 if args.quick else 3)
    args.subset = 100 if args.quick else 200

    started = time.perf_counter()
    print_machine(args)
    chosen = args.section or list(SECTIONS)
    handlers = {
        "single": section_single,
        "sweep": section_sweep,
        "basin": section_basin,
        "lr": section_lr,
        "browser": section_browser,
        "export": lambda args: (heading("Animated GIF export"), export.section(args, goal)),
        "formula": lambda a: section_formula(a, measure, table, heading, goal),  # bench/formula.py
        "instant": section_instant,
    }
    for name in SECTIONS:
        if name in chosen:
            t0 = time.perf_counter()
            handlers[name](args)
            print(f"\n_(section {name}: {time.perf_counter() - t0:.1f} s)_", flush=True)
    summary()
    print(f"\nTotal wall time: {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
