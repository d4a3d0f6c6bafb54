"""Tests of `figures.race`: the race figure's traces, frames, controls and size, the click
grid and `clicked_point`, and `loss_figure`, on real landscapes and real trajectories.
"""

import json
import re

import numpy as np
import pytest

from figures import style
from figures.race import (
    BASE_FRAME_MS,
    CLICK_GRID_N,
    CLICK_GRID_NAME,
    LOG_DECADES,
    MOVING_ROLES,
    SPEEDS,
    LossScale,
    RunView,
    click_grid_index,
    clicked_point,
    frame_steps,
    loss_figure,
    race_figure,
    race_figure_json,
)
from landscapes import get_landscape
from optimizers import run

# The brief's race: lr 1e-3 for the first four, 0.03 for Adam; minibatches of 8 except GD.
RACE = (
    ("gd", 1e-3, None),
    ("sgd", 1e-3, 8),
    ("momentum", 1e-3, 8),
    ("nesterov", 1e-3, 8),
    ("adam", 0.03, 8),
)
F32 = dict(rtol=1e-6, atol=1e-6)  # the figure stores float32
SHORT = dict(rtol=1e-4, atol=1e-9)  # frames store 5 significant digits
_CACHE = {}


def race_runs(name, steps, spec=RACE):
    key = (name, steps, spec)
    if key not in _CACHE:
        ls = get_landscape(name)
        _CACHE[key] = [
            RunView.from_trajectory(run(ls, opt, ls.default_start, steps, lr, batch_size=bs))
            for opt, lr, bs in spec
        ]
    return _CACHE[key]


def uid_parts(trace) -> list[str]:
    """A trace's role and name: its uid split at the first ":" or "-" ("head2d:gd",
    "critical2d-minimum")."""
    return re.split(r"[:-]", trace.uid or "", maxsplit=1)


def role(trace):
    return uid_parts(trace)[0]


def indices(fig, wanted_role, name=None):
    return [
        i
        for i, t in enumerate(fig.data)
        if role(t) == wanted_role and (name is None or uid_parts(t)[1] == name)
    ]


def only(fig, wanted_role, name=None):
    found = indices(fig, wanted_role, name)
    assert len(found) == 1, (wanted_role, name, found)
    return fig.data[found[0]]


@pytest.fixture(scope="module")
def rosenbrock():
    return get_landscape("rosenbrock")


@pytest.fixture(scope="module")
def race(rosenbrock):
    runs = race_runs("rosenbrock", 300)
    return rosenbrock, runs, race_figure(rosenbrock, runs)


# ----- structure ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, steps, options",
    [
        ("rosenbrock", 300, {}),
        ("himmelblau", 37, dict(max_frames=10, tail=3)),  # frames skip steps; short tails
        ("saddle", 5, dict(height=500)),  # fewer steps than frames
    ],
)
def test_the_fast_json_is_the_validated_figure(name, steps, options):
    """The compare page sends `race_figure_json`, which skips plotly.py's validation of the
    frames and controls; it must be the very figure `race_figure` validates."""
    ls = get_landscape(name)
    runs = race_runs(name, steps)
    fast = json.loads(race_figure_json(ls, runs, **options))
    validated = json.loads(race_figure(ls, runs, **options).to_json())
    assert fast == validated
    assert len(fast["frames"]) == min(options.get("max_frames", 100), steps + 1)


def test_one_contour_one_surface_and_the_click_grid(race):
    _, _, fig = race
    types = [t.type for t in fig.data]
    assert types.count("contour") == 1
    assert types.count("surface") == 1
    grid = [t for t in fig.data if t.name == CLICK_GRID_NAME]
    assert len(grid) == 1 and grid[0].showlegend is False
    assert click_grid_index(fig) == fig.data.index(grid[0])
    assert fig.layout.yaxis.scaleanchor == "x"  # equal aspect on the contour


def test_every_run_has_its_static_and_moving_traces_in_its_colour(race):
    _, runs, fig = race
    for r in runs:
        for wanted in ("path2d", "path3d", *MOVING_ROLES):
            trace = only(fig, wanted, r.name)
            assert trace.legendgroup == r.name
            assert trace.name == style.label(r.name)
        assert only(fig, "head2d", r.name).marker.color == style.color(r.name)
        assert only(fig, "head3d", r.name).marker.color == style.color(r.name)
        assert only(fig, "tail2d", r.name).line.color == style.color(r.name)
        assert only(fig, "tail3d", r.name).line.color == style.color(r.name)


