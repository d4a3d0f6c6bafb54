"""The sensitivity page's two figures (figures/sensitivity.py, figures/hyper.py) on three real
configurations: their layouts are assigned in one go rather than through plotly.py's update
machinery, and must still carry every axis, line, label and value."""

from __future__ import annotations

import base64
import json

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from figures import style
from figures.hyper import HyperPanel, hyper_figure
from figures.sensitivity import FLOOR_DECADES, LossAxis, sensitivity_figure
from landscapes import get_landscape
from optimizers.sweeps import hyper_grid, log_range, lr_sweep
from optimizers.sweeps_extra import loss_excess, one_minus_log_values, stability_limit

HEAT = {"momentum": "beta", "nesterov": "beta", "adam": "gamma"}
# (landscape, optimizers, lo, hi, steps, with the sidebar's setting marked)
CONFIGS = [
    ("himmelblau", ("gd", "momentum", "adam"), 1e-4, 10.0, 100, True),
    ("rosenbrock", ("gd", "nesterov"), 1e-3, 1.0, 60, False),
    ("himmelblau", ("adam",), 1e-5, 3.0, 80, True),
]


def _json(fig) -> dict:
    return json.loads(pio.to_json(fig, validate=False, remove_uids=False))


def _arr(value) -> np.ndarray:
    """An array of the JSON: a list, or plotly's typed array (base64 with dtype and shape)."""
    if isinstance(value, dict):
        flat = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        shape = value.get("shape")
        return flat.reshape([int(k) for k in shape.split(",")] if shape else -1).astype(float)
    return np.array(value, dtype=float)


def _case(config):
    name, names, lo, hi, steps, marked = config
    ls = get_landscape(name)
    start = ls.default_start
    sweeps = {n: lr_sweep(ls, n, start, log_range(lo, hi, 30), steps) for n in names}
    panels = [
        HyperPanel(
            n,
            HEAT[n],
            hyper_grid(
                ls, n, start, log_range(lo, hi, 12), HEAT[n], one_minus_log_values(3, 7), steps
            ),
            (0.01, 0.9) if marked else None,
        )
        for n in names
        if n in HEAT
    ]
    current = {n: 0.01 * (i + 1) for i, n in enumerate(names)} if marked else None
    best, start_loss = ls.global_minimum.loss, float(ls.loss(np.asarray(start)))
    return ls, sweeps, panels, current, best, start_loss, steps


@pytest.fixture(scope="module", params=range(len(CONFIGS)))
def case(request):
    return _case(CONFIGS[request.param])


WHITE = _json(go.Figure(layout=dict(template="plotly_white")))["layout"]["template"]


