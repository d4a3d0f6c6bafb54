"""Sidebar widgets of the two user surfaces: ``custom`` (a typed formula over a range) and
``data`` (an uploaded or pasted table with a model to fit), and their place in the URL.

The sidebar calls three hooks: ``check_url`` (before any widget reads the link),
``surface_params`` (the landscape parameters of a surface: last good ones) and ``widgets``
(draws the inputs and returns the parameters to use, and whether they changed). A formula
or file that does not work shows its message and the previous surface stays.
"""

from __future__ import annotations

import streamlit as st

from landscapes import get_landscape
from landscapes.custom import DEFAULT_EXAMPLE, EXAMPLES, MAX_RANGE
from landscapes.formula import FUNCTIONS, MAX_LENGTH
from landscapes.formula import check as check_formula
from landscapes.userdata import (
    DEFAULT_ROWS,
    MAX_ROWS,
    MODELS,
    URL_ROWS,
    decode_rows,
    encode_rows,
    parse_table,
)
from ui import params

RANGE_KEYS = ("xlo", "xhi", "ylo", "yhi")
URL_KEYS = ("expr", *RANGE_KEYS, "model", "rows")
RANGE_DEFAULTS = dict(zip(RANGE_KEYS, (*DEFAULT_EXAMPLE.xlim, *DEFAULT_EXAMPLE.ylim), strict=True))
DEFAULT_MODEL = "line"

# A basin map runs every start over every row at each step: on a user's table the grid of
# starts is capped so that starts x rows stays near the built-in Gabor's 60 x 60 x 60.
BASIN_BUDGET = 250_000
LAST_GOOD = "_user_surface_params"  # {surface: params tuple} that built a landscape
APPLIED = "_user_surface_applied"  # {surface: params tuple} drawn in the previous run
DATA = "_user_data"  # (rows text, column names, source) of the data in use
DATA_ERROR = "_user_data_error"
EXAMPLE_KEY = "_custom_example"
NO_EXAMPLE = "(your own)"


def _why(check) -> str | None:
    try:
        check()
    except ValueError as err:
        return str(err)
    return None


def check_url() -> None:
    """Check the user surfaces' link parameters; a bad one is dropped with a warning."""
    if "expr" not in st.session_state:  # a link being opened; later the box holds the text
        params.check_with("expr", lambda raw: _why(lambda: check_formula(raw)), "the example")
    for key in RANGE_KEYS:
        params.check_number(key, -MAX_RANGE, MAX_RANGE, RANGE_DEFAULTS[key])
    params.check_choice("model", MODELS, DEFAULT_MODEL)
    params.check_with("rows", lambda raw: _why(lambda: _link_rows(raw)), "the example data")


def _link_rows(raw: str) -> None:
    """A link's table: readable, and no longer than the app ever writes (a longer one, made
    by hand, would cost every page time in proportion to its rows)."""
    n = len(decode_rows(raw).x)
    if n > URL_ROWS:
        raise ValueError(f"a link carries at most {URL_ROWS} rows, this one has {n:,}")


# ----- the parameters in use -------------------------------------------------------------


def _typed(key: str, default):
    """A widget's value this run: its state, else the link's, else the default."""
    if key in st.session_state:
        return st.session_state[key]
    raw = st.query_params.get(key)
    return default if raw is None else type(default)(raw)


def _custom_candidate() -> tuple:
    lim = {k: float(_typed(k, RANGE_DEFAULTS[k])) for k in RANGE_KEYS}
    return (
        ("expr", str(_typed("expr", DEFAULT_EXAMPLE.expr))),
        ("xlim", (lim["xlo"], lim["xhi"])),
        ("ylim", (lim["ylo"], lim["yhi"])),
    )


def _data_candidate() -> tuple:
    rows = st.session_state.get(DATA, (st.query_params.get("rows") or DEFAULT_ROWS,))[0]
    return (("model", str(_typed("model", DEFAULT_MODEL))), ("rows", rows))


def _candidate(surface: str) -> tuple:
    return _custom_candidate() if surface == "custom" else _data_candidate()


def _fallback(surface: str) -> tuple:
    if surface == "custom":
        ex = DEFAULT_EXAMPLE
        return (("expr", ex.expr), ("xlim", ex.xlim), ("ylim", ex.ylim))
    return (("model", DEFAULT_MODEL), ("rows", DEFAULT_ROWS))


def _try(surface: str, candidate: tuple) -> str | None:
    """None when ``candidate`` builds a landscape, else the reason it does not."""
    return _why(lambda: get_landscape(surface, **dict(candidate)))


def surface_params(surface: str) -> tuple:
    """The landscape parameters of ``surface`` (beyond the noise): () for the built-ins, the
    last parameters that worked for a user surface (on a first visit, the link's)."""
    if surface not in ("custom", "data"):
        return ()
    good = st.session_state.setdefault(LAST_GOOD, {})
    if surface not in good:
        candidate = _candidate(surface)
        why = _try(surface, candidate)
        if why is not None:  # the link's values are each fine but build no surface together
            params.warn(
                f"The link's {surface} surface could not be drawn ({why}): "
                "showing the example instead."
            )
            candidate = _fallback(surface)
        good[surface] = candidate
    return good[surface]


