import streamlit as st

from ui.state import config

st.title("compare")
st.write(config())