def test_sensitivity_figure_carries_every_axis_line_and_value(case):
    ls, sweeps, _, current, best, start_loss, steps = case
    limit = stability_limit(ls)
    fig = _json(sensitivity_figure(sweeps, best, start_loss, steps, limit, current))
    layout, data = fig["layout"], fig["data"]
    assert layout["template"] == WHITE
    assert (layout["height"], layout["hovermode"], layout["plot_bgcolor"]) == (
        720,
        "closest",
        "#FFFFFF",
    )
    assert layout["margin"] == dict(l=80, r=20, t=50, b=60)
    assert layout["font"] == dict(family=style.FONT_FAMILY, size=14)
    assert layout["legend"] == dict(
        orientation="h", yanchor="bottom", y=1.06, x=0, font=dict(size=14)
    )
    # Two rows sharing the log α axis, ticks at whole decades.
    lrs = np.concatenate([s.values for s in sweeps.values()])
    lo, hi = np.log10(lrs.min()), np.log10(lrs.max())
    decades = np.arange(np.floor(lo), np.ceil(hi) + 1)
    for key in ("xaxis", "xaxis2"):
        ax = layout[key]
        assert ax["type"] == "log" and ax["domain"] == [0.0, 1.0]
        np.testing.assert_allclose(ax["range"], [lo - 0.05, hi + 0.05], rtol=1e-12)
        np.testing.assert_allclose(ax["tickvals"], 10.0**decades, rtol=1e-12)
        assert len(ax["ticktext"]) == len(decades)
        assert (ax["showgrid"], ax["gridcolor"], ax["zeroline"]) == (True, "#E5E5E5", False)
    assert layout["xaxis"]["matches"] == "x2" and layout["xaxis"]["showticklabels"] is False
    assert layout["xaxis2"]["title"]["text"] == "learning rate α (log)"
    axis = LossAxis.for_sweeps(sweeps, best, start_loss)
    top, bottom = layout["yaxis"], layout["yaxis2"]
    np.testing.assert_allclose(top["domain"], [0.4234, 1.0], rtol=1e-12)
    np.testing.assert_allclose(bottom["domain"], [0.0, 0.3534], rtol=1e-12)
    assert top["title"]["text"] == axis.title
    np.testing.assert_allclose(
        top["range"], [np.log10(axis.bottom), np.log10(axis.row(len(sweeps))) - 0.1], rtol=1e-12
    )
    assert bottom["title"]["text"] == "steps to tolerance" and bottom["dtick"] == 1
    np.testing.assert_allclose(bottom["range"], [-0.1, np.log10(max(steps, 10)) + 0.1])
    for ax in (top, bottom):
        assert (ax["type"], ax["gridcolor"], ax["exponentformat"]) == ("log", "#E5E5E5", "power")
    # The lines: per optimizer its loss gap (NaN where diverged) and its steps, on its rows.
    for name, sweep in sweeps.items():
        (loss,) = [t for t in data if t["meta"] == dict(role="loss", optimizer=name)]
        (stp,) = [t for t in data if t["meta"] == dict(role="steps", optimizer=name)]
        assert (loss["xaxis"], loss["yaxis"], stp["xaxis"], stp["yaxis"]) == ("x", "y", "x2", "y2")
        assert loss["line"]["color"] == stp["line"]["color"] == style.color(name)
        gap = np.where(sweep.diverged >= 0, np.nan, loss_excess(sweep.final_loss, best, axis.floor))
        y = _arr(loss["y"])
        np.testing.assert_allclose(y, gap, rtol=1e-12)
        steps_y = np.where(sweep.steps_to_tol >= 0, np.maximum(sweep.steps_to_tol, 1), np.nan)
        np.testing.assert_allclose(_arr(stp["y"]), steps_y)
        np.testing.assert_allclose(_arr(loss["x"]), sweep.values, rtol=1e-12)
        marks = [t for t in data if t["meta"] == dict(role="diverged", optimizer=name)]
        assert len(marks) == int((sweep.diverged >= 0).any())
    triangles = [t for t in data if t["meta"]["role"] == "current"]
    assert len(triangles) == sum(lrs.min() <= v <= lrs.max() for v in (current or {}).values())
    # The tolerance, the divergence ceiling and the stability limit, with their labels.
    level = next(iter(sweeps.values())).level
    texts = [a["text"] for a in layout["annotations"]]
    assert "tolerance: converged below" in texts
    hlines = [s for s in layout["shapes"] if s["xref"] == "x domain"]
    tolerance = max(level - best, axis.floor)
    assert any(s["y0"] == pytest.approx(tolerance, rel=1e-12) for s in hlines)
    # Its label sits just under the line: an annotation on a log axis is placed at log10.
    (label,) = [a for a in layout["annotations"] if a["text"] == "tolerance: converged below"]
    assert label["y"] == pytest.approx(np.log10(tolerance)) and label["yanchor"] == "top"
    diverged = any((s.diverged >= 0).any() for s in sweeps.values())
    assert ("diverged ✕" in texts) == diverged
    assert any(s["y0"] == pytest.approx(axis.ceiling) for s in hlines) == diverged
    vlines = [s for s in layout["shapes"] if s["xref"] in ("x", "x2")]
    shown = np.isfinite(limit) and lrs.min() <= limit <= lrs.max()
    assert [s["xref"] for s in vlines] == (["x", "x2"] if shown else [])
    assert all(s["x0"] == s["x1"] == pytest.approx(limit, rel=1e-12) for s in vlines)
    assert any(t.startswith("GD stability limit") for t in texts) == shown


