"""Update rules, each a pair of pure functions in the notation of fitting-models.md.

``init(phi) -> state`` and ``update(g, phi, state, alpha, hp, t) -> (phi, state)``, where g is
the (minibatch) gradient dL/dphi at step t (0-based; PyTorch's ``step`` is t + 1), alpha the
learning rate of step t, and hp a `Hyper` holding the optimizer's hyperparameters by name. All
arrays carry a leading run axis: phi (R, 2), alpha and every hyperparameter (R, 1) or a float
shared by all runs, so one call advances R runs in lockstep. Nothing changes in place.

The registry that names these, with their hyperparameters and equations, is
`optimizers.rules.SPECS`.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import NamedTuple

import numpy as np


class Hyper(SimpleNamespace):
    """The hyperparameters of one call, by name: hp.beta, hp.gamma, hp.eps, hp.weight_decay..."""


class NoState(NamedTuple):
    pass


class MomentumState(NamedTuple):
    m: np.ndarray  # averaged (or, for heavy_ball and lion, summed/interpolated) gradient


class SquareState(NamedTuple):
    v: np.ndarray  # running (average or sum of) squared gradients


class AdamState(NamedTuple):
    m: np.ndarray
    v: np.ndarray


class AmsgradState(NamedTuple):
    m: np.ndarray
    v: np.ndarray
    v_max: np.ndarray  # the largest v so far, per coordinate


class NadamState(NamedTuple):
    m: np.ndarray
    v: np.ndarray
    mu_product: np.ndarray  # prod_{k <= t} mu_k, (R, 1)


def no_state(phi):
    return NoState()


def zero_m(phi):
    return MomentumState(np.zeros_like(phi))


def zero_v(phi):
    return SquareState(np.zeros_like(phi))


def zero_mv(phi):
    return AdamState(np.zeros_like(phi), np.zeros_like(phi))


def zero_mv_max(phi):
    return AmsgradState(np.zeros_like(phi), np.zeros_like(phi), np.zeros_like(phi))


def zero_mv_mu(phi):
    return NadamState(np.zeros_like(phi), np.zeros_like(phi), np.ones_like(phi[..., :1]))


# ----- the notes' optimizers ----------------------------------------------------------------


def gd_update(g, phi, state, alpha, hp, t):
    """phi_{t+1} = phi_t - alpha dL/dphi."""
    return phi - alpha * g, state


def momentum_update(g, phi, state, alpha, hp, t):
    """m_{t+1} = beta m_t + (1 - beta) g_t;  phi_{t+1} = phi_t - alpha m_{t+1}."""
    m = hp.beta * state.m + (1 - hp.beta) * g
    return phi - alpha * m, MomentumState(m)


def nesterov_lookahead(phi, state, alpha, hp):
    """The notes' Nesterov takes the gradient at phi_t - alpha m_t."""
    return phi - alpha * state.m


def nesterov_corrected_lookahead(phi, state, alpha, hp):
    """The corrected look-ahead phi_t - alpha beta m_t: where momentum alone would go."""
    return phi - alpha * hp.beta * state.m


def normalized_update(g, phi, state, alpha, hp, t):
    """m = g, v = g^2;  phi_{t+1} = phi_t - alpha m / (sqrt(v) + eps): alpha per coordinate."""
    return phi - alpha * g / (np.sqrt(g * g) + hp.eps), state


def adam_update(g, phi, state, alpha, hp, t):
    """Both moments averaged, bias-corrected by 1 - beta^(t+1) and 1 - gamma^(t+1)."""
    m = hp.beta * state.m + (1 - hp.beta) * g
    v = hp.gamma * state.v + (1 - hp.gamma) * (g * g)
    m_hat = m / (1 - hp.beta ** (t + 1))
    v_hat = v / (1 - hp.gamma ** (t + 1))
    return phi - alpha * m_hat / (np.sqrt(v_hat) + hp.eps), AdamState(m, v)


def rmsprop_update(g, phi, state, alpha, hp, t):
    """v_{t+1} = gamma v_t + (1 - gamma) g^2;  phi_{t+1} = phi_t - alpha g / (sqrt(v) + eps)."""
    v = hp.gamma * state.v + (1 - hp.gamma) * (g * g)
    return phi - alpha * g / (np.sqrt(v) + hp.eps), SquareState(v)


