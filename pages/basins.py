"""Basins of attraction: from a grid of starts, which known minimum each optimizer reaches,
one map per optimizer, and the share of starts with each outcome."""

from ui import boot

boot.import_all()  # before anything else, also when a page runs alone: ui/boot.py

import streamlit as st

from figures.basins import (
    basin_figure,
    basins_hint,
    describe_basins,
    divergence_warning,
    shares_frame,
)
from figures.style import label
from optimizers.analysis import default_tolerance
from optimizers.sweeps_extra import basin_shares
from ui import budget, params
from ui.compute_basins import basin_map_setting
from ui.compute_common import surface_grid
from ui.custom_surface import basin_grid_limit
from ui.export import plotly_config
from ui.figure_cache import shared_figure
from ui.plotly_chart import chart
from ui.present import explanatory
from ui.state import config
from ui.widgets import SLIDER, Widget, declare_page

GRID = Widget("grid", "Starts per side (a grid of n × n starts)", SLIDER, 60, 10, 150, integer=True)
STEPS_RANGE, STEPS_CAP = (10, 1000), 300
STEPS_KEY = "basin_steps"
CONTOUR_GRID = 81
# The steps default follows the sidebar's steps (capped); remembered to follow a new surface.
STEPS_DEFAULT_KEY = "_basin_steps_default"

cfg = config()
declare_page((GRID.key, STEPS_KEY))
ls = cfg.landscape()
st.title("Basins of attraction")
explanatory.caption(
    f"**{ls.title}**. Every cell is one run: started there, where did the optimizer end? "
    "Each optimizer uses its own settings from the sidebar (α, β, γ, batch size, schedule); "
    "the minibatches are drawn as in SGD, one sequence shared by all starts."
)

steps_default = max(STEPS_RANGE[0], min(cfg.steps, STEPS_CAP) // 10 * 10)
previous = st.session_state.get(STEPS_DEFAULT_KEY)
if previous not in (None, steps_default) and st.session_state.get(STEPS_KEY) == previous:
    st.session_state[STEPS_KEY] = steps_default  # untouched: follow the new surface
st.session_state[STEPS_DEFAULT_KEY] = steps_default
STEPS = Widget(STEPS_KEY, "Steps per run", SLIDER, steps_default, *STEPS_RANGE, 10, integer=True)

GRID.check()
STEPS.check()
c1, c2 = st.columns(2)
n = GRID.draw(c1)
steps = STEPS.draw(c2)
for message in params.pop_warnings():
    st.warning(message, icon=":material/link_off:")
limit = basin_grid_limit(ls)  # a user's table: every start runs every row at each step
if limit is not None and n > limit:
    st.info(f"With {ls.n_examples:,} rows the map uses {limit} × {limit} starts, not {n} × {n}.")
    n = limit

if not cfg.optimizers:
    st.info("Choose at least one optimizer in the sidebar.")
    st.stop()
costs = [cfg.run_spec(s.name, start=None, steps=int(steps)).step_cost() for s in cfg.settings]
n, cut = budget.basin_grid(n, steps, costs, GRID.lo)
if cut:
    st.warning(cut, icon=":material/speed:")

progress = st.progress(0.0)
maps = {}
for i, s in enumerate(cfg.settings):
    progress.progress(
        i / len(cfg.settings),
        text=f"Mapping {label(s.name)} ({i + 1} of {len(cfg.settings)}): {n * n} starts, "
        f"{steps} steps...",
    )
    maps[s.name] = basin_map_setting(cfg, s, n, steps)
progress.empty()

shares = {name: basin_shares(ls, m.labels) for name, m in maps.items()}
warning = divergence_warning(shares)
if warning:
    st.warning(warning, icon=":material/warning:")
hint = basins_hint(ls, shares, steps)
if hint:
    st.info(hint, icon=":material/lightbulb:")

chart(
    shared_figure(
        "basins",
        (repr(cfg), n, steps),
        lambda: basin_figure(
            ls, maps, surface_grid(cfg.surface, cfg.landscape_params, CONTOUR_GRID)
        ),
    ),
    key="basins_chart",
    config=plotly_config("basins", cfg),
)
tol = default_tolerance(ls)
explanatory.caption(
    f"Stars: the known minima (large: global). A run *reaches* a minimum if it ends within "
    f"{tol:.3g} of it (1% of the plotted width); *not converged*: near no minimum after "
    f"{steps} steps; *diverged*: it left the area ten widths around the plot or overflowed. "
    "Hover a cell for its start and outcome."
)

st.subheader("Where the starts end")
percent = st.column_config.ProgressColumn(format="%.1f%%", min_value=0, max_value=100)
table = shares_frame(shares)
st.dataframe(table, width="stretch", column_config=dict.fromkeys(table.columns, percent))
st.markdown("\n".join(f"- {sentence}" for sentence in describe_basins(ls, shares, steps)))
