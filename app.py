"""Descent: watch optimizers race across 2D loss landscapes.

Entry point: page navigation, the sidebar every page shares, and warnings about the link.
"""

from ui import boot

boot.import_all()  # before anything else: see ui/boot.py

import streamlit as st

from ui import params, present
from ui.gate import one_at_a_time
from ui.plotly_chart import load_plotly
from ui.sidebar import sidebar
from ui.state import CONFIG_KEY

st.set_page_config(page_title="Descent", page_icon=":material/landscape:", layout="wide")

# Each url_path equals its script's name: on a fresh server Streamlit's legacy pages/ mode
# answers the very first request by file name (see ui/state.py).
PAGES = [
    st.Page(
        "pages/compare.py",
        title="Compare optimizers",
        icon=":material/compare_arrows:",
        default=True,  # at the root URL
    ),
    st.Page(
        "pages/sgd_lab.py", title="Minibatch SGD lab", icon=":material/shuffle:", url_path="sgd_lab"
    ),
    st.Page(
        "pages/sensitivity.py",
        title="Learning-rate sensitivity",
        icon=":material/tune:",
        url_path="sensitivity",
    ),
    st.Page(
        "pages/basins.py",
        title="Basins of attraction",
        icon=":material/grid_on:",
        url_path="basins",
    ),
    st.Page(
        "pages/convexity.py", title="Convexity", icon=":material/show_chart:", url_path="convexity"
    ),
    st.Page("pages/theory.py", title="Theory", icon=":material/functions:", url_path="theory"),
]

page = st.navigation(PAGES)
with one_at_a_time():  # one script run at a time in this process: see ui/gate.py
    COMPARE = PAGES[0]
    if page.url_path == COMPARE.url_path:
        # Its charts draw with plotly.js from static/ (ui/plotly_chart.py): start that download
        # now, while the script computes, instead of when the first chart arrives.
        load_plotly()
    present.check_url()
    st.session_state[CONFIG_KEY] = sidebar()
    for message in params.pop_warnings():
        st.warning(message, icon=":material/link_off:")
    page.run()
