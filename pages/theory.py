import streamlit as st

from ui.state import config

st.title("theory")
st.write(config())
