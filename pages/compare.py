"""Compare optimizers: trajectories racing on the contour and the surface, side by side."""

from ui import boot

boot.import_all()  # before anything else, also when a page runs alone: ui/boot.py

import streamlit as st

from landscapes.presets import lesson
from optimizers.rules import RULES
from ui.compare import (
    CONVENTIONS,
    diverged_messages,
    explain,
    results_table,
    trajectories_csv,
)
from ui.compute_compare import race, race_view
from ui.export import compare_gif, file_stem, gif_download, plotly_config
from ui.plotly_chart import clicked_xy, race_chart
from ui.present import explanatory, presenting
from ui.state import config
from ui.widgets import declare_page

CHART_KEY = "race_chart"
# The contour takes clicks; paths and markers do not.
CLICKABLE = ("contour",)
RESULTS_COLUMNS = {
    "α": st.column_config.NumberColumn(format="%.3g"),
    "final loss": st.column_config.NumberColumn(format="%.4g"),
    "best loss": st.column_config.NumberColumn(format="%.4g"),
    "distance": st.column_config.NumberColumn(format="%.3g"),
    "steps to global minimum": st.column_config.NumberColumn(format="%d"),
}


def _set_start_from_click() -> None:
    """Runs before the rerun, so the sidebar's start widgets may still be set."""
    click = clicked_xy(CHART_KEY)
    if click is not None and click[2] in CLICKABLE:
        st.session_state["x0"] = round(click[0], 2)
        st.session_state["y0"] = round(click[1], 2)


cfg = config()
declare_page(())  # no URL keys of its own: the sidebar's and ?present= (every page's)
ls = cfg.landscape()
st.title("Compare optimizers")
if lesson(cfg.surface):
    st.markdown(f":material/school: **At this surface's defaults:** {lesson(cfg.surface)}")
explanatory.caption(
    f"**{ls.title}** — {ls.description} Press ▶ to race them; drag the step slider to scrub "
    "time and the α slider to try other learning rates; click the contour to start "
    "somewhere else."
)

if not cfg.optimizers:
    st.info("Choose at least one optimizer in the sidebar.")
    st.stop()

with st.spinner("Running the optimizers..."):
    runs = race(cfg)

for message in diverged_messages(cfg, runs):
    st.warning(message, icon=":material/warning:")

race_chart(
    race_view(cfg),
    key=CHART_KEY,
    on_click=_set_start_from_click,
    config=plotly_config("compare", cfg),  # ui/race_chart.js adds each panel's name
)

st.subheader("Results")
table = results_table(cfg, ls, runs)
st.dataframe(table, width="stretch", column_config=RESULTS_COLUMNS)
explanatory.markdown(explain(cfg, ls, table))
st.download_button(
    "Download every trajectory (CSV)",
    lambda: trajectories_csv(cfg, runs),  # built on click: no file is served until then
    file_name=f"descent-{cfg.surface}.csv",
    mime="text/csv",
    on_click="ignore",
    icon=":material/download:",
    help="One row per point, with its run's settings and a diverged flag. An epoch is a full "
    "pass over the data: GD makes one per step, a minibatch optimizer one every N / batch "
    "size steps (the steps_per_epoch column).",
)
gif_download(lambda options: compare_gif(cfg, options), file_stem("compare", cfg), "compare_gif")

if not presenting():
    st.subheader("How it works")
    st.markdown(CONVENTIONS)
    cols = st.columns(min(len(cfg.optimizers), 3))
    for i, name in enumerate(cfg.optimizers):
        with cols[i % len(cols)].expander(RULES[name].title, expanded=True):
            for eq in RULES[name].equations:
                st.latex(eq)
            st.caption(RULES[name].conventions)
