"""Hostile links: every URL key of every page, given non-finite, huge, negative, wrong-type,
very long, unicode or repeated values, never raises, and a warning names each key the app
rejected (hypothesis builds the links; AppTest runs the page each one opens)."""

from __future__ import annotations

import functools
import os
import re
import time
from pathlib import Path

import pytest
import streamlit.components.v2.manifest_scanner as manifest_scanner
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from landscapes import get_landscape
from optimizers import OPTIMIZER_NAMES
from tests.pages import APP
from ui import budget, params
from ui.compute_sensitivity import HEAT_LRS, HEAT_VALUES
from ui.present import PRESENT_KEY
from ui.sidebar import SHARED_KEYS

# 1,000 links took 161 s on the 2-core machine at load average 5 (440 s at 13).
LINKS = int(os.environ.get("DESCENT_LINKS", 1000))  # links built and opened (hypothesis examples)
REPO = Path(APP).parent
PAGES = tuple(sorted(str(p.relative_to(REPO)) for p in (REPO / "pages").glob("*.py")))
SIDEBAR_KEYS = (*SHARED_KEYS, "tune", PRESENT_KEY)


@functools.cache
def page_keys() -> dict[str, tuple[str, ...]]:
    """Each page's own URL keys, as it declares them beside its widgets (ui.widgets
    .declare_page): read from a run of the page at its defaults."""
    keys = {}
    for page in PAGES:
        at = AppTest.from_file(APP, default_timeout=120)
        at.switch_page(page)
        at.run()
        assert not at.exception, (page, [e.value for e in at.exception])
        keys[page] = tuple(at.session_state[params.PAGE_KEYS_STATE])
    return keys


# Free text where a number or a word may be a valid value (a formula "5", data rows): the
# link's value must never raise and is named when refused, but need not be refused.
FREE_TEXT = ("expr", "rows")

NON_FINITE = ("nan", "NaN", "inf", "-inf", "Infinity", "-Infinity", "1e309", "-1e999")
WORDS = ("abc", "true", "None", "[1, 2]", "{}", "0x10", "1,5", "1/2", "", " ", "%00", "--1")


