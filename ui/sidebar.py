"""The sidebar every page shares, bound to the URL so that a link reproduces the view."""

from __future__ import annotations

import math

import streamlit as st

from figures.style import label
from landscapes import SURFACE_NAMES, get_landscape
from landscapes.presets import DEFAULT_OPTIMIZERS, preset_for
from optimizers import OPTIMIZER_NAMES, get_spec
from optimizers.rules import BETA, EPS, GAMMA
from optimizers.schedules import SCHEDULE_KINDS
from ui import custom_surface, params, present
from ui.config import Config
from ui.tuning import BETA_MAX, GAMMA_MAX, TUNE_PREFIX, lr_offset, optimizer_table
from ui.widgets import CHOICE, NUMBER, SLIDER, Widget

LR_RANGE = (-5.0, 1.0)
# The shared β, γ and ε sliders: their defaults and ranges are the specs' (optimizers.rules).
EPS_RANGE = tuple(round(math.log10(v)) for v in EPS.widget)
STEPS_RANGE = (10, 1000)
DEFAULTS = dict(
    seed=0,
    beta=BETA.default,
    gamma=GAMMA.default,
    log_eps=round(math.log10(EPS.default)),
    sched="constant",
    decay=0.5,
    every=10,
    floor=0.0,
)
SEED_RANGE = (0, 2**31 - 1)
SURFACE_DEFAULT = "rosenbrock"
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

RESET_KEY = "_reset"


def widget_specs(ls) -> dict[str, Widget]:
    """Every URL-bound number and schedule widget of the sidebar on surface ``ls``: the one
    place its range and default are written (the URL check and the widget both read it).
    In the order the link is checked."""
    preset = preset_for(ls)
    (x0, x1), (y0, y1) = ls.bounds
    n = ls.n_examples
    specs = [
        Widget("x0", "Start φ₀", NUMBER, float(ls.default_start[0]), x0, x1, 0.05, format="%.2f"),
        Widget("y0", "Start φ₁", NUMBER, float(ls.default_start[1]), y0, y1, 0.05, format="%.2f"),
        Widget("steps", "Steps", SLIDER, preset.steps, *STEPS_RANGE, 10, integer=True),
        Widget(
            "seed",
            "Minibatch seed (shuffle order)",
            NUMBER,
            DEFAULTS["seed"],
            *SEED_RANGE,
            1,
            integer=True,
        ),
        Widget(
            "log_lr",
            "Learning rate α = 10^k, k:",
            SLIDER,
            float(preset.lg_lr),
            *LR_RANGE,
            0.05,
            log=True,
            format="%.2f",
        ),
        Widget("beta", "Momentum β", SLIDER, DEFAULTS["beta"], 0.0, BETA_MAX, 0.001, format="%.3f"),
        Widget(
            "gamma",
            "Second moment γ",
            SLIDER,
            DEFAULTS["gamma"],
            0.0,
            GAMMA_MAX,
            0.0001,
            format="%.4f",
        ),
        Widget(
            "log_eps",
            "ε = 10^k, k:",
            SLIDER,
            DEFAULTS["log_eps"],
            *EPS_RANGE,
            1,
            integer=True,
            log=True,
        ),  # fmt: skip
        Widget(
            "bs", f"Batch size (of N = {n} examples)", SLIDER, preset.batch_size, 1, n, integer=True
        ),
        Widget("sched", "Schedule", CHOICE, DEFAULTS["sched"], options=SCHEDULE_KINDS),
        Widget("decay", "Decay factor", SLIDER, DEFAULTS["decay"], 0.05, 1.0, 0.05),
        Widget("every", "Every N epochs", SLIDER, DEFAULTS["every"], 1, 50, integer=True),
        Widget("floor", "Cosine: final fraction of α", SLIDER, DEFAULTS["floor"], 0.0, 1.0, 0.05),
    ]
    if not ls.is_data:  # a data surface's noise is its data
        noise = float(ls.noise)
        specs.append(
            Widget(
                "noise",
                "Gradient noise σ (per example)",
                SLIDER,
                noise,
                0.0,
                NOISE_FACTOR * noise,
                noise / 20,
            )
        )
    return {w.key: w for w in specs}


def surface_defaults(surface: str) -> dict:
    """The first-view values of the widgets that depend on the surface."""
    specs = widget_specs(custom_surface.landscape(surface))
    return {key: specs[key].default for key in SURFACE_KEYS if key in specs}


def _forget_tuning() -> None:
    """Drop the per-optimizer fields' state: they are filled again from the URL."""
    for key in list(st.session_state):
        if str(key).startswith(TUNE_PREFIX):
            del st.session_state[key]


def _on_surface_change() -> None:
    # A widget bound to the URL cannot have its parameter deleted; setting its state to the
    # new surface's default moves both the widget and the URL.
    st.session_state.update(surface_defaults(st.session_state["surface"]))
    st.session_state[SURFACE_CHANGED] = True
    _forget_tuning()


def shared_defaults(surface: str = SURFACE_DEFAULT) -> dict:
    """Every sidebar widget's first-view value (the URL holds none of them)."""
    return dict(
        DEFAULTS, surface=surface, opt=list(DEFAULT_OPTIMIZERS), **surface_defaults(surface)
    )


