"""Figures built once per input and shared by every session.

Building a Plotly figure costs more than the numbers behind it (graph_objects validates
every property: 0.1-0.8 s per figure on the 2-core test machine), and a class opens the same
views. ``shared_figure`` builds a figure once per key and keeps it as a plain dict
(``Figure.to_dict``: the SGD lab's animation is 0.8 MB so, 22 MB as a Figure object); each
view gets a Figure made from that dict without validating it again (``_validate=False``,
plotly's own switch: the dict came from a validated Figure), which ``st.plotly_chart`` turns
into the same JSON as the original. The key must hold every input of the figure, as small
hashable values.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

import plotly.graph_objects as go
import streamlit as st

MAX_FIGURES = 32  # about 0.05-1 MB each


@st.cache_resource(max_entries=MAX_FIGURES, show_spinner=False)
def _shared(name: str, key: Hashable, _build: Callable[[], go.Figure]) -> dict:
    return _build().to_dict()


def shared_figure(name: str, key: Hashable, build: Callable[[], go.Figure]) -> go.Figure:
    """The figure ``build()`` makes, built only for a (``name``, ``key``) not seen yet."""
    return go.Figure(_shared(name, key, build), _validate=False)
