"""Tests of the `landscapes` package against its spec: exact gradients, per-example sums,
unbiased minibatch gradients, broadcasting, and the known critical points of each landscape.

Every test that can is parametrized over `LANDSCAPE_NAMES`, so a new landscape is covered.
"""

import math

import numpy as np
import pytest

from landscapes import LANDSCAPE_NAMES, PRESETS, get_landscape, landscape_params
from optimizers import run

EPS = np.finfo(float).eps
NAMES = tuple(LANDSCAPE_NAMES)
_CACHE = {}


def landscape(name, **params):
    """One shared instance per (name, params): landscapes are pure, building them may not be."""
    key = (name, tuple(sorted(params.items())))
    if key not in _CACHE:
        _CACHE[key] = get_landscape(name, **params)
    return _CACHE[key]


DATA_NAMES = tuple(n for n in NAMES if landscape(n).is_data)
ANALYTIC_NAMES = tuple(n for n in NAMES if n not in DATA_NAMES)


def widths(ls):
    return np.array([hi - lo for lo, hi in ls.bounds], dtype=float)


def random_points(ls, n, seed):
    rng = np.random.default_rng(seed)
    (x_lo, x_hi), (y_lo, y_hi) = ls.bounds
    return np.column_stack([rng.uniform(x_lo, x_hi, n), rng.uniform(y_lo, y_hi, n)])


def inside(ls, point, margin=0.0):
    (x_lo, x_hi), (y_lo, y_hi) = ls.bounds
    x, y = point
    return x_lo - margin <= x <= x_hi + margin and y_lo - margin <= y <= y_hi + margin


def newton_step(ls, point):
    """Distance (per coordinate) from `point` to the critical point Newton's method points at."""
    return np.linalg.solve(ls.hessian(point), ls.grad(point))


def newton_steps(ls, points):
    """Newton steps for many points; no exception on a singular or non-finite Hessian."""
    (a, b), (c, d) = np.moveaxis(ls.hessian(points), (-2, -1), (0, 1))
    g0, g1 = np.moveaxis(ls.grad(points), -1, 0)
    det = a * d - b * c
    return np.stack([(d * g0 - b * g1) / det, (a * g1 - c * g0) / det], axis=-1)


def critical_params():
    params = []
    for name in NAMES:
        ls = landscape(name)
        for i, cp in enumerate(ls.all_critical_points):
            params.append(pytest.param(name, i, id=f"{name}-{cp.kind}{i}"))
    return params


def minima_params():
    params = []
    for name in NAMES:
        for i in range(len(landscape(name).minima)):
            params.append(pytest.param(name, i, id=f"{name}-min{i}"))
    return params


# --------------------------------------------------------------------------- metadata


@pytest.mark.parametrize("name", NAMES)
def test_metadata(name):
    ls = landscape(name)
    assert ls.name == name
    for text in (ls.title, ls.description, ls.formula):
        assert isinstance(text, str) and text.strip()
    assert "\n" not in ls.description.strip()
    (x_lo, x_hi), (y_lo, y_hi) = ls.bounds
    assert x_lo < x_hi and y_lo < y_hi
    assert len(ls.default_start) == 2
    assert inside(ls, ls.default_start)
    assert isinstance(ls.n_examples, int | np.integer) and ls.n_examples >= 1
    assert isinstance(ls.log_contour, bool | np.bool_)


def test_registry():
    assert len(NAMES) == len(set(NAMES))
    for name in (
        "linreg",
        "gabor",
        "quadratic",
        "rosenbrock",
        "himmelblau",
        "wells",
        "saddle",
        "beale",
        "rastrigin",
    ):
        assert name in NAMES
    assert {"linreg", "gabor"} <= set(DATA_NAMES)


def test_unknown_landscape_raises():
    with pytest.raises((ValueError, KeyError)):
        get_landscape("no-such-landscape")


@pytest.mark.parametrize("name", ["rosenbrock", "beale"])
def test_log_contour_for_landscapes_spanning_decades(name):
    assert landscape(name).log_contour


# --------------------------------------------------------------------------- derivatives


