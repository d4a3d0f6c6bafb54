"""Where pages find the configuration that app.py's sidebar produced this run."""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from ui.config import Config

CONFIG_KEY = "_descent_config"


def config() -> Config:
    if CONFIG_KEY not in st.session_state:
        # Only when a fresh server's very first request is a page's own URL (/basins, ...):
        # seeing a pages/ folder, Streamlit starts in its legacy multipage mode and runs the
        # page script without app.py, until some run of app.py calls st.navigation. Leave
        # that mode and rerun: app.py then runs, draws the sidebar and routes to this page.
        PagesManager.uses_pages_directory = False
        st.rerun()
    return st.session_state[CONFIG_KEY]
