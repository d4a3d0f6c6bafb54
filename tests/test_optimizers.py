"""Tests of `optimizers.run` against a plain per-step reference loop written from the update
equations of the spec (fitting-models.md notation: alpha, beta, gamma, m, v), plus the
invariants that tie the optimizers together, divergence handling and argument checking.

Parametrized over `OPTIMIZER_NAMES` and `LANDSCAPE_NAMES`: a new optimizer fails here until
its update is added to `reference_trajectory`.
"""

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pytest

from landscapes import LANDSCAPE_NAMES, get_landscape
from optimizers import OPTIMIZER_NAMES, SPECS, run, schedules

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

NAMES = tuple(OPTIMIZER_NAMES)
# optimizers whose step is proportional to the gradient; the others move ~alpha per coordinate
GRADIENT_SCALED = {name for name, spec in SPECS.items() if not spec.fixed_size}


# --------------------------------------------------------------------------- reference


def reference_trajectory(
    ls,
    name,
    start,
    lrs,
    beta=0.9,
    gamma=None,
    eps=1e-8,
    batches=None,
    follow=None,
    weight_decay=None,
    psi=0.004,
):
    """Plain loop over the spec's update equations; `batches=None` means the full gradient.
    The later optimizers follow torch.optim's documented update (its ``step`` is t + 1) and,
    for Lion, Chen et al. 2023; ``gamma=None`` and ``weight_decay=None`` are each one's
    default (gamma 0.999, Lion's beta_2 0.99; weight decay: AdamW 0.01, Lion 0).

    With `follow` (points of a trajectory under test), step t starts from follow[t] instead of
    the loop's own point: the result is then a step-by-step check, free of the amplification
    of round-off that chaotic runs (rastrigin with a large noisy step) show over many steps.
    """
    if gamma is None:
        gamma = 0.99 if name == "lion" else 0.999
    phi = np.array(start, dtype=float)
    m = np.zeros(2)
    v = np.zeros(2)
    v_max = np.zeros(2)
    mu_product = 1.0
    points = [phi.copy()]
    for t, alpha in enumerate(lrs):
        if follow is not None:
            phi = np.array(follow[t], dtype=float)
        if batches is None:
            grad = ls.grad
        else:
            idx = np.asarray(batches[t])

            def grad(p, idx=idx):
                return ls.minibatch_grad(p, idx)

        if name in ("gd", "sgd"):
            phi = phi - alpha * grad(phi)
        elif name == "momentum":
            m = beta * m + (1 - beta) * grad(phi)
            phi = phi - alpha * m
        elif name == "nesterov":
            m = beta * m + (1 - beta) * grad(phi - alpha * m)
            phi = phi - alpha * m
        elif name == "normalized":
            g = grad(phi)
            phi = phi - alpha * g / (np.sqrt(g**2) + eps)
        elif name == "adam":
            g = grad(phi)
            m = beta * m + (1 - beta) * g
            v = gamma * v + (1 - gamma) * g**2
            m_hat = m / (1 - beta ** (t + 1))
            v_hat = v / (1 - gamma ** (t + 1))
            phi = phi - alpha * m_hat / (np.sqrt(v_hat) + eps)
        elif name == "rmsprop":
            g = grad(phi)
            v = gamma * v + (1 - gamma) * g**2
            phi = phi - alpha * g / (np.sqrt(v) + eps)
        elif name == "adagrad":
            g = grad(phi)
            v = v + g**2
            phi = phi - alpha * g / (np.sqrt(v) + eps)
        elif name == "heavy_ball":  # torch SGD(momentum=beta, dampening=0)
            g = grad(phi)
            m = g if t == 0 else beta * m + g
            phi = phi - alpha * m
        elif name == "nesterov_corrected":
            m = beta * m + (1 - beta) * grad(phi - alpha * beta * m)
            phi = phi - alpha * m
        elif name in ("adamw", "amsgrad"):
            # torch AdamW / Adam(amsgrad=True): step_size = lr / bc1, denom = sqrt(v) / sqrt(bc2)
            g = grad(phi)
            step = t + 1
            if name == "adamw":
                phi = phi * (1 - alpha * (0.01 if weight_decay is None else weight_decay))
            m = beta * m + (1 - beta) * g
            v = gamma * v + (1 - gamma) * g * g
            if name == "amsgrad":
                v_max = np.maximum(v_max, v)
            denom = np.sqrt(v_max if name == "amsgrad" else v) / math.sqrt(1 - gamma**step) + eps
            phi = phi - alpha / (1 - beta**step) * m / denom
        elif name == "nadam":
            g = grad(phi)
            step = t + 1
            mu = beta * (1 - 0.5 * 0.96 ** (step * psi))
            mu_next = beta * (1 - 0.5 * 0.96 ** ((step + 1) * psi))
            mu_product *= mu
            m = beta * m + (1 - beta) * g
            v = gamma * v + (1 - gamma) * g * g
            denom = np.sqrt(v / (1 - gamma**step)) + eps
            phi = phi - alpha * (1 - mu) / (1 - mu_product) * g / denom
            phi = phi - alpha * mu_next / (1 - mu_product * mu_next) * m / denom
        elif name == "radam":
            g = grad(phi)
            step = t + 1
            m = beta * m + (1 - beta) * g
            v = gamma * v + (1 - gamma) * g * g
            m_hat = m / (1 - beta**step)
            bc2 = 1 - gamma**step
            rho_inf = 2 / (1 - gamma) - 1
            rho = rho_inf - 2 * step * gamma**step / bc2
            if rho > 5:
                rect = math.sqrt(
                    (rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho)
                )
                phi = phi - m_hat * alpha * (math.sqrt(bc2) / (np.sqrt(v) + eps)) * rect
            else:
                phi = phi - m_hat * alpha
        elif name == "lion":  # Chen et al. 2023, Algorithm 2
            g = grad(phi)
            c = beta * m + (1 - beta) * g
            lam = 0.0 if weight_decay is None else weight_decay
            phi = phi - alpha * (np.sign(c) + lam * phi)
            m = gamma * m + (1 - gamma) * g
        else:
            pytest.fail(f"no reference update for optimizer {name!r}: add it to this test")
        points.append(phi.copy())
    return np.array(points)


