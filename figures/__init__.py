"""Plotly figure builders: arrays in, figures out.

Every figure sits on a white card of its own (Plotly's "plotly_white" template), and pages draw
them with ``theme=None`` so that Streamlit's theme does not restyle them: the optimizers'
colours (GD is black) and the dark text stay readable in the app's light and dark themes alike.
"""

import plotly.io as pio

pio.templates.default = "plotly_white"
