"""The basins page's figure (figures/basins.py) on three real configurations: its grid of maps
is laid out in one assignment rather than through plotly.py's update machinery, and must
still carry every axis, title, map and label."""

from __future__ import annotations

import json

import plotly.graph_objects as go
import plotly.io as pio
import pytest

from figures import style
from figures.basins import basin_categories, basin_figure, category_codes, grid_columns
from figures.kit import PHI0, PHI1
from landscapes import get_landscape
from optimizers.sweeps import basin_map

# (landscape, optimizers, starts per side)
CONFIGS = [
    ("himmelblau", ("gd", "momentum", "adam", "nesterov", "rmsprop"), 24),
    ("rosenbrock", ("gd", "adam"), 16),
    ("himmelblau", ("sgd",), 20),
]
WHITE = json.loads(pio.to_json(go.Figure(layout=dict(template="plotly_white")), validate=False))


def _json(fig) -> dict:
    return json.loads(pio.to_json(fig, validate=False, remove_uids=False))


@pytest.fixture(scope="module", params=range(len(CONFIGS)))
def case(request):
    name, names, n = CONFIGS[request.param]
    ls = get_landscape(name)
    maps = {m: basin_map(ls, m, n, 80, lr=0.01) for m in names}
    return ls, maps, _json(basin_figure(ls, maps, ls.grid(31)))


def test_every_map_on_its_own_equal_scale_axes(case):
    ls, maps, fig = case
    layout, data = fig["layout"], fig["data"]
    assert layout["template"] == WHITE["layout"]["template"]
    (x0, x1), (y0, y1) = ls.bounds
    cols = grid_columns(len(maps))
    rows = -(-len(maps) // cols)
    corner = "" if rows == 1 else str((rows - 1) * cols + 1)  # the bottom-left map
    for i in range(rows * cols):
        sfx = "" if i == 0 else str(i + 1)
        xa, ya = layout[f"xaxis{sfx}"], layout[f"yaxis{sfx}"]
        assert xa["range"] == [x0, x1] and ya["range"] == [y0, y1]
        for ax in (xa, ya):
            assert (ax["constrain"], ax["showgrid"], ax["zeroline"]) == ("domain", False, False)
        assert (ya["scaleanchor"], ya["scaleratio"]) == (f"x{sfx}", 1)
        assert (xa["anchor"], ya["anchor"]) == (f"y{sfx}", f"x{sfx}")
        assert xa.get("matches", f"x{corner}") == f"x{corner}"
        assert ya.get("matches", f"y{corner}") == f"y{corner}"
        r, c = divmod(i, cols)
        assert ("title" in xa) == (r == rows - 1) and ("title" in ya) == (c == 0)
        assert xa.get("title", {"text": PHI0})["text"] == PHI0
        assert ya.get("title", {"text": PHI1})["text"] == PHI1
        assert xa.get("showticklabels", True) == (r == rows - 1)
        assert ya.get("showticklabels", True) == (c == 0)
        # The cells tile the paper from the top left, left to right.
        assert xa["domain"][0] == pytest.approx(c * (1 + 0.035) / cols)
        assert ya["domain"][1] == pytest.approx(1 - r * (1 + 0.1 / rows) / rows)
    titles = layout["annotations"]
    assert [a["text"] for a in titles] == [f"<b>{style.label(n)}</b>" for n in maps]
    assert all(a["font"] == dict(size=16, color="#222222") for a in titles)
    cats = basin_categories(ls)
    seen = set()
    for i, (name, bmap) in enumerate(maps.items()):
        sfx = "" if i == 0 else str(i + 1)
        mine = [t for t in data if (t.get("meta") or {}).get("optimizer") == name]
        assert [t["meta"]["role"] for t in mine] == ["basins", "contour", "minima"]
        assert all((t["xaxis"], t["yaxis"]) == (f"x{sfx}", f"y{sfx}") for t in mine)
        codes = category_codes(bmap.labels, len(ls.minima))
        seen |= set(codes.ravel().tolist())
        assert mine[0]["text"] == [[cats[k].name for k in row] for row in codes.tolist()]
    legend = [t["name"] for t in data if (t.get("meta") or {}).get("role") == "legend"]
    assert legend == [c.name for c in cats if c.code in seen]  # what some map shows
    assert layout["height"] > 0 and layout["legend"]["itemclick"] is False
    assert layout["margin"]["l"] == 60 and layout["font"]["family"] == style.FONT_FAMILY
