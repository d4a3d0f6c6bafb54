"""Learning-rate sensitivity: every chosen optimizer swept over a log range of learning rates
from the same start and minibatch sequence; heatmaps over (α, β) and (α, γ)."""

from ui import boot

boot.import_all()  # before anything else, also when a page runs alone: ui/boot.py

import streamlit as st

from figures.hyper import HyperPanel, hyper_figure
from figures.sensitivity import describe_sweeps, sensitivity_figure
from figures.style import label
from optimizers.sweeps_extra import stability_limit
from ui import budget, params
from ui.compute_sensitivity import (
    HEAT_LRS,
    HEAT_PARAM,
    HEAT_VALUES,
    hyper_grid_setting,
    lr_sweep_setting,
)
from ui.export import plotly_config
from ui.figure_cache import shared_figure
from ui.plotly_chart import chart
from ui.present import explanatory
from ui.state import config
from ui.widgets import SLIDER, Widget, declare_page

# This page's URL-bound widgets: each range and default written once, for widget and link.
LO = Widget("sens_lo", "Smallest α = 10^k, k:", SLIDER, -4.0, -6.0, 0.0, 0.1, log=True)
HI = Widget("sens_hi", "Largest α = 10^k, k:", SLIDER, 1.0, -3.0, 2.0, 0.1, log=True)
COUNT = Widget("sens_n", "Learning rates in the sweep", SLIDER, 60, 10, 200, integer=True)
SYMBOL = {"beta": "β", "gamma": "γ"}


def _joined(words, last: str) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + f" {last} " + words[-1]


# Which optimizers get a heatmap, and against what: their specs' ``heat``.
HEAT_BY = {p: [label(n) for n, q in HEAT_PARAM.items() if q == p] for p in HEAT_PARAM.values()}

cfg = config()
declare_page(w.key for w in (LO, HI, COUNT))
PLOT = plotly_config("sensitivity", cfg)
ls = cfg.landscape()
st.title("Learning-rate sensitivity")
explanatory.caption(
    f"**{ls.title}**. Each optimizer runs once per learning rate α, all from the same start "
    f"({cfg.start[0]:.2f}, {cfg.start[1]:.2f}) for {cfg.steps} steps with the same minibatch "
    "sequence; everything else (β, γ, batch size, schedule) is that optimizer's own setting "
    "from the sidebar. Adam is said to be *less sensitive to the initial learning rate*: "
    "here you can check it."
)

for widget in (LO, HI, COUNT):
    widget.check()
c1, c2, c3 = st.columns(3)
lo_exp = LO.draw(c1)
hi_exp = HI.draw(c2)
count = COUNT.draw(c3)
for message in params.pop_warnings():
    st.warning(message, icon=":material/link_off:")
if lo_exp >= hi_exp:
    # Swapped ends are swapped back; equal ends widen to one decade below.
    lo_exp, hi_exp = (hi_exp, lo_exp) if lo_exp > hi_exp else (hi_exp - 1.0, hi_exp)
    st.warning(
        f"The smallest α must lie below the largest; sweeping α from 10^{lo_exp:g} "
        f"to 10^{hi_exp:g} instead.",
        icon=":material/swap_horiz:",
    )
lo, hi = 10.0**lo_exp, 10.0**hi_exp

if not cfg.optimizers:
    st.info("Choose at least one optimizer in the sidebar.")
    st.stop()
heat = [s for s in cfg.settings if s.name in HEAT_PARAM]
costs = [cfg.run_spec(s.name).step_cost() for s in cfg.settings]
heat_costs = [cost for s, cost in zip(cfg.settings, costs, strict=True) if s.name in HEAT_PARAM]
*heat_size, heat_cut = budget.heat_size(HEAT_LRS, HEAT_VALUES, cfg.steps, heat_costs)
count, cut = budget.sweep_count(
    count, cfg.steps, costs, heat_costs, heat_size[0] * heat_size[1], COUNT.lo
)
for why in (cut, heat_cut):
    if why:
        st.warning(why, icon=":material/speed:")

with st.spinner(f"Sweeping {count} learning rates for each optimizer..."):
    sweeps = {s.name: lr_sweep_setting(cfg, s, lo, hi, count) for s in cfg.settings}

best = ls.global_minimum.loss
best_text = f"{best:.4g}" if abs(best) > 1e-12 else "0"
start_loss = float(ls.loss(cfg.start))
limit = stability_limit(ls)
chart(
    shared_figure(
        "sensitivity",
        (repr(cfg), lo, hi, count),
        lambda: sensitivity_figure(
            sweeps, best, start_loss, cfg.steps, limit, {s.name: s.lr for s in cfg.settings}
        ),
    ),
    key="sensitivity_chart",
    config=PLOT,
)
st.markdown(describe_sweeps(sweeps, limit))
level = next(iter(sweeps.values())).level
limit_words = (
    f"2/λmax = {limit:.3g} (λmax = {2 / limit:.4g}, the largest curvature at the global minimum)"
    if limit != float("inf")
    else "2/λmax is infinite here (no positive curvature at the minimum)"
)
explanatory.caption(
    f"Top: the final loss minus the global minimum's loss L* = {best_text}, on a log scale "
    f"(a run that reached L* to machine precision sits on the floor); ✕ marks runs that "
    f"diverged, ▲ the sidebar's α. Converged means a final loss at most {level:.4g} (the "
    f"dashed line). Bottom: the first step at which the loss fell to that level. The dashed "
    f"vertical line is {limit_words}: near the minimum, gradient descent with a larger α "
    f"overshoots further at every step."
)

st.subheader("Two hyperparameters at once")
if not heat:
    st.info(
        f"Choose {_joined([label(n) for n in HEAT_PARAM], 'or')} in the sidebar to see α "
        f"against {_joined([SYMBOL[p] for p in HEAT_BY], 'or')}."
    )
else:
    explanatory.caption(
        "Final loss over "
        + " or ".join(f"α and {SYMBOL[p]} ({', '.join(names)})" for p, names in HEAT_BY.items())
        + ", from the same start; "
        "grey cells diverged; the white circle is the sidebar's setting."
    )
    with st.spinner("Sweeping α against β and γ..."):
        panels = [
            HyperPanel(
                s.name,
                HEAT_PARAM[s.name],
                hyper_grid_setting(cfg, s, lo, hi, heat_size),
                (s.lr, getattr(s, HEAT_PARAM[s.name])),
            )
            for s in heat
        ]
    chart(
        shared_figure("hyper", (repr(cfg), lo, hi), lambda: hyper_figure(panels, best, start_loss)),
        key="hyper_chart",
        config=PLOT,
    )
    skipped = [label(n) for n in cfg.optimizers if n not in HEAT_PARAM]
    if skipped:
        drawn = _joined([label(n) for n in HEAT_PARAM], "and")
        st.caption(f"Heatmaps are drawn for {drawn}, not {', '.join(skipped)}.")
