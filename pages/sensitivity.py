import streamlit as st

from ui.state import config

st.title("sensitivity")
st.write(config())
