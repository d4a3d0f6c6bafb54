"""The α scrubber's data: factors, the vectorized sweeps behind them, thinning and the packed
payload the browser decodes (figures/race_motion.py, ui/compute_compare.py)."""

from __future__ import annotations

import numpy as np
import pytest

from figures.race_motion import (
    AlphaSweep,
    alpha_factors,
    decode,
    keep_mask,
    keep_steps,
    motion_payload,
    run_of,
    unvarint,
    varint,
)
from landscapes import get_landscape
from optimizers import run
from ui.compute_compare import ALPHA_FACTORS, CENTRE, alpha_sweep, race, sweeps
from ui.config import Config, OptimizerSettings, schedule_from_tuple


def test_factors_span_a_decade_each_way_with_the_centre_exactly_one():
    f = alpha_factors()
    assert len(f) == 25 and f[12] == 1.0
    assert f[0] == pytest.approx(0.1) and f[-1] == pytest.approx(10.0)
    np.testing.assert_allclose(f * f[::-1], 1.0, rtol=1e-14)  # symmetric in log
    np.testing.assert_allclose(np.diff(np.log10(f)), 1 / 12)
    assert ALPHA_FACTORS[CENTRE] == 1.0


def _config(surface="himmelblau", steps=120, tuned_lr=None) -> Config:
    ls = get_landscape(surface)
    settings = (
        OptimizerSettings("gd", 0.01, 0.9, 0.999, 1e-8, None),
        OptimizerSettings("sgd", 0.01, 0.9, 0.999, 1e-8, 8),
        OptimizerSettings("momentum", 0.01, 0.8, 0.999, 1e-8, 8),
        OptimizerSettings("adam", tuned_lr or 0.05, 0.9, 0.99, 1e-8, 8),
    )
    return Config(
        surface=surface,
        noise=1.0,
        start=tuple(float(v) for v in ls.default_start),
        steps=steps,
        seed=3,
        optimizers=tuple(s.name for s in settings),
        lr=0.01,
        beta=0.9,
        gamma=0.999,
        eps=1e-8,
        batch_size=8,
        schedule=("step", 0.5, 2, 0.0),
        settings=settings,
    )


def test_the_scrubbers_centre_is_the_sidebar_alpha_run_to_1e_12():
    cfg = _config(tuned_lr=0.2)  # an override: the factor scales each optimizer's own α
    ls = cfg.landscape()
    for s, swept in zip(cfg.settings, sweeps(cfg), strict=True):
        assert swept.lr == s.lr
        reference = run(
            ls,
            s.name,
            cfg.start,
            cfg.steps,
            s.lr,
            beta=s.beta,
            gamma=s.gamma,
            eps=s.eps,
            batch_size=s.batch_size,
            seed=cfg.seed,
            schedule=cfg.schedule_object(),
        )
        np.testing.assert_allclose(swept.points[:, CENTRE], reference.points, rtol=0, atol=1e-12)
        np.testing.assert_allclose(swept.losses[:, CENTRE], reference.losses, rtol=1e-12)
        assert swept.diverged[CENTRE] == reference.diverged
        # Run k is the optimizer at its own α times factor k.
        k = 20
        other = run(
            ls,
            s.name,
            cfg.start,
            cfg.steps,
            s.lr * ALPHA_FACTORS[k],
            beta=s.beta,
            gamma=s.gamma,
            eps=s.eps,
            batch_size=s.batch_size,
            seed=cfg.seed,
            schedule=cfg.schedule_object(),
        )
        np.testing.assert_allclose(swept.points[:, k], other.points, rtol=0, atol=1e-12)
        # The results table's run is the scrubber's centre.
        np.testing.assert_array_equal(race(cfg)[s.name].points, swept.points[:, CENTRE])


def test_thinning_keeps_every_step_within_the_tolerance_by_interpolation():
    rng = np.random.default_rng(0)
    walk = np.cumsum(rng.normal(size=(500, 3)), axis=0)
    tolerance = np.array([0.5, 2.0, 1.0])
    kept = keep_steps(walk, tolerance, forced=(137,))
    assert kept[0] == 0 and kept[-1] == 499 and 137 in kept
    assert 20 < len(kept) < 500  # it thinned, and kept the wiggles
    for d in range(3):
        rebuilt = np.interp(np.arange(500), kept, walk[kept, d])
        assert np.max(np.abs(rebuilt - walk[:, d])) <= tolerance[d] + 1e-12
    # A straight line at constant speed needs its two ends only.
    line = np.linspace([0, 0, 0], [5, -3, 1], 300)
    np.testing.assert_array_equal(keep_steps(line, tolerance), [0, 299])


def test_varint_round_trips():
    values = np.array([0, 1, 127, 128, 300, 16383, 16384, 65535, 2**31])
    assert unvarint(varint(values)).tolist() == values.tolist()
    assert len(varint([5, 100])) == 2 and len(varint([200])) == 2


def _payload(surface="quadratic", optimizers=("gd", "momentum"), lr=0.3, steps=80):
    ls = get_landscape(surface)
    factors = alpha_factors()
    start = np.tile(ls.default_start, (len(factors), 1))
    swept = [
        AlphaSweep.from_trajectory(run(ls, name, start, steps, lr * factors), lr)
        for name in optimizers
    ]
    return ls, swept, motion_payload(ls, swept, factors)


