"""One place for how things look: marker styles, colour scales, and the rules of the
optimizers' colours and dashes, which with their labels sit on their specs
(`optimizers.rules.SPECS`).

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

# Each optimizer's colour and dash are on its spec (optimizers/rules.py), chosen by the rules
# above. CIELAB lightness, for reference: GD 0, SGD 71, momentum 44, Nesterov 71, Adam 42,
# normalized 52, RMSprop 22, AdaGrad 61, heavy ball 77, Nesterov βm 48, AdamW 73, AMSGrad 27,
# NAdam 57, RAdam 12, Lion 82.
OPTIMIZER_COLORS = {name: spec.colour for name, spec in SPECS.items()}
OPTIMIZER_DASHES = {name: spec.dash for name, spec in SPECS.items() if spec.dash != "solid"}
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