@pytest.mark.parametrize("name", NAMES)
def test_grad_matches_central_differences(name):
    ls = landscape(name)
    points = random_points(ls, 20, seed=1)
    grad = ls.grad(points)
    assert grad.shape == (20, 2)
    h = 1e-6 * widths(ls)
    fd = np.empty_like(grad)
    for j in range(2):
        e = np.zeros(2)
        e[j] = h[j]
        fd[:, j] = (ls.loss(points + e) - ls.loss(points - e)) / (2 * h[j])
    # 1e-6 relative to the gradient, plus the cancellation error of the difference quotient
    magnitude = np.abs(ls.example_losses(points)).sum(-1) + np.abs(ls.loss(points))
    tol = 1e-6 * (1.0 + np.linalg.norm(grad, axis=1))[:, None] + 100 * EPS * magnitude[:, None] / h
    err = np.abs(fd - grad)
    assert np.all(err <= tol), f"worst |fd - grad| / tol = {np.max(err / tol):.3g}"


@pytest.mark.parametrize("name", NAMES)
def test_hessian_matches_differences_of_grad(name):
    ls = landscape(name)
    points = random_points(ls, 20, seed=2)
    hess = ls.hessian(points)
    assert hess.shape == (20, 2, 2)
    np.testing.assert_allclose(hess, np.swapaxes(hess, -1, -2), rtol=1e-12, atol=1e-12)
    h = 1e-5 * widths(ls)
    fd = np.empty_like(hess)
    for j in range(2):
        e = np.zeros(2)
        e[j] = h[j]
        fd[:, :, j] = (ls.grad(points + e) - ls.grad(points - e)) / (2 * h[j])
    scale = np.linalg.norm(ls.example_grads(points), axis=-1).sum(-1)
    tol = 1e-5 * (1.0 + np.linalg.norm(hess, axis=(1, 2)))[:, None, None]
    tol = tol + 100 * EPS * scale[:, None, None] / h
    err = np.abs(fd - hess)
    assert np.all(err <= tol), f"worst |fd - hessian| / tol = {np.max(err / tol):.3g}"


# --------------------------------------------------------------------------- finite sums


def sum_tol(terms, axis):
    """Round-off allowance for a sum of terms: 1e-12 of the sum of their magnitudes."""
    return 1e-12 * (1.0 + np.abs(terms).sum(axis))


def variants(name):
    """The default landscape, and for analytic ones a noisy one with a chosen N."""
    out = [landscape(name)]
    if name in ANALYTIC_NAMES:
        out.append(landscape(name, noise=1.5, n_examples=12))
    return out


@pytest.mark.parametrize("name", NAMES)
def test_example_losses_and_grads_sum_to_full(name):
    for ls in variants(name):
        points = random_points(ls, 15, seed=3)
        n = ls.n_examples
        losses = ls.example_losses(points)
        grads = ls.example_grads(points)
        assert losses.shape == (15, n)
        assert grads.shape == (15, n, 2)
        assert np.all(np.abs(losses.sum(-1) - ls.loss(points)) <= sum_tol(losses, -1))
        assert np.all(np.abs(grads.sum(-2) - ls.grad(points)) <= sum_tol(grads, -2))


