"""Tests of `figures.poster`: the PNG it encodes, its ticks, and the SVG preview's content on
real landscapes and real runs."""

import base64
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from figures import style
from figures.levels import CONTOUR_LEVELS, ColorLevels, band_colors
from figures.poster import LEFT, PANEL, TOP, nice_ticks, race_poster_svg
from figures.run_view import RunView
from landscapes import get_landscape
from optimizers import run
from tests.test_figures_png import decode_png

SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize(
    "lo, hi, expected",
    [
        (-2, 2, [-2, -1, 0, 1, 2]),
        (-1, 3, [-1, 0, 1, 2, 3]),
        (-6, 6, [-6, -4, -2, 0, 2, 4, 6]),
        (0, 1, [0, 0.2, 0.4, 0.6, 0.8, 1.0]),
        (-4.5, 4.5, [-4, -2, 0, 2, 4]),
    ],
)
def test_nice_ticks(lo, hi, expected):
    np.testing.assert_allclose(nice_ticks(lo, hi), expected, atol=1e-12)


def test_loss_bands_put_the_darkest_band_at_the_minimum():
    """Rosenbrock's minimum (1, 1) lies in the lowest band; the top row is the largest φ1."""
    ls = get_landscape("rosenbrock")
    n = 121
    bands = ColorLevels(ls).band_colors(ls.grid(n)[2])[::-1]
    assert bands.shape == (n, n, 3)
    (x0, x1), (y0, y1) = ls.bounds
    col = round((1 - x0) / (x1 - x0) * (n - 1))
    row = n - 1 - round((1 - y0) / (y1 - y0) * (n - 1))
    colors = band_colors()
    assert len(colors) == CONTOUR_LEVELS
    np.testing.assert_array_equal(bands[row, col], colors[0])
    # The corner (x0, y0) is far up Rosenbrock's wall: a much lighter band.
    corner = bands[n - 1, 0]
    index = [i for i, c in enumerate(colors) if np.array_equal(c, corner)]
    assert index and index[0] >= CONTOUR_LEVELS // 2


def test_the_svg_shows_every_path_its_end_and_the_start():
    ls = get_landscape("himmelblau")
    runs = [
        RunView.from_trajectory(run(ls, name, ls.default_start, 60, lr))
        for name, lr in (("gd", 0.01), ("momentum", 0.01), ("adam", 0.1))
    ]
    svg = race_poster_svg(ls, runs)
    root = ET.fromstring(svg)  # well-formed XML
    (x0, x1), (y0, y1) = ls.bounds
    width = round(PANEL * (x1 - x0) / (y1 - y0))
    assert root.get("viewBox") == f"0 0 {LEFT + width + 10} {TOP + PANEL + 40}"
    lines = root.findall(f".//{SVG}polyline")
    assert [line.get("stroke") for line in lines] == [style.color(r.name) for r in runs]
    for line, r in zip(lines, runs, strict=True):
        xy = np.array([p.split(",") for p in line.get("points").split()], dtype=float)
        # Thinned to what the eye needs (at most the 61 points); each drawn point is one
        # of the run's, within the 0.05 px rounding of the drawing, ends included.
        assert 2 <= len(xy) <= len(r.points)
        px = np.column_stack(
            [
                (r.points[:, 0] - x0) / (x1 - x0) * width,
                (y1 - r.points[:, 1]) / (y1 - y0) * PANEL,
            ]
        )
        nearest = np.min(np.linalg.norm(xy[:, None] - px[None], axis=-1), axis=1)
        assert np.all(nearest < 0.08)
        np.testing.assert_allclose(xy[[0, -1]], px[[0, -1]], atol=0.06)
    circles = root.findall(f".//{SVG}circle")
    assert len(circles) == len(runs) + 1  # an end per run and the start
    start = circles[-1]
    assert float(start.get("cx")) == pytest.approx(
        (ls.default_start[0] - x0) / (x1 - x0) * width, abs=0.06
    )
    # Himmelblau's four minima are marked, and so are its saddles.
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts.count("★") == 4 and texts.count("×") >= 1
    image = root.find(f".//{SVG}image").get("href")
    png = base64.b64decode(re.sub(r"^data:image/png;base64,", "", image))
    assert decode_png(png).shape == (121, 121, 3)


def test_long_paths_are_thinned_and_diverged_points_dropped():
    ls = get_landscape("rosenbrock")
    long = RunView.from_trajectory(run(ls, "gd", ls.default_start, 3000, 1e-3))
    gone = RunView.from_trajectory(run(ls, "gd", ls.default_start, 40, 0.5))
    assert gone.is_diverged
    root = ET.fromstring(race_poster_svg(ls, [long, gone]))
    first, second = root.findall(f".//{SVG}polyline")
    drawn = np.array([p.split(",") for p in first.get("points").split()], dtype=float)
    assert 2 <= len(drawn) < 400
    # Thinned, not cut: the path still starts at the start and ends at the run's end (px).
    (x0, x1), (y0, y1) = ls.bounds
    width = float(root.find(f".//{SVG}rect").get("width"))
    scale = np.array([width / (x1 - x0), -PANEL / (y1 - y0)])
    origin = np.array([x0, y1])
    for point, expected in ((drawn[0], long.points[0]), (drawn[-1], long.points[-1])):
        np.testing.assert_allclose(point, (expected - origin) * scale, atol=0.06)
    # Only finite points are drawn; the clip path keeps the rest of the way in the panel.
    assert all(np.isfinite(float(v)) for p in second.get("points").split() for v in p.split(","))
