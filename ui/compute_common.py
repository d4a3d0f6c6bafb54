"""Cached computations that more than one page draws on."""

from __future__ import annotations

import streamlit as st

from landscapes import get_landscape


@st.cache_data(max_entries=32, show_spinner=False)
def surface_grid(surface: str, params: tuple, n: int):
    """The surface's loss on an n x n grid over its bounds (the basins and convexity maps)."""
    return get_landscape(surface, **dict(params)).grid(n)
