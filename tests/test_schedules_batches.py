"""Tests of the minibatch sequence (epochs without replacement, seeding), the learning-rate
schedules as seen in `trajectory.lrs`, and stochastic gradients on the noisy analytic
landscapes (unbiased; exactly the full gradient when noise is 0)."""

import math

import numpy as np
import pytest

from landscapes import LANDSCAPE_NAMES, get_landscape
from optimizers import OPTIMIZER_NAMES, SPECS, run, schedules

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

ANALYTIC_NAMES = tuple(n for n in LANDSCAPE_NAMES if not get_landscape(n).is_data)
MINIBATCH_OPTIMIZERS = tuple(n for n in OPTIMIZER_NAMES if n != "gd")


def batch_landscapes():
    return [
        pytest.param(get_landscape("quadratic", noise=1.0, n_examples=24), id="quadratic-N24"),
        pytest.param(get_landscape("linreg"), id="linreg"),
        pytest.param(get_landscape("gabor"), id="gabor"),
    ]


def small_lr(ls, name):
    return 1e-3 if SPECS[name].fixed_size else 1e-6


# --------------------------------------------------------------------------- batches


@pytest.mark.parametrize("batch_size", [1, 5, 7, "n"])
@pytest.mark.parametrize("ls", batch_landscapes())
@pytest.mark.parametrize("name", ["sgd", "adam"])
def test_every_epoch_visits_every_example_once(name, ls, batch_size):
    n = ls.n_examples
    batch_size = n if batch_size == "n" else batch_size
    assert batch_size <= n
    per_epoch = math.ceil(n / batch_size)
    steps = 3 * per_epoch + 1  # three whole epochs and the start of a fourth
    traj = run(
        ls,
        name,
        start=ls.default_start,
        steps=steps,
        lr=small_lr(ls, name),
        batch_size=batch_size,
        seed=0,
    )
    assert traj.steps_per_epoch == per_epoch
    assert len(traj.batches) == steps
    sizes = [batch_size] * (per_epoch - 1) + [n - (per_epoch - 1) * batch_size]
    orders = []
    for epoch in range(3):
        batches = traj.batches[epoch * per_epoch : (epoch + 1) * per_epoch]
        for batch in batches:
            assert np.issubdtype(np.asarray(batch).dtype, np.integer)
        assert [len(b) for b in batches] == sizes
        order = np.concatenate(batches)
        np.testing.assert_array_equal(np.sort(order), np.arange(n))
        orders.append(order)
    assert len(traj.batches[-1]) == batch_size
    if batch_size < n:
        # a fresh random permutation each epoch (chance of a repeat: 1/n!)
        assert not np.array_equal(orders[0], orders[1])
        assert not np.array_equal(orders[1], orders[2])
        assert not np.array_equal(orders[0], np.arange(n))


@pytest.mark.parametrize("name", OPTIMIZER_NAMES)
def test_full_batch_by_default(name):
    ls = get_landscape("quadratic", noise=1.0, n_examples=11)
    traj = run(ls, name, start=ls.default_start, steps=4, lr=small_lr(ls, name))
    assert traj.steps_per_epoch == 1
    for batch in traj.batches:
        np.testing.assert_array_equal(np.sort(batch), np.arange(11))


def test_gd_ignores_batch_size():
    ls = get_landscape("himmelblau", noise=2.0, n_examples=12)
    full = run(ls, "gd", start=(-1.0, 1.0), steps=10, lr=2e-3)
    batched = run(ls, "gd", start=(-1.0, 1.0), steps=10, lr=2e-3, batch_size=3, seed=5)
    np.testing.assert_array_equal(batched.points, full.points)
    assert batched.steps_per_epoch == 1
    for batch in batched.batches:
        np.testing.assert_array_equal(np.sort(batch), np.arange(12))


