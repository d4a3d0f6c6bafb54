"""Benchmark rows for instant feedback (issue 8): what each page sends, the compare page's α
scrubber and animation in the browser, a slider move on every page, and the first visitor
after the server starts. Called by bench/run.py (section "instant"), which passes itself as
``bench`` for its helpers (goal, table, free_port, health_ok, stop_server, ...).
"""

from __future__ import annotations

import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from deploy.client import PAGES  # noqa: E402  (bench/run.py puts the repository on sys.path)

PAGE_FILES = {"": None, **{p: f"pages/{p}.py" for p in PAGES if p}}

# Scrub α by one notch and resolve, on the page's clock, once every plot that shows α has
# drawn it (the 2D plots and their overlays; the 3D scene separately, it may follow later).
SCRUB_JS = """async (timeoutMs) => {
    const race = document.querySelector('.descent-race').__race;
    const input = document.querySelector('[data-testid="alpha-scrub"] input');
    const k = Number(input.value);
    input.value = String(k > 0 ? k - 1 : k + 1);
    const t0 = performance.now();
    input.dispatchEvent(new Event('input', {bubbles: true}));
    const done = (name) => race.plots[name].drawn === race.wanted && !race.plots[name].busy;
    const out = {};
    while (performance.now() - t0 < timeoutMs) {
        await new Promise(r => requestAnimationFrame(r));
        const now = performance.now();
        if (out.flat === undefined && done('contour') && done('loss')) out.flat = now - t0;
        if (out.scene === undefined && race.plots.surface.drawn === `${race.wanted}:${race.s}`
            && !race.plots.surface.busy) out.scene = now - t0;
        if (out.flat !== undefined && out.scene !== undefined) break;
    }
    return out;
}"""

# Play for ``ms`` at 1x and count the frames the browser painted and the steps shown.
FPS_JS = """async (ms) => {
    const race = document.querySelector('.descent-race').__race;
    race.pause();
    race.setStep(0);
    race.play();
    let frames = 0, changes = 0, last = race.s;
    const t0 = performance.now();
    while (performance.now() - t0 < ms && race.playing) {
        await new Promise(r => requestAnimationFrame(r));
        frames++;
        if (race.s !== last) { changes++; last = race.s; }
    }
    const elapsed = (performance.now() - t0) / 1000;
    race.pause();
    return {fps: frames / elapsed, steps_per_s: changes / elapsed};
}"""

# The SGD lab's epoch (ui/sgd_chart.js), played for ``ms`` at 4x (more steps a second than
# it can draw): browser frames painted, and redraws of the chart (distinct steps drawn).
LAB_FPS_JS = """async (ms) => {
    const lab = document.querySelector('.descent-lab').__lab;
    const controls = lab.controls;
    controls.pause();
    controls.setStep(0);
    controls.speed = 4;
    controls.play();
    let frames = 0, draws = 0, last = lab.drawnStep;
    const t0 = performance.now();
    while (performance.now() - t0 < ms && controls.playing) {
        await new Promise(r => requestAnimationFrame(r));
        frames++;
        if (lab.drawnStep !== last) { draws++; last = lab.drawnStep; }
    }
    const elapsed = (performance.now() - t0) / 1000;
    controls.pause();
    controls.speed = 1;
    return {fps: frames / elapsed, draws_per_s: draws / elapsed};
}"""


def lab_fps(bench, browser, url: str) -> dict:
    """The SGD lab's default view: its epoch played in the browser (LAB_FPS_JS)."""
    context = browser.new_context(viewport=bench.VIEWPORT)
    try:
        page = context.new_page()
        page.goto(f"{url}/sgd_lab", timeout=60_000)
        bench.wait_idle(page, timeout_ms=120_000)
        page.wait_for_function(
            "() => { const e = document.querySelector('.descent-lab');"
            " return e && e.__lab && e.__lab.drawnStep !== undefined; }",
            timeout=60_000,
        )
        page.wait_for_timeout(1000)
        return page.evaluate(LAB_FPS_JS, 3000)
    finally:
        context.close()


def payload_per_page(app: Path) -> dict[str, int]:
    """Bytes each page's default view sends in chart data (components and st.plotly_chart)."""
    from streamlit.testing.v1 import AppTest

    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(
        logging.ERROR
    )
    sizes = {}
    for name, path in PAGE_FILES.items():
        at = AppTest.from_file(str(app), default_timeout=180)
        at.run()
        if path:
            at.switch_page(path)
            at.run()
        total = sum(len(c.proto.spec.encode()) for c in at.get("plotly_chart"))
        total += sum(len(e.proto.json.encode()) for e in at.get("bidi_component"))
        sizes[name or "compare"] = total
    return sizes


