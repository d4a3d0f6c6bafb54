"""Numbers behind the Convexity and Theory pages: the chord test, the curvature maps and
their verdicts, momentum's weights, Adam's bias correction, and single steps by hand.
"""

import math

import numpy as np
import pytest

from landscapes import LANDSCAPE_NAMES, get_landscape
from landscapes.convexity import (
    chord_check,
    critical_counts,
    curvature_map,
    default_segment,
    segment_verdict,
    surface_verdict,
    symlog,
    symlog_width,
)
from optimizers import run
from optimizers.theory import (
    BALANCE_START,
    BALANCE_SURFACE,
    bias_correction_curves,
    effective_memory,
    gd_step,
    lookahead_geometry,
    momentum_weights,
    normalized_step,
    uncorrected_first_step,
)

# Read from the surfaces; the curvature maps below check each claim both ways.
CONVEX = tuple(n for n in LANDSCAPE_NAMES if get_landscape(n).convex)
NOT_CONVEX = tuple(n for n in LANDSCAPE_NAMES if n not in CONVEX)
_MAPS = {}


def cmap(name):
    if name not in _MAPS:
        _MAPS[name] = curvature_map(get_landscape(name))
    return _MAPS[name]


def random_pairs(ls, n, seed):
    rng = np.random.default_rng(seed)
    (x0, x1), (y0, y1) = ls.bounds
    lo, hi = np.array([x0, y0]), np.array([x1, y1])
    return rng.uniform(lo, hi, (n, 2, 2))


# ----- the chord test -----------------------------------------------------------------------


@pytest.mark.parametrize("name", CONVEX)
def test_no_chord_crosses_a_convex_surface(name):
    ls = get_landscape(name)
    for a, b in random_pairs(ls, 40, seed=1):
        check = chord_check(ls, a, b)
        assert check.convex_on_segment
        assert check.max_gap <= 1e-9 * np.max(np.abs(check.losses))
        assert "chord stays above" in segment_verdict(check)


def test_chord_ends_are_the_losses_at_a_and_b():
    ls = get_landscape("himmelblau")
    check = chord_check(ls, (-2.0, 1.0), (3.0, -4.0), n=101)
    assert check.t[0] == 0.0 and check.t[-1] == 1.0 and check.t[50] == 0.5
    np.testing.assert_allclose(check.points[50], (0.5, -1.5))
    assert check.chord[0] == ls.loss(np.array([-2.0, 1.0]))
    np.testing.assert_allclose(check.chord[-1], ls.loss(np.array([3.0, -4.0])), rtol=1e-15)
    np.testing.assert_allclose(check.chord[50], 0.5 * (check.losses[0] + check.losses[-1]))


def test_interval_where_the_saddle_rises_above_its_chord():
    # Along phi0 = 0, L = (phi1^2 - 1)^2 / 4. From phi1 = -1.2 to 1.2 the chord is the
    # constant 0.44^2 / 4, and the loss lies above it exactly where |phi1| < sqrt(0.56).
    ls = get_landscape("saddle")
    check = chord_check(ls, (0.0, -1.2), (0.0, 1.2))
    edge = math.sqrt(0.56)
    expected = ((1.2 - edge) / 2.4, (1.2 + edge) / 2.4)
    assert len(check.intervals) == 1
    np.testing.assert_allclose(check.intervals[0], expected, atol=1e-4)
    assert check.t_max_gap == 0.5
    np.testing.assert_allclose(check.max_gap, 0.25 - 0.44**2 / 4, rtol=1e-12)
    verdict = segment_verdict(check)
    assert f"[{expected[0]:.2f}, {expected[1]:.2f}]" in verdict and "not convex" in verdict


def test_a_passing_segment_proves_nothing():
    # The saddle is not convex, yet this segment stays under its chord.
    check = chord_check(get_landscape("saddle"), (0.0, -1.5), (0.0, 1.5))
    assert check.convex_on_segment
    assert not curvature_map(get_landscape("saddle")).convex


def test_two_intervals_are_both_reported():
    # Rastrigin along phi1 = 0 from -1 to 1 passes two bumps, at phi0 = -0.5 and 0.5.
    check = chord_check(get_landscape("rastrigin"), (-1.0, 0.0), (1.0, 0.0))
    assert len(check.intervals) == 2
    (lo1, hi1), (lo2, hi2) = check.intervals
    assert lo1 < 0.25 < hi1 < 0.5 < lo2 < 0.75 < hi2
    assert " and " in segment_verdict(check)


