"""The race and the SGD lab as animated GIFs: read back with Pillow, frame by frame."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from figures import style
from figures.animation_gif import (
    END_HOLD_MS,
    GifOptions,
    lab_gif,
    race_frames,
    race_gif,
)
from figures.gif_canvas import hex_rgb
from figures.levels import band_colors
from figures.run_view import RunView
from landscapes import get_landscape
from optimizers import run

STEPS = 40


def _line(name: str, start, end, steps: int = STEPS) -> RunView:
    """A run that walks a straight line from ``start`` to ``end`` at constant speed."""
    t = np.linspace(0.0, 1.0, steps + 1)[:, None]
    points = (1 - t) * np.asarray(start, float) + t * np.asarray(end, float)
    return RunView(name, points, np.linspace(10.0, 1.0, steps + 1))


@pytest.fixture(scope="module")
def rosenbrock():
    return get_landscape("rosenbrock")  # bounds [-2, 2] x [-1, 3]


@pytest.fixture(scope="module")
def runs():
    # Three runs from one start to three far-apart ends, so no head covers another.
    start = (-1.5, 2.5)
    return [
        _line("gd", start, (-1.5, -0.5)),
        _line("momentum", start, (1.5, 2.5)),
        _line("adam", start, (1.0, 0.0)),
    ]


def _frames(gif: bytes) -> list[np.ndarray]:
    image = Image.open(io.BytesIO(gif))
    assert image.format == "GIF"
    out = []
    for k in range(image.n_frames):
        image.seek(k)
        out.append(np.asarray(image.convert("RGB")))
    return out


def test_gif_has_the_requested_frames_size_and_timing(rosenbrock, runs):
    options = GifOptions(width=600, fps=10, seconds=2.5)
    gif = race_gif(rosenbrock, runs, options)
    image = Image.open(io.BytesIO(gif))
    assert image.n_frames == 25  # 10 fps x 2.5 s, fewer than the 41 steps
    assert image.size[0] == 600
    _, layout = race_frames(rosenbrock, runs, options)
    assert image.size == (layout.width, layout.height)
    # The plot keeps the surface's aspect (4 x 4 here).
    assert layout.plot_w == layout.plot_h
    durations = []
    for k in range(image.n_frames):
        image.seek(k)
        durations.append(image.info["duration"])
    assert durations[:-1] == [100] * 24
    assert durations[-1] == 100 + END_HOLD_MS
    assert image.info.get("loop") == 0


def test_heads_carry_the_optimizers_colours_and_paths_grow(rosenbrock, runs):
    options = GifOptions(width=800, fps=10, seconds=2)
    frames = _frames(race_gif(rosenbrock, runs, options))
    _, layout = race_frames(rosenbrock, runs, options)
    first, last = frames[0], frames[-1]
    bands = {tuple(int(v) for v in c) for c in band_colors()}
    for view in runs:
        rgb = hex_rgb(style.color(view.name))
        x, y = layout.frame_px(view.points[-1])
        assert tuple(last[y, x]) == rgb, view.name  # the head, where the run ended
        assert tuple(first[y, x]) in bands  # nothing there at step 0: the contour
        # Half-way along the path: contour at first, the path's colour at the end.
        x, y = layout.frame_px(view.points[STEPS // 2])
        assert tuple(first[y, x]) in bands
        assert tuple(last[y, x]) == rgb
        # A frame in the middle has its head half-way (frame k of 20 shows step 2k).
        x, y = layout.frame_px(view.points[20])
        assert tuple(frames[10][y, x]) == rgb
    # The frames differ only inside the plot and in the step counter's box, top right.
    changed = np.any(first != last, axis=2)
    rows, cols = np.nonzero(changed)
    in_plot = (rows >= layout.top) & (cols >= layout.left)
    assert in_plot.any()
    assert (rows[~in_plot] < layout.top).all()


def test_minima_and_saddles_are_marked():
    ls = get_landscape("himmelblau")  # four minima and four saddles in [-5, 5]^2
    view = _line("adam", (-4.5, 4.5), (-4.0, 4.5))  # far from all of them
    frames, layout = race_frames(ls, [view], GifOptions(width=800, fps=10, seconds=1))
    first = np.asarray(frames[0].convert("RGB"))
    kinds = [c.kind for c in ls.critical_points]
    assert kinds.count("minimum") == 4 and kinds.count("saddle") == 4
    for c in ls.critical_points:
        x, y = layout.frame_px(c.point)
        centre = tuple(first[y, x])
        if c.kind == "minimum":  # a white star with a dark outline
            assert centre == (255, 255, 255), c
        elif c.kind == "saddle":  # a dark x
            assert centre == hex_rgb("#222222"), c


def test_a_diverged_run_stops_with_an_x_where_it_left(rosenbrock):
    # Diverged at step 10: frozen from there on, as optimizers.run leaves it.
    points = np.array([(-1.0 + 0.1 * k, 1.0) for k in range(11)] + [(0.0, 1.0)] * 10)
    view = RunView("sgd", points, np.ones(len(points)), diverged=10)
    frames, layout = race_frames(rosenbrock, [view], GifOptions(width=480, fps=10, seconds=2))
    last = np.asarray(frames[-1].convert("RGB"))
    x, y = layout.frame_px(points[9])  # the run's last good point: the x's centre
    assert tuple(last[y, x]) == hex_rgb(style.color("sgd"))
    assert "diverged at step 10" in view.legend_label


def test_lab_gif_plays_the_lab_runs(rosenbrock):
    ls = get_landscape("saddle")
    sgd = run(ls, "sgd", (2.5, 0.0), 60, 0.1, batch_size=4, seed=0)
    gd = run(ls, "gd", (2.5, 0.0), 60, 0.1)
    options = GifOptions(width=480, fps=8, seconds=2)
    frames = _frames(lab_gif(ls, gd, sgd, options))
    assert len(frames) == 16
    assert frames[0].shape[1] == 480
    # The paths moved: more than the counter's box changed below the header.
    changed = np.any(frames[0] != frames[-1], axis=2)
    assert changed[100:].sum() > 200


@pytest.mark.parametrize(
    "bad, name",
    [(dict(width=300), "width"), (dict(fps=0), "fps"), (dict(seconds=60.0), "seconds")],
)
def test_options_out_of_range_are_named(bad, name):
    with pytest.raises(ValueError, match=name):
        GifOptions(**bad)
