"""Cached computations and small tables of the Theory page.

Small hashable arguments in (names, floats, tuples), NumPy results out; the tables are the
hand computations the Theory page shows beside its plots.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from landscapes import get_landscape
from optimizers import run
from optimizers.theory import (
    BALANCE_START,
    BALANCE_SURFACE,
    Lookahead,
    Step,
    gd_step,
    lookahead_geometry,
    normalized_step,
)

LOOKAHEAD_WARMUP = 5


def _landscape(surface: str, params: tuple):
    return get_landscape(surface, **dict(params))


def balance_landscape():
    """L = 0.5 (phi0^2 + phi1^2 / 100): axis-aligned, curvatures 100-fold apart."""
    return get_landscape("quadratic", **BALANCE_SURFACE)


@st.cache_data(max_entries=32, show_spinner=False)
def zoom_grid(surface: str, params: tuple, window: tuple, n: int = 81):
    return _landscape(surface, params).grid(n, bounds=window)


@st.cache_data(max_entries=64, show_spinner=False)
def first_gd_step(surface: str, params: tuple, start: tuple, lr: float) -> Step:
    return gd_step(_landscape(surface, params), start, lr)


@st.cache_data(max_entries=64, show_spinner=False)
def lookahead(surface: str, params: tuple, start: tuple, lr: float, beta: float) -> Lookahead:
    return lookahead_geometry(_landscape(surface, params), start, lr, beta, LOOKAHEAD_WARMUP)


@st.cache_data(max_entries=4, show_spinner=False)
def balance_grid(n: int = 81):
    return balance_landscape().grid(n)


@st.cache_data(max_entries=32, show_spinner=False)
def scale_steps(alpha: float, eps: float) -> tuple[Step, Step]:
    """One GD step and one normalized step from the same point of the balance quadratic."""
    ls = balance_landscape()
    return gd_step(ls, BALANCE_START, alpha), normalized_step(ls, BALANCE_START, alpha, eps)


@st.cache_data(max_entries=32, show_spinner=False)
def balance_runs(gd_lr: float, adam_lr: float, beta: float, gamma: float, eps: float, steps: int):
    """GD and Adam on the balance quadratic from the same start, full batch."""
    ls = balance_landscape()
    gd = run(ls, "gd", BALANCE_START, steps, gd_lr)
    adam = run(ls, "adam", BALANCE_START, steps, adam_lr, beta=beta, gamma=gamma, eps=eps)
    return gd, adam


def _fmt(value: float) -> str:
    return f"{value:.6g}"


def step_table(step: Step, rule: str) -> pd.DataFrame:
    """The update worked through by hand, one row per quantity, one column per coordinate."""
    g, a = step.grad, step.alpha
    rows = [
        ("φₜ", step.phi),
        ("∂L/∂φ at φₜ", g),
        ("α", (a, a)),
    ]
    if rule == "gd":
        rows.append(("Δφ = −α ∂L/∂φ", step.delta))
    else:
        rows.append(("Δφ = −α g / (√g² + ε)", step.delta))
    rows += [("φₜ₊₁ = φₜ + Δφ", step.new), ("|Δφ|", abs(step.delta))]
    table = pd.DataFrame({name: [_fmt(v[0]), _fmt(v[1])] for name, v in rows}, index=["φ₀", "φ₁"]).T
    return table


def lookahead_table(la: Lookahead) -> pd.DataFrame:
    rows = {
        "φₜ": la.phi,
        "α mₜ": la.alpha * la.m,
        "look-ahead φₜ − α mₜ": la.ahead,
        "∂L/∂φ at φₜ (momentum)": la.grad_here,
        "∂L/∂φ at the look-ahead (Nesterov)": la.grad_ahead,
        "φₜ₊₁, momentum": la.momentum_next,
        "φₜ₊₁, Nesterov": la.nesterov_next,
    }
    return pd.DataFrame(
        {name: [_fmt(v[0]), _fmt(v[1])] for name, v in rows.items()}, index=["φ₀", "φ₁"]
    ).T


def scale_table(gd: Step, normalized: Step) -> pd.DataFrame:
    """Both steps from the same point, per coordinate; the last column shows the "up to ε"."""
    return pd.DataFrame(
        {
            "∂L/∂φ": [_fmt(v) for v in gd.grad],
            "GD |Δφ|": [_fmt(v) for v in abs(gd.delta)],
            "normalized |Δφ|": [_fmt(v) for v in abs(normalized.delta)],
            "α − |Δφ|": [f"{v:.2g}" for v in normalized.alpha - abs(normalized.delta)],
        },
        index=["φ₀", "φ₁"],
    )