def _reset() -> None:
    """Back to the first view, on the same page: widgets to their defaults, the URL emptied."""
    st.session_state.update(shared_defaults())
    _forget_tuning()
    if "tune" in st.query_params:
        del st.query_params["tune"]
    params.reset_page_keys(also=(present.PRESENT_KEY,))


SURFACE_CHANGED = "_surface_changed"


def _check_url(surface_default: str) -> None:
    """Check every shared parameter before any widget reads it."""
    params.check_choice("surface", SURFACE_NAMES, surface_default)
    custom_surface.check_url()
    surface = params.current("surface", surface_default)
    ls = custom_surface.landscape(surface)
    params.check_choices("opt", OPTIMIZER_NAMES, list(DEFAULT_OPTIMIZERS))
    for spec in widget_specs(ls).values():
        spec.check()
    if ls.is_data and "noise" in st.query_params:
        params.check_with(
            "noise", lambda raw: "data landscapes take their noise from the data", "none"
        )
    # One "tune" holds every cell; given twice, which did the link mean? (its cells: below)
    params.check_with("tune", lambda raw: None, "no per-optimizer settings")


def sidebar() -> Config:
    """Draw the shared sidebar and return the configuration it holds."""
    _check_url(SURFACE_DEFAULT)
    sb = st.sidebar
    surface = sb.selectbox(
        "Surface",
        SURFACE_NAMES,
        index=SURFACE_NAMES.index(SURFACE_DEFAULT),
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
    w = widget_specs(ls)
    sb.markdown(f"**{ls.title}**")
    # Inline maths, which KaTeX breaks after an operator: a long formula wraps in the sidebar.
    sb.markdown(f"$\\small {ls.formula}$")
    sb.caption(ls.description)

    # No min/max on the number inputs: an out-of-range value reaches the URL check, which
    # says what was wrong, where the input alone would only turn red.
    c1, c2 = sb.columns(2)
    sx = w["x0"].draw(c1)
    sy = w["y0"].draw(c2)
    (bx0, bx1), (by0, by1) = ls.bounds
    sb.caption(
        f"Within [{bx0:g}, {bx1:g}] × [{by0:g}, {by1:g}]. Or click the contour to set the start."
    )

    # No format_func on URL-bound choices: the URL would hold the formatted label.
    chosen = sb.multiselect(
        "Optimizers",
        OPTIMIZER_NAMES,
        default=list(DEFAULT_OPTIMIZERS),
        key="opt",
        bind="query-params",
    )
    if not chosen:
        sb.info(NO_OPTIMIZER, icon=":material/info:")
    # Filled once the shared values below are known.
    tuning = sb.container()

    sb.subheader("Hyperparameters")
    lg_lr = w["log_lr"].draw(sb)
    lr = 10.0**lg_lr
    alpha_caption = sb.empty()
    beta = w["beta"].draw(sb)
    gamma = w["gamma"].draw(sb)
    lg_eps = w["log_eps"].draw(sb)
    n = ls.n_examples
    batch_size = w["bs"].draw(sb)
    sb.caption("GD always uses the full batch; the others use this batch size.")

    with sb.expander("Learning-rate schedule"):
        kind = w["sched"].draw()
        decay = w["decay"].draw(disabled=kind not in ("step", "exponential"))
        every = w["every"].draw(disabled=kind != "step")
        floor = w["floor"].draw(disabled=kind != "cosine")

    with sb.expander("Run", expanded=True):
        steps = w["steps"].draw()
        seed = w["seed"].draw(
            help=f"A whole number from {SEED_RANGE[0]} to {SEED_RANGE[1]}: the same seed "
            "draws the same minibatches."
        )
        if ls.is_data:
            noise = None
            st.caption("Minibatch noise on this surface comes from the data themselves.")
        else:
            noise = w["noise"].draw()
    sb.button(
        "Reset to defaults",
        on_click=_reset,
        icon=":material/restart_alt:",
        help="Every setting back to its first view, on this page; the link empties too.",
        key=RESET_KEY,
    )

    shared = dict(lr=lr, beta=float(beta), gamma=float(gamma), bs=int(batch_size))
    alpha_caption.caption(alpha_text(surface, chosen, lg_lr))
    with tuning:
        settings = optimizer_table(surface, chosen, n, shared, 10.0**lg_eps)
    params.remember({key: st.session_state[key] for key in SHARED_KEYS if key in st.session_state})
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


NO_OPTIMIZER = "No optimizer chosen: pick one or more above to race them."


def alpha_text(surface: str, chosen, lg_lr: float) -> str:
    """The α each optimizer takes from the slider, offsets included."""
    text = f"α = {10.0**lg_lr:.3g}"
    groups: dict[float, list[str]] = {}
    for name in chosen:
        offset = round(lr_offset(surface, name), 9)
        if offset:
            groups.setdefault(offset, []).append(name)
    for offset, names in groups.items():
        why = (
            " (they step a fixed distance per coordinate, so they take their own α)"
            if all(get_spec(name).fixed_size for name in names)
            else ""
        )
        text += (
            f"; {', '.join(label(name) for name in names)}: α × {10.0**offset:.3g} = "
            f"{10.0 ** (lg_lr + offset):.3g}{why}"
        )
    return text
