"""One place for how things look: colours and dashes per optimizer, marker styles, colour
scales. Optimizer labels come from their specs (`optimizers.rules.SPECS`).

Optimizer colours come from the Okabe-Ito and Paul Tol palettes (both designed to stay
apart for the common colour-vision deficiencies). Neighbours in the optimizer order differ in
lightness by at least 10 CIELAB units as well as in hue, and the five default optimizers come
from five different hue families, so no two of them read as "two blues" or "two oranges".
The notes' eight optimizers are drawn solid. The later variants share their family's hue
at another lightness and a dash of their own: heavy ball and Nesterov βm beside momentum and
Nesterov, AdamW, AMSGrad, NAdam and RAdam in Adam's purples, Lion in normalized's yellows
(its step is a sign, like normalized's). Two optimizers drawn with the same dash stay at
least 18 CIELAB units apart, also under simulated colour blindness (tests/test_style.py).
Each optimizer keeps its colour on every page.
"""

from __future__ import annotations

from optimizers.rules import SPECS

OPTIMIZER_COLORS = {  # CIELAB lightness L* in brackets
    "gd": "#000000",  # black (0)
    "sgd": "#E69F00",  # Okabe-Ito orange (71)
    "momentum": "#117733",  # Tol green (44)
    "nesterov": "#33BBEE",  # Tol cyan (71)
    "adam": "#AA3377",  # Tol purple (42)
    "normalized": "#997700",  # Tol dark yellow (52)
    "rmsprop": "#332288",  # Tol indigo (22)
    "adagrad": "#EE6677",  # Tol red (61)
    "heavy_ball": "#88CCAA",  # light green (77), momentum's family
    "nesterov_corrected": "#0077BB",  # Tol blue (48), Nesterov's family
    "adamw": "#EE99CC",  # light purple (73), Adam's family
    "amsgrad": "#771155",  # dark purple (27)
    "nadam": "#CC6699",  # mid purple (57)
    "radam": "#440022",  # darkest purple (12)
    "lion": "#DDCC77",  # Tol sand (82), normalized's family
}

OPTIMIZER_DASHES = {  # Plotly line dashes; "solid" unless listed
    "heavy_ball": "dot",
    "nesterov_corrected": "dash",
    "adamw": "dash",
    "amsgrad": "dot",
    "nadam": "dashdot",
    "radam": "longdash",
    "lion": "dash",
}

OPTIMIZER_LABELS = {name: spec.label for name, spec in SPECS.items()}

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


def dash(name: str) -> str:
    return OPTIMIZER_DASHES.get(name, "solid")


def label(name: str) -> str:
    return OPTIMIZER_LABELS.get(name, name)
