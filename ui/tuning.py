"""The sidebar's "Per-optimizer settings": one optimizer's α, β, γ, batch size and own
hyperparameters at a time, in the URL's parameter ``tune`` as ``opt.col:value`` cells.

Blank follows the shared value, or the optimizer's own default where its spec has one.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import streamlit as st

from figures.style import label
from landscapes.presets import preset_for
from optimizers import OPTIMIZER_NAMES, default_lg_lr, get_rule, get_spec
from optimizers.rules import BETA, GAMMA, OWN_HYPER, SHARED
from ui import custom_surface, params
from ui.config import OptimizerSettings

BETA_MAX = BETA.widget[1]
GAMMA_MAX = GAMMA.widget[1]
SHARED_DEFAULTS = {h.name: h.default for h in SHARED}  # the shared β, γ, ε sliders' defaults
TUNE_PREFIX = "tune_"  # the fields' session-state keys: tune_<optimizer>.<column>

# The columns: α on the slider's scale (the exponent k of α = 10^k, like the URL's log_lr), β,
# γ, batch size, then the hyperparameters only some optimizers take (AdamW's λ, NAdam's ψ).
OWN = {h.name: h for h in OWN_HYPER}
TABLE_COLUMNS = {"log_lr": "α = 10^k, k", "beta": "β", "gamma": "γ", "bs": "batch size"} | {
    h.name: h.plain for h in OWN_HYPER
}
SHORT_NAMES = TABLE_COLUMNS | {"log_lr": "k"}  # in messages
TUNE_LR_RANGE = (-6.0, 2.0)


def lr_offset(surface: str, name: str) -> float:
    """How far (in k) an optimizer's α sits from the slider's when its cell is blank.

    Fixed-size optimizers step a fixed distance per coordinate, whatever the gradient's size,
    so each surface's preset gives them their own α; a spec may add its own offset (heavy
    ball's plain sum is 1/(1 − β) larger than the averaged momentum). The slider moves them
    all by the same factor, keeping those offsets.
    """
    preset = preset_for(custom_surface.landscape(surface))
    return default_lg_lr(preset, name) - default_lg_lr(preset, "gd")


def default_table(names) -> pd.DataFrame:
    """Per-optimizer values, all blank: blank (NaN) means "use the shared value"."""
    return pd.DataFrame(np.nan, index=list(names), columns=list(TABLE_COLUMNS), dtype=float)


def encode_table(table: pd.DataFrame) -> str:
    """The cells that are set (not blank), as ``opt.col:value`` joined by commas."""
    return ",".join(
        f"{name}.{col}:{table.at[name, col]:.6g}"
        for name in table.index
        for col in TABLE_COLUMNS
        if not pd.isna(table.at[name, col])
    )


def cell_problem(col: str, value: float, limits: dict) -> str | None:
    """Why ``value`` cannot go in column ``col``, or None."""
    lo, hi = limits[col]
    if not math.isfinite(value) or not lo <= value <= hi:
        return f"it must lie between {params.shown(lo)} and {params.shown(hi)}"
    if col == "bs" and value != int(value):
        return "it must be a whole number"
    return None


def decode_table(text: str, table: pd.DataFrame, limits: dict) -> tuple[pd.DataFrame, list[str]]:
    """Apply ``opt.col:value`` cells to a copy of ``table``; return it and the bad parts."""
    table = table.copy()
    bad = []
    for part in filter(None, text.split(",")):
        try:
            cell, value = part.split(":", 1)
            name, col = cell.split(".", 1)
            if col not in TABLE_COLUMNS or name not in OPTIMIZER_NAMES:
                raise ValueError
            if col in OWN and col not in get_spec(name).accepted():
                raise ValueError  # λ for an optimizer without weight decay
            number = np.nan if value == "" else float(value)  # blank: the shared value
            if value != "" and cell_problem(col, number, limits):
                raise ValueError
        except ValueError:
            bad.append(part)
            continue
        if name in table.index:
            table.at[name, col] = number
    return table, bad


def blank_value(name: str, col: str, shared: dict) -> float:
    """What a blank β or γ cell means for ``name``: the shared slider's value, unless the
    optimizer's spec has a default of its own (Lion's γ, its β₂, is 0.99, not Adam's 0.999)."""
    own = get_spec(name).accepted()[col].default
    return own if col in OWN or own != SHARED_DEFAULTS[col] else shared[col]


def _cell(row, name: str, col: str, shared: dict) -> float:
    return float(blank_value(name, col, shared) if pd.isna(row[col]) else row[col])


def _tune_limits(n: int) -> dict:
    own = {h.name: h.widget or h.valid for h in OWN_HYPER}
    return dict(log_lr=TUNE_LR_RANGE, beta=(0.0, BETA_MAX), gamma=(0.0, GAMMA_MAX), bs=(1, n)) | own