def start_server(bench, app: Path):
    """The app as ``make run`` starts it: deploy/launch.py, which warms it once healthy.
    Returns the process, its URL, the seconds until health answered and the log's path."""
    port = bench.free_port()
    cmd = [
        sys.executable, "-m", "deploy.launch", str(app),
        "--server.port", str(port), "--server.address", "127.0.0.1",
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none", "--server.runOnSave", "false",
    ]  # fmt: skip
    log = tempfile.NamedTemporaryFile(prefix="descent-bench-instant-", suffix=".log", delete=False)
    proc = subprocess.Popen(
        cmd,
        cwd=bench.REPO,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    log.close()
    url = f"http://127.0.0.1:{port}"
    t0 = time.perf_counter()
    while not bench.health_ok(url):
        if proc.poll() is not None or time.perf_counter() > t0 + 60:
            raise RuntimeError(f"streamlit did not start; log {log.name}")
        time.sleep(0.05)
    return proc, url, time.perf_counter() - t0, Path(log.name)


def wait_warm(proc, log: Path, timeout: float = 180.0) -> str:
    """Wait for the launcher's warm-up line; return it."""
    from deploy.launch import WARM_PREFIX

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        for line in log.read_text(errors="replace").splitlines():
            if line.startswith(WARM_PREFIX):
                return line
        time.sleep(0.1)
    raise RuntimeError(f"no warm-up line; log {log}")


# Resolves once the page is idle with the 3D scene drawn, and stamps that moment "settled".
SETTLED_JS = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    const idle = app && app.getAttribute('data-test-script-state') === 'notRunning'
        && !document.querySelector('[data-testid="stSkeleton"]');
    const scene = document.querySelector('.descent-race .descent-surface .gl-container');
    if (idle && scene) window.__benchStamps.settled ??= performance.now();
    return window.__benchStamps.settled !== undefined;
}"""


def first_visitor(bench, pw, url: str) -> dict:
    """A fresh browser opens the compare page, by the page's clock: the static preview, the
    first Plotly plot, the 3D scene, and the page settled (idle, 3D drawn), in seconds."""
    chromium = bench.CHROMIUM if Path(bench.CHROMIUM).exists() else "chromium"
    browser = pw.chromium.launch(executable_path=chromium, headless=True, args=bench.CHROMIUM_ARGS)
    context = browser.new_context(viewport=bench.VIEWPORT)
    try:
        context.add_init_script(bench.STAMPS_INIT_JS)
        page = context.new_page()
        page.goto(url, wait_until="commit", timeout=60_000)
        page.wait_for_function(SETTLED_JS, timeout=180_000, polling=50)
        stamps = page.evaluate("window.__benchStamps")
    finally:
        browser.close()
    keys = ("poster", "plot", "scene", "settled")
    return {k: stamps[k] / 1000 for k in keys if k in stamps}


def first_visitors(bench, pw, app: Path) -> None:
    """Rows: the first visitor on a fresh server (a) as soon as it answers its health check,
    (b) after the launcher's warm-up line. Each on its own fresh server, in its own new
    browser (a browser's HTTP and code caches would hide what a real first visitor pays)."""
    rows = []
    for when in ("at health", "after warm-up"):
        proc, url, healthy, log = start_server(bench, app)
        try:
            note = f"healthy {healthy:.2f} s"
            if when == "after warm-up":
                note += "; " + wait_warm(proc, log).removeprefix("launch: ")
            first = first_visitor(bench, pw, url)
            if when == "at health":
                try:
                    note += "; " + wait_warm(proc, log, 60).removeprefix("launch: ")
                except RuntimeError:
                    note += "; no warm-up line"
        finally:
            bench.stop_server(proc)
        cells = [f"{first[k]:.2f}" if k in first else "-" for k in ("poster", "plot", "scene")]
        rows.append([when, *cells, f"{first.get('settled', float('nan')):.2f}", note])
        shown = min(v for k, v in first.items() if k in ("poster", "plot"))
        bench.goal(f"first visitor {when}, first plot (s)", shown, 3.0, "s")
    print(
        "\n"
        + bench.table(["compare page opened", "preview s", "2D s", "3D s", "settled s", "server"],
                      rows)
    )  # fmt: skip


def slider_settled(bench, page, url: str, path: str, repeats: int) -> list[float]:
    """Seconds from an α slider key press to the rerun done and the first chart redrawn (or
    only the rerun done, where the charts do not depend on α)."""
    page.goto(f"{url}/{path}", timeout=60_000)
    bench.wait_idle(page, timeout_ms=120_000)
    page.wait_for_selector(".js-plotly-plot", timeout=60_000)
    bench.wait_idle(page)
    slider = '[data-testid="stSidebar"] [data-testid="stSlider"]:has-text("Learning rate")'
    thumb = page.locator(f"{slider} [role=slider], {slider} input[type=range]").first
    times = []
    for _ in range(repeats):
        page.evaluate(bench.ARM_JS)
        thumb.focus()
        thumb.press("ArrowLeft")  # always a new α: a view seen before is cached
        try:
            page.wait_for_function(bench.UPDATED_JS, arg=".js-plotly-plot", timeout=30_000)
        except Exception:
            # Figures that do not depend on α are not redrawn: the rerun's end is settled.
            page.wait_for_function("() => window.__benchUpdate.done !== undefined")
        u = page.evaluate("window.__benchUpdate")
        times.append((max(u.get("plot", 0), u["done"]) - u["t0"]) / 1000)
        bench.wait_idle(page)
    return times


def warm_server_rows(bench, browser, url: str) -> None:
    """α scrub, animation and slider rows, against a warm server."""
    context = browser.new_context(viewport=bench.VIEWPORT)
    page = context.new_page()
    page.goto(url, timeout=60_000)
    bench.wait_idle(page, timeout_ms=120_000)
    page.wait_for_timeout(1500)
    scrubs = [page.evaluate(SCRUB_JS, 20_000) for _ in range(5)]
    flat = statistics.median(s["flat"] for s in scrubs if "flat" in s)
    scene = [s["scene"] for s in scrubs if "scene" in s]
    each = ", ".join(f"{s.get('flat', float('nan')):.0f}" for s in scrubs)
    print(f"- scrub α -> 2D plots redrawn (ms, page clock): {each}")
    if scene:
        median = statistics.median(scene)
        print(f"- scrub α -> 3D scene redrawn (ms): median {median:.0f}")
    bench.goal("scrub -> redrawn, 2D (ms)", flat, 100, "ms")
    page.wait_for_timeout(2500)
    fps = page.evaluate(FPS_JS, 3000)
    print(
        f"- animation: {fps['fps']:.0f} frames/s painted, {fps['steps_per_s']:.0f} step changes/s"
    )
    bench.goal("animation, 2D (fps)", fps["fps"], 30, "fps", below=False)
    context.close()
    lab = lab_fps(bench, browser, url)
    print(
        f"- SGD lab epoch: {lab['fps']:.0f} frames/s painted, "
        f"{lab['draws_per_s']:.0f} steps drawn/s"
    )
    bench.goal("SGD lab animation (steps drawn/s)", lab["draws_per_s"], 30, "fps", below=False)
    rows = []
    for path in PAGES:
        context = browser.new_context(viewport=bench.VIEWPORT)
        try:
            times = slider_settled(bench, context.new_page(), url, path, 3)
            median = statistics.median(times)
            rows.append([path or "compare", ", ".join(f"{t:.2f}" for t in times)])
            bench.goal(f"slider -> settled, {path or 'compare'} (s)", median, 1.2, "s")
        except Exception as exc:  # one page failing must not hide the others
            rows.append([path or "compare", f"failed: {type(exc).__name__}"])
        finally:
            context.close()
    print("\n" + bench.table(["page", "slider -> settled (s)"], rows))


def section(args, bench) -> None:
    bench.heading("6. Instant feedback: payloads, scrubbing, animation, slider moves")
    app = Path(args.app)
    app = app if app.is_absolute() else bench.REPO / app
    print("### Chart data each page's default view sends (AppTest)\n")
    sizes = payload_per_page(app)
    print(bench.table(["page", "KB"], [[k, f"{v / 1000:.0f}"] for k, v in sizes.items()]))
    bench.goal("compare page payload (KB)", sizes["compare"] / 1000, 300, "KB")
    if args.no_browser:
        print("- browser rows skipped: --no-browser")
        return
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = bench.CHROMIUM if Path(bench.CHROMIUM).exists() else "chromium"
        browser = pw.chromium.launch(
            executable_path=chromium, headless=True, args=bench.CHROMIUM_ARGS
        )
        try:
            first_visitors(bench, pw, app)
            proc, url, _, log = start_server(bench, app)
            try:
                wait_warm(proc, log)
                warm_server_rows(bench, browser, url)
            finally:
                bench.stop_server(proc)
            print(f"- server log: {log}")
        finally:
            browser.close()