def schedule_factors(kind, params, steps, steps_per_epoch):
    """The spec's schedule formulas, t = 0-based step."""
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
    if kind == "cosine":
        (final,) = params
        return final + (1 - final) * 0.5 * (1 + np.cos(np.pi * t / steps))
    raise AssertionError(kind)


def make_schedule(kind, params):
    if kind is None:
        return None
    if kind == "cosine":
        return schedules.cosine(final_fraction=params[0])
    return getattr(schedules, kind)(*params)


def assert_close(actual, expect, rel=1e-12, err_msg=""):
    """Equal to `rel` relative to the scale of the expected array."""
    expect = np.asarray(expect, dtype=float)
    assert np.shape(actual) == expect.shape, err_msg
    scale = max(1.0, float(np.abs(expect).max()))
    np.testing.assert_allclose(actual, expect, rtol=rel, atol=rel * scale, err_msg=err_msg)


def widths(ls):
    return np.array([hi - lo for lo, hi in ls.bounds], dtype=float)


def inside(ls, point):
    (x_lo, x_hi), (y_lo, y_hi) = ls.bounds
    return x_lo <= point[0] <= x_hi and y_lo <= point[1] <= y_hi


def safe_gradient_lr(ls, batch_size):
    """0.1 / (largest curvature seen in the bounds, scaled like a minibatch gradient)."""
    rng = np.random.default_rng(0)
    (x_lo, x_hi), (y_lo, y_hi) = ls.bounds
    points = np.column_stack([rng.uniform(x_lo, x_hi, 200), rng.uniform(y_lo, y_hi, 200)])
    points = np.vstack([points, np.asarray(ls.default_start, dtype=float)])
    curvature = np.abs(np.linalg.eigvalsh(ls.hessian(points))).max()
    n = ls.n_examples
    scale = 1.0 if batch_size is None else n / batch_size
    return 0.1 / (curvature * scale)


# --------------------------------------------------------------------------- cases


@dataclass
class Case:
    id: str
    landscape: str
    params: dict
    start: object  # (x, y) or "offset" (ill-conditioned start) or None (default_start)
    lr_gradient: float | None  # None: safe_gradient_lr
    lr_normalizing: float
    batch_size: int | None
    schedule: tuple | None  # (kind, params)


CASES = [
    # gradient coordinates differ 100x: axis-aligned quadratic of condition 100
    Case(
        "quadratic-k100",
        "quadratic",
        dict(condition=100.0, angle=0.0, noise=0.0),
        "offset",
        None,
        0.05,
        None,
        None,
    ),
    # at (0, 1) rosenbrock's gradient is (-2, 200)
    Case("rosenbrock-0-1", "rosenbrock", {}, (0.0, 1.0), 1e-3, 0.02, None, ("cosine", (0.1,))),
    Case(
        "himmelblau-noisy-batch5",
        "himmelblau",
        dict(noise=2.0, n_examples=12),
        (-1.0, 1.0),
        2e-3,
        0.05,
        5,
        ("step_decay", (0.5, 2)),
    ),
    # A fixed start: RMSprop's first steps from the default start (-3.3, 9.2) jump across
    # the surface, where round-off grows past 1e-12 within 30 steps.
    Case("gabor-batch4", "gabor", {}, (-6.0, 6.0), None, 0.2, 4, ("exponential", (0.9,))),
    Case("linreg-batch1", "linreg", {}, None, None, 0.05, 1, None),
    Case(
        "saddle-noisy-batch3",
        "saddle",
        dict(noise=1.0, n_examples=9),
        (0.7, 0.05),
        0.05,
        0.02,
        3,
        ("exponential", (0.8,)),
    ),
]
HYPERPARAMETERS = [
    pytest.param(0.9, 0.999, 1e-8, id="b.9-g.999-e1e-8"),
    pytest.param(0.5, 0.9, 1e-2, id="b.5-g.9-e1e-2"),
    pytest.param(0.0, 0.0, 0.0, id="b0-g0-e0"),
    pytest.param(0.99, 0.5, 1e-6, id="b.99-g.5-e1e-6"),
]


