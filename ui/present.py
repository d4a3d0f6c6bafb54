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


def check_url() -> None:
    """Refuse a malformed ``present`` value with a warning that names it (app.py, before the
    warnings are shown)."""
    params.check_choice(PRESENT_KEY, CHOICES, "0")


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
