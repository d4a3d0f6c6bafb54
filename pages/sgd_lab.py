"""Minibatch SGD lab: what a minibatch is, what SGD descends at a step, and what noise buys."""

from ui import boot

boot.import_all()  # before anything else, also when a page runs alone: ui/boot.py

import pandas as pd
import streamlit as st

from figures import sgd_curves, sgd_minibatch
from figures.kit import CLICK_GRID_NAME
from figures.loss_chart import runs_loss_figure
from figures.sgd_motion import GROUP
from figures.style import label
from optimizers.minibatch import ending_sentence, path_gap, step_decay_count
from ui import params
from ui.compute_sgd_lab import (
    SCENARIOS,
    lab_key,
    lab_runs,
    lab_view,
    reports,
    seed_schedule,
    step_view,
    use_scenario,
    use_values,
)
from ui.export import file_stem, gif_download, plotly_config, sgd_lab_gif
from ui.figure_cache import shared_figure
from ui.gate import gated
from ui.plotly_chart import chart, clicked_xy, lab_chart
from ui.present import explanatory
from ui.state import config
from ui.widgets import SLIDER, Widget, declare_page

CHART_KEY = "sgd_lab_chart"
STEP_KEY = "lab_step"
CLOSE_PATHS = 0.02  # paths never further apart than this share of the plot look identical
LAB_OPTIMIZERS = ("gd", "sgd")


def _set_start_from_click() -> None:
    """Runs before the rerun, so the sidebar's start widgets may still be set."""
    point = clicked_xy(CHART_KEY)
    if point is not None and point[2] == CLICK_GRID_NAME:
        st.session_state["x0"] = round(point[0], 2)
        st.session_state["y0"] = round(point[1], 2)


cfg = config()
declare_page((STEP_KEY,))
ls = cfg.landscape()
key = lab_key(cfg)
st.title("Minibatch SGD lab")
explanatory.caption(
    f"**{ls.title}**: {ls.description} Stochastic gradient descent takes each step with the "
    "gradient of a random minibatch of the examples instead of all of them."
)

st.markdown("**Try a scenario** (sets the sidebar):")
cols = st.columns(len(SCENARIOS))
for col, (name, scenario) in zip(cols, SCENARIOS.items(), strict=True):
    col.button(
        scenario.title,
        key=f"scenario_{name}",
        help=scenario.what,
        on_click=use_scenario,
        args=(name,),
        width="stretch",
    )
for scenario in SCENARIOS.values():
    v = scenario.values
    if v["surface"] == cfg.surface and (v["x0"], v["y0"]) == tuple(cfg.start):
        explanatory.info(scenario.what, icon=":material/science:")

with st.spinner("Running GD and SGD..."):
    gd, sgd = lab_runs(key)
    view = lab_view(key)
gap = path_gap(gd, sgd)

if key.batch_size is None:
    st.info(
        f"The batch size is N = {ls.n_examples}: every minibatch is all the data, so SGD is "
        "gradient descent. Lower the batch size in the sidebar to see minibatches."
    )
elif cfg.noise == 0:
    st.info(
        "The gradient noise σ is 0: every example carries the same share of the loss, so "
        "each minibatch gradient equals the full gradient and SGD follows GD exactly. Raise "
        "σ in the sidebar."
    )
elif gap < CLOSE_PATHS * max(ls.extent):
    st.info(
        f"Here SGD's path never strays more than {gap:.2g} from GD's: next to "
        "this surface's gradient the minibatch noise is small, so the two paths look the "
        "same. Raise the gradient noise σ or lower the batch size in the sidebar, or try a "
        "scenario above.",
        icon=":material/lightbulb:",
    )
for traj in (gd, sgd):
    if int(traj.diverged) >= 0:
        st.warning(
            f"{label(traj.optimizer)} diverged at step {int(traj.diverged)}: its path stops "
            "there. Lower the learning rate α in the sidebar.",
            icon=":material/warning:",
        )

# ----- an epoch, batch by batch: GD and SGD animated beside the minibatches ----------------
st.subheader("One epoch, batch by batch")
n = ls.n_examples
k = sgd.steps_per_epoch
size = sgd.batch_size
if ls.is_data:
    right = (
        f"Right: the {n} data points; the current minibatch is large and orange, the points "
        "already used this epoch are pale orange, and the curves are the model at SGD's "
        "(solid) and GD's (dashed) parameters."
    )
else:
    right = (
        f"Right: this surface is a sum of N = {n} synthetic examples, each carrying L/N plus a "
        "small tilt that cancels over all of them (σ sets its size). Each square is one "
        "example: orange is the current minibatch, pale orange those already used this "
        "epoch."
    )
explanatory.caption(
    f"Each step draws a minibatch of {size} of the N = {n} examples **without replacement**, "
    f"so {k} batches make one **epoch**, a full pass in which every example is used once; "
    f"then the examples are shuffled again. Left: GD (black, all {n} examples every step) and "
    f"SGD (orange) from the same start with the same α at each step. {right} Press ▶ to "
    "play, or step one batch at a time with ◀ and ▶| (with the chart focused: Space, ← and "
    "→); the loss chart below marks the step. Click the contour to start somewhere else."
)
lab_chart(
    view,
    key=CHART_KEY,
    on_click=_set_start_from_click,
    config=plotly_config("sgd-lab", cfg, "epoch", LAB_OPTIMIZERS),
)
gif_download(
    lambda options: sgd_lab_gif(key, options),
    file_stem("sgd-lab", cfg, "epoch", LAB_OPTIMIZERS),
    "sgd_lab_gif",
)

