"""Each surface's first view teaches the lesson its preset states (landscapes/presets.py):
checked with numbers at the defaults the sidebar starts with, for the optimizers the lesson
names. Also: at those defaults every optimizer moves and none diverges.
"""

from __future__ import annotations

import numpy as np
import pytest

from landscapes import LANDSCAPE_NAMES, PRESETS, get_landscape
from landscapes.presets import DEFAULT_OPTIMIZERS, lesson
from optimizers import OPTIMIZER_NAMES, analysis, default_lg_lr, get_rule, run


def default_run(surface: str, optimizer: str, start=None):
    """``optimizer``'s run on ``surface`` as the first view runs it: the preset's α, steps and
    batch size (GD on the full batch), the default start, seed 0, β 0.9, γ 0.999, ε 1e-8."""
    ls = get_landscape(surface)
    preset = PRESETS[surface]
    full = get_rule(optimizer).full_batch or preset.batch_size >= ls.n_examples
    return run(
        ls,
        optimizer,
        ls.default_start if start is None else start,
        preset.steps,
        10 ** default_lg_lr(surface, optimizer),
        beta=0.9,
        gamma=0.999,
        eps=1e-8,
        batch_size=None if full else preset.batch_size,
        seed=0,
    )


class Outcome:
    """Where one default run ended, in the terms the lessons use."""

    def __init__(self, surface: str, optimizer: str, start=None):
        self.ls = ls = get_landscape(surface)
        self.traj = traj = default_run(surface, optimizer, start)
        self.tol = analysis.default_tolerance(ls)
        self.final = traj.points[-1]
        index, dist = analysis.nearest_minimum(ls, self.final)
        self.minimum = int(index)  # index into ls.minima of the nearest minimum
        self.distance = float(dist)
        self.is_global = bool(analysis.is_global(ls, self.minimum))
        self.steps_to_global = int(
            analysis.first_step_within(traj.points, ls, self.tol, only_global=True)
        )

    @property
    def at_minimum(self) -> bool:
        return self.distance <= self.tol

    @property
    def at_global(self) -> bool:
        return self.at_minimum and self.is_global

    @property
    def at_local(self) -> bool:
        return self.at_minimum and not self.is_global


def outcomes(surface, names=DEFAULT_OPTIMIZERS, start=None) -> dict[str, Outcome]:
    return {name: Outcome(surface, name, start) for name in names}


@pytest.mark.parametrize("surface", LANDSCAPE_NAMES)
def test_every_surface_states_a_one_line_lesson(surface):
    text = lesson(surface)
    assert 30 <= len(text) <= 200 and "\n" not in text
    assert text.endswith(".")


@pytest.mark.parametrize("surface", LANDSCAPE_NAMES)
@pytest.mark.parametrize("optimizer", OPTIMIZER_NAMES)
def test_at_the_defaults_every_optimizer_moves_and_none_diverges(surface, optimizer):
    ls = get_landscape(surface)
    traj = default_run(surface, optimizer)
    assert int(traj.diverged) == -1
    moved = np.linalg.norm(traj.points[-1] - traj.points[0])
    assert moved > 0.02 * max(ls.extent), f"{optimizer} moved only {moved:.3g}"


def test_quadratic_momentum_and_nesterov_first_gd_creeps():
    out = outcomes("quadratic")
    assert all(o.at_global for o in out.values())
    steps = {name: o.steps_to_global for name, o in out.items()}
    assert steps["momentum"] < 0.75 * steps["gd"], steps
    assert steps["nesterov"] < 0.8 * steps["gd"], steps


def test_rosenbrock_adam_reaches_the_minimum_the_others_crawl_along_the_valley():
    out = outcomes("rosenbrock")
    assert out["adam"].at_global and 0 < out["adam"].steps_to_global < 1000
    for name in ("gd", "sgd", "momentum", "nesterov"):
        o = out[name]
        assert o.steps_to_global == -1 and o.distance > 0.5, (name, o.distance)
    for name, o in out.items():
        # In the valley (|φ₁ − φ₀²| small) within 100 of the 1000 steps, and staying there.
        x, y = o.traj.points[100:, 0], o.traj.points[100:, 1]
        assert np.abs(y - x * x).max() < 0.15, name


def test_himmelblau_one_start_two_of_the_four_minima():
    out = outcomes("himmelblau")
    assert all(o.at_global for o in out.values())
    first = {out[n].minimum for n in ("gd", "momentum", "nesterov")}
    second = {out[n].minimum for n in ("sgd", "adam")}
    assert len(first) == 1 and len(second) == 1 and first != second


def test_wells_momentum_rolls_into_the_deepest_well_the_others_stop_in_a_shallow_one():
    out = outcomes("wells")
    for name in ("gd", "sgd", "adam"):
        assert out[name].at_local, name
    assert out["momentum"].at_global and out["nesterov"].at_global
    # Move the start by 0.1 in each coordinate: momentum too settles in the shallow well.
    start = np.asarray(get_landscape("wells").default_start) - 0.1
    assert Outcome("wells", "momentum", start).at_local


