"""The sidebar every page shares, bound to the URL so that a link reproduces the view."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import streamlit as st

from figures.style import label
from landscapes import DATA_LANDSCAPES, SURFACE_NAMES, get_landscape
from landscapes.presets import ADAPTIVE, DEFAULT_OPTIMIZERS, preset_for
from optimizers import OPTIMIZER_NAMES, get_rule
from optimizers.schedules import SCHEDULE_KINDS
from ui import custom_surface, params
from ui.config import Config, OptimizerSettings

LR_RANGE = (-5.0, 1.0)
EPS_RANGE = (-12, -1)
STEPS_RANGE = (10, 1000)
BETA_MAX = 0.999
GAMMA_MAX = 0.9999
DEFAULTS = dict(
    seed=0, beta=0.9, gamma=0.999, log_eps=-8, sched="constant", decay=0.5, every=10, floor=0.0
)
NOISE_FACTOR = 5.0  # the noise slider reaches this many times the surface's default noise

# Widgets whose defaults or ranges depend on the surface: reset when it changes.
SURFACE_KEYS = ("x0", "y0", "log_lr", "steps", "bs", "noise", "tune")  # in the URL
SHARED_KEYS = (
    "surface",
    "opt",
    "seed",
    "beta",
    "gamma",
    "log_eps",
    "sched",
    "decay",
    "every",
    "floor",
) + SURFACE_KEYS
SHARED_KEYS += custom_surface.URL_KEYS  # formula, range and data of the user surfaces

TABLE_COLUMNS = {"lr": "α", "beta": "β", "gamma": "γ", "bs": "batch size"}


def surface_defaults(surface: str) -> dict:
    """The first-view values of the widgets that depend on the surface."""
    ls = custom_surface.landscape(surface)
    preset = preset_for(ls)
    values = dict(
        x0=float(ls.default_start[0]),
        y0=float(ls.default_start[1]),
        log_lr=float(preset.lg_lr),
        steps=preset.steps,
        bs=preset.batch_size,
    )
    if surface not in DATA_LANDSCAPES:
        values["noise"] = float(ls.noise)
    return values


def _on_surface_change() -> None:
    # A widget bound to the URL cannot have its parameter deleted; setting its state to the
    # new surface's default moves both the widget and the URL.
    st.session_state.update(surface_defaults(st.session_state["surface"]))
    st.session_state[SURFACE_CHANGED] = True
    for key in list(st.session_state):
        if str(key).startswith("tune_editor"):
            del st.session_state[key]


SURFACE_CHANGED = "_surface_changed"


def default_table(surface: str, names) -> pd.DataFrame:
    """Per-optimizer values; blank (NaN) means "use the shared value"."""
    preset = preset_for(custom_surface.landscape(surface))
    rows = {
        name: {
            "lr": 10**preset.lg_lr_adaptive if name in ADAPTIVE else np.nan,
            "beta": np.nan,
            "gamma": np.nan,
            "bs": np.nan,
        }
        for name in names
    }
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(TABLE_COLUMNS), dtype=float)


def encode_table(table: pd.DataFrame, default: pd.DataFrame) -> str:
    """The cells that differ from the default, as ``opt.col:value`` joined by commas."""
    parts = []
    for name in table.index:
        for col in TABLE_COLUMNS:
            new, old = table.at[name, col], default.at[name, col]
            if (pd.isna(new) and pd.isna(old)) or (
                not pd.isna(new) and not pd.isna(old) and math.isclose(new, old, rel_tol=1e-12)
            ):
                continue
            parts.append(f"{name}.{col}:" + ("" if pd.isna(new) else f"{new:.6g}"))
    return ",".join(parts)


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
            number = np.nan if value == "" else float(value)
            lo, hi = limits[col]
            if not (np.isnan(number) or (math.isfinite(number) and lo <= number <= hi)):
                raise ValueError
            if col == "bs" and not np.isnan(number) and number != int(number):
                raise ValueError
        except ValueError:
            bad.append(part)
            continue
        if name in table.index:
            table.at[name, col] = number
    return table, bad


def _check_url(surface_default: str) -> None:
    """Check every shared parameter before any widget reads it."""
    params.check_unknown(SHARED_KEYS)
    params.check_choice("surface", SURFACE_NAMES, surface_default)
    custom_surface.check_url()
    surface = st.query_params.get("surface", surface_default)
    ls = custom_surface.landscape(surface)
    preset = preset_for(ls)
    (x0, x1), (y0, y1) = ls.bounds
    params.check_number("x0", x0, x1, ls.default_start[0])
    params.check_number("y0", y0, y1, ls.default_start[1])
    params.check_number("steps", *STEPS_RANGE, preset.steps, integer=True)
    params.check_number("seed", 0, 2**31 - 1, DEFAULTS["seed"], integer=True)
    params.check_choices("opt", OPTIMIZER_NAMES, ", ".join(DEFAULT_OPTIMIZERS))
    params.check_number("log_lr", *LR_RANGE, preset.lg_lr)
    params.check_number("beta", 0.0, BETA_MAX, DEFAULTS["beta"])
    params.check_number("gamma", 0.0, GAMMA_MAX, DEFAULTS["gamma"])
    params.check_number("log_eps", *EPS_RANGE, DEFAULTS["log_eps"], integer=True)
    params.check_number("bs", 1, ls.n_examples, preset.batch_size, integer=True)
    params.check_choice("sched", SCHEDULE_KINDS, DEFAULTS["sched"])
    params.check_number("decay", 0.05, 1.0, DEFAULTS["decay"])
    params.check_number("every", 1, 50, DEFAULTS["every"], integer=True)
    params.check_number("floor", 0.0, 1.0, DEFAULTS["floor"])
    if surface not in DATA_LANDSCAPES:
        params.check_number("noise", 0.0, NOISE_FACTOR * ls.noise, ls.noise)
    elif "noise" in st.query_params:
        params.check_with(
            "noise", lambda raw: "data landscapes take their noise from the data", "none"
        )


def sidebar() -> Config:
    """Draw the shared sidebar and return the configuration it holds."""
    surface_default = "rosenbrock"
    _check_url(surface_default)
    sb = st.sidebar
    surface = sb.selectbox(
        "Surface",
        SURFACE_NAMES,
        index=SURFACE_NAMES.index(surface_default),
        key="surface",
        bind="query-params",
        on_change=_on_surface_change,
    )
    user_params, changed = custom_surface.widgets(surface)  # formula or data: ui/custom_surface
    if changed:
        _on_surface_change()  # a new formula or dataset is a new surface
    if st.session_state.pop(SURFACE_CHANGED, False) and "tune" in st.query_params:
        del st.query_params["tune"]  # per-optimizer cells are per surface
    ls = get_landscape(surface, **dict(user_params))
    preset = preset_for(ls)
    sb.markdown(f"**{ls.title}**")
    sb.latex(r"\footnotesize " + ls.formula)
    sb.caption(ls.description)

    (x0, x1), (y0, y1) = ls.bounds
    c1, c2 = sb.columns(2)
    sx = c1.number_input(
        "Start φ₀",
        x0,
        x1,
        float(ls.default_start[0]),
        step=0.05,
        format="%.2f",
        key="x0",
        bind="query-params",
    )
    sy = c2.number_input(
        "Start φ₁",
        y0,
        y1,
        float(ls.default_start[1]),
        step=0.05,
        format="%.2f",
        key="y0",
        bind="query-params",
    )
    sb.caption("Or click the contour to set the start.")

    # No format_func on URL-bound choices: the URL would hold the formatted label.
    chosen = sb.multiselect(
        "Optimizers",
        OPTIMIZER_NAMES,
        default=list(DEFAULT_OPTIMIZERS),
        key="opt",
        bind="query-params",
    )

    sb.subheader("Hyperparameters")
    lg_lr = sb.slider(
        "Learning rate α = 10^k, k:",
        *LR_RANGE,
        float(preset.lg_lr),
        0.05,
        key="log_lr",
        bind="query-params",
        format="%.2f",
    )
    lr = 10.0**lg_lr
    sb.caption(f"α = {lr:.3g}")
    beta = sb.slider(
        "Momentum β",
        0.0,
        BETA_MAX,
        DEFAULTS["beta"],
        0.001,
        format="%.3f",
        key="beta",
        bind="query-params",
    )
    gamma = sb.slider(
        "Second moment γ",
        0.0,
        GAMMA_MAX,
        DEFAULTS["gamma"],
        0.0001,
        format="%.4f",
        key="gamma",
        bind="query-params",
    )
    lg_eps = sb.slider(
        "ε = 10^k, k:", *EPS_RANGE, DEFAULTS["log_eps"], 1, key="log_eps", bind="query-params"
    )
    n = ls.n_examples
    batch_size = sb.slider(
        f"Batch size (of N = {n} examples)", 1, n, preset.batch_size, key="bs", bind="query-params"
    )
    sb.caption("GD always uses the full batch; the others use this batch size.")

    with sb.expander("Learning-rate schedule"):
        kind = st.selectbox("Schedule", SCHEDULE_KINDS, index=0, key="sched", bind="query-params")
        decay = st.slider(
            "Decay factor",
            0.05,
            1.0,
            DEFAULTS["decay"],
            0.05,
            key="decay",
            bind="query-params",
            disabled=kind not in ("step", "exponential"),
        )
        every = st.slider(
            "Every N epochs",
            1,
            50,
            DEFAULTS["every"],
            key="every",
            bind="query-params",
            disabled=kind != "step",
        )
        floor = st.slider(
            "Cosine: final fraction of α",
            0.0,
            1.0,
            DEFAULTS["floor"],
            0.05,
            key="floor",
            bind="query-params",
            disabled=kind != "cosine",
        )

    with sb.expander("Run", expanded=True):
        steps = st.slider("Steps", *STEPS_RANGE, preset.steps, 10, key="steps", bind="query-params")
        seed = st.number_input(
            "Seed (minibatch order)",
            0,
            2**31 - 1,
            DEFAULTS["seed"],
            key="seed",
            bind="query-params",
        )
        if surface in DATA_LANDSCAPES:
            noise = None
            st.caption("Minibatch noise on this surface comes from the data themselves.")
        else:
            noise = st.slider(
                "Gradient noise σ (per example)",
                0.0,
                float(NOISE_FACTOR * ls.noise),
                float(ls.noise),
                float(ls.noise) / 20,
                key="noise",
                bind="query-params",
            )

    settings = _optimizer_table(surface, chosen, n, lr, beta, gamma, 10.0**lg_eps, batch_size)
    return Config(
        surface=surface,
        noise=None if noise is None else float(noise),
        start=(float(sx), float(sy)),
        steps=int(steps),
        seed=int(seed),
        optimizers=tuple(chosen),
        lr=lr,
        beta=float(beta),
        gamma=float(gamma),
        eps=10.0**lg_eps,
        batch_size=int(batch_size),
        schedule=(kind, float(decay), int(every), float(floor)),
        settings=settings,
        surface_params=user_params,
    )


def _optimizer_table(surface, chosen, n, lr, beta, gamma, eps, batch_size):
    default = default_table(surface, chosen)
    limits = {"lr": (1e-6, 100.0), "beta": (0.0, BETA_MAX), "gamma": (0.0, GAMMA_MAX), "bs": (1, n)}
    table, bad = decode_table(st.query_params.get("tune", ""), default, limits)
    if bad:
        params.warn(
            f"The link's parameter **tune** had entries that were ignored: "
            f"`{', '.join(bad)}` (expected `optimizer.column:value` within range)."
        )
    with st.sidebar.expander("Per-optimizer settings"):
        st.caption(
            "Blank cells use the shared values above. Adaptive optimizers start with "
            "their own α, since they step a fixed distance per coordinate."
        )
        view = table.rename(columns=TABLE_COLUMNS, index=label)
        edited = st.data_editor(
            view,
            key="tune_editor_" + surface + "_" + "-".join(chosen),
            width="stretch",
            column_config={
                "α": st.column_config.NumberColumn(min_value=1e-6, max_value=100.0, format="%.4g"),
                "β": st.column_config.NumberColumn(
                    min_value=0.0, max_value=BETA_MAX, format="%.3f"
                ),
                "γ": st.column_config.NumberColumn(
                    min_value=0.0, max_value=GAMMA_MAX, format="%.4f"
                ),
                "batch size": st.column_config.NumberColumn(
                    min_value=1, max_value=n, step=1, format="%d"
                ),
            },
            disabled=False,
        )
    edited = pd.DataFrame(
        edited.to_numpy(dtype=float), index=list(chosen), columns=list(TABLE_COLUMNS)
    )
    code = encode_table(edited, default)
    if code != st.query_params.get("tune", ""):
        if code:
            st.query_params["tune"] = code
        elif "tune" in st.query_params:
            del st.query_params["tune"]
    settings = []
    for name in chosen:
        row = edited.loc[name]
        full = get_rule(name).full_batch
        bs = batch_size if pd.isna(row["bs"]) else int(row["bs"])
        settings.append(
            OptimizerSettings(
                name=name,
                lr=lr if pd.isna(row["lr"]) else float(row["lr"]),
                beta=beta if pd.isna(row["beta"]) else float(row["beta"]),
                gamma=gamma if pd.isna(row["gamma"]) else float(row["gamma"]),
                eps=eps,
                batch_size=None if full or bs >= n else bs,
            )
        )
    return tuple(settings)
