"""One place for how things look: colours per optimizer, marker styles, colour scales.

Optimizer colours follow the Okabe-Ito palette (safe for the common colour-vision
deficiencies), with Paul Tol's olive for the eighth; each optimizer keeps its colour on
every page.
"""

from __future__ import annotations

OPTIMIZER_COLORS = {
    "gd": "#000000",  # black
    "sgd": "#E69F00",  # orange
    "momentum": "#56B4E9",  # sky blue
    "nesterov": "#0072B2",  # blue
    "adam": "#D55E00",  # vermillion
    "normalized": "#009E73",  # bluish green
    "rmsprop": "#CC79A7",  # reddish purple
    "adagrad": "#999933",  # olive
}

OPTIMIZER_LABELS = {
    "gd": "GD",
    "sgd": "SGD",
    "momentum": "Momentum",
    "nesterov": "Nesterov",
    "adam": "Adam",
    "normalized": "Normalized",
    "rmsprop": "RMSprop",
    "adagrad": "AdaGrad",
}

# Markers for the landscape's facts.
CRITICAL_MARKERS = {
    "minimum": dict(symbol="star", size=13, color="#FFFFFF", line=dict(color="#222222", width=1.5)),
    "saddle": dict(symbol="x", size=10, color="#222222", line=dict(color="#FFFFFF", width=1)),
    "maximum": dict(symbol="triangle-up", size=10, color="#222222"),
}
START_MARKER = dict(symbol="circle-open", size=14, color="#222222", line=dict(width=2.5))

# A light, low-saturation scale keeps the coloured trajectories readable on top of it.
SURFACE_COLORSCALE = "Blues_r"
DIVERGING_COLORSCALE = "RdBu"
FONT_FAMILY = "Inter, Segoe UI, Helvetica, Arial, sans-serif"


def color(name: str) -> str:
    return OPTIMIZER_COLORS.get(name, "#444444")


def label(name: str) -> str:
    return OPTIMIZER_LABELS.get(name, name)