@pytest.mark.parametrize("name", NAMES)
def test_minibatch_is_scaled_sum_of_examples(name):
    rng = np.random.default_rng(4)
    for ls in variants(name):
        n = ls.n_examples
        points = random_points(ls, 10, seed=5)
        losses = ls.example_losses(points)
        grads = ls.example_grads(points)
        for size in sorted({1, 2, max(1, n // 3), n}):
            idx = rng.choice(n, size=size, replace=False)
            expect_g = (n / size) * grads[:, idx].sum(-2)
            expect_l = (n / size) * losses[:, idx].sum(-1)
            got_g = ls.minibatch_grad(points, idx)
            got_l = ls.minibatch_loss(points, idx)
            assert got_g.shape == (10, 2) and got_l.shape == (10,)
            scale = n / size
            assert np.all(np.abs(got_g - expect_g) <= scale * sum_tol(grads[:, idx], -2))
            assert np.all(np.abs(got_l - expect_l) <= scale * sum_tol(losses[:, idx], -1))


@pytest.mark.parametrize("name", NAMES)
def test_minibatch_of_all_examples_is_full(name):
    for ls in variants(name):
        points = random_points(ls, 10, seed=6)
        everything = np.arange(ls.n_examples)
        grads = ls.example_grads(points)
        losses = ls.example_losses(points)
        got_g = ls.minibatch_grad(points, everything)
        got_l = ls.minibatch_loss(points, everything)
        assert np.all(np.abs(got_g - ls.grad(points)) <= sum_tol(grads, -2))
        assert np.all(np.abs(got_l - ls.loss(points)) <= sum_tol(losses, -1))


def equal_partition_size(n):
    """A batch size b with 1 < b < n dividing n, else 1."""
    divisors = [b for b in range(2, n) if n % b == 0]
    return divisors[len(divisors) // 2] if divisors else 1


@pytest.mark.parametrize("name", NAMES)
def test_minibatch_grad_is_unbiased_over_an_epoch(name):
    rng = np.random.default_rng(7)
    for ls in variants(name):
        n = ls.n_examples
        size = equal_partition_size(n)
        points = random_points(ls, 8, seed=8)
        batches = rng.permutation(n).reshape(n // size, size)
        mean = np.mean([ls.minibatch_grad(points, b) for b in batches], axis=0)
        grads = ls.example_grads(points)
        assert np.all(np.abs(mean - ls.grad(points)) <= 10 * sum_tol(grads, -2))
        mean_loss = np.mean([ls.minibatch_loss(points, b) for b in batches], axis=0)
        losses = ls.example_losses(points)
        assert np.all(np.abs(mean_loss - ls.loss(points)) <= 10 * sum_tol(losses, -1))


# --------------------------------------------------------------------------- broadcasting


@pytest.mark.parametrize("name", NAMES)
def test_vectorized_over_grid_equals_pointwise(name):
    ls = landscape(name)
    (x_lo, x_hi), (y_lo, y_hi) = ls.bounds
    xs, ys = np.linspace(x_lo, x_hi, 5), np.linspace(y_lo, y_hi, 4)
    grid = np.stack(np.meshgrid(xs, ys), axis=-1)
    assert grid.shape == (4, 5, 2)
    n = ls.n_examples
    idx = np.arange(0, n, 2)
    batched = {
        "loss": (ls.loss(grid), ()),
        "grad": (ls.grad(grid), (2,)),
        "hessian": (ls.hessian(grid), (2, 2)),
        "example_losses": (ls.example_losses(grid), (n,)),
        "example_grads": (ls.example_grads(grid), (n, 2)),
        "minibatch_grad": (ls.minibatch_grad(grid, idx), (2,)),
        "minibatch_loss": (ls.minibatch_loss(grid, idx), ()),
    }
    for what, (values, tail) in batched.items():
        assert np.shape(values) == (4, 5, *tail), what
    for i in range(4):
        for j in range(5):
            p = grid[i, j]
            single = {
                "loss": ls.loss(p),
                "grad": ls.grad(p),
                "hessian": ls.hessian(p),
                "example_losses": ls.example_losses(p),
                "example_grads": ls.example_grads(p),
                "minibatch_grad": ls.minibatch_grad(p, idx),
                "minibatch_loss": ls.minibatch_loss(p, idx),
            }
            for what, value in single.items():
                expect = batched[what][0][i, j]
                assert np.shape(value) == np.shape(expect), what
                np.testing.assert_allclose(value, expect, rtol=1e-12, atol=1e-12, err_msg=what)


# --------------------------------------------------------------------------- facts on the surface


@pytest.mark.parametrize("name", NAMES)
def test_a_surface_carries_its_first_view_and_segment(name):
    ls = landscape(name)
    assert PRESETS[name] is ls.preset and ls.preset.lesson
    assert 1 <= ls.preset.batch_size <= ls.n_examples and ls.preset.steps > 0
    assert ls.segment is not None and ls.in_bounds(np.array(ls.segment)).all()
    assert bool(ls.where_not_convex) <= (not ls.convex)  # said only of a non-convex surface


def test_data_surfaces_say_so_and_take_no_noise():
    assert DATA_NAMES == ("linreg", "gabor")
    assert get_landscape("data").is_data and not get_landscape("custom").is_data
    for name in DATA_NAMES + ("data",):
        assert "noise" not in landscape_params(name)
        with pytest.raises(ValueError, match="takes no parameter noise"):
            get_landscape(name, noise=1.0)
    for name in ANALYTIC_NAMES + ("custom",):
        assert {"noise", "n_examples"} <= set(landscape_params(name))


# --------------------------------------------------------------------------- analytic family


@pytest.mark.parametrize("name", ANALYTIC_NAMES)
def test_analytic_parameters(name):
    ls = landscape(name, noise=0.7, n_examples=17)
    assert ls.n_examples == 17
    assert ls.noise == pytest.approx(0.7)
    p = np.asarray(ls.default_start, dtype=float)
    assert ls.example_losses(p).shape == (17,)
    assert ls.example_grads(p).shape == (17, 2)


@pytest.mark.parametrize("name", ANALYTIC_NAMES)
def test_noise_does_not_change_the_full_loss(name):
    clean = landscape(name, noise=0.0, n_examples=12)
    noisy = landscape(name, noise=2.0, n_examples=12)
    points = random_points(clean, 10, seed=9)
    np.testing.assert_allclose(noisy.loss(points), clean.loss(points), rtol=1e-12, atol=1e-10)
    np.testing.assert_allclose(noisy.grad(points), clean.grad(points), rtol=1e-12, atol=1e-10)


@pytest.mark.parametrize("name", ANALYTIC_NAMES)
def test_noise_free_examples_share_the_gradient(name):
    ls = landscape(name, noise=0.0, n_examples=9)
    points = random_points(ls, 10, seed=10)
    expect = np.broadcast_to(ls.grad(points)[:, None, :] / 9, (10, 9, 2))
    np.testing.assert_allclose(ls.example_grads(points), expect, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", ANALYTIC_NAMES)
def test_noise_perturbations_are_zero_mean_and_linear(name):
    """Each example adds a linear term, so its gradient offset is the same at every point."""
    n = 10
    spreads = []
    for noise in (0.5, 2.0):
        ls = landscape(name, noise=noise, n_examples=n)
        points = random_points(ls, 6, seed=11)
        offsets = ls.example_grads(points) - ls.grad(points)[:, None, :] / n
        scale = 1e-12 * (1 + np.abs(ls.example_grads(points)).max())
        np.testing.assert_allclose(
            offsets, np.broadcast_to(offsets[0], offsets.shape), rtol=0, atol=1e3 * scale
        )
        np.testing.assert_allclose(offsets.sum(1), 0.0, atol=1e3 * scale)
        spreads.append(np.abs(offsets[0]).max())
    assert spreads[0] > 0
    assert spreads[1] > spreads[0]


def rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def himmelblau(x, y):
    return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2


def beale(x, y):
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2


def rastrigin(x, y):
    return 20 + x**2 - 10 * np.cos(2 * np.pi * x) + y**2 - 10 * np.cos(2 * np.pi * y)


def saddle(x, y):
    return x**2 / 2 + (y**2 - 1) ** 2 / 4


TEXTBOOK = {
    "rosenbrock": rosenbrock,
    "himmelblau": himmelblau,
    "beale": beale,
    "rastrigin": rastrigin,
    "saddle": saddle,
}


@pytest.mark.parametrize("name", sorted(TEXTBOOK))
@pytest.mark.parametrize("noise", [0.0, 1.0])
def test_textbook_values(name, noise):
    ls = landscape(name, noise=noise, n_examples=8)
    points = random_points(ls, 25, seed=12)
    expect = TEXTBOOK[name](points[:, 0], points[:, 1])
    np.testing.assert_allclose(ls.loss(points), expect, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ls.example_losses(points).sum(-1), expect, rtol=1e-10, atol=1e-10)


# --------------------------------------------------------------------------- critical points


@pytest.mark.parametrize("name", NAMES)
def test_critical_point_lists(name):
    ls = landscape(name)
    assert len(ls.minima) >= 1
    assert all(cp.kind == "minimum" for cp in ls.minima)
    assert all(cp.kind == "saddle" for cp in ls.saddles)
    losses = [cp.loss for cp in ls.minima]
    assert losses == sorted(losses), "minima must be sorted by loss, global first"
    kinds = [cp.kind for cp in ls.all_critical_points]
    assert set(kinds) <= {"minimum", "saddle", "maximum"}
    assert kinds.count("minimum") == len(ls.minima)
    assert kinds.count("saddle") == len(ls.saddles)
    listed = [tuple(cp.point) for cp in ls.all_critical_points]
    for cp in (*ls.minima, *ls.saddles):
        assert tuple(cp.point) in listed
    points = np.array([cp.point for cp in ls.all_critical_points], dtype=float)
    gaps = np.linalg.norm(points[:, None] - points[None], axis=-1) + np.eye(len(points))
    assert np.all(gaps > 1e-6 * widths(ls).max()), "a critical point is listed twice"


@pytest.mark.parametrize(("name", "i"), critical_params())
def test_critical_point_is_critical(name, i):
    ls = landscape(name)
    cp = ls.all_critical_points[i]
    assert np.shape(cp.point) == (2,)
    assert isinstance(cp.loss, float)
    assert inside(ls, cp.point)
    point = np.asarray(cp.point, dtype=float)
    step = newton_step(ls, point)
    assert np.all(np.abs(step) <= 1e-6 * widths(ls)), f"{cp.point} is {step} from the critical pt"
    assert abs(cp.loss - float(ls.loss(point))) <= 1e-9 * (1 + abs(cp.loss))
    eig = np.linalg.eigvalsh(ls.hessian(point))
    small = 1e-9 * np.abs(eig).max()
    if cp.kind == "minimum":
        assert np.all(eig > small), f"Hessian eigenvalues {eig} at a minimum"
    elif cp.kind == "saddle":
        assert eig.min() < -small and eig.max() > small, f"Hessian eigenvalues {eig} at a saddle"
    else:
        assert np.all(eig < -small), f"Hessian eigenvalues {eig} at a maximum"


@pytest.mark.parametrize(("name", "i"), minima_params())
def test_gd_converges_to_minimum_from_nearby(name, i):
    ls = landscape(name)
    minimum = np.asarray(ls.minima[i].point, dtype=float)
    eig = np.linalg.eigvalsh(ls.hessian(minimum))
    lr = 1.0 / eig.max()
    condition = eig.max() / eig.min()
    # the error shrinks at least by (1 - 1/condition) per step near the minimum
    steps = int(math.ceil(condition * math.log(1e3))) + 100
    traj = run(ls, "gd", start=minimum + 0.05, steps=steps, lr=lr)
    assert traj.diverged == -1
    distance = np.linalg.norm(traj.points[-1] - minimum)
    assert distance < 1e-3, f"{steps} steps of lr {lr:.4g} ended {distance:.3g} from {minimum}"


@pytest.mark.parametrize("name", NAMES)
def test_stored_minima_are_complete(name):
    """Plain gradient descent from a grid of starts finds no minimum that is not listed."""
    ls = landscape(name)
    w = widths(ls)
    (x_lo, x_hi), (y_lo, y_hi) = ls.bounds
    xs, ys = np.linspace(x_lo, x_hi, 9)[1:-1], np.linspace(y_lo, y_hi, 9)[1:-1]
    points = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    curvature = np.abs(np.linalg.eigvalsh(ls.hessian(random_points(ls, 400, seed=13)))).max()
    lr = 0.5 / curvature
    with np.errstate(all="ignore"):
        for _ in range(3000):
            points = points - lr * ls.grad(points)
        for _ in range(8):
            points = points - newton_steps(ls, points)
        step = newton_steps(ls, points)
        eig = np.linalg.eigvalsh(np.nan_to_num(ls.hessian(points)))
    converged = np.all(np.isfinite(points), axis=1) & np.all(np.abs(step) <= 1e-9 * w, axis=1)
    converged &= np.all(eig > 0, axis=1)
    converged &= np.array([inside(ls, p, margin=-1e-3 * w.min()) for p in points])
    assert converged.any(), "no start converged: the test would check nothing"
    stored = np.array([cp.point for cp in ls.minima], dtype=float)
    missing = [
        p for p in points[converged] if np.min(np.max(np.abs(stored - p) / w, axis=1)) > 1e-5
    ]
    assert not missing, f"minima not in ls.minima: {np.unique(np.round(missing, 4), axis=0)}"


# --------------------------------------------------------------------------- specific facts


def only_minimum(ls):
    assert len(ls.minima) == 1
    return np.asarray(ls.minima[0].point, dtype=float)


def test_rosenbrock_minimum():
    ls = landscape("rosenbrock")
    np.testing.assert_allclose(only_minimum(ls), [1.0, 1.0], atol=1e-12)
    assert ls.minima[0].loss == pytest.approx(0.0, abs=1e-14)
    assert float(ls.loss(np.array([1.0, 1.0]))) == pytest.approx(0.0, abs=1e-14)
    np.testing.assert_allclose(ls.grad(np.array([1.0, 1.0])), 0.0, atol=1e-12)
    # the spec asks for an analytic gradient only; the Hessian may be a difference quotient
    np.testing.assert_allclose(
        ls.hessian(np.array([1.0, 1.0])), [[802, -400], [-400, 200]], rtol=1e-8
    )
    assert float(ls.loss(np.array([-1.2, 1.0]))) == pytest.approx(24.2, rel=1e-12)


def test_himmelblau_four_global_minima():
    ls = landscape("himmelblau")
    expect = np.array(
        [[3.0, 2.0], [-2.805118, 3.131312], [-3.779310, -3.283186], [3.584428, -1.848126]]
    )
    assert len(ls.minima) == 4
    for cp in ls.minima:
        assert cp.loss == pytest.approx(0.0, abs=1e-10)
    found = np.array([cp.point for cp in ls.minima], dtype=float)
    for point in expect:
        assert np.min(np.linalg.norm(found - point, axis=1)) < 1e-5, point
    assert float(ls.loss(np.array([3.0, 2.0]))) == 0.0


def test_saddle_landscape():
    ls = landscape("saddle")
    assert len(ls.minima) == 2
    found = sorted(tuple(np.round(cp.point, 12)) for cp in ls.minima)
    assert found == [(0.0, -1.0), (0.0, 1.0)]
    for cp in ls.minima:
        assert cp.loss == pytest.approx(0.0, abs=1e-14)
    assert any(np.allclose(cp.point, [0.0, 0.0], atol=1e-12) for cp in ls.saddles)
    origin = next(cp for cp in ls.saddles if np.allclose(cp.point, 0.0, atol=1e-12))
    assert origin.loss == pytest.approx(0.25, rel=1e-12)
    np.testing.assert_allclose(ls.hessian(np.zeros(2)), [[1.0, 0.0], [0.0, -1.0]], atol=1e-8)
    np.testing.assert_allclose(ls.hessian(np.array([0.0, 1.0])), [[1, 0], [0, 2]], atol=1e-8)


def test_beale_minimum():
    ls = landscape("beale")
    np.testing.assert_allclose(ls.minima[0].point, [3.0, 0.5], atol=1e-12)
    assert ls.minima[0].loss == pytest.approx(0.0, abs=1e-14)
    assert float(ls.loss(np.array([3.0, 0.5]))) == pytest.approx(0.0, abs=1e-14)


def test_rastrigin_minima():
    ls = landscape("rastrigin")
    np.testing.assert_allclose(ls.minima[0].point, [0.0, 0.0], atol=1e-12)
    assert ls.minima[0].loss == pytest.approx(0.0, abs=1e-14)
    assert len(ls.minima) >= 2
    assert all(cp.loss > 0.5 for cp in ls.minima[1:])


def test_quadratic_default_is_rotated_and_condition_10():
    ls = landscape("quadratic")
    minimum = only_minimum(ls)
    points = random_points(ls, 10, seed=14)
    hess = ls.hessian(points)
    # constant, up to the accuracy of a (possibly numerical) Hessian
    np.testing.assert_allclose(hess, np.broadcast_to(hess[0], hess.shape), rtol=1e-8)
    eig = np.linalg.eigvalsh(hess[0])
    assert eig.min() > 0
    assert eig.max() / eig.min() == pytest.approx(10.0, rel=1e-8)
    assert abs(hess[0, 0, 1]) > 1e-3 * eig.max(), "default quadratic is not rotated"
    # exactly quadratic around its minimum
    d = points - minimum
    expect = ls.minima[0].loss + 0.5 * np.einsum("ni,ij,nj->n", d, hess[0], d)
    np.testing.assert_allclose(ls.loss(points), expect, rtol=1e-8, atol=1e-8)


@pytest.mark.parametrize("condition", [1.0, 25.0, 100.0])
def test_quadratic_condition_and_angle(condition):
    flat = landscape("quadratic", condition=condition, angle=0.0)
    h0 = flat.hessian(np.asarray(flat.default_start, dtype=float))
    eig = np.linalg.eigvalsh(h0)
    assert eig.max() / eig.min() == pytest.approx(condition, rel=1e-8)
    assert abs(h0[0, 1]) <= 1e-8 * eig.max(), "angle=0 must give an axis-aligned quadratic"
    a = math.radians(30.0)
    turned = landscape("quadratic", condition=condition, angle=30.0)
    h30 = turned.hessian(np.asarray(turned.default_start, dtype=float))
    # the spec does not fix the sense of rotation: accept either
    rotations = [
        np.array([[math.cos(s), -math.sin(s)], [math.sin(s), math.cos(s)]]) for s in (a, -a)
    ]
    assert any(
        np.allclose(h30, r @ h0 @ r.T, rtol=1e-8, atol=1e-8 * eig.max()) for r in rotations
    ), f"{h30} is not {h0} rotated by 30 degrees"


def test_linreg_is_least_squares():
    ls = landscape("linreg")
    n = ls.n_examples
    assert 12 <= n <= 30
    x, y = np.asarray(ls.data_x, dtype=float), np.asarray(ls.data_y, dtype=float)
    assert x.shape == (n,) and y.shape == (n,)
    design = np.column_stack([np.ones(n), x])
    solution, *_ = np.linalg.lstsq(design, y, rcond=None)
    minimum = only_minimum(ls)
    np.testing.assert_allclose(minimum, solution, rtol=1e-8, atol=1e-10)
    residual = float(np.sum((design @ solution - y) ** 2))
    assert ls.minima[0].loss == pytest.approx(residual, rel=1e-9, abs=1e-12)
    points = random_points(ls, 10, seed=15)
    predictions = points[:, 0:1] + points[:, 1:2] * x
    np.testing.assert_allclose(ls.loss(points), ((predictions - y) ** 2).sum(-1), rtol=1e-12)
    np.testing.assert_allclose(
        ls.example_losses(points), (predictions - y) ** 2, rtol=1e-12, atol=1e-12
    )
    np.testing.assert_allclose(ls.model(x, points[0]), predictions[0], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(
        ls.hessian(points), np.broadcast_to(2 * design.T @ design, (10, 2, 2)), rtol=1e-8
    )


def gabor_model(x, phi0, phi1):
    z = phi0 + 0.06 * phi1 * x
    return np.sin(z) * np.exp(-(z**2) / 32)


def test_gabor_model_and_minima():
    ls = landscape("gabor")
    n = ls.n_examples
    assert 20 <= n <= 40
    assert tuple(map(tuple, ls.bounds)) == ((-10.0, 10.0), (2.5, 22.5))
    x, y = np.asarray(ls.data_x, dtype=float), np.asarray(ls.data_y, dtype=float)
    assert x.shape == (n,) and y.shape == (n,)
    points = random_points(ls, 10, seed=16)
    predictions = gabor_model(x, points[:, 0:1], points[:, 1:2])
    np.testing.assert_allclose(ls.model(x, points[3]), predictions[3], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ls.loss(points), ((predictions - y) ** 2).sum(-1), rtol=1e-12)
    np.testing.assert_allclose(
        ls.example_losses(points), (predictions - y) ** 2, rtol=1e-12, atol=1e-12
    )
    losses = np.array([cp.loss for cp in ls.minima])
    assert len(losses) >= 2
    assert losses.max() - losses.min() > 1e-6 * (1 + abs(losses).max())


def test_wells_has_worse_local_minima():
    ls = landscape("wells")
    best = ls.minima[0].loss
    worse = [cp for cp in ls.minima[1:] if cp.loss > best + 1e-6 * (1 + abs(best))]
    assert len(worse) >= 2


@pytest.mark.parametrize("name", ANALYTIC_NAMES)
def test_minibatch_offsets_equal_minibatch_minus_full_gradient(name):
    ls = get_landscape(name, noise=3.0)
    rng = np.random.default_rng(5)
    batches = [rng.choice(ls.n_examples, size, replace=False) for size in (1, 5, 7, 5, 32)]
    offsets = ls.minibatch_offsets(batches)
    point = np.array(ls.default_start)
    for batch, offset in zip(batches, offsets, strict=True):
        expected = ls.minibatch_grad(point, batch) - ls.grad(point)
        np.testing.assert_allclose(offset, expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(offsets[-1], 0.0, atol=1e-12)  # all N examples: no noise
