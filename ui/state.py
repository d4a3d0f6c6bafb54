"""Where pages find the configuration that app.py's sidebar produced this run."""

from __future__ import annotations

import streamlit as st

from ui.config import Config

CONFIG_KEY = "_descent_config"


def config() -> Config:
    return st.session_state[CONFIG_KEY]