# ----- where they ended ---------------------------------------------------------------------
rows = reports(key)
left, right_col = st.columns([6, 5])
with left:
    st.subheader("Where GD and SGD ended")
    st.markdown("  \n".join(ending_sentence(ls, t, label(t.optimizer)) for t in (gd, sgd)))
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index = [label(name) for name in table.index]
    st.dataframe(
        table,
        width="stretch",
        column_config={
            "final loss": st.column_config.NumberColumn(format="%.4g"),
            "steps to a minimum": st.column_config.NumberColumn("steps to min.", format="%d"),
        },
    )
    explanatory.caption(
        "The notes: noise in the gradient *can escape local minima* and *reduces the chance of "
        "getting stuck at saddle points*. A step is also cheaper: it uses "
        f"{size} example{'s' * (size != 1)}, not {n}."
    )
with right_col:
    st.subheader("Loss against step")
    chart(
        shared_figure("lab_loss", key, lambda: runs_loss_figure([gd, sgd], legend=True)),
        key="sgd_loss_chart",
        config=plotly_config("sgd-lab", cfg, "loss", LAB_OPTIMIZERS),
        follow=GROUP,
    )


# ----- one step: the minibatch's own landscape and the two gradients -------------------------
@st.fragment
@gated
def step_section() -> None:
    st.subheader("What SGD actually descends at one step")
    last = sgd.steps - 1
    if st.session_state.get(STEP_KEY, 0) > last:
        st.session_state[STEP_KEY] = last  # the run got shorter: keep the slider in range
    step_widget = Widget(STEP_KEY, f"Step (0 to {last})", SLIDER, 0, 0, last, integer=True)
    step_widget.check()
    for message in params.pop_warnings():
        st.warning(message, icon=":material/link_off:")
    step = step_widget.draw(width="stretch")
    view = step_view(key, int(step))
    pos, grads = view["position"], view["grads"]
    batch = sorted(int(i) + 1 for i in view["batch"])
    batch_label = f"epoch {pos.epoch + 1}, batch {pos.batch + 1} of {pos.per_epoch}"
    chart(
        shared_figure(
            "lab_minibatch",
            (key, int(step)),
            lambda: sgd_minibatch.minibatch_figure(
                ls,
                view["full_grid"],
                view["batch_grid"],
                view["point"],
                view["full_minimum"],
                view["batch_minimum"],
                grads,
                view["scale"],
                batch_label=batch_label,
            ),
        ),
        key="minibatch_chart",
        config=plotly_config("sgd-lab", cfg, f"minibatch-step{step}", LAB_OPTIMIZERS),
    )
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("|∇L| (full batch)", f"{grads.full_norm:.3g}")
    m2.metric("|∇L_B| (minibatch)", f"{grads.minibatch_norm:.3g}")
    m3.metric("Angle between them", f"{grads.angle:.1f}°")
    m4.metric(f"α at step {step}", f"{view['lr']:.3g}")
    bx, by = view["batch_minimum"]
    fx, fy = view["full_minimum"]
    lowest = f"whose lowest point in the plotted square is ({bx:.2f}, {by:.2f})"
    if view["batch_minimum_on_edge"]:
        lowest += " on its edge (L_B keeps falling beyond it)"
    explanatory.caption(
        f"Step {step} ({batch_label}) uses examples {', '.join(map(str, batch))}. Their loss "
        "L_B (right; scaled by N/|B| so it is comparable with L) is what this step descends: "
        f"SGD moves by −α∇L_B, downhill on the right-hand surface, {lowest}, not the full "
        f"loss's minimum ({fx:.2f}, {fy:.2f}). The arrows show −∇L (black) and −∇L_B (orange) "
        "at the current point, on one scale. Over an epoch the minibatch gradients average "
        "to the full gradient."
    )


step_section()

# ----- the learning-rate schedule ----------------------------------------------------------
st.subheader("Learning-rate schedule")
kind, factor, every, _ = cfg.schedule
if kind == "step":
    explanatory.caption(
        f"The notes' schedule: α starts high ({key.lr:.3g}) and is multiplied by {factor:g} "
        f"every {every} epoch{'s' * (every != 1)} ({every * k} steps). Early on the high α "
        "explores the landscape (and lets noise shake SGD out of poor minima); later the low "
        "α fine-tunes the parameters, and the noise it lets through shrinks with it. GD "
        "takes the same α at each step."
    )
else:
    seed_values = seed_schedule(key, k)
    decays = step_decay_count(key.steps, k, seed_values["every"])
    explanatory.info(
        "The notes' schedule is a **step decay**: α starts with a high value and decreases by "
        "a constant factor every N epochs, exploring early and fine-tuning later. This run "
        f"uses a **{kind}** schedule. The button sets the sidebar's schedule to ×"
        f"{seed_values['decay']:g} every {seed_values['every']} epochs: α drops {decays} "
        f"time{'s' * (decays != 1)} within these {key.steps} steps.",
        icon=":material/school:",
    )
    st.button(
        "Use the notes' schedule",
        key="seed_schedule",
        on_click=use_values,
        args=(seed_values,),
        icon=":material/trending_down:",
    )
chart(
    shared_figure("lab_lr", key, lambda: sgd_curves.lr_figure(sgd.lrs, k)),
    key="sgd_lr_chart",
    config=plotly_config("sgd-lab", cfg, "schedule", LAB_OPTIMIZERS),
)