def test_one_legend_entry_per_optimizer(race):
    _, runs, fig = race
    for r in runs:
        shown = [t for t in fig.data if t.legendgroup == r.name and t.showlegend is not False]
        assert [role(t) for t in shown] == ["head2d"]
    # The moving 2D traces are WebGL: Plotly's animation of SVG scatter traces removes every
    # non-animatable layer (the contour) until the end of playback (plotly.js issue #4491).
    for i in indices(fig, "head2d") + indices(fig, "tail2d"):
        assert fig.data[i].type == "scattergl"


def test_critical_points_are_marked_with_their_kind_and_loss(rosenbrock, race):
    _, _, fig = race
    minima = only(fig, "critical2d", "minimum")
    assert minima.marker.symbol == style.CRITICAL_MARKERS["minimum"]["symbol"]
    want = np.array([c.point for c in rosenbrock.minima])
    np.testing.assert_allclose(np.column_stack([minima.x, minima.y]), want)
    np.testing.assert_allclose(minima.customdata, [c.loss for c in rosenbrock.minima])
    assert "minimum" in minima.hovertemplate
    assert len(indices(fig, "critical3d", "minimum")) == 1
    start = only(fig, "start2d")
    np.testing.assert_allclose([start.x[0], start.y[0]], rosenbrock.default_start)
    assert start.marker.symbol == style.START_MARKER["symbol"]


def test_static_paths_are_the_trajectories(race):
    _, runs, fig = race
    for r in runs:
        p2 = only(fig, "path2d", r.name)
        np.testing.assert_allclose(np.column_stack([p2.x, p2.y]), r.points, **F32)
        np.testing.assert_allclose(p2.customdata, r.losses, rtol=1e-6)
        p3 = only(fig, "path3d", r.name)
        np.testing.assert_allclose(np.column_stack([p3.x, p3.y]), r.points, **F32)


def test_3d_paths_sit_above_the_surface(rosenbrock, race):
    _, runs, fig = race
    surface = next(t for t in fig.data if t.type == "surface")
    xs, ys, z = np.asarray(surface.x), np.asarray(surface.y), np.asarray(surface.z, float)
    lo, hi = np.nanmin(z), np.nanmax(z)
    for r in runs:
        p3 = only(fig, "path3d", r.name)
        px, py, pz = (np.asarray(a, float) for a in (p3.x, p3.y, p3.z))
        ix = np.clip(np.searchsorted(xs, px) - 1, 0, len(xs) - 2)
        iy = np.clip(np.searchsorted(ys, py) - 1, 0, len(ys) - 2)
        corners = np.stack([z[iy, ix], z[iy, ix + 1], z[iy + 1, ix], z[iy + 1, ix + 1]])
        inside = np.isfinite(pz)
        # above the lowest corner of its cell, and never more than 10% of the range above the
        # highest one: on the mesh, not floating
        assert np.all(pz[inside] > corners.min(axis=0)[inside])
        assert np.all(pz[inside] < corners.max(axis=0)[inside] + 0.1 * (hi - lo))


# ----- frames ---------------------------------------------------------------------------


@pytest.mark.parametrize(("steps", "max_frames"), [(300, 100), (40, 100), (1000, 100), (7, 3)])
def test_frame_steps_sample_evenly_and_end_at_the_last_step(steps, max_frames):
    shown = frame_steps(steps, max_frames)
    assert len(shown) == min(max_frames, steps + 1)
    assert shown[0] == 0 and shown[-1] == steps
    gaps = np.diff(shown)
    assert gaps.min() >= 1 and gaps.max() - gaps.min() <= 1


def test_frame_steps_of_a_run_without_steps():
    np.testing.assert_array_equal(frame_steps(0, 100), [0])


def test_frames_are_named_by_step_and_end_at_the_last_step(race):
    _, runs, fig = race
    T = runs[0].steps
    assert len(fig.frames) == min(100, T + 1)
    names = [f.name for f in fig.frames]
    assert names == [str(s) for s in frame_steps(T, 100)]
    assert names[-1] == str(T)


def test_short_runs_get_one_frame_per_step(rosenbrock):
    runs = race_runs("rosenbrock", 30)
    fig = race_figure(rosenbrock, runs)
    assert [f.name for f in fig.frames] == [str(s) for s in range(31)]


def test_frames_carry_only_the_moving_traces(race):
    _, runs, fig = race
    moving = [i for i, t in enumerate(fig.data) if role(t) in MOVING_ROLES]
    assert len(moving) == 4 * len(runs)
    for frame in fig.frames:
        assert list(frame.traces) == moving
        assert len(frame.data) == len(moving)
        for i, update in zip(frame.traces, frame.data, strict=True):
            assert update.type == fig.data[i].type


