"""URL query parameters: check each one before its widget reads it.

Widgets bind to the URL with ``bind="query-params"`` (Streamlit keeps them in sync both ways
and silently drops a value it cannot use). Checking first lets the app say which parameter
was wrong: a malformed or out-of-range value is removed, so its widget falls back to the
default, and a warning names it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable

import streamlit as st

WARNINGS_KEY = "_url_warnings"

# Keys that pages (not the shared sidebar) bind to the URL; anything else is unknown.
# A page that binds a widget to the URL adds its key here.
PAGE_KEYS: set[str] = {
    "lab_step",  # SGD lab: the step shown
    "sens_lo",
    "sens_hi",
    "sens_n",  # sensitivity: lr range and count
    "grid",
    "basin_steps",  # basins: grid size, steps
    "ax",
    "ay",
    "bx",
    "by",  # convexity: the two points
}


def warn(message: str) -> None:
    st.session_state.setdefault(WARNINGS_KEY, []).append(message)


def pop_warnings() -> list[str]:
    return st.session_state.pop(WARNINGS_KEY, [])


SHOWN_CHARS = 40  # a rejected value is quoted up to this length


def shown(raw) -> str:
    """A link's text, safe to quote in a warning's code span: short, no backticks or line
    breaks (which would end the span and let the link's own markdown render)."""
    text = "".join(c if c.isprintable() and c != "`" else "?" for c in str(raw))
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…"


def _reject(key: str, raw, why: str, default) -> None:
    del st.query_params[key]
    warn(
        f"The link's parameter **{key}** = `{shown(raw)}` was ignored: {why}. "
        f"Using the default ({default})."
    )


def _repeated(key: str, default) -> bool:
    """A one-valued parameter given several times (``?k=1&k=2``): which did the link mean?
    Streamlit's widgets drop it silently; drop it with a warning."""
    values = st.query_params.get_all(key)
    if len(values) > 1:
        _reject(key, "&".join(values), "it is given more than once", default)
        return True
    return False


def check_number(key: str, lo: float, hi: float, default, integer: bool = False) -> None:
    """Drop ``key`` from the URL unless it parses as a number in [lo, hi]."""
    if key not in st.query_params or _repeated(key, default):
        return
    raw = st.query_params[key]
    try:
        value = float(raw)
    except (TypeError, ValueError):
        return _reject(key, raw, "it is not a number", default)
    if not math.isfinite(value):
        return _reject(key, raw, "it is not a finite number", default)
    if integer and value != int(value):
        return _reject(key, raw, "it must be a whole number", default)
    if not lo <= value <= hi:
        return _reject(key, raw, f"it must lie between {lo:g} and {hi:g}", default)


def check_choice(key: str, options: Iterable[str], default) -> None:
    if key not in st.query_params or _repeated(key, default):
        return
    raw = st.query_params[key]
    options = list(options)
    if raw not in options:
        _reject(key, raw, f"it must be one of {', '.join(options)}", default)


def check_choices(key: str, options: Iterable[str], default) -> None:
    """A multi-valued parameter (repeated key): every value must be an option."""
    if key not in st.query_params:
        return
    values = st.query_params.get_all(key)
    options = list(options)
    bad = [v for v in values if v not in options]
    if bad:
        _reject(
            key, ",".join(values), f"{', '.join(bad)} is not one of {', '.join(options)}", default
        )


def check_with(key: str, validate: Callable[[str], str | None], default) -> None:
    """``validate(raw)`` returns None when fine, else the reason."""
    if key not in st.query_params or _repeated(key, default):
        return
    raw = st.query_params[key]
    why = validate(raw)
    if why:
        _reject(key, raw, why, default)


def check_unknown(known: Iterable[str]) -> None:
    known = set(known) | PAGE_KEYS
    for key in list(st.query_params):
        if key not in known:
            raw = st.query_params[key]
            del st.query_params[key]
            name = re.sub(r"([\\`*\[\]()<>!])", r"\\\1", shown(key))  # no link, image or HTML
            warn(
                f"The link's parameter **{name}** = `{shown(raw)}` is not one Descent "
                "knows; ignored."
            )
