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

import streamlit as st

import landscapes
from landscapes import get_landscape
from landscapes.custom import EXAMPLES
from landscapes.formula import parse
from landscapes.presets import DEFAULT_OPTIMIZERS, preset_for
from optimizers import default_lg_lr, get_rule
from ui.compute_compare import race_view
from ui.config import Config, OptimizerSettings

PARSE_LIMIT_MS = 100.0  # the cap on a rejection
FIRST_PLOT_LIMIT_S = 2.0


def formula_to_figure(example):
    """Everything between the text and the compare page's race, with nothing cached: parse,
    build the surface (critical points included), choose alpha, run the default optimizers at
    every alpha of the scrubber and build the payload and figures
    (`ui.compute_compare.race_view`)."""
    landscapes._build.cache_clear()
    st.cache_data.clear()
    ls = get_landscape("custom", expr=example.expr, xlim=example.xlim, ylim=example.ylim)
    preset = preset_for(ls)
    lr, beta, gamma, eps = 10**preset.lg_lr, 0.9, 0.999, 1e-8
    settings = tuple(
        OptimizerSettings(
            name,
            10 ** default_lg_lr(preset, name),
            beta,
            gamma,
            eps,
            None if get_rule(name).full_batch else preset.batch_size,
        )
        for name in DEFAULT_OPTIMIZERS
    )
    params = (("expr", example.expr), ("xlim", tuple(example.xlim)), ("ylim", tuple(example.ylim)))
    config = Config(
        surface="custom",
        noise=float(ls.noise),
        start=tuple(float(v) for v in ls.default_start),
        steps=preset.steps,
        seed=0,
        optimizers=DEFAULT_OPTIMIZERS,
        lr=lr,
        beta=beta,
        gamma=gamma,
        eps=eps,
        batch_size=preset.batch_size,
        schedule=("constant", 0.5, 10, 0.0),
        settings=settings,
        surface_params=params,
    )
    return race_view(config)


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
