"""Presentation mode (``?present=1`` in the URL): for a projector, a slide or a course page
that embeds Descent, the figures and their controls without the long explanatory text.

Pages write their long text through `explanatory` (``explanatory.caption(...)`` in place of
``st.caption(...)``), which draws nothing in presentation mode, and skip whole sections
with ``if not presenting():``.
"""

from __future__ import annotations

import streamlit as st

from ui import params

PRESENT_KEY = "present"
CHOICES = ("0", "1")
SESSION_KEY = "_present"


def check_url() -> None:
    """Refuse a malformed ``present`` value with a warning that names it, and keep the mode
    for the session: switching pages drops the URL's parameters (app.py, every run)."""
    params.check_choice(PRESENT_KEY, CHOICES, "0")
    if PRESENT_KEY in st.query_params:
        st.session_state[SESSION_KEY] = st.query_params[PRESENT_KEY]
    elif st.session_state.get(SESSION_KEY) == "1":
        st.query_params[PRESENT_KEY] = "1"


def presenting() -> bool:
    return st.query_params.get(PRESENT_KEY) == "1"


def _nothing(*args, **kwargs) -> None:
    return None


class _Explanatory:
    """``st``'s text elements (caption, markdown, info, subheader...), left out in
    presentation mode."""

    def __getattr__(self, name: str):
        return _nothing if presenting() else getattr(st, name)


explanatory = _Explanatory()
