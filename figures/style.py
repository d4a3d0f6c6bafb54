"""One place for how things look: colours per optimizer, marker styles, colour scales.

Optimizer colours come from the Okabe-Ito and Paul Tol palettes (both designed to stay
apart for the common colour-vision deficiencies). Neighbours in the optimizer order differ in
lightness by at least 10 CIELAB units as well as in hue, and the five default optimizers come
from five different hue families, so no two of them read as "two blues" or "two oranges"
(tests/test_style.py checks both, and the distances under simulated colour blindness). Each
optimizer keeps its colour on every page.
"""

from __future__ import annotations

OPTIMIZER_COLORS = {  # CIELAB lightness L* in brackets
    "gd": "#000000",  # black (0)
    "sgd": "#E69F00",  # Okabe-Ito orange (71)
    "momentum": "#117733",  # Tol green (44)
    "nesterov": "#33BBEE",  # Tol cyan (71)
    "adam": "#AA3377",  # Tol purple (42)
    "normalized": "#997700",  # Tol dark yellow (52)
    "rmsprop": "#332288",  # Tol indigo (22)
    "adagrad": "#EE6677",  # Tol red (61)
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
