"""The equations of fitting-models.md as small computations the Theory page plots.

Momentum's weights on past gradients, Adam's bias correction under a constant gradient, one
gradient-descent step, one normalized step, and Nesterov's look-ahead geometry. Steps are
taken with the update functions of `optimizers.updates`, so the page shows the same arithmetic
the optimizers run. Pure NumPy.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from optimizers.updates import (
    Hyper,
    MomentumState,
    gd_update,
    momentum_update,
    nesterov_corrected_lookahead,
    nesterov_lookahead,
    normalized_update,
)

# The ill-conditioned, axis-aligned bowl of the "scale" examples: L = 0.5 (phi0^2 + phi1^2/100).
BALANCE_SURFACE = dict(condition=100.0, angle=0.0)
BALANCE_START = (-2.5, 2.5)


def _check_beta(name: str, value: float) -> float:
    value = float(value)
    if not 0.0 <= value < 1.0:
        raise ValueError(f"{name} must lie in [0, 1), got {value!r}")
    return value


def _hyper(beta=0.9, gamma=0.999, eps=1e-8) -> Hyper:
    return Hyper(beta=float(beta), gamma=float(gamma), eps=float(eps))


# ----- momentum as a weighted sum -----------------------------------------------------------


def momentum_weights(beta: float, steps: int) -> np.ndarray:
    """(1 - beta) beta^k for k = 0 .. steps - 1: the weight of the gradient k steps back.

    Unrolling m_{t+1} = beta m_t + (1 - beta) g_t from m_0 = 0 gives
    m_T = sum_k (1 - beta) beta^k g_{T-1-k}; the weights sum to 1 - beta^T.
    """
    beta = _check_beta("beta", beta)
    if int(steps) != steps or steps < 1:
        raise ValueError(f"steps must be a whole number >= 1, got {steps!r}")
    return (1.0 - beta) * beta ** np.arange(int(steps), dtype=float)


def effective_memory(beta: float) -> float:
    """1 / (1 - beta): how many recent gradients momentum mostly averages."""
    return 1.0 / (1.0 - _check_beta("beta", beta))


# ----- Adam's bias correction ---------------------------------------------------------------


class BiasCurves(NamedTuple):
    """Adam's moments after t = 1 .. T updates with the same gradient g every step."""

    t: np.ndarray  # (T,) 1 .. T
    m: np.ndarray  # raw first moment m_t
    m_tilde: np.ndarray  # m_t / (1 - beta^t)
    v: np.ndarray  # raw second moment v_t
    v_tilde: np.ndarray  # v_t / (1 - gamma^t)


def bias_correction_curves(beta: float, gamma: float, g: float, steps: int) -> BiasCurves:
    """Run Adam's moment recursions from m_0 = v_0 = 0 with a constant gradient ``g``."""
    beta = _check_beta("beta", beta)
    gamma = _check_beta("gamma", gamma)
    if int(steps) != steps or steps < 1:
        raise ValueError(f"steps must be a whole number >= 1, got {steps!r}")
    steps = int(steps)
    m = np.empty(steps)
    v = np.empty(steps)
    m_t = v_t = 0.0
    for k in range(steps):
        m_t = beta * m_t + (1.0 - beta) * g
        v_t = gamma * v_t + (1.0 - gamma) * g * g
        m[k], v[k] = m_t, v_t
    t = np.arange(1, steps + 1)
    return BiasCurves(t, m, m / (1.0 - beta**t), v, v / (1.0 - gamma**t))


def uncorrected_first_step(beta: float, gamma: float) -> float:
    """|m_1| / sqrt(v_1) without correction: the first step would be this many alphas long."""
    return (1.0 - _check_beta("beta", beta)) / np.sqrt(1.0 - _check_beta("gamma", gamma))


# ----- single steps -------------------------------------------------------------------------


class Step(NamedTuple):
    """One update from ``phi``: the numbers a hand computation needs."""

    phi: np.ndarray  # (2,) phi_t
    grad: np.ndarray  # (2,) dL/dphi at phi_t
    alpha: float
    delta: np.ndarray  # (2,) phi_{t+1} - phi_t
    new: np.ndarray  # (2,) phi_{t+1}
    loss: float  # L(phi_t)
    new_loss: float  # L(phi_{t+1})


