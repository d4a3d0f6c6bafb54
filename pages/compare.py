"""Compare optimizers: trajectories racing on the contour and the surface, side by side."""

import streamlit as st

from figures.race import RunView, click_grid_index, clicked_point, loss_figure, race_figure
from optimizers.rules import RULES
from ui.compare import (
    CONVENTIONS,
    diverged_messages,
    explain,
    results_table,
    trajectories_csv,
)
from ui.compute import race
from ui.state import config

CHART_KEY = "race_chart"
GRID_KEY = "_race_click_grid"  # the trace index of the click grid in the drawn figure
RESULTS_COLUMNS = {
    "α": st.column_config.NumberColumn(format="%.3g"),
    "final loss": st.column_config.NumberColumn(format="%.4g"),
    "best loss": st.column_config.NumberColumn(format="%.4g"),
    "distance": st.column_config.NumberColumn(format="%.3g"),
}


def _set_start_from_click() -> None:
    """Runs before the rerun, so the sidebar's start widgets may still be set."""
    point = clicked_point(st.session_state.get(CHART_KEY), st.session_state.get(GRID_KEY))
    if point is not None:
        st.session_state["x0"] = round(point[0], 2)
        st.session_state["y0"] = round(point[1], 2)


cfg = config()
ls = cfg.landscape()
st.title("Compare optimizers")
st.caption(
    f"**{ls.title}** — {ls.description} Press ▶ to race them; drag the step slider to scrub; "
    "click the contour to start somewhere else."
)

if not cfg.optimizers:
    st.info("Choose at least one optimizer in the sidebar.")
    st.stop()

with st.spinner("Running the optimizers..."):
    runs = race(cfg)

for message in diverged_messages(cfg, runs):
    st.warning(message, icon=":material/warning:")

views = [RunView.from_trajectory(t) for t in runs.values()]
figure = race_figure(ls, views)
st.session_state[GRID_KEY] = click_grid_index(figure)
st.plotly_chart(
    figure,
    theme=None,
    key=CHART_KEY,
    on_select=_set_start_from_click,
    selection_mode="points",
    width="stretch",
    config={"displaylogo": False},
)

st.subheader("Loss against step")
st.plotly_chart(
    loss_figure(views, loss_floor=ls.global_minimum.loss),
    theme=None,
    width="stretch",
    config={"displaylogo": False},
)

st.subheader("Results")
table = results_table(cfg, ls, runs)
st.dataframe(table, width="stretch", column_config=RESULTS_COLUMNS)
st.markdown(explain(cfg, ls, table))
st.download_button(
    "Download every trajectory (CSV)",
    lambda: trajectories_csv(cfg, runs),  # built on click: no file is served until then
    file_name=f"descent-{cfg.surface}.csv",
    mime="text/csv",
    on_click="ignore",
    icon=":material/download:",
)

st.subheader("How it works")
st.markdown(CONVENTIONS)
cols = st.columns(min(len(cfg.optimizers), 3))
for i, name in enumerate(cfg.optimizers):
    with cols[i % len(cols)].expander(RULES[name].title, expanded=True):
        for eq in RULES[name].equations:
            st.latex(eq)
