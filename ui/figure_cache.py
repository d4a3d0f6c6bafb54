"""Figures built once per input and shared by every session.

Building a Plotly figure costs more than the numbers behind it (graph_objects validates
every property: 0.1-0.8 s per figure on the 2-core test machine), and a class opens the same
views. ``shared_figure`` keeps the figure object itself (``st.cache_resource``: no pickling,
no copy); ``st.plotly_chart`` only reads it (``Figure.to_dict`` copies), so sessions can
share it. The key must hold every input of the figure, as small hashable values.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

import plotly.graph_objects as go
import streamlit as st

MAX_FIGURES = 64  # about 0.1-2 MB each


@st.cache_resource(max_entries=MAX_FIGURES, show_spinner=False)
def _shared(name: str, key: Hashable, _build: Callable[[], go.Figure]) -> go.Figure:
    return _build()


def shared_figure(name: str, key: Hashable, build: Callable[[], go.Figure]) -> go.Figure:
    """``build()``, called only for a (``name``, ``key``) not seen yet."""
    return _shared(name, key, build)
