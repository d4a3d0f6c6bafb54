"""Tests of the race's figures as the compare page draws them: the panels
(`figures.race_panels`), the one loss chart (`figures.loss_chart`), the run view
(`figures.run_view`), and the shared kit (`figures.kit`): the click grid and the contour colour
system, which every contour of the app uses, on real landscapes and real trajectories.
"""

import base64
import json
import re

import numpy as np
import plotly.io as pio
import pytest

from figures import convexity, style
from figures.basins import basin_figure
from figures.kit import CLICK_GRID_N, CLICK_GRID_NAME, click_grid, dash_array
from figures.levels import (
    COLORSCALE,
    CONTOUR_LEVELS,
    LOG_DECADES,
    ColorLevels,
    LossScale,
    band_colors,
)
from figures.loss_chart import loss_axis, loss_figure, runs_loss_figure
from figures.poster import race_poster_svg
from figures.race_motion import AlphaSweep, alpha_factors, motion_payload
from figures.race_panels import contour_figure, surface_figure
from figures.run_view import RunView, frame_steps, stop_point
from figures.sgd_epoch import lab_figure
from figures.sgd_minibatch import minibatch_figure
from landscapes import get_landscape
from landscapes.convexity import chord_check
from optimizers import run
from optimizers.minibatch import gradient_pair, grid_argmin, minibatch_grid
from optimizers.sweeps import BasinMap
from tests.plotly_json import decoded
from tests.test_figures_png import decode_png

# The brief's race: lr 1e-3 for the first four, 0.03 for Adam; minibatches of 8 except GD.
RACE = (
    ("gd", 1e-3, None),
    ("sgd", 1e-3, 8),
    ("momentum", 1e-3, 8),
    ("nesterov", 1e-3, 8),
    ("adam", 0.03, 8),
)
NAMES = [name for name, _, _ in RACE]
_CACHE = {}


def race_trajectories(name, steps, spec=RACE):
    key = (name, steps, spec)
    if key not in _CACHE:
        ls = get_landscape(name)
        _CACHE[key] = [
            run(ls, opt, ls.default_start, steps, lr, batch_size=bs) for opt, lr, bs in spec
        ]
    return _CACHE[key]


def race_runs(name, steps, spec=RACE):
    return [RunView.from_trajectory(t) for t in race_trajectories(name, steps, spec)]


def only(fig, uid):
    found = [t for t in fig.data if t.uid == uid]
    assert len(found) == 1, (uid, [t.uid for t in fig.data])
    return found[0]


def as_json(fig) -> dict:
    """The figure as the browser gets it, base64 arrays decoded."""
    return decoded(json.loads(pio.to_json(fig, remove_uids=False)))


def png_pixels(uri: str) -> np.ndarray:
    return decode_png(base64.b64decode(re.sub(r"^data:image/png;base64,", "", uri)))


@pytest.fixture(scope="module")
def rosenbrock():
    return get_landscape("rosenbrock")


@pytest.fixture(scope="module")
def panels(rosenbrock):
    start = rosenbrock.default_start
    return contour_figure(rosenbrock, NAMES, start), surface_figure(rosenbrock, NAMES, start)


# ----- the panels -------------------------------------------------------------------------


def test_one_bands_image_one_colorbar_one_surface(panels):
    contour, surface = panels
    assert len(contour.layout.images) == 1
    assert [t.uid for t in contour.data if t.marker and t.marker.showscale] == ["colorbar"]
    assert [t.type for t in surface.data].count("surface") == 1
    assert only(surface, "surface").showscale is False  # one colour bar only: the contour's
    assert contour.layout.yaxis.scaleanchor == "x"  # equal aspect on the contour