def test_moving_markers_follow_the_trajectory(race):
    _, runs, fig = race
    tail = 8
    for frame in fig.frames:
        s = int(frame.name)
        updates = dict(zip(frame.traces, frame.data, strict=True))
        for r in runs:
            head2d = updates[indices(fig, "head2d", r.name)[0]]
            head3d = updates[indices(fig, "head3d", r.name)[0]]
            tail2d = updates[indices(fig, "tail2d", r.name)[0]]
            for head in (head2d, head3d):
                np.testing.assert_allclose([head.x[0], head.y[0]], r.points[s], **SHORT)
                step, loss = head.customdata[0]
                assert step == s
                np.testing.assert_allclose(loss, r.losses[s], rtol=1e-4)
            want = r.points[max(0, s - tail + 1) : s + 1]
            np.testing.assert_allclose(np.column_stack([tail2d.x, tail2d.y]), want, **SHORT)


def test_the_figure_opens_on_the_last_step(race):
    _, runs, fig = race
    T = runs[0].steps
    for r in runs:
        head = only(fig, "head2d", r.name)
        np.testing.assert_allclose([head.x[0], head.y[0]], r.points[T], **SHORT)
    (slider,) = fig.layout.sliders
    assert slider.active == len(fig.frames) - 1
    assert slider.currentvalue.prefix == "step "
    assert [list(s.args[0]) for s in slider.steps] == [[f.name] for f in fig.frames]
    for s in slider.steps:
        assert s.method == "animate"
        assert s.args[1]["frame"] == {"duration": 0, "redraw": True}
        assert s.args[1]["mode"] == "immediate"


def test_play_restarts_from_the_first_frame_and_pause_stops(race):
    _, _, fig = race
    names = [f.name for f in fig.frames]
    buttons, speed = fig.layout.updatemenus
    play, pause = buttons.buttons
    assert play.method == "animate" and list(play.args[0]) == names
    assert play.args[1]["frame"] == {"duration": BASE_FRAME_MS, "redraw": True}
    assert play.args[1]["fromcurrent"] is False
    assert list(pause.args[0]) == [None]
    assert pause.args[1] == {"frame": {"duration": 0, "redraw": False}, "mode": "immediate"}
    durations = [b.args[1]["frame"]["duration"] for b in speed.buttons]
    assert durations == [round(BASE_FRAME_MS / s) for s in SPEEDS]
    assert all(list(b.args[0]) == names for b in speed.buttons)
    assert speed.buttons[speed.active].args[1]["frame"]["duration"] == BASE_FRAME_MS


# ----- colour scales --------------------------------------------------------------------


