"""The Convexity page's cached computations: the chord test, the curvature map, and the
table of critical points."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from landscapes import get_landscape
from landscapes.convexity import chord_check, curvature_map

CURVATURE_N = 121


def _landscape(surface: str, params: tuple):
    return get_landscape(surface, **dict(params))


@st.cache_data(max_entries=64, show_spinner=False)
def chord(surface: str, params: tuple, a: tuple, b: tuple):
    return chord_check(_landscape(surface, params), a, b)


@st.cache_data(max_entries=16, show_spinner=False)
def curvature(surface: str, params: tuple, n: int = CURVATURE_N):
    return curvature_map(_landscape(surface, params), n)


def critical_table(landscape) -> pd.DataFrame:
    """Every critical point on the plotted area: kind, where, loss and Hessian eigenvalues."""
    rows = [
        {
            "kind": c.kind,
            "φ₀": float(c.point[0]),
            "φ₁": float(c.point[1]),
            "loss": c.loss,
            "λ₁": c.eigenvalues[0],
            "λ₂": c.eigenvalues[1],
        }
        for c in landscape.all_critical_points
    ]
    columns = ["kind", "φ₀", "φ₁", "loss", "λ₁", "λ₂"]
    return pd.DataFrame(rows, columns=columns)
