"""How long the race's animated GIF takes to build, and how large it is (the default view of
the compare page, and the SGD lab's), at each offered width.

    python bench/export.py                   # the table
    python bench/export.py --docs            # also write docs/race.gif for the README

``bench/run.py`` runs `section` as its "export" section and records the goals.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from figures.animation_gif import GifOptions, lab_gif, race_gif  # noqa: E402
from figures.run_view import RunView  # noqa: E402
from landscapes import get_landscape  # noqa: E402
from landscapes.presets import DEFAULT_OPTIMIZERS, PRESETS  # noqa: E402
from optimizers import default_lg_lr, get_rule, run  # noqa: E402
from ui.sidebar import DEFAULTS  # noqa: E402

GOAL_SECONDS = 3.0  # the default view at 800 px
GOAL_MB = 4.0
DOCS_GIF = REPO / "docs" / "race.gif"


def default_views(surface: str = "rosenbrock") -> tuple[object, list[RunView]]:
    """The compare page's first view of ``surface``: its preset α (the adaptive optimizers'
    own), batch size and steps, the sidebar's default β, γ, ε and seed."""
    ls = get_landscape(surface)
    preset = PRESETS[surface]
    views = []
    for name in DEFAULT_OPTIMIZERS:
        lg_lr = default_lg_lr(preset, name)
        full = get_rule(name).full_batch or preset.batch_size >= ls.n_examples
        trajectory = run(
            ls,
            name,
            ls.default_start,
            preset.steps,
            10.0**lg_lr,
            beta=DEFAULTS["beta"],
            gamma=DEFAULTS["gamma"],
            eps=10.0 ** DEFAULTS["log_eps"],
            batch_size=None if full else preset.batch_size,
            seed=DEFAULTS["seed"],
        )
        views.append(RunView.from_trajectory(trajectory))
    return ls, views


def lab_runs(surface: str = "rosenbrock"):
    ls = get_landscape(surface)
    preset = PRESETS[surface]
    lr = 10.0**preset.lg_lr
    sgd = run(ls, "sgd", ls.default_start, preset.steps, lr, batch_size=preset.batch_size, seed=0)
    gd = run(ls, "gd", ls.default_start, preset.steps, lr)
    return ls, gd, sgd


def timed(build, repeats: int) -> tuple[float, int]:
    """The median build time in seconds over ``repeats`` (after none: the first build is
    what a visitor waits for, caches cold) and the size in bytes."""
    times, size = [], 0
    for _ in range(repeats):
        t0 = time.perf_counter()
        size = len(build())
        times.append(time.perf_counter() - t0)
    return statistics.median(times), size


def section(args, goal=None) -> list[list[str]]:
    """Print the table; record the goals through ``goal`` (bench/run.py's) when given."""
    repeats = getattr(args, "few", 3)
    ls, views = default_views()
    lab = lab_runs()
    rows = []
    for width in (480, 800, 1200):
        options = GifOptions(width=width)
        seconds, size = timed(lambda o=options: race_gif(ls, views, o), repeats)
        mark = ""
        if width == 800 and goal is not None:
            mark = goal("race GIF build, default view, 800 px", seconds, GOAL_SECONDS, "s")
            mark += " " + goal("race GIF size, default view, 800 px", size / 1e6, GOAL_MB, "MB")
        frames = options.frames
        rows.append(
            ["compare", str(width), str(frames), f"{seconds:.2f}", f"{size / 1e6:.2f}", mark]
        )
    seconds, size = timed(lambda: lab_gif(*lab, GifOptions()), repeats)
    rows.append(
        ["sgd lab", "800", str(GifOptions().frames), f"{seconds:.2f}", f"{size / 1e6:.2f}", ""]
    )
    print(
        "Rosenbrock, the default optimizers and settings, 12 fps for 6 s; the median of "
        f"{repeats} builds (machine shared: noisy).\n"
    )
    print(_table(["page", "width px", "frames", "build s", "size MB", "goal"], rows))
    return rows


def _table(headers, rows) -> str:
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    lines = [headers, ["-" * w for w in widths], *rows]
    return "\n".join(
        "| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) + " |"
        for r in lines
    )


def write_docs_gif() -> Path:
    ls, views = default_views()
    DOCS_GIF.write_bytes(race_gif(ls, views, GifOptions(width=640, fps=10, seconds=6)))
    return DOCS_GIF


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", action="store_true", help=f"write {DOCS_GIF.relative_to(REPO)}")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    args.few = args.repeats
    section(args)
    if args.docs:
        path = write_docs_gif()
        print(f"\nwrote {path.relative_to(REPO)}: {path.stat().st_size / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
