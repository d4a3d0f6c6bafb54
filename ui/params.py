"""URL query parameters: check each one before its widget reads it.

Widgets bind to the URL with ``bind="query-params"`` (Streamlit keeps them in sync both ways
and silently drops a value it cannot use). Checking first lets the app say which parameter
was wrong: a malformed or out-of-range value is removed, so its widget falls back to the
default, and a warning names it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

import streamlit as st
from streamlit.runtime.state.session_state_proxy import get_session_state

WARNINGS_KEY = "_url_warnings"
LAST_GOOD_KEY = "_url_last_good"
# The URL keys of the page on show, as it declared them beside its widgets
# (`ui.widgets.declare_page`); the shared sidebar's keys are its own (ui/sidebar.py).
PAGE_KEYS_STATE = "_page_url_keys"


def warn(message: str) -> None:
    st.session_state.setdefault(WARNINGS_KEY, []).append(message)


def pop_warnings() -> list[str]:
    return st.session_state.pop(WARNINGS_KEY, [])


def remember(values: dict) -> None:
    """The values the widgets held at the end of a run: restored when a new one is refused."""
    st.session_state[LAST_GOOD_KEY] = dict(values)


SHOWN_CHARS = 40  # a rejected value is quoted up to this length


def shown(value, limit: int = SHOWN_CHARS) -> str:
    """A value as the user sees it in a message: short, on one line, safe inside `code`."""
    if isinstance(value, (list, tuple)):
        return ", ".join(shown(v, limit) for v in value) if value else "none"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    text = f"{value:.6g}" if isinstance(value, float) else str(value)
    text = "".join(c if c.isprintable() else "?" for c in text).replace("`", "'")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _escaped(text: str) -> str:
    """Markdown's special characters shown as themselves (a key is outside `code`)."""
    return "".join("\\" + c if c in MARKDOWN_SPECIAL else c for c in text)


MARKDOWN_SPECIAL = set("\\`*_{}[]<>()#+-.!|$~:")


def _set_url(key: str, values: list[str] | None) -> None:
    """Set (or with None remove) ``key`` in the URL, also where a widget first reads it.

    A widget bound to the URL takes its first value from the address the page was opened
    with, not from ``st.query_params``; changing only the latter would let a refused value
    reach the widget anyway (``seed=inf`` raised inside the number input).
    """
    with get_session_state().query_params() as qp:
        if values is None:
            qp.remove_param(key)
        else:
            qp.remove_param(key)
            st.query_params[key] = values
        qp.set_initial_query_params_from_current()


def _is_bound(key: str) -> bool:
    with get_session_state().query_params() as qp:
        return qp.is_bound(key)


def _reject(key: str, raw, why: str, default, keep: list[str] | None = None) -> None:
    """Refuse ``raw``: the widget gets ``keep`` (else its last good value, else the default)."""
    if _is_bound(key):
        # Its widget holds the refused value (typed, or a cleared multiselect): set the
        # widget, which moves the URL too; a bound parameter cannot be set or deleted.
        restore = (
            keep if keep is not None else st.session_state.get(LAST_GOOD_KEY, {}).get(key, default)
        )
        _set_url(key, None)
        st.session_state[key] = restore
        warn(f"**{key}** = `{shown(raw)}` was not used: {why}. Back to {shown(restore)}.")
        return
    _set_url(key, keep)
    if keep is None:
        outcome = f"was ignored: {why}. Using the default ({shown(default)})"
    else:
        outcome = f"was partly ignored: {why}. Using {shown(keep)}"
    warn(f"The link's parameter **{key}** = `{shown(raw)}` {outcome}.")


def reset_page_keys(also: Iterable[str] = ()) -> None:
    """The page's URL-bound widgets (and the keys ``also``) back to their defaults (from a
    callback: before they draw)."""
    for key in (*st.session_state.get(PAGE_KEYS_STATE, ()), *also):
        _set_url(key, None)
        st.session_state.pop(key, None)


