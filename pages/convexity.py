"""Convexity: does a chord ever pass below the surface? One segment, then the whole map."""

from ui import boot

boot.import_all()  # before anything else, also when a page runs alone: ui/boot.py

import streamlit as st

from figures.convexity import chord_figure, curvature_figure, segment_figure
from landscapes import LANDSCAPE_NAMES, get_landscape
from landscapes.convexity import default_segment, segment_verdict, surface_verdict
from ui import params
from ui.compute_common import surface_grid
from ui.compute_convexity import chord, critical_table, curvature
from ui.export import plotly_config
from ui.figure_cache import shared_figure
from ui.plotly_chart import chart, clicked_xy
from ui.present import explanatory
from ui.state import config
from ui.widgets import BOUNDED, Widget, declare_page

CHART_KEY = "convexity_contour"
TARGET_KEY = "convexity_click_target"
SURFACE_KEY = "_convexity_surface"  # the surface the points A and B belong to
POINT_KEYS = ("ax", "ay", "bx", "by")


def _defaults(landscape) -> dict:
    a, b = default_segment(landscape)
    return dict(zip(POINT_KEYS, (*a, *b), strict=True))


def _move_point_from_click() -> None:
    """Runs before the rerun, so the point's number inputs may still be set."""
    point = clicked_xy(CHART_KEY)
    if point is None:
        return
    (x0, x1), (y0, y1) = config().landscape().bounds
    x = min(max(round(point[0], 2), x0), x1)
    y = min(max(round(point[1], 2), y0), y1)
    prefix = "a" if st.session_state.get(TARGET_KEY, "A") == "A" else "b"
    st.session_state[prefix + "x"] = x
    st.session_state[prefix + "y"] = y


cfg = config()
declare_page(POINT_KEYS)
PLOT = plotly_config("convexity", cfg)
ls = cfg.landscape()
(x0, x1), (y0, y1) = ls.bounds
defaults = _defaults(ls)
# Points chosen on another surface may lie outside this one: start again from its defaults.
# On the first visit the link's values (if any) stand.
if st.session_state.get(SURFACE_KEY, cfg.surface_key) != cfg.surface_key:
    st.session_state.update(defaults)
st.session_state[SURFACE_KEY] = cfg.surface_key

st.title("Convexity")
explanatory.caption(
    f"**{ls.title}** — A surface is convex when no chord, the straight segment between two "
    "points on it, passes below it. Linear regression is convex: one global minimum that "
    "gradient descent is bound to reach. Neural networks are not."
)

labels = ("A: φ₀", "A: φ₁", "B: φ₀", "B: φ₁")
points = [
    Widget(key, label, BOUNDED, float(defaults[key]), float(lo), float(hi), 0.05, format="%.2f")
    for key, label, lo, hi in zip(
        POINT_KEYS, labels, (x0, y0, x0, y0), (x1, y1, x1, y1), strict=True
    )
]
for widget in points:
    widget.check()
for message in params.pop_warnings():
    st.warning(message, icon=":material/link_off:")

cols = st.columns([1, 1, 1, 1, 1.3])
values = [widget.draw(col) for col, widget in zip(cols[:4], points, strict=True)]
cols[4].radio("A click on the contour moves", ("A", "B"), key=TARGET_KEY, horizontal=True)
a, b = (values[0], values[1]), (values[2], values[3])

check = chord(cfg.surface, cfg.landscape_params, a, b)
segment_key = (cfg.surface, cfg.landscape_params, a, b)  # every figure's input
left, right = st.columns(2)
with left:
    grid = surface_grid(cfg.surface, cfg.landscape_params, 121)
    chart(
        shared_figure("segment", segment_key, lambda: segment_figure(ls, grid, check)),
        key=CHART_KEY,
        on_click=_move_point_from_click,
        config=PLOT,
    )
with right:
    chart(
        shared_figure("chord", segment_key, lambda: chord_figure(check)),
        key="chord_chart",
        config=PLOT,
    )
verdict = segment_verdict(check)
if check.degenerate:
    st.info(verdict, icon=":material/info:")
elif check.convex_on_segment:
    st.info(verdict, icon=":material/check:")
else:
    st.error(verdict, icon=":material/close:")

st.subheader("The whole surface: where does it curve downward?")
explanatory.markdown(
    "One segment above its chord proves a surface is not convex; segments that pass prove "
    "nothing about the others. For a smooth surface the global test is the curvature: it is "
    "convex exactly where the Hessian ∂²L/∂φ² has no negative eigenvalue. The map colours the "
    "smallest eigenvalue at every point: blue curves upward in every direction, red curves "
    "downward in some direction."
)
with st.spinner("Computing the Hessian on the grid..."):
    cmap = curvature(cfg.surface, cfg.landscape_params)
    table = critical_table(ls)
left, right = st.columns([3, 2])
with left:
    chart(
        shared_figure(
            "curvature",
            segment_key,
            lambda: curvature_figure(cmap, ls.critical_points_near([a, b, ls.default_start]), a, b),
        ),
        key="curvature_chart",
        config=PLOT,
    )
with right:
    verdict = surface_verdict(ls, cmap)
    if cmap.convex:
        st.info(verdict, icon=":material/check:")
    else:
        st.error(verdict, icon=":material/close:")
    explanatory.markdown(
        f"**Critical points** (gradient 0) on the plotted area: {len(table)}. "
        "λ₁ ≤ λ₂ are the Hessian's eigenvalues there: both positive at a minimum, both "
        "negative at a maximum, one of each sign at a saddle."
    )
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            c: st.column_config.NumberColumn(format="%.4g") for c in table.columns if c != "kind"
        },
    )

# Which built-in surfaces are convex: each one says so (landscapes: ``convex``).
CONVEX = " and ".join(f"*{name}*" for name in LANDSCAPE_NAMES if get_landscape(name).convex)
explanatory.subheader("What the notes say")
explanatory.markdown(
    f"""
- **Linear regression is convex**: no chord intersects the surface, it has one well-defined
  global minimum, and gradient descent is bound to reach it. Pick *linreg* in the sidebar: every
  segment stays under its chord and the curvature map is blue everywhere.
- **Shallow and deep neural networks are non-convex**, like every surface here except
  {CONVEX}.
- A **local minimum** is a point where the gradient is 0 but other points have a lower loss
  (the minima in the table with a higher loss than the first).
- There is **no way of knowing whether a better solution exists elsewhere**: gradient descent
  only sees the slope where it stands.
"""
)
