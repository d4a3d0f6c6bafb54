"""AppTests of the Convexity page: the chord test on a segment set by URL or by default, the
curvature map's verdict, the critical-point table, and bad links."""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from landscapes import get_landscape
from tests.pages import chart_figures
from tests.pages import open_page as open_page_at
from tests.plotly_json import values

PAGE = "pages/convexity.py"
KEYS = ("ax", "ay", "bx", "by")


def open_page(**query) -> AppTest:
    return open_page_at(PAGE, timeout=90, **query)


def figures(at: AppTest) -> dict[str, dict]:
    """Every chart's figure JSON, keyed by the start of its title."""
    out = {}
    for fig in chart_figures(at):
        out[fig["layout"]["title"]["text"].split(" ")[0]] = fig
    return out


def trace(fig: dict, name: str) -> dict:
    return next(t for t in fig["data"] if t.get("name") == name)


def points(at: AppTest) -> tuple[float, ...]:
    return tuple(at.number_input(key=k).value for k in KEYS)


def alerts(at: AppTest) -> str:
    return "\n".join([e.value for e in at.error] + [i.value for i in at.info])


def brute_force_intervals(surface, a, b, n=200_001):
    """Where the loss lies above the chord, on a fine grid: (first t, last t) per run."""
    ls = get_landscape(surface)
    t = np.linspace(0, 1, n)
    pts = (1 - t)[:, None] * np.asarray(a) + t[:, None] * np.asarray(b)
    loss = ls.loss(pts)
    gap = loss - ((1 - t) * loss[0] + t * loss[-1])
    above = gap > 1e-9 * np.abs(loss).max()
    edges = np.flatnonzero(np.diff(np.concatenate([[0], above.astype(int), [0]])))
    return [(t[s], t[e - 1]) for s, e in zip(edges[::2], edges[1::2], strict=True)]