def current(key: str, default):
    """The value ``key`` has for this run: its widget's once bound, else the URL's.

    While the app runs, a bound widget's state is the truth and the URL follows it, one run
    late (a callback may have just set the state); only on a page's first run does the URL
    seed the widgets.
    """
    if _is_bound(key):
        return st.session_state.get(key, default)
    return st.query_params.get(key, default)


def _repeated(key: str, default) -> bool:
    """A one-valued parameter given several times (``?k=1&k=2``): which did the link mean?
    Streamlit's widgets drop it silently; drop it with a warning."""
    values = st.query_params.get_all(key)
    if len(values) > 1:
        _reject(key, "&".join(values), "it is given more than once", default)
        return True
    return False


def check_number(key: str, lo: float, hi: float, default, integer: bool = False) -> None:
    """Refuse ``key`` unless it is a number in [lo, hi]: in the URL before its widget reads
    it, or as typed into its widget (number inputs have no min/max, so they reach here)."""
    if _is_bound(key):
        value = st.session_state.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if not (math.isfinite(value) and lo <= value <= hi):
                _reject(key, value, f"it must lie between {shown(lo)} and {shown(hi)}", default)
            elif integer and value != int(value):
                _reject(key, value, "it must be a whole number", default)
        return
    if key not in st.query_params or _repeated(key, default):
        return
    raw = st.query_params[key]  # a repeated key: the last value, as the widget reads it
    try:
        value = float(raw)
    except (TypeError, ValueError):
        return _reject(key, raw, "it is not a number", default)
    if not math.isfinite(value):
        return _reject(key, raw, "it is not a finite number", default)
    if integer:
        try:
            int(raw)  # as the widget reads it: "5.0" or "1e3" would be dropped silently
        except ValueError:
            return _reject(key, raw, "it must be a whole number", default)
    if not lo <= value <= hi:
        return _reject(key, raw, f"it must lie between {shown(lo)} and {shown(hi)}", default)


def check_choice(key: str, options: Iterable[str], default) -> None:
    if _is_bound(key) or key not in st.query_params or _repeated(key, default):
        return
    raw = st.query_params[key]
    options = list(options)
    if raw not in options:
        _reject(key, raw, f"it must be one of {', '.join(options)}", default)


def check_choices(key: str, options: Iterable[str], default) -> None:
    """A multi-valued parameter (repeated key): every value must be an option.

    An empty value (``opt=``) is an empty choice, as its widget reads it. Unknown values are
    dropped and the known ones kept. Once the widget is bound, its own state holds only
    options, and the URL (``opt=`` when cleared) follows it.
    """
    if _is_bound(key) or key not in st.query_params:
        return
    values = [v for v in st.query_params.get_all(key) if v != ""]
    options = list(options)
    bad = [v for v in values if v not in options]
    if bad:
        good = list(dict.fromkeys(v for v in values if v in options))
        why = f"{shown(bad)} {'is' if len(bad) == 1 else 'are'} not among {', '.join(options)}"
        _reject(key, values, why, default, keep=good or None)


def check_with(key: str, validate: Callable[[str], str | None], default) -> None:
    """``validate(raw)`` returns None when fine, else the reason (the URL before its widget
    is bound)."""
    if _is_bound(key) or key not in st.query_params or _repeated(key, default):
        return
    raw = st.query_params[key]
    why = validate(raw)
    if why:
        _reject(key, raw, why, default)


def check_unknown(known: Iterable[str]) -> None:
    """Drop, with a warning, every link parameter not in ``known``."""
    known = set(known)
    for key in list(st.query_params):
        if key not in known:
            raw = st.query_params[key]
            _set_url(key, None)
            name = _escaped(shown(key))
            warn(
                f"The link's parameter **{name}** = `{shown(raw)}` is not one Descent "
                "knows; ignored."
            )