@pytest.fixture(scope="module", autouse=True)
def _scan_components_once():
    """Each AppTest scans every installed package for component manifests (about 0.4 s, as
    long as a page run). The installed packages do not change during the test: scan once."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(
            manifest_scanner,
            "scan_component_manifests",
            functools.cache(manifest_scanner.scan_component_manifests),
        )
        yield


def _huge() -> st.SearchStrategy[str]:
    return st.one_of(
        st.integers(10**10, 10**40).map(str),
        st.floats(1e10, 1e300).map(repr),
        st.integers(10**10, 10**40).map(lambda n: f"-{n}"),
    )


def _always_invalid() -> st.SearchStrategy[str]:
    """Values no key accepts: not a number or not finite, far out of every range, or words."""
    letters = st.text(st.characters(categories=("Lu", "Ll", "Lo", "So")), min_size=1, max_size=12)
    return st.one_of(st.sampled_from(NON_FINITE + WORDS[:8]), _huge(), letters)


def _maybe_invalid() -> st.SearchStrategy[str]:
    """Values some keys accept: negative, small, very long, unicode digits, odd spellings."""
    return st.one_of(
        st.integers(-(10**9), -1).map(str),
        st.floats(-1e6, 1e6, allow_nan=False).map(repr),
        st.integers(0, 2000).map(str),
        st.sampled_from(WORDS[8:]),
        st.sampled_from(("0." + "1" * 3000, "9" * 5000, "1" * 400 + "e-400", "5" + " " * 100)),
        st.sampled_from(("５", "٣", "1e1", "+3", "0003", "1_000", "rosenbrock", "adam", "step")),
        st.text(max_size=30),
    )


@st.composite
def links(draw):
    """(page, query, keys whose every value must be rejected)."""
    page = draw(st.sampled_from(PAGES))
    own = page_keys()[page]
    pool = own * 6 + SIDEBAR_KEYS if own else SIDEBAR_KEYS  # the page's own keys more often
    keys = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3, unique=True))
    query, must_reject = {}, set()
    for key in keys:
        kind = draw(st.sampled_from(("invalid", "maybe", "repeated")))
        if kind == "invalid":
            query[key] = draw(_always_invalid())
            if key != "opt" and key not in FREE_TEXT:  # opt: several optimizers repeat it
                must_reject.add(key)
        elif kind == "maybe":
            query[key] = draw(_maybe_invalid())
        else:
            values = draw(st.lists(st.one_of(_always_invalid(), _maybe_invalid()), min_size=2,
                                   max_size=3))  # fmt: skip
            query[key] = values
            if key != "opt":
                must_reject.add(key)  # one setting, two values: which one was meant?
    return page, query, must_reject


def _values(raw) -> list[str]:
    return list(raw) if isinstance(raw, list) else [raw]


def _warned(at: AppTest, key: str) -> bool:
    return any(f"**{key}**" in w.value for w in at.warning)


def _widget_took(at: AppTest, key: str, raw) -> bool:
    """The widget bound to ``key`` holds the link's value (a bound widget at its default
    leaves the URL, so an accepted default is not in the URL afterwards)."""
    if isinstance(raw, list):
        return False
    try:
        state = at.session_state[key]
    except KeyError:
        return False
    try:
        return float(state) == float(raw)
    except (TypeError, ValueError, OverflowError):
        return str(state) == raw


def check_link(page: str, query: dict, must_reject: set[str]) -> None:
    at = AppTest.from_file(APP, default_timeout=30)
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page(page)
    at.run()
    assert not at.exception, (page, query, [e.value for e in at.exception])
    for key, given_value in query.items():
        kept = key in at.query_params and _values(at.query_params[key]) == _values(given_value)
        kept = kept or (key not in at.query_params and _widget_took(at, key, given_value))
        if not kept:
            assert _warned(at, key), (page, query, key, "rejected without a warning naming it")
        if key in must_reject:
            assert not kept, (page, query, key, "a hostile value was kept")


@pytest.mark.timeout(900)
@settings(
    max_examples=LINKS,
    deadline=None,
    derandomize=True,  # the same links every run: a failure reproduces
    database=None,
    phases=(Phase.explicit, Phase.generate),  # no shrinking: minutes per failure otherwise
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(links())
def test_hostile_links_warn_and_never_raise(link):
    check_link(*link)


def test_every_page_declares_its_url_keys():
    """The fuzzed keys are the pages' declarations: each is a widget of its page, is taken
    from a link on its page, and is an unknown key, dropped with a warning, elsewhere."""
    keys = page_keys()
    assert set(keys) == set(PAGES) and len(PAGES) == 6
    assert keys["pages/basins.py"] == ("grid", "basin_steps")
    assert keys["pages/theory.py"] == () and keys["pages/compare.py"] == ()
    for page, own in keys.items():
        for key in own:
            assert key not in SIDEBAR_KEYS, (page, key)
            at = AppTest.from_file(APP, default_timeout=120)
            at.query_params[key] = "1"
            at.switch_page(page)
            at.run()
            assert key in at.session_state, (page, key)  # a widget of this page
            assert not [w for w in at.warning if "not one Descent knows" in w.value], key
            other = "pages/theory.py"
            at = AppTest.from_file(APP, default_timeout=120)
            at.query_params[key] = "1"
            at.switch_page(other)
            at.run()
            (unknown,) = [w.value for w in at.warning if "not one Descent knows" in w.value]
            assert f"**{params._escaped(key)}**" in unknown and key not in at.query_params


# The arithmetic below is written for eight optimizers (the notes' and the peers' first
# eight); with all fifteen the sensitivity page's floor of 10 learning rates can exceed the
# sweep budget by about 13% at 800 steps.
ALL_OPTIMIZERS = list(OPTIMIZER_NAMES)[:8]


def _largest(page: str, **query) -> AppTest:
    """The page opened with every optimizer and large sizes, on a surface and seed no other
    test computes (nothing cached)."""
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in {"surface": "rastrigin", "seed": "12345", "steps": "1000",
                       "opt": ALL_OPTIMIZERS, **query}.items():  # fmt: skip
        at.query_params[key] = value
    at.switch_page(page)
    t0 = time.perf_counter()
    at.run()
    print(f"{page} at its largest: {time.perf_counter() - t0:.2f} s")  # timing: bench/
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_largest_basin_map_is_cut_to_the_budget():
    at = _largest("pages/basins.py", grid="150", basin_steps="1000")
    (cut,) = [w.value for w in at.warning if "one view may compute" in w.value]
    n = int(re.search(r"mapping (\d+) × \1 starts", cut)[1])
    k, extra = len(ALL_OPTIMIZERS), budget.STEP_OVERHEAD
    # The largest grid within the budget: one more start per side would not fit.
    assert (n * n + extra) * 1000 * k <= budget.BASIN_RUN_STEPS < ((n + 1) ** 2 + extra) * 8000
    assert n == 21  # isqrt(6e6 / 8000 - 300)
    assert "150 × 150 starts × 1000 steps × 8 optimizers" in cut


def test_largest_sweep_is_cut_to_the_budget():
    at = _largest("pages/sensitivity.py", sens_n="200", steps="800")
    (cut,) = [w.value for w in at.warning if "one view may compute" in w.value]
    count = int(re.search(r"sweeping (\d+) learning rates", cut)[1])
    extra = budget.STEP_OVERHEAD
    heat = 3 * (HEAT_LRS * HEAT_VALUES + extra) * 800  # momentum, nesterov, adam
    assert (count + extra) * 800 * 8 + heat <= budget.SWEEP_RUN_STEPS
    assert (count + 1 + extra) * 800 * 8 + heat > budget.SWEEP_RUN_STEPS
    assert count == 150  # (6e6 - 3.12e6) / 6400 - 300
    assert "200 learning rates × 800 steps × 8 optimizers" in cut


def test_default_views_are_not_cut():
    for page in ("pages/basins.py", "pages/sensitivity.py"):
        at = AppTest.from_file(APP, default_timeout=60)
        at.switch_page(page)
        at.run()
        assert not at.exception
        assert not [w.value for w in at.warning if "one view may compute" in w.value]


def test_budget_arithmetic():
    assert budget.STEP_OVERHEAD == 300  # the numbers below assume it
    one = [1.0]  # a textbook surface's step
    assert budget.basin_grid(60, 300, one * 5, 10) == (60, None)  # (3600 + 300) * 1500 fits 6e6
    n, why = budget.basin_grid(150, 300, one * 5, 10)
    assert n == 60 and "mapping 60 × 60 starts" in why  # isqrt(6e6 / 1500 - 300) = 60
    assert "data" not in why
    assert budget.basin_grid(150, 1000, one, 10)[0] == 75  # isqrt(6000 - 300)
    assert budget.basin_grid(150, 1000, one * 8, 30)[0] == 30  # never below the slider's minimum
    # A step that costs 8.5 (the Gabor model's full batch): isqrt(6e6 / (300 * 8.5) - 300)
    n, why = budget.basin_grid(60, 300, [8.5], 10)
    assert n == 45 and "up to 8.5 times a textbook surface's" in why
    # Rosenbrock's default view (1000 steps, five optimizers, three heatmaps) is not cut.
    assert budget.sweep_count(60, 1000, one * 5, one * 3, 1000, 10) == (60, None)
    assert budget.sweep_count(200, 800, one * 8, one * 3, 1000, 10)[0] == 150
    assert budget.heat_size(40, 25, 1000, one * 3) == (40, 25, None)  # 3.9e6 <= 4.5e6
    # Three Gabor heatmaps (8.5 each) of 300 steps: 4.5e6 / 7650 - 300 = 288 runs, each
    # axis shrunk by sqrt(288 / 1000).
    lrs, values, why = budget.heat_size(40, 25, 300, [8.5] * 3)
    assert (lrs, values) == (21, 13) and "each heatmap has 21 × 13 runs" in why
    assert budget.heat_size(40, 25, 1000, [500.0] * 8)[:2] == budget.MIN_HEAT


def test_a_quoted_value_cannot_end_its_code_span():
    """A rejected value is quoted in a code span: a backtick in it would end the span and
    let the link's own markdown (a link, an image) render in the warning."""
    hostile = "`[click](http://evil.example)` " + "9" * 200
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["grid"] = hostile
    at.query_params["[x](http://evil.example)"] = "1"
    at.switch_page("pages/basins.py")
    at.run()
    assert not at.exception
    (grid,) = [w.value for w in at.warning if "**grid**" in w.value]
    quoted = grid.split("= `", 1)[1].split("` was ignored", 1)[0]
    assert "`" not in quoted and len(quoted) == params.SHOWN_CHARS  # 39 and "…"
    assert quoted == "'[click](http://evil.example)' 99999999…"
    (unknown,) = [w.value for w in at.warning if "not one Descent knows" in w.value]
    assert r"**\[x\]\(http\://evil\.example\)**" in unknown


def test_a_step_on_data_counts_its_examples():
    """On the Gabor model a full-batch step sums 30 examples (sin, cos and exp of each): it
    counts as 1 + 0.25 * 30 = 8.5 run-steps, so a map that fits on a textbook surface is
    cut here, and a minibatch of 6 counts 2.5."""
    gabor = get_landscape("gabor")
    assert gabor.step_cost() == 8.5 and gabor.step_cost(6) == 2.5
    assert get_landscape("rosenbrock").step_cost() == 1.0
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update(surface="gabor", opt="gd", grid="60", basin_steps="300")
    at.switch_page("pages/basins.py")
    at.run()
    assert not at.exception
    (cut,) = [w.value for w in at.warning if "one view may compute" in w.value]
    assert "mapping 45 × 45 starts" in cut  # isqrt(6e6 / (300 * 8.5) - 300)
    assert "up to 8.5 times a textbook surface's" in cut
