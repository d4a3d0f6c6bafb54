import streamlit as st

from ui.state import config

st.title("convexity")
st.write(config())