def landscape(surface: str):
    """The landscape of ``surface`` without noise set (its default noise)."""
    return get_landscape(surface, **dict(surface_params(surface)))


# ----- the widgets ---------------------------------------------------------------------------


def _use_example() -> None:
    example = EXAMPLES.get(st.session_state[EXAMPLE_KEY])
    if example is None:
        return
    st.session_state["expr"] = example.expr
    values = (*example.xlim, *example.ylim)
    st.session_state.update(dict(zip(RANGE_KEYS, values, strict=True)))


def _custom_widgets(sb) -> None:
    sb.selectbox(
        "Start from an example",
        [NO_EXAMPLE, *EXAMPLES],
        key=EXAMPLE_KEY,
        on_change=_use_example,
    )
    sb.text_area(
        "L(x, y) =",
        DEFAULT_EXAMPLE.expr,
        max_chars=MAX_LENGTH,
        key="expr",
        bind="query-params",
        help=(
            "Use x and y (or phi0, phi1, φ₀, φ₁), numbers, pi, e, + - * / ** and "
            + ", ".join(FUNCTIONS)
            + ". Press Ctrl+Enter (or click outside) to apply."
        ),
    )
    c1, c2 = sb.columns(2)
    labels = ("φ₀ from", "φ₀ to", "φ₁ from", "φ₁ to")
    for col, key, text in zip((c1, c2, c1, c2), RANGE_KEYS, labels, strict=True):
        col.number_input(
            text,
            -MAX_RANGE,
            MAX_RANGE,
            RANGE_DEFAULTS[key],
            step=0.5,
            format="%g",
            key=key,
            bind="query-params",
        )


def _read_upload() -> None:
    upload = st.session_state.get("upload")
    if upload is None:
        return
    _use_table(upload.getvalue(), f"the file {upload.name}")


def _read_paste() -> None:
    text = st.session_state.get("paste", "")
    if text.strip():
        _use_table(text, "the pasted rows")


def _use_table(raw, source: str) -> None:
    try:
        table = parse_table(raw)
    except ValueError as err:
        st.session_state[DATA_ERROR] = f"Could not use {source}: {err}."
        return
    st.session_state.pop(DATA_ERROR, None)
    st.session_state[DATA] = (encode_rows(table.x, table.y), table.names, source)


def _data_widgets(sb) -> None:
    sb.selectbox(
        "Model f[x, φ]",
        list(MODELS),
        index=list(MODELS).index(DEFAULT_MODEL),
        key="model",
        bind="query-params",
    )
    sb.file_uploader(
        "Upload a CSV of two columns, x and y",
        type=["csv", "txt", "tsv"],
        key="upload",
        on_change=_read_upload,
        help=f"At most {MAX_ROWS:,} rows and 1 MB; a header row is optional.",
    )
    sb.text_area(
        "… or paste rows (x, y)",
        key="paste",
        placeholder="x,y\n0.1,0.52\n0.4,0.71\n0.9,1.25",
        on_change=_read_paste,
        help="Press Ctrl+Enter (or click outside) to apply.",
    )


def _sync_rows_in_url(rows: str) -> None:
    n = rows.count(";") + 1
    if n <= URL_ROWS:
        if st.query_params.get("rows") != rows:
            st.query_params["rows"] = rows
    else:
        if "rows" in st.query_params:
            del st.query_params["rows"]
        st.sidebar.caption(
            f":material/link_off: These {n:,} rows are too many for a link (up to {URL_ROWS}): "
            "a shared link opens the example data instead."
        )


def widgets(surface: str) -> tuple[tuple, bool]:
    """Draw the inputs of a user surface; return its landscape parameters and whether they
    changed since the previous run (then the start, α and noise follow the new surface)."""
    if surface not in ("custom", "data"):
        if "rows" in st.query_params:
            del st.query_params["rows"]
        return (), False
    sb = st.sidebar
    good = surface_params(surface)
    if surface == "custom":
        _custom_widgets(sb)
    else:
        _data_widgets(sb)
        if DATA_ERROR in st.session_state:
            sb.error(st.session_state.pop(DATA_ERROR), icon=":material/error:")
    candidate = _candidate(surface)
    if candidate != good:
        why = _try(surface, candidate)
        if why is None:
            good = st.session_state[LAST_GOOD][surface] = candidate
        else:
            what = "formula" if surface == "custom" else "model on these data"
            sb.error(
                f"This {what} cannot be used: {why}. The surface shown is the previous one.",
                icon=":material/error:",
            )
    if surface == "data":
        names, source = st.session_state.get(DATA, (None, ("x", "y"), "the example data"))[1:]
        n = dict(good)["rows"].count(";") + 1
        sb.caption(f"Fitting {n:,} rows from {source} (columns {names[0]}, {names[1]}).")
        _sync_rows_in_url(dict(good)["rows"])
    applied = st.session_state.setdefault(APPLIED, {})
    changed = applied.get(surface, good) != good
    applied[surface] = good
    return good, changed


def basin_grid_limit(landscape) -> int | None:
    """The most starts per side a basin map may use on ``landscape`` (None: no limit)."""
    if landscape.name != "data":
        return None
    return max(4, int((BASIN_BUDGET / landscape.n_examples) ** 0.5))
