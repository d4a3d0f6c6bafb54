"""Figures built once per input and shared by every session.

Building a Plotly figure costs more than the numbers behind it (graph_objects validates
every property: 0.1-0.8 s per figure on the 2-core test machine), and a class opens the same
views. ``shared_figure`` builds a figure once per key and keeps only what the browser gets,
its JSON (`ui.plotly_chart.FigureJSON`): a view that finds it sends it as it is, and one that
builds it serializes it once (not to a dict, back to a Figure and then to JSON, as before:
a sixth of a replica's Python time under load). The key must hold every input of the
figure, as small hashable values.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

import plotly.graph_objects as go
import streamlit as st

from ui.plotly_chart import FigureJSON

MAX_FIGURES = 32  # about 0.05-1 MB each


@st.cache_resource(max_entries=MAX_FIGURES, show_spinner=False)
def _shared(name: str, key: Hashable, _build: Callable[[], go.Figure]) -> FigureJSON:
    return FigureJSON.of(_build())


def shared_figure(name: str, key: Hashable, build: Callable[[], go.Figure]) -> FigureJSON:
    """The figure ``build()`` makes, as `ui.plotly_chart.chart` draws it, built only for a
    (``name``, ``key``) not seen yet."""
    return _shared(name, key, build)