def test_every_optimizer_has_its_traces_in_its_colour(panels):
    contour, surface = panels
    loss = loss_figure(NAMES, loss_axis(race_trajectories("rosenbrock", 300)), 300)
    for k, name in enumerate(NAMES):
        color = style.color(name)
        assert only(contour, f"path2d-{k}").name == style.label(name)
        assert only(contour, f"path2d-{k}").line.dash == style.dash(name)
        assert only(surface, f"trail3d-{k}").line.color == color
        assert only(surface, f"trail3d-{k}").line.dash == style.dash(name)
        assert only(surface, f"head3d-{k}").marker.color == color
        assert only(loss, f"loss-{k}").line.color == color
        assert only(loss, f"loss-{k}").line.dash == style.dash(name)
        assert only(loss, f"lossx-{k}").marker.symbol == "x"


def test_critical_points_are_marked_with_their_kind_and_loss(rosenbrock, panels):
    contour, surface = panels
    minima = only(contour, "critical2d-minimum")
    assert minima.marker.symbol == style.CRITICAL_MARKERS["minimum"]["symbol"]
    want = np.array([c.point for c in rosenbrock.minima])
    np.testing.assert_allclose(np.column_stack([minima.x, minima.y]), want)
    np.testing.assert_allclose(
        np.asarray(minima.customdata)[:, 0], [c.loss for c in rosenbrock.minima]
    )
    assert "minimum" in minima.hovertemplate
    only(surface, "critical3d-minimum")
    start = only(contour, "start2d")
    np.testing.assert_allclose([start.x[0], start.y[0]], rosenbrock.default_start)
    assert start.marker.symbol == style.START_MARKER["symbol"]


def test_the_3d_start_sits_on_the_surface(panels):
    _, surface = panels
    mesh = only(surface, "surface")
    xs, ys, z = np.asarray(mesh.x), np.asarray(mesh.y), np.asarray(mesh.z, float)
    start = only(surface, "start3d")
    px, py, pz = start.x[0], start.y[0], start.z[0]
    ix = np.clip(np.searchsorted(xs, px) - 1, 0, len(xs) - 2)
    iy = np.clip(np.searchsorted(ys, py) - 1, 0, len(ys) - 2)
    corners = [z[iy, ix], z[iy, ix + 1], z[iy + 1, ix], z[iy + 1, ix + 1]]
    # above its cell's highest corner, and never more than 10% of the range above it
    assert max(corners) < pz < max(corners) + 0.1 * (np.nanmax(z) - np.nanmin(z))


def test_uirevision_is_constant_per_landscape(rosenbrock, panels):
    contour, surface = panels
    other = contour_figure(rosenbrock, NAMES[:2], (0.5, 0.5))
    assert contour.layout.uirevision == other.layout.uirevision
    quad = get_landscape("quadratic")
    assert contour_figure(quad, NAMES, quad.default_start).layout.uirevision != (
        contour.layout.uirevision
    )
    assert (
        surface.layout.scene.uirevision
        == surface_figure(rosenbrock, NAMES[:2], (0.5, 0.5)).layout.scene.uirevision
    )


def test_layout(panels):
    contour, surface = panels
    assert contour.layout.font.family == style.FONT_FAMILY
    assert contour.layout.xaxis.title.text == "φ₀" and contour.layout.yaxis.title.text == "φ₁"
    assert surface.layout.scene.xaxis.title.text == "φ₀"
    assert "loss" in surface.layout.scene.zaxis.title.text