def case_setup(case, name):
    ls = get_landscape(case.landscape, **case.params)
    if case.start is None:
        start = np.asarray(ls.default_start, dtype=float)
    elif isinstance(case.start, str):
        minimum = np.asarray(ls.minima[0].point, dtype=float)
        offset = 0.2 * widths(ls).min()
        start = minimum + offset
        if not inside(ls, start):
            start = minimum - offset
        g = np.abs(ls.grad(start))
        assert max(g) / min(g) > 50, "the ill-conditioned start is not ill-conditioned"
    else:
        start = np.asarray(case.start, dtype=float)
    assert inside(ls, start)
    if name in GRADIENT_SCALED:
        lr = case.lr_gradient or safe_gradient_lr(ls, case.batch_size)
    else:
        lr = case.lr_normalizing
    return ls, start, lr


@pytest.mark.parametrize(("beta", "gamma", "eps"), HYPERPARAMETERS)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
@pytest.mark.parametrize("name", NAMES)
def test_matches_reference_loop(name, case, beta, gamma, eps):
    ls, start, lr = case_setup(case, name)
    steps = 25
    batch_size = None if name == "gd" else case.batch_size
    traj = run(
        ls,
        name,
        start=start,
        steps=steps,
        lr=lr,
        beta=beta,
        gamma=gamma,
        eps=eps,
        batch_size=batch_size,
        seed=11,
        schedule=make_schedule(*(case.schedule or (None, None))),
    )
    n = ls.n_examples
    steps_per_epoch = 1 if batch_size is None else math.ceil(n / batch_size)
    assert traj.steps_per_epoch == steps_per_epoch
    kind, params = case.schedule or ("constant", ())
    lrs = lr * schedule_factors(kind, params, steps, steps_per_epoch)
    assert_close(traj.lrs, lrs, err_msg="lrs")
    assert traj.diverged == -1
    batches = None if batch_size is None else traj.batches
    stepwise = reference_trajectory(
        ls, name, start, lrs, beta, gamma, eps, batches=batches, follow=traj.points
    )
    assert_close(traj.points, stepwise, err_msg="points, step by step")
    expect = reference_trajectory(ls, name, start, lrs, beta, gamma, eps, batches=batches)
    assert_close(traj.points, expect, err_msg="points")
    assert_close(traj.losses, ls.loss(expect), err_msg="losses")
    assert np.abs(traj.points[-1] - start).max() > 1e-3 * lr, "the run did not move"


