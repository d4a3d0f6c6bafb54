import streamlit as st

from ui.state import config

st.title("basins")
st.write(config())