def _step(landscape, phi, alpha: float, update, hp: Hyper) -> Step:
    phi = np.asarray(phi, dtype=float).reshape(2)
    grad = np.asarray(landscape.grad(phi), dtype=float)
    with np.errstate(all="ignore"):
        new, _ = update(grad, phi, None, float(alpha), hp, 0)
        new_loss = float(landscape.loss(new))
    return Step(phi, grad, float(alpha), new - phi, new, float(landscape.loss(phi)), new_loss)


def gd_step(landscape, phi, alpha: float) -> Step:
    """phi <- phi - alpha dL/dphi."""
    return _step(landscape, phi, alpha, gd_update, _hyper())


def normalized_step(landscape, phi, alpha: float, eps: float = 1e-8) -> Step:
    """phi <- phi - alpha g / (sqrt(g^2) + eps): alpha along every coordinate, up to eps."""
    return _step(landscape, phi, alpha, normalized_update, _hyper(eps=eps))


# ----- Nesterov's look-ahead ----------------------------------------------------------------


class Lookahead(NamedTuple):
    """One momentum step and one step of each Nesterov form from the same state (phi_t, m_t):
    the notes' look-ahead phi_t - alpha m_t and the corrected phi_t - alpha beta m_t."""

    history: np.ndarray  # (warmup + 1, 2): the momentum steps that built the state
    phi: np.ndarray  # phi_t
    m: np.ndarray  # m_t
    alpha: float
    beta: float
    ahead: np.ndarray  # the look-ahead point phi_t - alpha m_t
    coast: (
        np.ndarray
    )  # phi_t - alpha beta m_t: where momentum alone goes (the corrected look-ahead)
    grad_here: np.ndarray  # dL/dphi at phi_t (momentum)
    grad_ahead: np.ndarray  # dL/dphi at the look-ahead point (Nesterov)
    momentum_next: np.ndarray  # phi_t - alpha (beta m_t + (1 - beta) grad_here)
    nesterov_next: np.ndarray  # phi_t - alpha (beta m_t + (1 - beta) grad_ahead)
    grad_coast: np.ndarray  # dL/dphi at the corrected look-ahead point ``coast``
    corrected_next: np.ndarray  # phi_t - alpha (beta m_t + (1 - beta) grad_coast)

    diverged: bool  # a point left the landscape's divergence box or is not finite


def lookahead_geometry(landscape, start, alpha: float, beta: float, warmup: int = 5) -> Lookahead:
    """Take ``warmup`` momentum steps from ``start``, then one step of each method."""
    beta = _check_beta("beta", beta)
    if int(warmup) != warmup or warmup < 1:
        raise ValueError(f"warmup must be a whole number >= 1, got {warmup!r}")
    hp = _hyper(beta=beta)
    phi = np.asarray(start, dtype=float).reshape(2)
    m = np.zeros(2)
    history = [phi]
    with np.errstate(all="ignore"):
        for t in range(int(warmup)):
            phi, state = momentum_update(landscape.grad(phi), phi, MomentumState(m), alpha, hp, t)
            m = state.m
            history.append(phi)
        state = MomentumState(m)
        ahead = nesterov_lookahead(phi, state, alpha, hp)
        coast = nesterov_corrected_lookahead(phi, state, alpha, hp)
        grad_here = landscape.grad(phi)
        grad_ahead = landscape.grad(ahead)
        grad_coast = landscape.grad(coast)
        momentum_next, _ = momentum_update(grad_here, phi, state, alpha, hp, warmup)
        nesterov_next, _ = momentum_update(grad_ahead, phi, state, alpha, hp, warmup)
        corrected_next, _ = momentum_update(grad_coast, phi, state, alpha, hp, warmup)
    points = np.array(history + [ahead, coast, momentum_next, nesterov_next, corrected_next])
    (x0, x1), (y0, y1) = landscape.divergence_box()
    with np.errstate(invalid="ignore"):
        inside = (points[:, 0] >= x0) & (points[:, 0] <= x1)
        inside &= (points[:, 1] >= y0) & (points[:, 1] <= y1)
    return Lookahead(
        np.array(history),
        phi,
        m,
        float(alpha),
        beta,
        ahead,
        coast,
        grad_here,
        grad_ahead,
        momentum_next,
        nesterov_next,
        grad_coast,
        corrected_next,
        not bool(np.all(inside)),
    )
