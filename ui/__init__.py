"""Streamlit glue shared by the pages: the sidebar, URL state and cached computations."""