def test_every_step_of_every_run_can_be_rebuilt_from_the_payload():
    ls, swept, payload = _payload()
    (x0, x1), (y0, y1) = ls.bounds
    (bx0, bx1), _ = ls.divergence_box()
    # Thinning tolerance plus the uint16 transport's step.
    tol_x = (x1 - x0) / 600 + (bx1 - bx0) / 65535
    steps = np.arange(81)
    for o, s in enumerate(swept):
        for k in range(len(payload["factors"])):
            r = run_of(payload, o, k)
            end = s.diverged[k] - 1 if s.diverged[k] > 0 else 80
            x = np.interp(steps[:end], r["idx"], r["x"])
            assert np.max(np.abs(x - s.points[:end, k, 0])) <= tol_x * 1.01
    assert len(decode(payload, "idx")) == payload["offsets"][-1]


def test_a_run_that_diverges_at_some_alpha_is_flagged_there_only():
    # GD on the quadratic at 0.3: stable at the centre; ten times that diverges.
    ls, swept, payload = _payload(optimizers=("gd",))
    diverged = np.array(payload["diverged"])
    assert diverged[payload["centre"]] == -1
    assert diverged[-1] > 0
    # Once a factor diverges, every larger one does, and sooner or at the same step.
    first = int(np.argmax(diverged > 0))
    assert np.all(diverged[first:] > 0) and np.all(np.diff(diverged[first:]) <= 0)
    assert np.all(diverged[:first] == -1)
    for k in range(len(diverged)):
        r = run_of(payload, 0, k)
        stop = payload["stops"][k]
        if diverged[k] > 0:
            # The divergence step and the one before it are kept, and its marker stops
            # inside the plotted area.
            assert {diverged[k] - 1, diverged[k]} <= set(r["idx"].tolist())
            (x0, x1), (y0, y1) = ls.bounds
            assert x0 <= stop[0] <= x1 and y0 <= stop[1] <= y1
        else:
            assert stop is None


def _keep_steps_recursive(coords, tolerance, forced=()):
    """Douglas-Peucker one segment at a time: the plain reference for keep_steps."""
    n = len(coords)
    keep = np.zeros(n, dtype=bool)
    keep[[0, n - 1]] = True
    for f in forced:
        keep[f] = True
    scaled = coords / tolerance
    bounds = np.flatnonzero(keep)
    stack = list(zip(bounds[:-1], bounds[1:], strict=True))
    while stack:
        i, j = stack.pop()
        if j - i < 2:
            continue
        frac = ((np.arange(i + 1, j) - i) / (j - i))[:, None]
        err = np.max(np.abs(scaled[i + 1 : j] - (scaled[i] + frac * (scaled[j] - scaled[i]))), 1)
        if err.max() > 1.0:
            m = i + 1 + int(np.argmax(err))
            keep[m] = True
            stack += [(i, m), (m, j)]
    return np.flatnonzero(keep)


def test_keep_steps_equals_the_one_segment_at_a_time_reference():
    rng = np.random.default_rng(7)
    for trial in range(200):
        n = int(rng.integers(2, 1200))
        coords = np.cumsum(rng.normal(size=(n, 3)) * rng.uniform(0.01, 3), axis=0)
        if trial % 5 == 0:
            coords = np.round(coords)  # ties: the first of equal errors splits, as argmax
        tolerance = rng.uniform(0.1, 5, size=3)
        forced = tuple(int(f) for f in rng.integers(0, n, size=int(rng.integers(0, 3))))
        expected = _keep_steps_recursive(coords, tolerance, forced)
        assert np.array_equal(keep_steps(coords, tolerance, forced), expected), trial


def test_keep_mask_thins_every_run_as_keep_steps_does_alone():
    """The payload thins all runs of all optimizers in one call: each run must keep exactly
    the steps the one-segment-at-a-time reference keeps for it alone, blow-ups included."""
    rng = np.random.default_rng(11)
    for trial in range(40):
        runs, n = int(rng.integers(1, 30)), int(rng.integers(2, 400))
        coords = np.cumsum(rng.normal(size=(runs, n, 3)) * rng.uniform(0.01, 3), axis=1)
        forced = []
        for r in range(runs):
            d = int(rng.integers(-1, n))
            if d > 0:  # a diverged run: non-finite from its divergence on
                coords[r, d:] = rng.choice([np.nan, np.inf, -np.inf])
            forced.append((d - 1, d) if d > 0 else ())
        tolerance = rng.uniform(0.1, 5, size=3)
        with np.errstate(invalid="ignore"):  # inf - inf on the lines past a blow-up
            mask = keep_mask(coords, tolerance, forced)
            expected = [
                _keep_steps_recursive(c, tolerance, f) for c, f in zip(coords, forced, strict=True)
            ]
        assert mask.shape == (runs, n)
        for r in range(runs):
            assert np.array_equal(np.flatnonzero(mask[r]), expected[r]), (trial, r)


def test_a_cached_sweep_keeps_every_batch_as_one_array_row():
    """The cache pickles each sweep on every read and write: its batches are one array (a
    row per step), the very batches of the run."""
    cfg = _config(steps=40)
    s = cfg.settings[1]  # minibatch SGD
    swept = alpha_sweep.__wrapped__(cfg.run_spec(s.name))
    reference = run(
        cfg.landscape(),
        s.name,
        np.tile(cfg.start, (len(ALPHA_FACTORS), 1)),
        cfg.steps,
        s.lr * ALPHA_FACTORS,
        beta=s.beta,
        gamma=s.gamma,
        eps=s.eps,
        batch_size=s.batch_size,
        seed=cfg.seed,
        schedule=schedule_from_tuple(cfg.schedule),
    )
    assert isinstance(swept.batches, np.ndarray) and swept.batches.shape == (40, s.batch_size)
    for row, batch in zip(swept.batches, reference.batches, strict=True):
        np.testing.assert_array_equal(row, batch)
    np.testing.assert_array_equal(swept.points, reference.points)
