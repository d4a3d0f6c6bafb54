import streamlit as st

from ui.state import config

st.title("sgd_lab")
st.write(config())