def test_the_families_variants_are_dashed_everywhere_they_are_drawn(rosenbrock):
    """15 optimizers: a family shares a hue, the dash tells its members apart, in the panels,
    the loss chart, the browser's payload (trails and legend) and the static preview."""
    names = list(style.OPTIMIZER_COLORS)
    dashed = [n for n in names if style.dash(n) != "solid"]
    assert {"heavy_ball", "adamw", "amsgrad", "nadam", "radam", "lion"} <= set(dashed)
    start = rosenbrock.default_start
    contour, surface = (
        contour_figure(rosenbrock, names, start),
        surface_figure(rosenbrock, names, start),
    )
    axis = dict(shift=0.0, title="loss (log)", range=[-3.0, 2.0])
    loss = loss_figure(names, axis, 10)
    for k, name in enumerate(names):
        for fig, uid in ((contour, "path2d"), (surface, "trail3d"), (loss, "loss")):
            assert only(fig, f"{uid}-{k}").line.dash == style.dash(name), (uid, name)
    factors = alpha_factors(1, 1.0)
    starts = np.tile(start, (len(factors), 1))
    sweeps = [
        AlphaSweep.from_trajectory(run(rosenbrock, n, starts, 5, 1e-3 * factors), 1e-3)
        for n in names
    ]
    payload = motion_payload(rosenbrock, sweeps, factors)
    assert [o["dash"] for o in payload["optimizers"]] == [style.dash(n) for n in names]
    runs = race_runs("rosenbrock", 20, (("gd", 1e-3, None), ("adamw", 1e-3, None)))
    svg = race_poster_svg(rosenbrock, runs)
    arrays = re.findall(r'<polyline [^>]*stroke-dasharray="([^"]+)"', svg)
    assert arrays == ["none", dash_array("dash", 2)] and dash_array("dash", 2) == "9,9"


def test_dash_arrays_are_plotlys():
    """plotly.js's dashes for a line of width w (at least 3): dot w,w; dash 3w,3w; ..."""
    assert dash_array("solid", 2) == "none"
    assert dash_array("dot", 4) == "4,4"
    assert dash_array("dashdot", 2) == "9,3,3,3"
    assert dash_array("longdash", 2) == "15,15"


# ----- the contour colour system ----------------------------------------------------------