def test_hyper_figure_carries_every_axis_panel_and_value(case):
    _, _, panels, _, best, start_loss, _ = case
    fig = _json(hyper_figure(panels, best, start_loss))
    layout, data = fig["layout"], fig["data"]
    assert layout["template"] == WHITE
    assert (layout["height"], layout["plot_bgcolor"]) == (400, "#FFFFFF")
    assert layout["margin"] == dict(l=60, r=20, t=60, b=60)
    assert layout["legend"] == dict(orientation="h", yanchor="top", y=-0.2, x=1, xanchor="right")
    n = len(panels)
    width = (1 - 0.07 * (n - 1)) / n
    floor = (start_loss - best) * 10.0**-FLOOR_DECADES
    for k, p in enumerate(panels):
        sfx = "" if k == 0 else str(k + 1)
        xa, ya = layout[f"xaxis{sfx}"], layout[f"yaxis{sfx}"]
        np.testing.assert_allclose(xa["domain"], [k * (width + 0.07), k * (width + 0.07) + width])
        assert (xa["anchor"], ya["anchor"], ya["domain"]) == (f"y{sfx}", f"x{sfx}", [0.0, 1.0])
        x = np.log10(p.grid.xs)
        np.testing.assert_allclose(xa["range"], [x.min(), x.max()], rtol=1e-12)
        assert xa["title"]["text"] == "α (log)"
        assert ya["title"]["text"] == {"beta": "β", "gamma": "γ"}[p.param]
        assert ya["ticktext"][:3] == ["0", "0.9", "0.99"]
        np.testing.assert_allclose(ya["range"][1], -np.log10(1 - p.grid.ys.max()), rtol=1e-12)
        title = layout["annotations"][k]
        assert title["text"].startswith(style.label(p.name) + ": α and ")
        assert title["font"] == dict(size=15, color="#222222")
        traces = [t for t in data if (t.get("meta") or {}).get("optimizer") == p.name]
        assert [t["meta"]["role"] for t in traces] == (
            ["diverged-cells", "heat"] + (["current"] if p.current else [])
        )
        assert all((t["xaxis"], t["yaxis"]) == (f"x{sfx}", f"y{sfx}") for t in traces)
        z = np.where(p.grid.diverged, np.nan, np.log10(loss_excess(p.grid.final_loss, best, floor)))
        np.testing.assert_allclose(_arr(traces[1]["z"]), z, rtol=1e-12)
        assert traces[1]["coloraxis"] == "coloraxis"
        cells = _arr(traces[0]["z"])
        assert np.array_equal(np.isfinite(cells), p.grid.diverged)
    colors = layout["coloraxis"]
    assert colors["colorscale"][0] == [0.0, "#440154"] and colors["colorbar"]["thickness"] == 14
    assert colors["cmin"] < colors["cmax"]
    assert colors["colorbar"]["tickvals"][0] == colors["cmin"]
    (legend,) = [t for t in data if t.get("showlegend")]
    assert legend["name"] == "diverged" and legend["marker"]["color"] == "#E8E8E8"


def test_empty_figures_keep_their_subplot_grids():
    sens = _json(sensitivity_figure({}, 0.0, 1.0, 10))["layout"]
    assert sens["xaxis"]["matches"] == "x2" and sens["yaxis2"]["domain"] == [0.0, 0.3534]
    assert _json(hyper_figure([], 0.0, 1.0))["layout"]["xaxis"]["domain"] == [0.0, 1.0]