@pytest.mark.parametrize("landscape_name", LANDSCAPE_NAMES)
@pytest.mark.parametrize("name", NAMES)
def test_matches_reference_on_every_landscape(name, landscape_name):
    ls = get_landscape(landscape_name)
    n = ls.n_examples
    batch_size = None if name == "gd" else max(1, n // 3)
    start = np.asarray(ls.default_start, dtype=float)
    lr = safe_gradient_lr(ls, batch_size) if name in GRADIENT_SCALED else 0.01 * widths(ls).min()
    steps = 15
    traj = run(
        ls,
        name,
        start=start,
        steps=steps,
        lr=lr,
        batch_size=batch_size,
        seed=5,
        schedule=schedules.exponential(0.95),
    )
    steps_per_epoch = 1 if batch_size is None else math.ceil(n / batch_size)
    lrs = lr * schedule_factors("exponential", (0.95,), steps, steps_per_epoch)
    assert_close(traj.lrs, lrs, err_msg="lrs")
    assert traj.diverged == -1
    # step by step: some of these runs are chaotic (rastrigin with noise and a large step),
    # so a free-running loop drifts from round-off alone; each single step must agree to 1e-12
    expect = reference_trajectory(
        ls,
        name,
        start,
        lrs,
        follow=traj.points,
        batches=None if batch_size is None else traj.batches,
    )
    assert_close(traj.points, expect, err_msg="points, step by step")
    assert_close(traj.losses, ls.loss(traj.points), err_msg="losses")


# --------------------------------------------------------------------------- hand computed

SADDLE_START = (1.0, 2.0)  # saddle gradient (x, y^3 - y) = (1, 6) there


@pytest.mark.parametrize(
    ("name", "kwargs", "expect"),
    [
        # phi1 = (1, 2) - 0.1 (1, 6); phi2 = phi1 - 0.1 (0.9, 1.344)
        ("gd", dict(lr=0.1), [[1.0, 2.0], [0.9, 1.4], [0.81, 1.2656]]),
        ("sgd", dict(lr=0.1), [[1.0, 2.0], [0.9, 1.4], [0.81, 1.2656]]),
        # m1 = 0.5 (1, 6); m2 = 0.5 m1 + 0.5 (0.95, 3.213)
        ("momentum", dict(lr=0.1, beta=0.5), [[1.0, 2.0], [0.95, 1.7], [0.8775, 1.38935]]),
        # look-ahead (0.95, 1.7) - 0.1 (0.5, 3) = (0.9, 1.4), gradient (0.9, 1.344)
        ("nesterov", dict(lr=0.1, beta=0.5), [[1.0, 2.0], [0.95, 1.7], [0.88, 1.4828]]),
        # each coordinate moves exactly alpha against the gradient sign
        ("normalized", dict(lr=0.1, eps=0.0), [[1.0, 2.0], [0.9, 1.9], [0.8, 1.8]]),
        (
            "adagrad",
            dict(lr=0.1, eps=0.0),
            [
                [1.0, 2.0],
                [0.9, 1.9],
                [0.9 - 0.1 * 0.9 / math.sqrt(1.81), 1.9 - 0.1 * 4.959 / math.sqrt(36 + 4.959**2)],
            ],
        ),
        # v1 = 0.25 g^2: the first step is alpha / sqrt(1 - gamma) = 0.2 per coordinate
        (
            "rmsprop",
            dict(lr=0.1, gamma=0.75, eps=0.0),
            [
                [1.0, 2.0],
                [0.8, 1.8],
                [
                    0.8 - 0.1 * 0.8 / math.sqrt(0.75 * 0.25 + 0.25 * 0.64),
                    1.8 - 0.1 * 4.032 / math.sqrt(0.75 * 9 + 0.25 * 4.032**2),
                ],
            ],
        ),
        # m~2 = (0.7, 3.9795) / 0.75, v~2 = (0.39, 12.8979...) / 0.4375
        (
            "adam",
            dict(lr=0.1, beta=0.5, gamma=0.75, eps=0.0),
            [[1.0, 2.0], [0.9, 1.9], [0.80114617, 1.80227708]],
        ),
    ],
)
def test_steps_computed_by_hand(name, kwargs, expect):
    ls = get_landscape("saddle")
    traj = run(ls, name, start=SADDLE_START, steps=2, **kwargs)
    tol = 5e-9 if name == "adam" else 1e-12
    np.testing.assert_allclose(traj.points, expect, rtol=0, atol=tol)


def test_rosenbrock_gd_step_by_hand():
    traj = run(get_landscape("rosenbrock"), "gd", start=(0.0, 1.0), steps=1, lr=1e-3)
    np.testing.assert_allclose(traj.points, [[0.0, 1.0], [0.002, 0.8]], rtol=0, atol=1e-15)
    np.testing.assert_allclose(
        traj.losses, [101.0, 1 - 2 * 0.002 + 0.002**2 + 100 * (0.8 - 0.002**2) ** 2], rtol=1e-13
    )


# --------------------------------------------------------------------------- invariants


def invariant_landscapes():
    """Every landscape; analytic ones with gradient noise so minibatches differ."""
    out = []
    for name in LANDSCAPE_NAMES:
        ls = get_landscape(name)
        if not ls.is_data:
            ls = get_landscape(name, noise=1.5, n_examples=12)
        out.append(pytest.param(ls, id=name))
    return out


@pytest.mark.parametrize("ls", invariant_landscapes())
def test_sgd_with_full_batches_equals_gd(ls):
    start = np.asarray(ls.default_start, dtype=float)
    lr = safe_gradient_lr(ls, None)
    gd = run(ls, "gd", start=start, steps=30, lr=lr)
    sgd = run(ls, "sgd", start=start, steps=30, lr=lr, batch_size=ls.n_examples, seed=4)
    assert sgd.steps_per_epoch == 1
    assert_close(sgd.points, gd.points)
    assert_close(sgd.losses, gd.losses)


@pytest.mark.parametrize("batch_size", [None, 3])
@pytest.mark.parametrize("ls", invariant_landscapes())
def test_momentum_with_beta_0_equals_gd(ls, batch_size):
    start = np.asarray(ls.default_start, dtype=float)
    lr = safe_gradient_lr(ls, batch_size)
    plain = run(
        ls,
        "gd" if batch_size is None else "sgd",
        start=start,
        steps=30,
        lr=lr,
        batch_size=batch_size,
        seed=2,
    )
    momentum = run(
        ls, "momentum", start=start, steps=30, lr=lr, beta=0.0, batch_size=batch_size, seed=2
    )
    assert_close(momentum.points, plain.points)


@pytest.mark.parametrize("eps", [0.0, 1e-8, 0.3])
@pytest.mark.parametrize("ls", invariant_landscapes())
def test_adam_and_rmsprop_without_averaging_equal_normalized(ls, eps):
    start = np.asarray(ls.default_start, dtype=float)
    lr = 0.01 * widths(ls).min()
    normalized = run(ls, "normalized", start=start, steps=20, lr=lr, eps=eps, batch_size=5)
    adam = run(ls, "adam", start=start, steps=20, lr=lr, beta=0.0, gamma=0.0, eps=eps, batch_size=5)
    rmsprop = run(ls, "rmsprop", start=start, steps=20, lr=lr, gamma=0.0, eps=eps, batch_size=5)
    assert_close(adam.points, normalized.points)
    assert_close(rmsprop.points, normalized.points)


def well_conditioned_points(ls, count, seed, min_grad=1e-2):
    """Points in the bounds where both gradient coordinates are at least `min_grad`."""
    rng = np.random.default_rng(seed)
    (x_lo, x_hi), (y_lo, y_hi) = ls.bounds
    points = np.column_stack([rng.uniform(x_lo, x_hi, 500), rng.uniform(y_lo, y_hi, 500)])
    good = points[np.all(np.abs(ls.grad(points)) >= min_grad, axis=1)][:count]
    assert len(good) == count
    return good


@pytest.mark.parametrize("ls", invariant_landscapes())
def test_adam_first_step_moves_alpha_per_coordinate(ls):
    lr = 1e-3
    for start in well_conditioned_points(ls, 3, seed=1):
        traj = run(ls, "adam", start=start, steps=1, lr=lr)
        delta = traj.points[1] - traj.points[0]
        np.testing.assert_allclose(np.abs(delta), lr, rtol=1e-6)
        assert np.all(np.sign(delta) == -np.sign(ls.grad(start)))


@pytest.mark.parametrize("ls", invariant_landscapes())
def test_normalized_moves_alpha_per_coordinate_every_step(ls):
    lr = 1e-3 * widths(ls).min()
    for start in well_conditioned_points(ls, 3, seed=2):
        traj = run(ls, "normalized", start=start, steps=10, lr=lr, eps=1e-8)
        deltas = np.diff(traj.points, axis=0)
        grads = ls.grad(traj.points[:-1])
        # exactly alpha |g| / (|g| + eps) against the gradient
        assert_close(deltas, -lr * grads / (np.abs(grads) + 1e-8))
        big = np.abs(grads) > 1e-2
        assert big.sum() >= 2
        np.testing.assert_allclose(np.abs(deltas[big]), lr, rtol=1e-6)


@pytest.mark.parametrize("name", NAMES)
def test_losses_are_full_loss_of_points(name):
    ls = get_landscape("himmelblau", noise=1.0, n_examples=10)
    lr = 2e-3 if name in GRADIENT_SCALED else 0.05
    traj = run(ls, name, start=(-1.0, 1.0), steps=12, lr=lr, batch_size=3, seed=1)
    assert_close(traj.losses, ls.loss(traj.points))


@pytest.mark.parametrize("name", NAMES)
def test_shapes_of_single_run(name):
    ls = get_landscape("quadratic")
    traj = run(ls, name, start=ls.default_start, steps=7, lr=0.01)
    assert traj.points.shape == (8, 2)
    assert traj.losses.shape == (8,)
    assert traj.lrs.shape == (7,)
    assert isinstance(traj.diverged, int | np.integer) and traj.diverged == -1
    assert len(traj.batches) == 7
    assert traj.steps_per_epoch == 1
    np.testing.assert_array_equal(traj.points[0], ls.default_start)
    for batch in traj.batches:
        assert np.issubdtype(np.asarray(batch).dtype, np.integer)
        np.testing.assert_array_equal(np.sort(batch), np.arange(ls.n_examples))


def test_default_hyperparameters():
    ls = get_landscape("himmelblau")
    start = (-1.0, 1.0)
    implicit = run(ls, "adam", start=start, steps=10, lr=0.01)
    explicit = run(
        ls,
        "adam",
        start=start,
        steps=10,
        lr=0.01,
        beta=0.9,
        gamma=0.999,
        eps=1e-8,
        batch_size=None,
        seed=0,
        schedule=None,
    )
    np.testing.assert_array_equal(implicit.points, explicit.points)
    np.testing.assert_array_equal(implicit.lrs, np.full(10, 0.01))


@pytest.mark.parametrize("name", NAMES)
def test_deterministic(name):
    ls = get_landscape("gabor")
    lr = safe_gradient_lr(ls, 4) if name in GRADIENT_SCALED else 0.1
    first = run(ls, name, start=ls.default_start, steps=15, lr=lr, batch_size=4, seed=9)
    second = run(ls, name, start=ls.default_start, steps=15, lr=lr, batch_size=4, seed=9)
    np.testing.assert_array_equal(first.points, second.points)
    for a, b in zip(first.batches, second.batches, strict=True):
        np.testing.assert_array_equal(a, b)


# --------------------------------------------------------------------------- many runs


RUN_STARTS = np.array([[-1.0, 1.0], [2.0, -1.5], [0.5, 3.0]])


@pytest.mark.parametrize("batch_size", [None, 3])
@pytest.mark.parametrize("name", NAMES)
def test_runs_in_one_call_equal_separate_calls(name, batch_size):
    ls = get_landscape("himmelblau", noise=1.0, n_examples=10)
    lr = np.array([1e-3, 3e-3, 2e-3]) if name in GRADIENT_SCALED else np.array([0.02, 0.05, 0.1])
    beta = np.array([0.9, 0.5, 0.0])
    gamma = np.array([0.999, 0.9, 0.5])
    eps = np.array([1e-8, 1e-3, 1e-6])
    steps = 20
    together = run(
        ls,
        name,
        start=RUN_STARTS,
        steps=steps,
        lr=lr,
        beta=beta,
        gamma=gamma,
        eps=eps,
        batch_size=batch_size,
        seed=3,
        schedule=schedules.cosine(final_fraction=0.2),
    )
    assert together.points.shape == (steps + 1, 3, 2)
    assert together.losses.shape == (steps + 1, 3)
    assert together.lrs.shape == (steps, 3)
    assert np.shape(together.diverged) == (3,)
    assert np.issubdtype(np.asarray(together.diverged).dtype, np.integer)
    assert len(together.batches) == steps
    for r in range(3):
        alone = run(
            ls,
            name,
            start=RUN_STARTS[r],
            steps=steps,
            lr=lr[r],
            beta=beta[r],
            gamma=gamma[r],
            eps=eps[r],
            batch_size=batch_size,
            seed=3,
            schedule=schedules.cosine(final_fraction=0.2),
        )
        assert_close(together.points[:, r], alone.points, err_msg=f"run {r}")
        assert_close(together.losses[:, r], alone.losses, err_msg=f"run {r}")
        assert_close(together.lrs[:, r], alone.lrs, err_msg=f"run {r}")
        assert together.diverged[r] == alone.diverged == -1
        for a, b in zip(together.batches, alone.batches, strict=True):
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", NAMES)
def test_scalar_hyperparameters_are_shared_by_runs(name):
    ls = get_landscape("himmelblau")
    lr = 2e-3 if name in GRADIENT_SCALED else 0.05
    together = run(ls, name, start=RUN_STARTS, steps=10, lr=lr, beta=0.8)
    for r in range(3):
        alone = run(ls, name, start=RUN_STARTS[r], steps=10, lr=lr, beta=0.8)
        assert_close(together.points[:, r], alone.points)
    np.testing.assert_array_equal(together.lrs, np.full((10, 3), lr))


# --------------------------------------------------------------------------- divergence


def check_frozen(traj, r, d):
    points = traj.points[:, r]
    losses = traj.losses[:, r]
    assert np.all(np.isfinite(points)) and np.all(np.isfinite(losses))
    np.testing.assert_array_equal(points[d:], np.broadcast_to(points[d - 1], points[d:].shape))
    np.testing.assert_array_equal(losses[d:], np.full(len(losses) - d, losses[d - 1]))


@pytest.mark.parametrize("batch_size", [None, 4])
@pytest.mark.parametrize("name", NAMES)
def test_huge_lr_diverges_at_first_step_others_unaffected(name, batch_size):
    """lr = 1e300 sends the point (or its loss) beyond float range at step 1, whatever the box."""
    ls = get_landscape("rosenbrock")
    starts = np.array([[-1.5, 2.0], [0.0, 1.0], [1.5, 1.5]])
    safe = 1e-4 if name in GRADIENT_SCALED else 0.01
    lr = np.array([safe, 1e300, safe])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        traj = run(ls, name, start=starts, steps=10, lr=lr, batch_size=batch_size, seed=1)
    np.testing.assert_array_equal(traj.diverged, [-1, 1, -1])
    check_frozen(traj, 1, 1)
    np.testing.assert_array_equal(traj.points[:, 1], np.broadcast_to(starts[1], (11, 2)))
    assert traj.losses[0, 1] == pytest.approx(101.0, rel=1e-12)
    for r in (0, 2):
        alone = run(ls, name, start=starts[r], steps=10, lr=safe, batch_size=batch_size, seed=1)
        assert_close(traj.points[:, r], alone.points)
        assert_close(traj.losses[:, r], alone.losses)
        assert alone.diverged == -1


@pytest.mark.parametrize("name", ["gd", "sgd", "momentum"])
def test_leaving_the_box_is_divergence(name):
    """On the saddle x^2/2 + ..., gd from (1e-200, 0) with lr 1e60 gives x_t ~ (-1e60)^t 1e-200:
    inside the bounds for t <= 3, 1e40 at t = 4 (finite, loss 5e79 finite). Any box of a
    sane multiple of the bounds flags step 4; only non-finiteness would flag step 6."""
    ls = get_landscape("saddle", noise=0.0)
    starts = np.array([[1e-200, 0.0], [0.5, 0.5], [-0.5, -1.5]])
    lr = np.array([1e60, 0.1, 0.2])
    kwargs = dict(beta=0.0) if name == "momentum" else {}
    with np.errstate(all="ignore"):
        expect = reference_trajectory(ls, "gd", starts[0], np.full(8, 1e60))
    assert all(inside(ls, p) for p in expect[:4])
    assert abs(expect[4, 0]) > 1e39 and np.isfinite(ls.loss(expect[4]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        traj = run(ls, name, start=starts, steps=8, lr=lr, **kwargs)
    np.testing.assert_array_equal(traj.diverged, [4, -1, -1])
    check_frozen(traj, 0, 4)
    assert_close(traj.points[:4, 0], expect[:4])
    for r in (1, 2):
        alone = run(ls, name, start=starts[r], steps=8, lr=lr[r], **kwargs)
        assert_close(traj.points[:, r], alone.points)


# RAdam's step is gradient-scaled only until rho_t > 5; afterwards it is bounded by alpha.
@pytest.mark.parametrize("name", sorted(GRADIENT_SCALED - {"radam"}))
def test_gradual_divergence_is_flagged_between_box_and_overflow(name):
    """rosenbrock from (-1.5, 2) with lr 0.03 blows up over several steps. The box is only
    known to be at least 5x the bounds: the flag must come no earlier than the first point
    outside that, and no later than the first non-finite point or loss."""
    ls = get_landscape("rosenbrock")
    start = np.array([-1.5, 2.0])
    steps = 40
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        traj = run(ls, name, start=start, steps=steps, lr=0.03)
    with np.errstate(all="ignore"):
        expect = reference_trajectory(ls, name, start, np.full(steps, 0.03))
        expect_losses = ls.loss(expect)
    (x_lo, x_hi), (y_lo, y_hi) = ls.bounds
    w = widths(ls)
    in_box = (
        (expect[:, 0] >= x_lo - 5 * w[0])
        & (expect[:, 0] <= x_hi + 5 * w[0])
        & (expect[:, 1] >= y_lo - 5 * w[1])
        & (expect[:, 1] <= y_hi + 5 * w[1])
    )
    finite = np.all(np.isfinite(expect), axis=1) & np.isfinite(expect_losses)
    assert not np.all(finite), "test setup: the reference run must blow up"
    first_out = int(np.argmin(in_box & finite))
    first_bad = int(np.argmin(finite))
    assert 0 < first_out <= first_bad
    d = int(traj.diverged)
    assert first_out <= d <= first_bad, (first_out, d, first_bad)
    assert_close(traj.points[:d], expect[:d])
    check_frozen(traj_as_runs(traj), 0, d)


def traj_as_runs(traj):
    """View a single-run trajectory with a run axis of length 1."""

    @dataclass
    class View:
        points: np.ndarray
        losses: np.ndarray

    return View(traj.points[:, None, :], traj.losses[:, None])


# --------------------------------------------------------------------------- bad arguments


BAD_HYPERPARAMETERS = [
    pytest.param(dict(lr=0.0), id="lr=0"),
    pytest.param(dict(lr=-0.1), id="lr<0"),
    pytest.param(dict(lr=np.array([0.1, 0.0])), id="lr-array-with-0"),
    pytest.param(dict(beta=1.0), id="beta=1"),
    pytest.param(dict(beta=-0.1), id="beta<0"),
    pytest.param(dict(beta=np.array([0.5, 1.2])), id="beta-array-with-1.2"),
    pytest.param(dict(gamma=1.0), id="gamma=1"),
    pytest.param(dict(gamma=-0.01), id="gamma<0"),
    pytest.param(dict(eps=-1e-9), id="eps<0"),
]


@pytest.mark.parametrize("bad", BAD_HYPERPARAMETERS)
@pytest.mark.parametrize("name", NAMES)
def test_bad_hyperparameters_raise(name, bad):
    ls = get_landscape("quadratic")
    starts = np.array([[0.5, 0.5], [1.0, -1.0]])
    kwargs = dict(lr=0.01) | bad
    with pytest.raises(ValueError):
        run(ls, name, start=starts, steps=3, **kwargs)


@pytest.mark.parametrize("batch_size", [0, -1, "n+1"])
@pytest.mark.parametrize("name", sorted(set(NAMES) - {"gd"}))
def test_bad_batch_size_raises(name, batch_size):
    ls = get_landscape("quadratic", n_examples=10)
    if batch_size == "n+1":
        batch_size = ls.n_examples + 1
    with pytest.raises(ValueError):
        run(ls, name, start=(0.5, 0.5), steps=3, lr=0.01, batch_size=batch_size)


def test_unknown_optimizer_raises():
    with pytest.raises(ValueError):
        run(get_landscape("quadratic"), "no-such-optimizer", start=(0.5, 0.5), steps=3, lr=0.01)


@pytest.mark.parametrize("name", NAMES)
def test_zero_hyperparameters_at_the_edge_are_valid(name):
    ls = get_landscape("quadratic")
    traj = run(
        ls,
        name,
        start=ls.default_start,
        steps=3,
        lr=1e-3,
        beta=0.0,
        gamma=0.0,
        eps=0.0,
        batch_size=1,
    )
    assert traj.points.shape == (4, 2)


# --------------------------------------------------------------------------- the registry


@pytest.mark.parametrize("name", NAMES)
def test_every_spec_states_its_update(name):
    spec = SPECS[name]
    assert spec.name == name and spec.label and spec.title
    assert len(spec.equations) >= 2 and all(eq.count("{") == eq.count("}") for eq in spec.equations)
    assert spec.conventions.endswith(".")
    assert spec.step in ("gradient-scaled", "fixed-size")
    for h in spec.accepted().values():
        h.check(h.default, 1)  # every default is valid
        lo, hi = h.widget or h.valid
        assert lo <= h.default <= hi, (name, h.name)


@pytest.mark.parametrize(
    ("name", "bad", "takes"),
    [
        ("adam", "weight_decay", "beta, gamma, eps"),
        ("gd", "psi", "beta, gamma, eps"),
        ("lion", "psi", "beta, gamma, eps, weight_decay"),
        ("nadam", "momentum", "beta, gamma, eps, psi"),
    ],
)
def test_a_hyperparameter_the_optimizer_does_not_take_is_refused(name, bad, takes):
    ls = get_landscape("quadratic")
    with pytest.raises(
        ValueError, match=f"{name} takes no hyperparameter '{bad}'; it takes {takes}$"
    ):
        run(ls, name, start=(0.5, 0.5), steps=3, lr=0.01, **{bad: 0.1})


@pytest.mark.parametrize(
    ("name", "bad"),
    [
        ("adamw", dict(weight_decay=-0.1)),
        ("lion", dict(weight_decay=np.nan)),
        ("nadam", dict(psi=-1.0)),
    ],
)
def test_bad_new_hyperparameters_raise(name, bad):
    with pytest.raises(ValueError, match=next(iter(bad))):
        run(get_landscape("quadratic"), name, start=(0.5, 0.5), steps=3, lr=0.01, **bad)


@pytest.mark.parametrize(
    ("name", "extra"),
    [
        ("adamw", dict(weight_decay=0.3)),
        ("adamw", dict(weight_decay=0.0)),
        ("lion", dict(weight_decay=0.5)),
        ("nadam", dict(psi=0.5)),
        ("nadam", dict(psi=0.0)),
    ],
)
@pytest.mark.parametrize("case", CASES[:3], ids=lambda c: c.id)
def test_new_hyperparameters_match_reference_loop(name, extra, case):
    ls, start, lr = case_setup(case, name)
    traj = run(ls, name, start, 25, lr, batch_size=case.batch_size, seed=3, beta=0.8, **extra)
    expect = reference_trajectory(
        ls,
        name,
        start,
        traj.lrs,
        beta=0.8,
        batches=traj.batches if case.batch_size else None,
        **extra,
    )
    assert_close(traj.points, expect)


def test_new_hyperparameters_per_run():
    ls = get_landscape("himmelblau", noise=1.0, n_examples=10)
    wd = np.array([0.0, 0.5, 2.0])
    psi = np.array([0.004, 0.1, 1.0])
    for name, kw in (
        ("adamw", dict(weight_decay=wd)),
        ("lion", dict(weight_decay=wd)),
        ("nadam", dict(psi=psi)),
    ):
        together = run(ls, name, RUN_STARTS, 15, 0.05, batch_size=3, seed=2, **kw)
        for r in range(3):
            key = next(iter(kw))
            alone = run(
                ls, name, RUN_STARTS[r], 15, 0.05, batch_size=3, seed=2, **{key: kw[key][r]}
            )
            assert_close(together.points[:, r], alone.points, err_msg=f"{name} run {r}")


@pytest.mark.parametrize("beta", [0.5, 0.9, 0.99])
@pytest.mark.parametrize("batch_size", [None, 3])
def test_heavy_ball_is_averaged_momentum_at_alpha_over_one_minus_beta(beta, batch_size):
    """m_sum = m_avg / (1 - beta) by linearity, so phi - alpha m_sum is phi - alpha/(1 - beta)
    m_avg: the notes' momentum path at alpha / (1 - beta)."""
    ls = get_landscape("himmelblau", noise=1.0, n_examples=12)
    lr = 2e-3 * (1 - beta)
    heavy = run(ls, "heavy_ball", (-1.0, 1.0), 40, lr, batch_size=batch_size, seed=4, beta=beta)
    notes = run(
        ls, "momentum", (-1.0, 1.0), 40, lr / (1 - beta), batch_size=batch_size, seed=4, beta=beta
    )
    assert np.abs(heavy.points[-1] - heavy.points[0]).max() > 0.1
    assert_close(heavy.points, notes.points)


def test_heavy_ball_default_alpha_gives_the_momentum_path():
    from optimizers import default_lg_lr

    assert default_lg_lr("quadratic", "heavy_ball") == default_lg_lr("quadratic", "momentum") - 1


def test_nesterov_corrected_step_by_hand():
    # saddle from (1, 2), alpha 0.1, beta 0.5: step 1 as momentum, m1 = (0.5, 3), phi1 =
    # (0.95, 1.7). Look-ahead phi1 - 0.1 * 0.5 * m1 = (0.925, 1.55): gradient (0.925, 2.173875).
    traj = run(get_landscape("saddle"), "nesterov_corrected", SADDLE_START, 2, 0.1, beta=0.5)
    m2 = 0.5 * np.array([0.5, 3.0]) + 0.5 * np.array([0.925, 1.55**3 - 1.55])
    np.testing.assert_allclose(
        traj.points, [[1.0, 2.0], [0.95, 1.7], [0.95, 1.7] - 0.1 * m2], atol=1e-12
    )


def test_lion_moves_alpha_per_coordinate_and_radam_warms_up_with_momentum():
    ls = get_landscape("saddle")
    lion = run(ls, "lion", SADDLE_START, 5, 0.01)
    np.testing.assert_allclose(np.abs(np.diff(lion.points, axis=0)), 0.01, rtol=1e-12)
    # RAdam at gamma 0.999: rho = 1.0, 2.0, 3.0, 4.0, 4.996, 5.994 at steps 1..6, so its
    # first step is alpha times the gradient: (1, 2) - 0.1 (1, 6).
    radam = run(ls, "radam", SADDLE_START, 1, 0.1)
    np.testing.assert_allclose(radam.points[1], [0.9, 1.4], atol=1e-12)
