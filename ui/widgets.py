"""URL-bound widgets from one spec each: key, kind, range, default, step, log scale or not.

A spec drives both the link's check (`ui.params`, before any widget reads the URL) and the
widget itself, so a range or default is written once. A page declares its own URL keys
with `declare_page` beside its widgets; the keys of the shared sidebar are its own.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from ui import params

SLIDER = "slider"
NUMBER = "number"  # a number input without min/max: an out-of-range value reaches the check
BOUNDED = "bounded"  # a number input with min/max (the value is also clamped by Streamlit)
CHOICE = "choice"  # a select box of ``options``


@dataclass(frozen=True)
class Widget:
    key: str  # the session state key and the URL parameter
    label: str
    kind: str  # SLIDER, NUMBER, BOUNDED or CHOICE
    default: float | int | str
    lo: float | int = 0
    hi: float | int = 0
    step: float | int | None = None
    integer: bool = False
    log: bool = False  # the value is the exponent k of 10^k (the label says so)
    format: str | None = None
    options: tuple[str, ...] = ()  # CHOICE

    def check(self) -> None:
        """Refuse a link's (or a typed) value outside the spec, with a warning naming it."""
        if self.kind == CHOICE:
            params.check_choice(self.key, self.options, self.default)
        else:
            params.check_number(self.key, self.lo, self.hi, self.default, integer=self.integer)

    def draw(self, where=st, **extra):
        """The widget, bound to the URL (``extra``: help, disabled, on_change, ...)."""
        common = dict(key=self.key, bind="query-params", **extra)
        if self.kind == CHOICE:
            index = self.options.index(self.default)
            return where.selectbox(self.label, self.options, index=index, **common)
        if self.format is not None:
            common["format"] = self.format
        if self.kind == SLIDER:
            return where.slider(self.label, self.lo, self.hi, self.default, self.step, **common)
        if self.kind == BOUNDED:
            return where.number_input(
                self.label, self.lo, self.hi, self.default, step=self.step, **common
            )
        return where.number_input(self.label, value=self.default, step=self.step, **common)


def declare_page(keys) -> None:
    """Declare the URL keys of this page's own widgets (call it first, with the specs'
    keys): any other key that neither the page nor the shared sidebar knows is dropped from
    the link with a warning, drawn here; the sidebar's Reset clears these keys."""
    from ui import present, sidebar  # noqa: PLC0415 (the sidebar draws with these widgets)

    keys = tuple(keys)
    st.session_state[params.PAGE_KEYS_STATE] = keys
    params.check_unknown((*sidebar.SHARED_KEYS, present.PRESENT_KEY, *keys))
    for message in params.pop_warnings():
        st.warning(message, icon=":material/link_off:")