def test_rosenbrock_contour_is_log10_of_the_loss_gap(rosenbrock, race):
    _, _, fig = race
    contour = next(t for t in fig.data if t.type == "contour")
    xs, ys, loss = rosenbrock.grid(121)
    floor = min(loss.min(), rosenbrock.global_minimum.loss)
    eps = (loss.max() - floor) * 10**-LOG_DECADES
    np.testing.assert_allclose(contour.z, np.log10(loss - floor + eps), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(contour.x, xs)
    assert "log" in contour.colorbar.title.text
    # The colorbar's ticks sit where loss - L* is a whole decade and say so.
    for at, text in zip(contour.colorbar.tickvals, contour.colorbar.ticktext, strict=True):
        np.testing.assert_allclose(10**at - eps, float(text), rtol=1e-9)


def test_quadratic_contour_is_the_plain_loss():
    ls = get_landscape("quadratic")
    fig = race_figure(ls, race_runs("quadratic", 20))
    contour = next(t for t in fig.data if t.type == "contour")
    _, _, loss = ls.grid(121)
    np.testing.assert_allclose(contour.z, loss, rtol=1e-6, atol=1e-6)
    assert contour.colorbar.title.text == "loss"
    assert contour.colorbar.tickvals is None


def test_one_colorbar_only(race):
    _, _, fig = race
    surface = next(t for t in fig.data if t.type == "surface")
    assert surface.showscale is False
    contour = next(t for t in fig.data if t.type == "contour")
    assert contour.colorbar.x < fig.layout.scene.domain.x[0]  # left of the 3D scene


def test_loss_scale_is_linear_where_the_landscape_says_so():
    scale = LossScale(False)
    np.testing.assert_array_equal(scale([-2.0, 0.0, 3.5]), [-2.0, 0.0, 3.5])
    assert scale.ticks(-2, 3) == {}


# ----- size, layout ---------------------------------------------------------------------


def test_figure_json_for_five_runs_of_1000_steps_is_under_a_megabyte(rosenbrock):
    fig = race_figure(rosenbrock, race_runs("rosenbrock", 1000))
    size = len(fig.to_json())
    assert size < 1_000_000, size
    assert len(fig.frames) == 100


def test_uirevision_is_constant_per_landscape(rosenbrock, race):
    _, _, fig = race
    other = race_figure(rosenbrock, race_runs("rosenbrock", 30))
    assert fig.layout.uirevision == other.layout.uirevision
    assert fig.layout.scene.uirevision == other.layout.scene.uirevision
    quad = race_figure(get_landscape("quadratic"), race_runs("quadratic", 20))
    assert quad.layout.uirevision != fig.layout.uirevision


def test_layout(race):
    _, _, fig = race
    assert fig.layout.height == 620
    assert fig.layout.legend.orientation == "h" and fig.layout.legend.y > 1
    assert fig.layout.font.family == style.FONT_FAMILY
    assert fig.layout.xaxis.title.text == "φ₀" and fig.layout.yaxis.title.text == "φ₁"
    assert fig.layout.scene.xaxis.title.text == "φ₀"
    assert "loss" in fig.layout.scene.zaxis.title.text


def test_no_runs_gives_the_landscape_alone(rosenbrock):
    fig = race_figure(rosenbrock, [])
    assert not fig.frames and not fig.layout.sliders and not fig.layout.updatemenus
    assert {t.type for t in fig.data} >= {"contour", "surface"}
    assert click_grid_index(fig) is not None


def test_runs_of_different_lengths_are_refused(rosenbrock):
    a, b = race_runs("rosenbrock", 30)[0], race_runs("rosenbrock", 20)[0]
    with pytest.raises(ValueError, match="same number of steps"):
        race_figure(rosenbrock, [a, b])


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


# ----- a diverged run ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def diverged(rosenbrock):
    spec = (("gd", 0.01, None), ("adam", 0.03, 8))
    runs = race_runs("rosenbrock", 60, spec)
    assert runs[0].diverged > 0 and runs[1].diverged == -1
    return runs, race_figure(rosenbrock, runs)


def test_a_diverged_run_shows_an_x_and_its_step(rosenbrock, diverged):
    runs, fig = diverged
    gd = runs[0]
    d = gd.diverged
    head = only(fig, "head2d", "gd")
    assert head.name == f"GD (diverged at step {d})"
    assert head.marker.symbol == "x"
    assert f"diverges at step {d}" in head.hovertemplate
    assert only(fig, "head2d", "adam").marker.symbol == "circle"
    # The path ends at the divergence step.
    path = only(fig, "path2d", "gd")
    assert len(path.x) == d
    np.testing.assert_allclose(np.column_stack([path.x, path.y]), gd.points[:d], **F32)
    # The "x" is drawn inside the picture, where the run left it.
    (x0, x1), (y0, y1) = rosenbrock.bounds
    assert x0 <= head.x[0] <= x1 and y0 <= head.y[0] <= y1


def test_a_diverged_runs_marker_turns_into_an_x_at_its_divergence_step(diverged):
    runs, fig = diverged
    d = runs[0].diverged
    i = indices(fig, "head2d", "gd")[0]
    for frame in fig.frames:
        update = dict(zip(frame.traces, frame.data, strict=True))[i]
        assert update.marker.symbol == ("x" if int(frame.name) >= d else "circle")


def test_loss_figure_ends_a_diverged_run_with_an_x(diverged):
    runs, _ = diverged
    fig = loss_figure(runs)
    gd = runs[0]
    line = next(t for t in fig.data if t.uid == "loss:gd")
    np.testing.assert_allclose(line.y, gd.losses[: gd.diverged])
    mark = next(t for t in fig.data if t.uid == "loss-diverged:gd")
    assert list(mark.x) == [gd.diverged] and mark.marker.symbol == "x"
    assert mark.showlegend is False and mark.legendgroup == line.legendgroup


# ----- the click grid and clicked_point -----------------------------------------------------


def test_click_grid_covers_the_bounds_and_carries_its_coordinates(rosenbrock, race):
    _, _, fig = race
    grid = fig.data[click_grid_index(fig)]
    x, y = np.asarray(grid.x, float), np.asarray(grid.y, float)
    assert len(x) == CLICK_GRID_N**2
    (x0, x1), (y0, y1) = rosenbrock.bounds
    np.testing.assert_allclose([x.min(), x.max(), y.min(), y.max()], [x0, x1, y0, y1])
    custom = np.asarray(grid.customdata, float)
    np.testing.assert_allclose(custom[:, :2], np.column_stack([x, y]))
    np.testing.assert_allclose(
        custom[:, 2], rosenbrock.loss(np.column_stack([x, y])), rtol=1e-5, atol=1e-5
    )
    assert grid.marker.color == "rgba(0,0,0,0)"  # invisible, yet hoverable and selectable
    assert grid.xaxis == "x" and grid.yaxis == "y"


def test_clicked_point_reads_a_streamlit_selection(race):
    _, _, fig = race
    k = click_grid_index(fig)
    grid = fig.data[k]
    i = 1189
    x, y = float(grid.x[i]), float(grid.y[i])
    event = {
        "selection": {
            "points": [
                {
                    "curve_number": k,
                    "point_number": i,
                    "point_index": i,
                    "x": x,
                    "y": y,
                    "customdata": [x, y, 8.79],
                }
            ],
            "point_indices": [i],
            "box": [],
            "lasso": [],
        }
    }
    assert clicked_point(event) == pytest.approx((x, y))
    assert clicked_point(event, k) == pytest.approx((x, y))
    assert clicked_point(event, k + 1) is None  # a point of some other trace
    # Without customdata, x and y do.
    del event["selection"]["points"][0]["customdata"]
    assert clicked_point(event) == pytest.approx((x, y))


@pytest.mark.parametrize(
    "event",
    [
        None,
        {},
        [],
        "selection",
        {"selection": None},
        {"selection": {}},
        {"selection": {"points": []}},
        {"selection": {"points": None}},
        {"selection": {"points": "xy"}},
        {"selection": {"points": [None, 3, "p"]}},
        {"selection": {"points": [{"curve_number": 1}]}},
        {"selection": {"points": [{"x": "a", "y": 2.0}]}},
        {"selection": {"points": [{"x": float("nan"), "y": 2.0}]}},
        {"selection": {"points": [{"x": True, "y": 2.0}]}},
        {"selection": {"points": [{"customdata": "ab", "x": None, "y": None}]}},
    ],
)
def test_clicked_point_is_none_for_malformed_events(event):
    assert clicked_point(event) is None


def test_clicked_point_skips_a_bad_point_for_a_good_one():
    event = {"selection": {"points": [{"x": None}, {"x": 0.5, "y": "1.25"}]}}
    assert clicked_point(event) == (0.5, 1.25)


# ----- loss_figure ---------------------------------------------------------------------------


def test_loss_figure_has_one_line_per_run_with_the_losses(race):
    _, runs, _ = race
    fig = loss_figure(runs)
    lines = [t for t in fig.data if t.mode == "lines"]
    assert len(lines) == len(runs)
    for r, line in zip(runs, lines, strict=True):
        np.testing.assert_allclose(line.y, r.losses)  # Rosenbrock's losses are positive
        np.testing.assert_array_equal(line.x, np.arange(r.steps + 1))
        assert line.line.color == style.color(r.name)
        assert line.name == style.label(r.name)
    assert fig.layout.yaxis.type == "log"
    assert fig.layout.yaxis.title.text == "loss (log)"
    assert fig.layout.height == 320


def test_loss_figure_shifts_non_positive_losses_on_a_log_axis():
    ls = get_landscape("wells")
    runs = race_runs("wells", 100, (("gd", 0.5, None), ("adam", 0.1, 8)))
    assert min(r.losses.min() for r in runs) < 0
    fig = loss_figure(runs, loss_floor=ls.global_minimum.loss)
    best = min(ls.global_minimum.loss, *(r.losses.min() for r in runs))
    span = max(r.losses.max() for r in runs) - best
    for r, line in zip(runs, fig.data, strict=True):
        # loss - L*, plus one small constant so that L* itself stays on the log axis
        hair = np.asarray(line.y) - (r.losses - best)
        np.testing.assert_allclose(hair, hair[0], atol=1e-12)
        assert 0 < hair[0] < 1e-5 * span
        np.testing.assert_allclose(line.customdata, r.losses)  # hover shows the true loss
    assert "L*" in fig.layout.yaxis.title.text
    linear = loss_figure(runs, log_y=False)
    np.testing.assert_allclose(linear.data[0].y, runs[0].losses)
    assert linear.layout.yaxis.type == "linear"


def test_figures_serialize(race):
    _, runs, fig = race
    assert json.loads(fig.to_json())["frames"]
    assert json.loads(loss_figure(runs).to_json())["data"]
