"""Benchmark of the formula box (landscapes/formula.py): the time from a typed formula to the
compare page's first figure, and the parser's worst case over the fuzz corpus of
tests/test_formula.py (its hypothesis strategy and hostile strings).

Run through ``bench/run.py --section formula``; the helpers (measure, table, heading, goal)
come from there so that the goals land in its summary.
"""

from __future__ import annotations

import statistics
import time
import warnings

import landscapes
from figures.race import RunView, race_figure_json
from landscapes import get_landscape
from landscapes.custom import EXAMPLES
from landscapes.formula import parse
from landscapes.presets import DEFAULT_OPTIMIZERS, preset_for
from optimizers import default_lg_lr, get_rule, run

PARSE_LIMIT_MS = 100.0  # the cap on a rejection
FIRST_PLOT_LIMIT_S = 2.0


def formula_to_figure(example) -> str:
    """Everything between the text and the race figure, with nothing cached: parse, build
    the surface (critical points included), choose alpha, run the default optimizers and
    build the figure JSON."""
    landscapes._build.cache_clear()
    ls = get_landscape("custom", expr=example.expr, xlim=example.xlim, ylim=example.ylim)
    preset = preset_for(ls)
    views = []
    for name in DEFAULT_OPTIMIZERS:
        alpha = 10 ** default_lg_lr(preset, name)
        batch = None if get_rule(name).full_batch else preset.batch_size
        traj = run(ls, name, ls.default_start, preset.steps, alpha, batch_size=batch)
        views.append(RunView.from_trajectory(traj))
    return race_figure_json(ls, views, height=620)


def fuzz_corpus(count: int = 1200) -> list[str]:
    """The strings tests/test_formula.py fuzzes with: its hypothesis strategy (derandomized,
    so the same corpus every time) and its hostile list."""
    from hypothesis import HealthCheck, given, settings

    from tests.test_formula import HOSTILE, _expressions

    corpus: list[str] = []

    @settings(
        max_examples=count,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(_expressions())
    def collect(text):
        corpus.append(text)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        collect()
    return corpus + list(HOSTILE)


def section_formula(args, measure, table, heading, goal) -> None:
    heading("6. Formula box: typed formula to first figure; parser worst case")
    rows, worst = [], 0.0
    for title, example in EXAMPLES.items():
        t = measure(lambda ex=example: formula_to_figure(ex), args.few, warmup=False)
        worst = max(worst, t.best)
        rows.append([title, f"{t.best:.3f}", f"{t.median:.3f}"])
    print("Parse, surface with critical points, auto α, five optimizers, race figure JSON; ")
    print(f"no caches (cold), best and median of {args.few} (seconds).\n")
    print(table(["example", "best s", "median s"], rows))
    mark = goal("formula to first figure (slowest example)", worst, FIRST_PLOT_LIMIT_S, "s")
    print(f"\n- slowest example {worst:.3f} s, goal < {FIRST_PLOT_LIMIT_S:g} s: {mark}")

    corpus = fuzz_corpus(600 if args.quick else 1200)
    times = []
    for text in corpus:
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            try:
                parse(text)
            except ValueError:
                pass
            best = min(best, time.perf_counter() - t0)
        times.append((best, text))
    times.sort()
    slowest, text = times[-1]
    median = statistics.median(t for t, _ in times)
    shown = text if len(text) <= 60 else text[:57] + "..."
    print(f"\nParser over {len(corpus)} strings (fuzz corpus + hostile list), best of 3 each:\n")
    print(
        table(
            ["median ms", "worst ms", "worst input"],
            [[f"{median * 1e3:.3f}", f"{slowest * 1e3:.3f}", f"`{shown!r}` ({len(text)} chars)"]],
        )
    )
    mark = goal("parser worst case over the fuzz corpus", slowest * 1e3, PARSE_LIMIT_MS, "ms")
    print(f"\n- worst {slowest * 1e3:.2f} ms, goal < {PARSE_LIMIT_MS:g} ms: {mark}")
