"""Update rules, each a pair of pure functions in the notation of fitting-models.md.

``init(phi) -> state`` and ``update(g, phi, state, alpha, hp, t) -> (phi, state)``, where g is
the (minibatch) gradient dL/dphi at step t, alpha the learning rate of step t, and hp the
hyperparameters (beta, gamma, eps). All arrays carry a leading run axis: phi (R, 2), alpha and
every entry of hp (R, 1), so one call advances R runs in lockstep. Nothing changes in place.

Conventions: momentum is the (1 - beta) *average* of past gradients, not the plain sum;
Adam corrects the bias of both moments; epsilon sits outside the square root.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np


class Hyper(NamedTuple):
    beta: np.ndarray
    gamma: np.ndarray
    eps: np.ndarray


class NoState(NamedTuple):
    pass


class MomentumState(NamedTuple):
    m: np.ndarray  # averaged gradient


class SquareState(NamedTuple):
    v: np.ndarray  # running (average or sum of) squared gradients


class AdamState(NamedTuple):
    m: np.ndarray
    v: np.ndarray


class Rule(NamedTuple):
    name: str
    title: str
    init: Callable
    update: Callable
    # Where the gradient of step t is taken; None means at phi_t.
    lookahead: Callable | None
    uses: tuple[str, ...]  # the hyperparameters that change the update
    full_batch: bool = False  # True for gd, which ignores the batch size
    equations: tuple[str, ...] = ()  # LaTeX, in the notes' notation


def _no_state(phi):
    return NoState()


def _zero_m(phi):
    return MomentumState(np.zeros_like(phi))


def _zero_v(phi):
    return SquareState(np.zeros_like(phi))


def _zero_mv(phi):
    return AdamState(np.zeros_like(phi), np.zeros_like(phi))


def gd_update(g, phi, state, alpha, hp, t):
    """phi_{t+1} = phi_t - alpha dL/dphi."""
    return phi - alpha * g, state


def momentum_update(g, phi, state, alpha, hp, t):
    """m_{t+1} = beta m_t + (1 - beta) g_t;  phi_{t+1} = phi_t - alpha m_{t+1}."""
    m = hp.beta * state.m + (1 - hp.beta) * g
    return phi - alpha * m, MomentumState(m)


def nesterov_lookahead(phi, state, alpha, hp):
    """Nesterov takes the gradient at the predicted point phi_t - alpha m_t."""
    return phi - alpha * state.m


def normalized_update(g, phi, state, alpha, hp, t):
    """m = g, v = g^2;  phi_{t+1} = phi_t - alpha m / (sqrt(v) + eps): alpha per coordinate."""
    return phi - alpha * g / (np.sqrt(g * g) + hp.eps), state


def adam_update(g, phi, state, alpha, hp, t):
    """Both moments averaged, bias-corrected by 1 - beta^(t+1) and 1 - gamma^(t+1)."""
    m = hp.beta * state.m + (1 - hp.beta) * g
    v = hp.gamma * state.v + (1 - hp.gamma) * g * g
    m_hat = m / (1 - hp.beta ** (t + 1))
    v_hat = v / (1 - hp.gamma ** (t + 1))
    return phi - alpha * m_hat / (np.sqrt(v_hat) + hp.eps), AdamState(m, v)


def rmsprop_update(g, phi, state, alpha, hp, t):
    """v_{t+1} = gamma v_t + (1 - gamma) g^2;  phi_{t+1} = phi_t - alpha g / (sqrt(v) + eps)."""
    v = hp.gamma * state.v + (1 - hp.gamma) * g * g
    return phi - alpha * g / (np.sqrt(v) + hp.eps), SquareState(v)


def adagrad_update(g, phi, state, alpha, hp, t):
    """v_{t+1} = v_t + g^2;  phi_{t+1} = phi_t - alpha g / (sqrt(v) + eps)."""
    v = state.v + g * g
    return phi - alpha * g / (np.sqrt(v) + hp.eps), SquareState(v)


G = r"\mathbf{g}_t"
GRAD_FULL = r"\mathbf{g}_t = \frac{\partial L[\phi_t]}{\partial \phi}"
GRAD_BATCH = (
    r"\mathbf{g}_t = \frac{N}{|\mathcal{B}_t|}\sum_{i\in\mathcal{B}_t}"
    r"\frac{\partial \ell_i[\phi_t]}{\partial \phi}"
)
STEP_M = r"\phi_{t+1} \leftarrow \phi_t - \alpha\, m_{t+1}"

RULES: dict[str, Rule] = {
    rule.name: rule
    for rule in (
        Rule(
            "gd",
            "Gradient descent",
            _no_state,
            gd_update,
            None,
            (),
            full_batch=True,
            equations=(GRAD_FULL, r"\phi_{t+1} \leftarrow \phi_t - \alpha\, " + G),
        ),
        Rule(
            "sgd",
            "Stochastic gradient descent",
            _no_state,
            gd_update,
            None,
            (),
            equations=(GRAD_BATCH, r"\phi_{t+1} \leftarrow \phi_t - \alpha\, " + G),
        ),
        Rule(
            "momentum",
            "Momentum",
            _zero_m,
            momentum_update,
            None,
            ("beta",),
            equations=(GRAD_BATCH, r"m_{t+1} \leftarrow \beta m_t + (1-\beta)\, " + G, STEP_M),
        ),
        Rule(
            "nesterov",
            "Nesterov momentum",
            _zero_m,
            momentum_update,
            nesterov_lookahead,
            ("beta",),
            equations=(
                r"\mathbf{g}_t = \frac{N}{|\mathcal{B}_t|}\sum_{i\in\mathcal{B}_t}"
                r"\frac{\partial \ell_i[\phi_t - \alpha m_t]}{\partial \phi}",
                r"m_{t+1} \leftarrow \beta m_t + (1-\beta)\, " + G,
                STEP_M,
            ),
        ),
        Rule(
            "normalized",
            "Normalized gradient",
            _no_state,
            normalized_update,
            None,
            ("eps",),
            equations=(
                GRAD_BATCH,
                r"m_{t+1} = " + G + r",\quad v_{t+1} = " + G + r"^2",
                r"\phi_{t+1} \leftarrow \phi_t - \alpha\,\frac{m_{t+1}}{\sqrt{v_{t+1}}+\epsilon}",
            ),
        ),
        Rule(
            "adam",
            "Adam",
            _zero_mv,
            adam_update,
            None,
            ("beta", "gamma", "eps"),
            equations=(
                GRAD_BATCH,
                r"m_{t+1} \leftarrow \beta m_t + (1-\beta)\, " + G,
                r"v_{t+1} \leftarrow \gamma v_t + (1-\gamma)\, " + G + r"^2",
                r"\tilde m_{t+1} = \frac{m_{t+1}}{1-\beta^{t+1}},\quad"
                r" \tilde v_{t+1} = \frac{v_{t+1}}{1-\gamma^{t+1}}",
                r"\phi_{t+1} \leftarrow \phi_t - \alpha\,"
                r"\frac{\tilde m_{t+1}}{\sqrt{\tilde v_{t+1}}+\epsilon}",
            ),
        ),
        Rule(
            "rmsprop",
            "RMSprop",
            _zero_v,
            rmsprop_update,
            None,
            ("gamma", "eps"),
            equations=(
                GRAD_BATCH,
                r"v_{t+1} \leftarrow \gamma v_t + (1-\gamma)\, " + G + r"^2",
                r"\phi_{t+1} \leftarrow \phi_t - \alpha\,\frac{"
                + G
                + r"}{\sqrt{v_{t+1}}+\epsilon}",
            ),
        ),
        Rule(
            "adagrad",
            "AdaGrad",
            _zero_v,
            adagrad_update,
            None,
            ("eps",),
            equations=(
                GRAD_BATCH,
                r"v_{t+1} \leftarrow v_t + " + G + r"^2",
                r"\phi_{t+1} \leftarrow \phi_t - \alpha\,\frac{"
                + G
                + r"}{\sqrt{v_{t+1}}+\epsilon}",
            ),
        ),
    )
}
OPTIMIZER_NAMES = tuple(RULES)


def get_rule(name: str) -> Rule:
    try:
        return RULES[name]
    except KeyError:
        raise ValueError(
            f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZER_NAMES)}"
        ) from None