def test_degenerate_segment():
    check = chord_check(get_landscape("quadratic"), (1.0, 1.0), (1.0, 1.0))
    assert check.degenerate and "same point" in segment_verdict(check)


@pytest.mark.parametrize("name", LANDSCAPE_NAMES)
def test_default_segment_is_instructive(name):
    ls = get_landscape(name)
    a, b = default_segment(ls)
    assert ls.segment is not None and (a, b) == ls.segment
    assert ls.in_bounds(np.array([a, b])).all()
    check = chord_check(ls, a, b)
    assert check.convex_on_segment == (name in CONVEX)


# ----- curvature maps -----------------------------------------------------------------------


@pytest.mark.parametrize("name", CONVEX)
def test_convex_surfaces_have_no_negative_curvature(name):
    m = cmap(name)
    assert m.convex and m.negative_share == 0.0
    assert m.lam_min.min() >= -1e-8
    assert "is convex" in surface_verdict(get_landscape(name), m)


@pytest.mark.parametrize("name", NOT_CONVEX)
def test_non_convex_surfaces_curve_downward_somewhere(name):
    m = cmap(name)
    assert m.lam_min.min() < 0 and not m.convex
    assert 0 < m.negative_share < 1
    assert "is not convex" in surface_verdict(get_landscape(name), m)


def test_linreg_curvature_is_its_constant_hessian():
    ls = get_landscape("linreg")
    x = ls.data_x
    exact = 2 * np.array([[len(x), x.sum()], [x.sum(), (x * x).sum()]])
    lam = np.linalg.eigvalsh(exact)
    m = cmap("linreg")
    np.testing.assert_allclose(m.lam_min, lam[0], rtol=1e-6)
    np.testing.assert_allclose(m.lam_max, lam[1], rtol=1e-6)


def test_rosenbrock_curves_downward_above_the_parabola():
    m = cmap("rosenbrock")
    x, y = np.meshgrid(m.xs, m.ys)
    above = y > x * x + 1 / 200
    # Away from the boundary curve itself (where the eigenvalue is ~0) the sign is exact.
    clear = np.abs(y - x * x - 1 / 200) > 1e-3
    assert np.array_equal(m.negative[clear], above[clear])
    # The share of the box [-2, 2] x [-1, 3] above y = x^2: 4 sqrt(3) / 16.
    assert abs(m.negative_share - 4 * math.sqrt(3) / 16) < 0.01
    text = surface_verdict(get_landscape("rosenbrock"), m)
    assert f"{100 * m.negative_share:.0f}%" in text and "1/200" in text


def test_saddle_curves_downward_in_the_band():
    m = cmap("saddle")
    _, y = np.meshgrid(m.xs, m.ys)
    clear = np.abs(np.abs(y) - 1 / math.sqrt(3)) > 1e-3
    assert np.array_equal(m.negative[clear], (np.abs(y) < 1 / math.sqrt(3))[clear])
    np.testing.assert_allclose(m.lam_min.min(), -1.0, atol=1e-6)


def test_rastrigin_curves_downward_where_a_cosine_does():
    m = cmap("rastrigin")
    x, y = np.meshgrid(m.xs, m.ys)
    hxx = 2 + 40 * np.pi**2 * np.cos(2 * np.pi * x)
    hyy = 2 + 40 * np.pi**2 * np.cos(2 * np.pi * y)
    np.testing.assert_allclose(m.lam_min, np.minimum(hxx, hyy), rtol=1e-5, atol=1e-4)


def test_himmelblau_critical_points():
    assert critical_counts(get_landscape("himmelblau")) == {
        "minimum": 4,
        "saddle": 4,
        "maximum": 1,
    }
    text = surface_verdict(get_landscape("himmelblau"), cmap("himmelblau"))
    assert "4 minima, 4 saddle points and 1 maximum" in text


def test_symlog_keeps_sign_and_order():
    w = symlog_width(5327.0)
    assert w == 1.0
    values = np.array([-1000.0, -1.0, 0.0, 1.0, 1000.0])
    out = symlog(values, w)
    np.testing.assert_allclose(out, [-math.log10(1001), -math.log10(2), 0, math.log10(2), 3.0004],
                               atol=1e-4)  # fmt: skip
    assert np.all(np.diff(symlog(np.linspace(-50, 50, 101), 0.1)) > 0)


# ----- momentum ------------------------------------------------------------------------------