def optimizer_table(surface, chosen, n, shared, eps):
    """The "Per-optimizer settings" fields, the URL's "tune" cells, and every setting."""
    limits = _tune_limits(n)
    table, bad = decode_table(st.query_params.get("tune", ""), default_table(chosen), limits)
    if bad:
        params.warn(
            f"The link's parameter **tune** had entries that were ignored: "
            f"`{params.shown(bad, 80)}` (expected `optimizer.column:value` within range)."
        )
    overrides = table.notna().any(axis=None)
    with st.expander("Per-optimizer settings", expanded=bool(overrides), icon=":material/tune:"):
        if not chosen:
            st.caption("Choose an optimizer first.")
        else:
            table = _tuning_fields(surface, chosen, table, shared, limits)
    code = encode_table(table)
    if code != st.query_params.get("tune", ""):
        if code:
            st.query_params["tune"] = code
        elif "tune" in st.query_params:
            del st.query_params["tune"]
    settings = []
    for name in chosen:
        row = table.loc[name]
        full = get_rule(name).full_batch
        bs = shared["bs"] if pd.isna(row["bs"]) else int(row["bs"])
        lg_lr = math.log10(shared["lr"]) + lr_offset(surface, name)
        settings.append(
            OptimizerSettings(
                name=name,
                lr=10.0 ** (lg_lr if pd.isna(row["log_lr"]) else float(row["log_lr"])),
                beta=_cell(row, name, "beta", shared),
                gamma=_cell(row, name, "gamma", shared),
                eps=eps,
                batch_size=None if full or bs >= n else bs,
                extra=tuple((col, _cell(row, name, col, shared)) for col in _own_columns(name)),
            )
        )
    return tuple(settings)


def _own_columns(name: str) -> list[str]:
    """The hyperparameters beyond β, γ, ε that ``name`` takes (AdamW's λ), in table order."""
    return [col for col in OWN if col in get_spec(name).accepted()]


def _tuning_fields(surface, chosen, table, shared, limits) -> pd.DataFrame:
    """One optimizer's fields at a time (α, β, γ, batch, and any of its own, such as AdamW's
    λ); blank follows the shared value, or the optimizer's own default."""
    table = table.copy()
    name = st.selectbox("Optimizer", chosen, format_func=label, key=TUNE_PREFIX + "pick")
    lg_lr = math.log10(shared["lr"]) + lr_offset(surface, name)
    shared_shown = {
        "log_lr": f"shared: {lg_lr:.2f}",
        "beta": _blank_shown(name, "beta", shared, "%.3f"),
        "gamma": _blank_shown(name, "gamma", shared, "%.4f"),
        "bs": "shared: " + ("full" if get_rule(name).full_batch else str(shared["bs"])),
    } | {col: _blank_shown(name, col, shared, "%.4f") for col in _own_columns(name)}
    formats = {"log_lr": "%.2f", "beta": "%.3f", "gamma": "%.4f", "bs": "%d"}
    steps = {"log_lr": 0.05, "beta": 0.001, "gamma": 0.0001, "bs": 1}
    own = _own_columns(name)
    problems = []
    # α on its own row (its placeholder is the longest), β and γ side by side, then the batch.
    top = st.container()
    middle = st.columns(2)
    places = dict(log_lr=top, beta=middle[0], gamma=middle[1], bs=st.container())
    places |= dict(zip(own, st.columns(len(own)) if own else (), strict=True))
    for col in places:
        title = TABLE_COLUMNS[col]
        key = f"{TUNE_PREFIX}{name}.{col}"
        if key not in st.session_state:
            stored = table.at[name, col]
            st.session_state[key] = None if pd.isna(stored) else _as_type(col, stored)
        value = places[col].number_input(
            title,
            value=None,
            step=steps.get(col, 0.001),
            format=formats.get(col, "%.4f"),
            placeholder=shared_shown[col],
            key=key,
            disabled=col == "bs" and get_rule(name).full_batch,
            help=OWN[col].text if col in OWN else None,
        )
        if value is None:
            table.at[name, col] = np.nan
            continue
        why = cell_problem(col, float(value), limits)
        if why:
            # The field keeps what was typed; the run keeps the last good value.
            short = SHORT_NAMES[col]
            problems.append(f"{label(name)} {short} = {params.shown(value)} is not used: {why}.")
        else:
            table.at[name, col] = float(value)
    for problem in problems:
        st.error(problem, icon=":material/error:")
    st.caption(
        "Blank fields follow the shared values below. α is on the slider's scale: "
        "k = −2 means α = 0.01."
    )
    set_cells = [
        f"{label(n)} {SHORT_NAMES[c]} = {params.shown(float(table.at[n, c]))}"
        for n in table.index
        for c in TABLE_COLUMNS
        if not pd.isna(table.at[n, c])
    ]
    if set_cells:
        st.caption("Set here: " + "; ".join(set_cells) + ".")
    return table


def _blank_shown(name: str, col: str, shared: dict, fmt: str) -> str:
    value = blank_value(name, col, shared)
    whose = "shared" if col in shared and value == shared[col] else f"{label(name)}'s own"
    return f"{whose}: {fmt % value}"


def _as_type(col: str, value: float):
    return int(value) if col == "bs" else float(value)