@pytest.mark.parametrize("name", MINIBATCH_OPTIMIZERS)
def test_seed_fixes_the_batch_sequence(name):
    ls = get_landscape("himmelblau", noise=2.0, n_examples=12)
    lr = small_lr(ls, name)
    # Lion steps by gradient signs, which this noise never flips at (-1, 1); at the minimum
    # (3, 2) the mean gradient is zero and the batch alone sets them.
    start = (3.0, 2.0) if name == "lion" else (-1.0, 1.0)
    kwargs = dict(start=start, steps=12, lr=lr, batch_size=5)
    first = run(ls, name, seed=21, **kwargs)
    again = run(ls, name, seed=21, **kwargs)
    other = run(ls, name, seed=22, **kwargs)
    for a, b in zip(first.batches, again.batches, strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(first.points, again.points)
    assert any(not np.array_equal(a, b) for a, b in zip(first.batches, other.batches, strict=True))
    assert not np.array_equal(first.points, other.points)


def test_runs_share_one_batch_sequence():
    ls = get_landscape("himmelblau", noise=2.0, n_examples=12)
    starts = np.array([[-1.0, 1.0], [2.0, 2.0]])
    both = run(ls, "sgd", start=starts, steps=9, lr=1e-3, batch_size=4, seed=8)
    one = run(ls, "sgd", start=starts[1], steps=9, lr=1e-3, batch_size=4, seed=8)
    assert len(both.batches) == 9
    for a, b in zip(both.batches, one.batches, strict=True):
        np.testing.assert_array_equal(a, b)


# --------------------------------------------------------------------------- schedules


def schedule_factors(kind, params, steps, steps_per_epoch):
    t = np.arange(steps)
    epoch = t // steps_per_epoch
    if kind == "constant":
        return np.ones(steps)
    if kind == "step_decay":
        factor, every = params
        return factor ** (epoch // every)
    if kind == "exponential":
        (factor,) = params
        return factor ** (t / steps_per_epoch)
    (final,) = params
    return final + (1 - final) * 0.5 * (1 + np.cos(np.pi * t / steps))


SCHEDULES = [
    pytest.param("constant", (), id="constant"),
    pytest.param("step_decay", (0.5, 2), id="step_decay-0.5-2"),
    pytest.param("step_decay", (0.3, 1), id="step_decay-0.3-1"),
    pytest.param("exponential", (0.9,), id="exponential-0.9"),
    pytest.param("cosine", (0.0,), id="cosine-0"),
    pytest.param("cosine", (0.25,), id="cosine-0.25"),
]


def make_schedule(kind, params):
    if kind == "cosine":
        return schedules.cosine(final_fraction=params[0])
    return getattr(schedules, kind)(*params)


@pytest.mark.parametrize("runs", [1, 3])
@pytest.mark.parametrize("batch_size", [None, 5])
@pytest.mark.parametrize(("kind", "params"), SCHEDULES)
def test_lrs_follow_schedule(kind, params, batch_size, runs):
    ls = get_landscape("quadratic", noise=1.0, n_examples=12)
    steps = 20
    per_epoch = 1 if batch_size is None else 3  # ceil(12 / 5)
    if runs == 1:
        start, lr = np.asarray(ls.default_start, dtype=float), 0.02
    else:
        start = np.tile(np.asarray(ls.default_start, dtype=float), (3, 1))
        lr = np.array([0.02, 0.01, 0.005])
    traj = run(
        ls,
        "adam",
        start=start,
        steps=steps,
        lr=lr,
        batch_size=batch_size,
        seed=0,
        schedule=make_schedule(kind, params),
    )
    assert traj.steps_per_epoch == per_epoch
    factors = schedule_factors(kind, params, steps, per_epoch)
    expect = lr * factors if runs == 1 else factors[:, None] * lr[None, :]
    assert traj.lrs.shape == expect.shape
    np.testing.assert_allclose(traj.lrs, expect, rtol=1e-12, atol=0)


def test_schedule_none_is_constant():
    ls = get_landscape("quadratic")
    none = run(ls, "momentum", start=ls.default_start, steps=10, lr=0.03)
    constant = run(
        ls, "momentum", start=ls.default_start, steps=10, lr=0.03, schedule=schedules.constant()
    )
    np.testing.assert_array_equal(none.lrs, np.full(10, 0.03))
    np.testing.assert_array_equal(constant.lrs, none.lrs)
    np.testing.assert_array_equal(constant.points, none.points)


def test_schedule_values_spot_check():
    """A few lrs written out by hand: step_decay(0.5, 2) with 3 steps per epoch halves the rate
    at step 6 (epoch 2) and again at step 12 (epoch 4); cosine ends near final_fraction."""
    ls = get_landscape("quadratic", n_examples=12)
    decay = run(
        ls,
        "adam",
        start=ls.default_start,
        steps=13,
        lr=0.1,
        batch_size=5,
        schedule=schedules.step_decay(0.5, 2),
    )
    np.testing.assert_allclose(
        decay.lrs[[0, 5, 6, 11, 12]], [0.1, 0.1, 0.05, 0.05, 0.025], rtol=1e-15
    )
    expo = run(
        ls,
        "adam",
        start=ls.default_start,
        steps=4,
        lr=0.1,
        batch_size=6,
        schedule=schedules.exponential(0.25),
    )
    np.testing.assert_allclose(expo.lrs, [0.1, 0.05, 0.025, 0.0125], rtol=1e-13)
    cos = run(
        ls,
        "adam",
        start=ls.default_start,
        steps=4,
        lr=0.1,
        schedule=schedules.cosine(final_fraction=0.2),
    )
    c = math.cos(math.pi / 4)
    np.testing.assert_allclose(
        cos.lrs, [0.1, 0.1 * (0.2 + 0.4 * (1 + c)), 0.06, 0.1 * (0.2 + 0.4 * (1 - c))], rtol=1e-13
    )


# --------------------------------------------------------------------------- stochastic grads


@pytest.mark.parametrize("batch_size", [1, 5])
@pytest.mark.parametrize("name", ANALYTIC_NAMES)
def test_noise_free_sgd_equals_gd(name, batch_size):
    ls = get_landscape(name, noise=0.0, n_examples=12)
    rng = np.random.default_rng(0)
    (x_lo, x_hi), (y_lo, y_hi) = ls.bounds
    curvature = np.abs(
        np.linalg.eigvalsh(
            ls.hessian(
                np.column_stack([rng.uniform(x_lo, x_hi, 200), rng.uniform(y_lo, y_hi, 200)])
            )
        )
    ).max()
    lr = 0.1 / curvature
    gd = run(ls, "gd", start=ls.default_start, steps=30, lr=lr)
    sgd = run(ls, "sgd", start=ls.default_start, steps=30, lr=lr, batch_size=batch_size, seed=3)
    assert sgd.steps_per_epoch == math.ceil(12 / batch_size)
    scale = max(1.0, float(np.abs(gd.points).max()))
    np.testing.assert_allclose(sgd.points, gd.points, rtol=1e-12, atol=1e-12 * scale)


@pytest.mark.parametrize("batch_size", [3, 5])
@pytest.mark.parametrize("name", ANALYTIC_NAMES)
def test_epoch_of_minibatch_grads_averages_to_full_grad(name, batch_size):
    """The batches `run` draws, weighted by their size, rebuild the full gradient each epoch;
    with noise on, single batches do not."""
    n = 12
    ls = get_landscape(name, noise=1.0, n_examples=n)
    per_epoch = math.ceil(n / batch_size)
    traj = run(
        ls,
        "sgd",
        start=ls.default_start,
        steps=4 * per_epoch,
        lr=1e-9,
        batch_size=batch_size,
        seed=6,
    )
    rng = np.random.default_rng(1)
    (x_lo, x_hi), (y_lo, y_hi) = ls.bounds
    points = np.column_stack([rng.uniform(x_lo, x_hi, 5), rng.uniform(y_lo, y_hi, 5)])
    full = ls.grad(points)
    scale = 1e-12 * (1 + np.abs(ls.example_grads(points)).sum(-2))
    deviation = 0.0
    for epoch in range(4):
        batches = traj.batches[epoch * per_epoch : (epoch + 1) * per_epoch]
        grads = [ls.minibatch_grad(points, b) for b in batches]
        weighted = sum(len(b) / n * g for b, g in zip(batches, grads, strict=True))
        assert np.all(np.abs(weighted - full) <= 10 * scale)
        deviation = max(deviation, max(np.abs(g - full).max() for g in grads))
    assert deviation > 1e-3, "noise=1 should make single minibatch gradients differ"


@pytest.mark.parametrize("name", ANALYTIC_NAMES)
def test_mean_of_many_random_minibatch_grads_is_full_grad(name):
    n, batch_size, draws = 12, 3, 4000
    ls = get_landscape(name, noise=1.0, n_examples=n)
    point = np.asarray(ls.default_start, dtype=float)
    rng = np.random.default_rng(2)
    grads = np.array(
        [ls.minibatch_grad(point, rng.choice(n, batch_size, replace=False)) for _ in range(draws)]
    )
    spread = grads.std(axis=0)
    assert np.all(spread > 0)
    error = np.abs(grads.mean(axis=0) - ls.grad(point))
    assert np.all(error < 5 * spread / math.sqrt(draws)), (error, spread / math.sqrt(draws))