def momentum_by_recursion(grads, beta: float) -> np.ndarray:
    """m_T from m_{t+1} = beta m_t + (1 - beta) g_t, m_0 = 0, for grads g_0 .. g_{T-1}."""
    m = np.zeros(np.shape(grads)[1:])
    for g in np.asarray(grads, dtype=float):
        m = beta * m + (1.0 - beta) * g
    return m


def momentum_by_weights(grads, beta: float) -> np.ndarray:
    """m_T as the weighted sum: the newest gradient weighted (1 - beta), the oldest the least."""
    grads = np.asarray(grads, dtype=float)
    return np.tensordot(momentum_weights(beta, len(grads)), grads[::-1], axes=1)


def coordinate_steps(points) -> np.ndarray:
    """|phi_{t+1} - phi_t| per coordinate: (T, 2) from points (T + 1, 2)."""
    return np.abs(np.diff(np.asarray(points, dtype=float), axis=0))


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9, 0.99, 0.999])
@pytest.mark.parametrize("steps", [1, 7, 100, 1000])
def test_momentum_weights_sum_to_one_minus_beta_to_the_t(beta, steps):
    w = momentum_weights(beta, steps)
    assert w.shape == (steps,)
    np.testing.assert_allclose(w.sum(), 1 - beta**steps, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(w[:3], [(1 - beta) * beta**k for k in range(min(3, steps))])


def test_unrolled_momentum_equals_the_recursion():
    grads = np.random.default_rng(3).standard_normal((50, 2))
    for beta in (0.0, 0.3, 0.9, 0.99):
        np.testing.assert_allclose(
            momentum_by_weights(grads, beta), momentum_by_recursion(grads, beta), rtol=1e-12
        )


def test_momentum_weights_match_the_optimizer():
    # On L = 0.5 phi0^2 + ... the optimizer's m is the weighted sum of the gradients it saw.
    ls = get_landscape("quadratic", noise=0.0)
    traj = run(ls, "momentum", (2.0, -1.0), 12, 0.1, beta=0.8)
    grads = ls.grad(traj.points[:-1])
    m_12 = (traj.points[-2] - traj.points[-1]) / 0.1
    np.testing.assert_allclose(momentum_by_weights(grads, 0.8), m_12, rtol=1e-12)


def test_effective_memory_and_bad_beta():
    assert effective_memory(0.9) == pytest.approx(10.0)
    assert effective_memory(0.0) == 1.0
    with pytest.raises(ValueError, match="beta"):
        momentum_weights(1.0, 10)
    with pytest.raises(ValueError, match="steps"):
        momentum_weights(0.5, 0)


# ----- Adam's bias correction ---------------------------------------------------------------


def test_corrected_moments_equal_g_from_the_first_step():
    curves = bias_correction_curves(0.9, 0.999, 2.0, 500)
    assert curves.t[0] == 1 and curves.t[-1] == 500
    assert curves.m_tilde[0] == 2.0  # exactly
    assert curves.v_tilde[0] == 4.0
    np.testing.assert_allclose(curves.m_tilde, 2.0, rtol=1e-13)
    np.testing.assert_allclose(curves.v_tilde, 4.0, rtol=1e-11)
    # The raw moments start biased towards 0.
    assert curves.m[0] == pytest.approx(0.2) and curves.v[0] == pytest.approx(0.004)
    np.testing.assert_allclose(curves.m, 2.0 * (1 - 0.9**curves.t), rtol=1e-12)
    np.testing.assert_allclose(curves.v, 4.0 * (1 - 0.999**curves.t), rtol=1e-10)


@pytest.mark.parametrize("g", [-3.7, 1e-3, 0.1, 12.5])
@pytest.mark.parametrize("beta,gamma", [(0.5, 0.9), (0.9, 0.999), (0.99, 0.9999)])
def test_corrected_first_moment_is_g_to_the_last_bit(g, beta, gamma):
    curves = bias_correction_curves(beta, gamma, g, 3)
    assert abs(curves.m_tilde[0] - g) <= np.spacing(abs(g))
    assert abs(curves.v_tilde[0] - g * g) <= np.spacing(g * g)


def test_uncorrected_first_step():
    assert uncorrected_first_step(0.9, 0.999) == pytest.approx(0.1 / math.sqrt(0.001))


# ----- single steps -------------------------------------------------------------------------


def test_gd_step_by_hand_on_rosenbrock():
    # dL/dphi0 = -2 (1 - x) - 400 x (y - x^2) = -5 + 150 = 145; dL/dphi1 = 200 (y - x^2) = 50.
    step = gd_step(get_landscape("rosenbrock"), (-1.5, 2.5), 1e-3)
    np.testing.assert_allclose(step.grad, (145.0, 50.0), rtol=1e-14)
    np.testing.assert_allclose(step.new, (-1.645, 2.45), rtol=1e-14)
    np.testing.assert_allclose(step.delta, (-0.145, -0.05), rtol=1e-12)
    assert step.loss == 12.5
    np.testing.assert_allclose(step.new_loss, 2.645**2 + 100 * (2.45 - 1.645**2) ** 2)


def test_normalized_step_moves_alpha_along_each_coordinate():
    ls = get_landscape("quadratic", **BALANCE_SURFACE)
    alpha, eps = 0.3, 1e-8
    gd = gd_step(ls, BALANCE_START, alpha)
    norm = normalized_step(ls, BALANCE_START, alpha, eps)
    np.testing.assert_allclose(gd.grad, (-2.5, 0.025), rtol=1e-12)
    # GD's step is 100 times longer along phi0; the normalized one is alpha along both.
    np.testing.assert_allclose(abs(gd.delta[0]) / abs(gd.delta[1]), 100.0, rtol=1e-12)
    np.testing.assert_array_less(alpha - np.abs(norm.delta), alpha * eps / np.abs(norm.grad))
    assert np.all(alpha - np.abs(norm.delta) >= 0)
    np.testing.assert_array_equal(np.sign(norm.delta), -np.sign(norm.grad))


def test_adam_balances_the_coordinates():
    ls = get_landscape("quadratic", **BALANCE_SURFACE)
    gd = run(ls, "gd", BALANCE_START, 30, 0.3)
    adam = run(ls, "adam", BALANCE_START, 30, 0.05)
    gd_steps, adam_steps = coordinate_steps(gd.points), coordinate_steps(adam.points)
    assert gd_steps.shape == (30, 2)
    np.testing.assert_allclose(gd_steps[0, 0] / gd_steps[0, 1], 100.0, rtol=1e-12)
    # Step one is alpha along each coordinate up to epsilon: alpha eps / |g| at most.
    g = np.abs(ls.grad(np.array(BALANCE_START)))
    np.testing.assert_array_less(0.05 - adam_steps[0], 0.05 * 1e-8 / g + 1e-15)
    # For the first ten steps Adam's two coordinates move within 10% of each other.
    ratio = adam_steps[:10, 0] / adam_steps[:10, 1]
    assert np.all(np.abs(ratio - 1) < 0.1)


def test_lookahead_geometry_by_hand():
    ls = get_landscape("rosenbrock")
    alpha, beta, start = 1e-3, 0.9, (-1.5, 2.5)
    la = lookahead_geometry(ls, start, alpha, beta, warmup=5)
    traj = run(ls, "momentum", start, 6, alpha, beta=beta)
    np.testing.assert_allclose(la.history, traj.points[:6], rtol=1e-13)
    np.testing.assert_allclose(la.momentum_next, traj.points[6], rtol=1e-13)
    m = (traj.points[4] - traj.points[5]) / alpha
    np.testing.assert_allclose(la.m, m, rtol=1e-9)
    np.testing.assert_allclose(la.ahead, la.phi - alpha * la.m, rtol=1e-14)
    np.testing.assert_allclose(la.coast, la.phi - alpha * beta * la.m, rtol=1e-14)
    g_ahead = ls.grad(la.ahead)
    np.testing.assert_allclose(la.grad_ahead, g_ahead)
    by_hand = la.phi - alpha * (beta * la.m + (1 - beta) * g_ahead)
    np.testing.assert_allclose(la.nesterov_next, by_hand, rtol=1e-14)
    # The corrected form takes its gradient at the point momentum alone would reach.
    np.testing.assert_allclose(la.grad_coast, ls.grad(la.phi - alpha * beta * la.m))
    by_hand = la.phi - alpha * (beta * la.m + (1 - beta) * la.grad_coast)
    np.testing.assert_allclose(la.corrected_next, by_hand, rtol=1e-14)
    # Across the valley the gradient ahead is steeper: Nesterov brakes harder.
    assert np.linalg.norm(la.nesterov_next - la.phi) < np.linalg.norm(la.momentum_next - la.phi)


def test_lookahead_flags_divergence():
    ls = get_landscape("rosenbrock")
    assert not lookahead_geometry(ls, (-1.5, 2.5), 1e-3, 0.9).diverged
    assert lookahead_geometry(ls, (-1.5, 2.5), 10.0, 0.9).diverged