def test_rosenbrock_colours_are_log10_of_the_loss_gap(rosenbrock, panels):
    xs, ys, loss = rosenbrock.grid(121)
    levels = ColorLevels(rosenbrock)
    contour = levels.contour(xs, ys, loss, colorbar=levels.colorbar())
    floor = min(loss.min(), rosenbrock.global_minimum.loss)
    eps = (loss.max() - floor) * 10**-LOG_DECADES
    np.testing.assert_allclose(contour.z, np.log10(loss - floor + eps), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(contour.x, xs, rtol=1e-6)
    bar = only(panels[0], "colorbar").marker.colorbar
    assert "log" in bar.title.text
    # The colorbar's ticks sit where loss - L* is a whole decade and say so.
    for at, text in zip(bar.tickvals, bar.ticktext, strict=True):
        np.testing.assert_allclose(10**at - eps, float(text), rtol=1e-9)


def test_quadratic_colours_are_the_plain_loss():
    ls = get_landscape("quadratic")
    xs, ys, loss = ls.grid(121)
    levels = ColorLevels(ls)
    np.testing.assert_allclose(levels.contour(xs, ys, loss).z, loss, rtol=1e-6, atol=1e-6)
    assert levels.colorbar()["title"]["text"] == "loss"
    assert "tickvals" not in levels.colorbar()
    assert (levels.zmin, levels.zmax) == pytest.approx((loss.min(), loss.max()))
    assert levels.size == pytest.approx((loss.max() - loss.min()) / CONTOUR_LEVELS)


def test_loss_scale_is_linear_where_the_landscape_says_so():
    scale = LossScale(False)
    np.testing.assert_array_equal(scale([-2.0, 0.0, 3.5]), [-2.0, 0.0, 3.5])
    assert scale.ticks(-2, 3) == {}


def test_the_bands_are_the_colour_scale_at_each_bands_middle():
    """The images' bands are COLORSCALE where Plotly fills a contour band: its middle."""
    colors = band_colors()
    assert colors.shape == (CONTOUR_LEVELS, 3)
    lightness = colors.astype(int).sum(axis=1)
    assert np.all(np.diff(lightness) > 0)  # darkest (lowest loss) first, steadily lighter
    first = np.array([int(v) for v in re.findall(r"\d+", COLORSCALE[0][1])[:3]])
    last = np.array([int(v) for v in re.findall(r"\d+", COLORSCALE[-1][1])[:3]])
    # the first and last bands lie inside the scale, half a band from its ends
    assert np.all(np.abs(colors[0] - first) <= np.abs(last - first) / CONTOUR_LEVELS + 1)


def contours_of_every_figure(ls):
    """What each figure of the app draws ``ls``'s loss with: (where, colorscale or None for an
    image, cmin, cmax, levels (start, end, size) or None)."""
    xs, ys, grid = ls.grid(121)
    out = []
    contour = as_json(contour_figure(ls, NAMES, ls.default_start))
    bar = next(t for t in contour["data"] if t.get("uid") == "colorbar")["marker"]
    out.append(("race colour bar", bar["colorscale"], bar["cmin"], bar["cmax"], None))
    surface = as_json(surface_figure(ls, NAMES, ls.default_start))
    mesh = next(t for t in surface["data"] if t["type"] == "surface")
    out.append(("race surface", mesh["colorscale"], mesh["cmin"], mesh["cmax"], None))
    gd, sgd = race_trajectories(ls.name, 20, (("gd", 1e-3, None), ("sgd", 1e-3, 8)))
    if hasattr(ls, "n_examples"):
        lab = as_json(lab_figure(ls, gd, sgd, contour_n=61))
        bar = next(t for t in lab["data"] if t.get("uid") == "colorbar")["marker"]
        out.append(("sgd lab colour bar", bar["colorscale"], bar["cmin"], bar["cmax"], None))
        point = np.asarray(ls.default_start, dtype=float)
        grads = gradient_pair(ls, point, [0, 1])
        batch_grid = minibatch_grid(ls, [0, 1], 41)
        mini = as_json(
            minibatch_figure(
                ls,
                ls.grid(41),
                batch_grid,
                point,
                ls.global_minimum.point,
                grid_argmin(*batch_grid),
                grads,
                0.1,
            )
        )
        for t in mini["data"]:
            if t["type"] == "contour":
                c = t["contours"]
                levels = (c["start"], c["end"], c["size"])
                out.append((f"minibatch {t['uid']}", t["colorscale"], t["zmin"], t["zmax"], levels))
    segment = as_json(
        convexity.segment_figure(ls, (xs, ys, grid), chord_check(ls, ls.default_start, (0, 0)))
    )
    t = next(t for t in segment["data"] if t["type"] == "contour")
    c = t["contours"]
    out.append(
        ("convexity", t["colorscale"], t["zmin"], t["zmax"], (c["start"], c["end"], c["size"]))
    )
    labels = np.zeros((3, 3), dtype=int)
    maps = {"gd": BasinMap(np.linspace(0, 1, 3), np.linspace(0, 1, 3), labels, labels * 0.0)}
    basins = as_json(basin_figure(ls, maps, ls.grid(61)))
    t = next(t for t in basins["data"] if t["type"] == "contour")
    c = t["contours"]
    out.append(("basins (lines)", None, None, None, (c["start"], c["end"], c["size"])))
    return out


@pytest.mark.parametrize("name", ["rosenbrock", "quadratic", "linreg"])
def test_every_contour_uses_the_kits_colours_and_levels(name):
    """One colour system: every figure that draws a surface's loss colours it with the kit's
    scale, between the same lowest and highest level, at the same levels."""
    ls = get_landscape(name)
    levels = ColorLevels(ls)
    want_scale = [[s, c] for s, c in COLORSCALE]
    want_levels = (levels.zmin, levels.zmax, levels.size)
    found = contours_of_every_figure(ls)
    assert len(found) >= (7 if name == "linreg" else 4)
    for where, scale, cmin, cmax, levels_at in found:
        if scale is not None:
            assert scale == want_scale, where
            assert (cmin, cmax) == pytest.approx(want_levels[:2], rel=1e-6), where
        if levels_at is not None:
            assert levels_at == pytest.approx(want_levels, rel=1e-6), where


@pytest.mark.parametrize("name", ["rosenbrock", "himmelblau"])
def test_every_contour_image_is_the_kits_bands(name):
    """The race's image, the SGD lab's and the static preview's are the kit's bands of the
    loss on their grid (top row = largest φ1)."""
    ls = get_landscape(name)
    levels = ColorLevels(ls)
    race = contour_figure(ls, NAMES, ls.default_start).layout.images[0]
    _, _, grid = ls.grid(png_pixels(race.source).shape[0])
    np.testing.assert_array_equal(png_pixels(race.source), levels.band_colors(grid)[::-1])
    svg = race_poster_svg(ls, race_runs(name, 20))
    poster = png_pixels(re.search(r'href="(data:image/png;base64,[^"]+)"', svg).group(1))
    _, _, grid = ls.grid(poster.shape[0])
    np.testing.assert_array_equal(poster, levels.band_colors(grid)[::-1])
    assert set(map(tuple, poster.reshape(-1, 3))) <= set(map(tuple, band_colors()))


# ----- the run view and its frames ----------------------------------------------------------


@pytest.mark.parametrize(("steps", "max_frames"), [(300, 100), (40, 100), (1000, 100), (7, 3)])
def test_frame_steps_sample_evenly_and_end_at_the_last_step(steps, max_frames):
    shown = frame_steps(steps, max_frames)
    assert len(shown) == min(max_frames, steps + 1)
    assert shown[0] == 0 and shown[-1] == steps
    gaps = np.diff(shown)
    assert gaps.min() >= 1 and gaps.max() - gaps.min() <= 1


def test_frame_steps_of_a_run_without_steps():
    np.testing.assert_array_equal(frame_steps(0, 100), [0])


def test_run_view_checks_shapes_and_labels_from_the_style():
    view = RunView("momentum", np.zeros((4, 2)), np.zeros(4))
    assert view.label == style.label("momentum") and view.diverged == -1 and view.steps == 3
    with pytest.raises(ValueError, match="points"):
        RunView("gd", np.zeros((4, 3)), np.zeros(4))
    with pytest.raises(ValueError, match="losses"):
        RunView("gd", np.zeros((4, 2)), np.zeros(5))


def test_run_view_of_a_batched_trajectory(rosenbrock):
    starts = np.array([[-1.5, 2.5], [0.5, -0.5]])
    traj = run(rosenbrock, "gd", starts, 10, 1e-3)
    view = RunView.from_trajectory(traj, index=1)
    np.testing.assert_array_equal(view.points, traj.points[:, 1])
    with pytest.raises(ValueError, match="index"):
        RunView.from_trajectory(traj)


def test_a_diverged_run_stops_inside_the_picture(rosenbrock):
    gd = race_runs("rosenbrock", 60, (("gd", 0.01, None),))[0]
    assert gd.diverged > 0
    stop = stop_point(gd.points[: gd.end], rosenbrock.bounds)
    (x0, x1), (y0, y1) = rosenbrock.bounds
    assert x0 < stop[0] < x1 and y0 < stop[1] < y1
    inside = np.array([[0.5, 0.5], [0.7, 0.9]])
    np.testing.assert_array_equal(stop_point(inside, rosenbrock.bounds), inside[-1])


# ----- the loss chart -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def diverged():
    spec = (("gd", 0.01, None), ("adam", 0.03, 8))
    runs = race_trajectories("rosenbrock", 60, spec)
    assert runs[0].diverged > 0 and runs[1].diverged == -1
    return runs


def test_loss_figure_ends_a_diverged_run_with_an_x(diverged):
    fig = runs_loss_figure(diverged)
    gd = diverged[0]
    line = only(fig, "loss-0")
    np.testing.assert_allclose(line.y, gd.losses[: gd.diverged], rtol=1e-6)
    mark = only(fig, "lossx-0")
    assert list(mark.x) == [gd.diverged] and mark.marker.symbol == "x"
    assert mark.showlegend is False and mark.legendgroup == line.legendgroup
    assert not [t for t in fig.data if t.uid == "lossx-1"]  # Adam did not diverge


def test_loss_figure_has_one_line_per_run_with_the_losses():
    runs = race_trajectories("rosenbrock", 300)
    fig = runs_loss_figure(runs)
    lines = [t for t in fig.data if t.mode == "lines"]
    assert len(lines) == len(runs)
    for r, line in zip(runs, lines, strict=True):
        np.testing.assert_allclose(line.y, r.losses, rtol=1e-6)  # Rosenbrock's are positive
        np.testing.assert_array_equal(line.x, np.arange(r.steps + 1))
        assert line.line.color == style.color(r.optimizer)
        assert line.name == style.label(r.optimizer)
    assert fig.layout.yaxis.type == "log"
    assert fig.layout.yaxis.title.text == "loss (log)"
    # The axis holds every loss drawn, with the start half a decade below the top.
    lo, hi = fig.layout.yaxis.range
    assert lo < np.log10(min(r.losses.min() for r in runs)) and hi == pytest.approx(
        np.log10(max(r.losses[0] for r in runs)) + 0.5
    )


def test_loss_figure_shifts_non_positive_losses_on_a_log_axis():
    runs = race_trajectories("wells", 100, (("gd", 0.5, None), ("adam", 0.1, 8)))
    assert min(r.losses.min() for r in runs) < 0
    fig = runs_loss_figure(runs)
    best = min(r.losses.min() for r in runs)
    span = max(r.losses.max() for r in runs) - best
    for r, line in zip(runs, fig.data, strict=True):
        # loss - L*, plus one small constant so that L* itself stays on the log axis
        hair = np.asarray(line.y, float) - (r.losses - best)
        np.testing.assert_allclose(hair, hair[0], atol=1e-6 * span)
        assert 0 < np.min(line.y) and hair[0] < 1e-5 * span
        np.testing.assert_allclose(line.customdata, r.losses, rtol=1e-6)  # hover: the loss
    assert "L*" in fig.layout.yaxis.title.text


def test_the_browser_filled_loss_chart_is_empty_and_styled():
    axis = dict(shift=0.0, title="loss (log)", range=[-3.0, 2.0])
    fig = loss_figure(NAMES, axis, 300)
    assert [t.uid for t in fig.data] == [
        f"{p}-{k}" for k in range(len(NAMES)) for p in ("loss", "lossx")
    ]
    assert all(t.x is None and t.y is None for t in fig.data)
    assert list(fig.layout.yaxis.range) == [-3.0, 2.0] and list(fig.layout.xaxis.range) == [0, 300]


def test_a_loss_axis_of_a_few_decades_has_1_2_5_ticks():
    ticks = loss_figure(["gd"], dict(shift=0.0, title="loss (log)", range=[-0.6, 1.4]), 5)
    assert list(ticks.layout.yaxis.tickvals) == pytest.approx([0.5, 1, 2, 5, 10, 20])
    assert list(ticks.layout.yaxis.ticktext) == ["0.5", "1", "2", "5", "10", "20"]
    wide = loss_figure(["gd"], dict(shift=0.0, title="loss (log)", range=[-6.0, 2.0]), 5)
    assert wide.layout.yaxis.tickvals is None  # Plotly's powers of ten


# ----- the click grid -------------------------------------------------------------------------


def test_click_grid_covers_the_bounds_and_carries_its_coordinates(rosenbrock):
    grid = click_grid(rosenbrock, webgl=False, rounded=False)
    assert grid.name == CLICK_GRID_NAME and grid.showlegend is False
    x, y = np.asarray(grid.x, float), np.asarray(grid.y, float)
    assert len(x) == CLICK_GRID_N**2
    (x0, x1), (y0, y1) = rosenbrock.bounds
    np.testing.assert_allclose([x.min(), x.max(), y.min(), y.max()], [x0, x1, y0, y1], rtol=1e-6)
    custom = np.asarray(grid.customdata, float)
    np.testing.assert_allclose(custom[:, :2], np.column_stack([x, y]))
    np.testing.assert_allclose(
        custom[:, 2], rosenbrock.loss(np.column_stack([x, y])), rtol=1e-5, atol=1e-5
    )
    assert grid.marker.color == "rgba(0,0,0,0)"  # invisible, yet hoverable and selectable
    assert grid.xaxis == "x" and grid.yaxis == "y"


def test_figures_serialize(panels):
    for fig in panels:
        assert json.loads(fig.to_json())["data"]