def test_saddle_gd_stalls_the_noisy_others_escape():
    out = outcomes("saddle")
    ls = out["gd"].ls
    saddle = next(s for s in ls.saddles if np.allclose(s.point, 0.0, atol=1e-9))
    assert np.linalg.norm(out["gd"].final - saddle.point) <= out["gd"].tol
    assert not out["gd"].at_minimum
    for name in ("sgd", "momentum", "nesterov", "adam"):
        assert out[name].at_global, name


def test_beale_momentum_crosses_the_plateau_gd_and_sgd_crawl():
    out = outcomes("beale")
    assert out["momentum"].at_global
    for name in ("gd", "sgd"):
        o = out[name]
        assert o.steps_to_global == -1 and o.distance > 2 * o.tol, (name, o.distance)
        assert o.traj.losses[-1] < 0.1 * o.traj.losses[0]  # crawling, not stuck


def test_rastrigin_every_optimizer_stops_in_the_local_minimum_nearest_its_start():
    out = outcomes("rastrigin")
    ls = out["gd"].ls
    nearest, _ = analysis.nearest_minimum(ls, ls.default_start)
    for name, o in out.items():
        assert o.at_local and o.minimum == int(nearest), name
        assert o.steps_to_global == -1
        assert o.traj.losses[-1] > ls.global_minimum.loss + 5.0


def test_linreg_every_optimizer_reaches_the_one_minimum():
    assert all(o.at_global for o in outcomes("linreg").values())


def test_gabor_gd_and_momentum_find_the_best_fit_sgd_and_adam_a_worse_one():
    out = outcomes("gabor")
    best = out["gd"].ls.global_minimum.loss
    for name in ("gd", "momentum", "nesterov"):
        assert out[name].at_global, name
    for name in ("sgd", "adam"):
        o = out[name]
        assert not o.is_global and o.distance < 2 * o.tol, (name, o.distance)
        assert o.traj.losses[-1] > 10 * best


# ----- what the pages say -------------------------------------------------------------------


def default_config(surface: str, names=DEFAULT_OPTIMIZERS):
    from ui.config import Config, OptimizerSettings

    ls = get_landscape(surface)
    preset = PRESETS[surface]
    settings = []
    for name in names:
        full = get_rule(name).full_batch or preset.batch_size >= ls.n_examples
        lr = 10 ** default_lg_lr(surface, name)
        bs = None if full else preset.batch_size
        settings.append(OptimizerSettings(name, lr, 0.9, 0.999, 1e-8, bs))
    return Config(
        surface=surface,
        noise=getattr(ls, "noise", None),
        start=tuple(ls.default_start),
        steps=preset.steps,
        seed=0,
        optimizers=tuple(names),
        lr=10**preset.lg_lr,
        beta=0.9,
        gamma=0.999,
        eps=1e-8,
        batch_size=preset.batch_size,
        schedule=("constant", 0.5, 10, 0.0),
        settings=tuple(settings),
    )


def explained(surface: str) -> str:
    from ui.compare import explain, results_table

    cfg = default_config(surface)
    ls = get_landscape(surface)
    runs = {name: default_run(surface, name) for name in cfg.optimizers}
    return explain(cfg, ls, results_table(cfg, ls, runs))


def test_summary_counts_only_the_global_minimum_as_reached():
    text = explained("rastrigin")
    assert "None came within 0.05 of the global minimum in 200 steps." in text
    assert "GD, SGD, Momentum, Nesterov and Adam ended in a local minimum (loss 7.96" in text
    assert "global minimum's is 0)" in text


def test_summary_names_the_first_at_the_global_minimum():
    steps = Outcome("rosenbrock", "adam").steps_to_global
    text = explained("rosenbrock")
    assert f"First within 0.04 of the global minimum: **Adam**, after {steps} steps." in text
    assert "local minimum" not in text


def test_results_row_has_steps_to_the_global_minimum():
    ls = get_landscape("rastrigin")
    row = analysis.summary(ls, default_run("rastrigin", "gd"))
    assert row["steps to tolerance"] == 2  # a local minimum counts here...
    assert row["steps to global minimum"] is None  # ...and not here
    gd = default_run("linreg", "gd")
    row = analysis.summary(get_landscape("linreg"), gd)
    assert row["steps to global minimum"] == row["steps to tolerance"] > 0


@pytest.mark.parametrize("surface", ["rosenbrock", "wells"])
def test_compare_page_states_the_lesson_under_its_title(surface):
    from tests.pages import open_page

    at = open_page("pages/compare.py", timeout=60, surface=surface)
    first = at.main.markdown[0].value
    assert "At this surface's defaults:" in first and lesson(surface) in first
    # The page ran what this module checks: same final losses to 1e-12.
    table = at.dataframe[0].value
    for name in DEFAULT_OPTIMIZERS:
        expect = float(default_run(surface, name).losses[-1])
        label = {"gd": "GD", "sgd": "SGD"}.get(name, name.capitalize())
        assert table.loc[label, "final loss"] == pytest.approx(expect, rel=1e-12, abs=1e-12)
