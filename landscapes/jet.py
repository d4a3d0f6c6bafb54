"""Second-order jets: a value with its gradient (2) and Hessian (3 entries), over arrays.

Forward-mode differentiation for landscapes/formula.py: each operation on jets returns the
exact derivatives of its result. A jet whose h00 is None carries no Hessian: the gradient
alone costs half as much.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np


class Jet(NamedTuple):
    """f, (df/dx, df/dy) and (d2f/dx2, d2f/dxdy, d2f/dy2); entries broadcast like arrays."""

    v: object
    g0: object
    g1: object
    h00: object
    h01: object
    h11: object


ZERO = np.float64(0.0)
ONE = np.float64(1.0)


def const(c) -> Jet:
    # NumPy scalars, never Python floats: 1.0 / 0.0 must give inf (then NaN), not raise.
    return Jet(np.float64(c), ZERO, ZERO, ZERO, ZERO, ZERO)


def chain(a: Jet, f, d1, d2) -> Jet:
    """u -> f(u) with f'(u) = d1 and f''(u) = d2 (all already evaluated at u = a.v)."""
    g0, g1 = d1 * a.g0, d1 * a.g1
    if a.h00 is None:
        return Jet(f, g0, g1, None, None, None)
    return Jet(
        f,
        g0,
        g1,
        d2 * a.g0 * a.g0 + d1 * a.h00,
        d2 * a.g0 * a.g1 + d1 * a.h01,
        d2 * a.g1 * a.g1 + d1 * a.h11,
    )


def add(a: Jet, b: Jet) -> Jet:
    if a.h00 is None or b.h00 is None:
        return Jet(a.v + b.v, a.g0 + b.g0, a.g1 + b.g1, None, None, None)
    return Jet(*(p + q for p, q in zip(a, b, strict=True)))


def neg(a: Jet) -> Jet:
    if a.h00 is None:
        return Jet(-a.v, -a.g0, -a.g1, None, None, None)
    return Jet(*(-p for p in a))


def sub(a: Jet, b: Jet) -> Jet:
    return add(a, neg(b))


def mul(a: Jet, b: Jet) -> Jet:
    v = a.v * b.v
    g0 = a.v * b.g0 + b.v * a.g0
    g1 = a.v * b.g1 + b.v * a.g1
    if a.h00 is None or b.h00 is None:
        return Jet(v, g0, g1, None, None, None)
    return Jet(
        v,
        g0,
        g1,
        a.v * b.h00 + b.v * a.h00 + 2 * a.g0 * b.g0,
        a.v * b.h01 + b.v * a.h01 + a.g0 * b.g1 + a.g1 * b.g0,
        a.v * b.h11 + b.v * a.h11 + 2 * a.g1 * b.g1,
    )


def reciprocal(a: Jet) -> Jet:
    r = 1.0 / a.v
    return chain(a, r, -r * r, 2 * r * r * r)


def div(a: Jet, b: Jet) -> Jet:
    return mul(a, reciprocal(b))


def _power_coefficients(u, p: float):
    """u**p with its first and second derivatives; exact zeros where the power law vanishes."""
    value = np.power(u, p)
    d1 = p * np.power(u, p - 1) if p != 0 else 0.0
    d2 = p * (p - 1) * np.power(u, p - 2) if p not in (0, 1) else 0.0
    return value, d1, d2


def pow_const(a: Jet, p: float) -> Jet:
    return chain(a, *_power_coefficients(a.v, p))


def unary(f: Callable, d1: Callable, d2: Callable) -> Callable[[Jet], Jet]:
    def apply(a: Jet) -> Jet:
        return chain(a, f(a.v), d1(a.v), d2(a.v))

    return apply