def adagrad_update(g, phi, state, alpha, hp, t):
    """v_{t+1} = v_t + g^2;  phi_{t+1} = phi_t - alpha g / (sqrt(v) + eps)."""
    v = state.v + g * g
    return phi - alpha * g / (np.sqrt(v) + hp.eps), SquareState(v)


# ----- the optimizers practitioners use today (torch.optim's documented updates) ------------


def heavy_ball_update(g, phi, state, alpha, hp, t):
    """torch.optim.SGD(momentum=beta): m_{t+1} = beta m_t + g_t (a plain sum, m_0 = 0)."""
    m = hp.beta * state.m + g
    return phi - alpha * m, MomentumState(m)


def adamw_update(g, phi, state, alpha, hp, t):
    """torch.optim.AdamW: phi shrinks by (1 - alpha lambda), then Adam's step."""
    phi = phi * (1 - alpha * hp.weight_decay)
    return adam_update(g, phi, state, alpha, hp, t)


def amsgrad_update(g, phi, state, alpha, hp, t):
    """torch.optim.Adam(amsgrad=True): divide by the largest raw v so far, bias-corrected."""
    m = hp.beta * state.m + (1 - hp.beta) * g
    v = hp.gamma * state.v + (1 - hp.gamma) * (g * g)
    v_max = np.maximum(state.v_max, v)
    m_hat = m / (1 - hp.beta ** (t + 1))
    v_hat = v_max / (1 - hp.gamma ** (t + 1))
    return phi - alpha * m_hat / (np.sqrt(v_hat) + hp.eps), AmsgradState(m, v, v_max)


def nadam_mu(beta, psi, step):
    """NAdam's momentum coefficient at (1-based) ``step``: beta (1 - 0.5 * 0.96^(step psi))."""
    return beta * (1 - 0.5 * 0.96 ** (step * psi))


def nadam_update(g, phi, state, alpha, hp, t):
    """torch.optim.NAdam: a Nesterov-style mix of g and m, each with its own bias correction."""
    mu = nadam_mu(hp.beta, hp.psi, t + 1)
    mu_next = nadam_mu(hp.beta, hp.psi, t + 2)
    mu_product = state.mu_product * mu
    m = hp.beta * state.m + (1 - hp.beta) * g
    v = hp.gamma * state.v + (1 - hp.gamma) * (g * g)
    denom = np.sqrt(v / (1 - hp.gamma ** (t + 1))) + hp.eps
    step = (1 - mu) / (1 - mu_product) * g + mu_next / (1 - mu_product * mu_next) * m
    return phi - alpha * step / denom, NadamState(m, v, mu_product)


RADAM_THRESHOLD = 5.0  # rectify once rho_t exceeds this (torch.optim.RAdam)


def radam_update(g, phi, state, alpha, hp, t):
    """torch.optim.RAdam: bias-corrected momentum, scaled by the rectified 1/sqrt(v) once the
    variance estimate is trustworthy (rho_t > 5), else on its own."""
    step = t + 1
    m = hp.beta * state.m + (1 - hp.beta) * g
    v = hp.gamma * state.v + (1 - hp.gamma) * (g * g)
    m_hat = m / (1 - hp.beta**step)
    bc2 = 1 - hp.gamma**step
    rho_inf = 2 / (1 - hp.gamma) - 1
    rho = rho_inf - 2 * step * hp.gamma**step / bc2
    ok = rho > RADAM_THRESHOLD
    if np.ndim(ok) == 0 and not ok:
        return phi - alpha * m_hat, AdamState(m, v)
    # Where rho <= 5 the quotient below is meaningless (even negative); np.where drops it.
    with np.errstate(all="ignore"):
        rect = np.sqrt(
            (rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho)
        ) * np.sqrt(bc2)
        adaptive = rect / (np.sqrt(v) + hp.eps)
    return phi - alpha * m_hat * np.where(ok, adaptive, 1.0), AdamState(m, v)


def lion_update(g, phi, state, alpha, hp, t):
    """Lion (Chen et al. 2023): step alpha sign(beta m + (1 - beta) g), with decoupled weight
    decay lambda; then m <- gamma m + (1 - gamma) g."""
    c = hp.beta * state.m + (1 - hp.beta) * g
    phi = phi - alpha * (np.sign(c) + hp.weight_decay * phi)
    m = hp.gamma * state.m + (1 - hp.gamma) * g
    return phi, MomentumState(m)