def test_default_view_renders_rosenbrock_across_the_valley():
    at = open_page()
    assert at.title[0].value == "Convexity"
    a, b = get_landscape("rosenbrock").segment
    assert points(at) == (*a, *b)
    figs = figures(at)
    assert set(figs) == {"Click", "Loss", "Smallest"}
    # The segment joins two points of the valley floor over the ridge between them.
    loss = values(trace(figs["Loss"], "loss L((1−t) A + t B)")["y"])
    chord = values(trace(figs["Loss"], "chord (1−t) L(A) + t L(B)")["y"])
    assert loss[0] == 4.0 and loss[-1] == 0.0
    np.testing.assert_allclose(loss[len(loss) // 2], 101.0, rtol=1e-12)  # (1-0)^2 + 100 (1-0)^2
    assert (loss - chord).max() == pytest.approx(99.0)
    assert "The surface rises above the chord for t in [0.00, 1.00]: not convex" in alerts(at)
    assert "rosenbrock is not convex" in alerts(at)
    # The notes' list names the convex surfaces from the surfaces' own ``convex``.
    notes = " ".join(m.value for m in at.markdown)
    assert "non-convex**, like every surface here except\n  *quadratic* and *linreg*." in notes


def test_linreg_default_segment_stays_under_its_chord():
    at = open_page(surface="linreg")
    a, b = get_landscape("linreg").segment
    assert points(at) == (*a, *b)
    fig = figures(at)["Loss"]
    loss = values(trace(fig, "loss L((1−t) A + t B)")["y"])
    chord = values(trace(fig, "chord (1−t) L(A) + t L(B)")["y"])
    assert np.all(loss <= chord + 1e-9 * loss.max())
    assert not any(t.get("name", "").startswith("surface above") for t in fig["data"])
    text = alerts(at)
    assert "The chord stays above the surface everywhere on this segment" in text
    assert "linreg is convex" in text
    assert not at.error


def test_linreg_random_segment_from_the_url_is_convex():
    ls = get_landscape("linreg")
    rng = np.random.default_rng(7)
    (x0, x1), (y0, y1) = ls.bounds
    ax, bx = np.round(rng.uniform(x0, x1, 2), 2)
    ay, by = np.round(rng.uniform(y0, y1, 2), 2)
    at = open_page(surface="linreg", ax=str(ax), ay=str(ay), bx=str(bx), by=str(by))
    assert points(at) == (ax, ay, bx, by)
    fig = figures(at)["Loss"]
    loss = values(trace(fig, "loss L((1−t) A + t B)")["y"])
    np.testing.assert_allclose(loss[[0, -1]], ls.loss(np.array([[ax, ay], [bx, by]])))
    assert "The chord stays above the surface everywhere on this segment" in alerts(at)


def test_rosenbrock_segment_across_the_valley_from_the_url():
    a, b = (-1.5, 2.0), (1.5, 2.0)
    expected = brute_force_intervals("rosenbrock", a, b)
    assert len(expected) == 1
    lo, hi = expected[0]
    at = open_page(surface="rosenbrock", ax="-1.5", ay="2", bx="1.5", by="2")
    assert points(at) == (*a, *b)
    text = "\n".join(e.value for e in at.error)
    assert f"The surface rises above the chord for t in [{lo:.2f}, {hi:.2f}]: not convex" in text
    # Along phi1 = 2 the loss at phi0 = 0 is 1 + 100 * 4 = 401, far above the chord.
    fig = figures(at)["Loss"]
    loss = values(trace(fig, "loss L((1−t) A + t B)")["y"])
    assert loss.max() == pytest.approx(401.0, rel=1e-9)
    shade = trace(fig, "surface above the chord: not convex")
    assert values(shade["x"]).min() == pytest.approx(lo, abs=1e-3)


@pytest.mark.parametrize(
    "surface,convex",
    [("linreg", True), ("quadratic", True), ("rosenbrock", False), ("himmelblau", False),
     ("saddle", False)],
)  # fmt: skip
def test_curvature_map_sign(surface, convex):
    at = open_page(surface=surface)
    heat = figures(at)["Smallest"]["data"][0]
    lam_min = values(heat["customdata"])[..., 0]
    assert lam_min.shape == (121, 121)
    if convex:
        assert lam_min.min() >= -1e-8
        assert f"{surface} is convex" in alerts(at)
    else:
        assert lam_min.min() < 0
        assert f"{surface} is not convex" in alerts(at)
        assert "% of the plotted area" in alerts(at)


def test_himmelblau_critical_point_table():
    at = open_page(surface="himmelblau")
    table = at.dataframe[0].value
    counts = table["kind"].value_counts().to_dict()
    assert counts == {"minimum": 4, "saddle": 4, "maximum": 1}
    minima = table[table["kind"] == "minimum"]
    np.testing.assert_allclose(minima["loss"], 0.0, atol=1e-12)
    assert ((minima["φ₀"] - 3).abs().lt(1e-9) & (minima["φ₁"] - 2).abs().lt(1e-9)).any()
    assert (table.loc[table["kind"] == "saddle", "λ₁"] < 0).all()
    assert (table.loc[table["kind"] == "saddle", "λ₂"] > 0).all()
    assert (table.loc[table["kind"] == "maximum", "λ₂"] < 0).all()
    top = table[table["kind"] == "maximum"].iloc[0]
    assert top["loss"] == pytest.approx(181.617, abs=1e-3)


def test_bad_url_value_names_the_parameter():
    at = open_page(ax="abc")
    text = "\n".join(w.value for w in at.warning)
    assert "**ax**" in text and "not a number" in text
    assert at.number_input(key="ax").value == get_landscape("rosenbrock").segment[0][0]


def test_url_point_outside_the_surface_is_rejected():
    at = open_page(surface="rosenbrock", by="7")
    text = "\n".join(w.value for w in at.warning)
    assert "**by**" in text and "between -1 and 3" in text
    assert at.number_input(key="by").value == get_landscape("rosenbrock").segment[1][1]


def test_changing_surface_resets_the_points():
    at = open_page(surface="linreg", ax="1.9", ay="2.4")
    assert points(at)[:2] == (1.9, 2.4)
    at.sidebar.selectbox(key="surface").set_value("himmelblau").run()
    assert not at.exception
    a, b = get_landscape("himmelblau").segment
    assert points(at) == (*a, *b)
    assert "himmelblau is not convex" in alerts(at)


def test_number_inputs_move_the_segment():
    at = open_page(surface="quadratic")
    at.number_input(key="bx").set_value(-2.5).run()
    at.number_input(key="by").set_value(-1.0).run()
    assert not at.exception
    assert "A and B are the same point" in alerts(at)
