"""Tests of the SGD lab's numerics (optimizers/minibatch.py) and figures (figures/sgd_*.py).

The numerics: epochs drawn without replacement cover every example once, the visited set
grows by one batch per step and empties at each epoch, the gradients and their angle, the
minibatch landscape and its grid minimum. The figures: the lab's figure at step 0 shows what the
trajectory says there (the minibatch, the points, the epoch and batch); every later step is the
browser's (tests/test_sgd_motion.py).
"""

from __future__ import annotations

import base64
import json
import math

import numpy as np
import plotly.io as pio
import pytest

from figures import sgd_curves, sgd_epoch, sgd_minibatch
from figures.levels import ColorLevels
from figures.loss_chart import runs_loss_figure
from figures.sgd_epoch import position_text
from landscapes import get_landscape
from optimizers import run, schedules
from optimizers.minibatch import (
    angle_between,
    arrow_scale,
    batch_position,
    frame_steps,
    gradient_pair,
    grid_argmin,
    minibatch_grid,
    on_grid_edge,
    run_report,
    step_decay_count,
    suggested_step_decay,
    visited_mask,
    where_it_ended,
    with_epochs_of,
)

LANDSCAPES = {
    "linreg": get_landscape("linreg"),  # N = 20
    "gabor": get_landscape("gabor"),  # N = 30
    "quadratic": get_landscape("quadratic", noise=1.0),  # N = 32
}


def lab_runs(ls, steps, lr, batch_size, seed=0, schedule=None, start=None):
    """GD and SGD as the lab runs them: same start, same alpha at every step."""
    schedule = schedule or schedules.constant()
    start = ls.default_start if start is None else start
    sgd = run(ls, "sgd", start, steps, lr, batch_size=batch_size, seed=seed, schedule=schedule)
    gd = run(ls, "gd", start, steps, lr, schedule=with_epochs_of(schedule, sgd.steps_per_epoch))
    return gd, sgd


# =========================================================================== numerics


@pytest.mark.parametrize("name", list(LANDSCAPES))
@pytest.mark.parametrize("batch_size", [1, 5, 7, "N"])
def test_every_epoch_covers_every_example_once(name, batch_size):
    ls = LANDSCAPES[name]
    n = ls.n_examples
    size = n if batch_size == "N" else batch_size
    per_epoch = math.ceil(n / size)
    steps = 3 * per_epoch
    traj = run(ls, "sgd", ls.default_start, steps, 1e-6, batch_size=size, seed=4)
    assert traj.steps_per_epoch == per_epoch
    for epoch in range(3):
        first = epoch * per_epoch
        used = np.concatenate([traj.batches[t] for t in range(first, first + per_epoch)])
        assert np.array_equal(np.sort(used), np.arange(n))  # each example exactly once
        last = first + per_epoch - 1
        assert visited_mask(traj.batches, last, per_epoch, n, include_current=True).all()
        assert batch_position(last, per_epoch) == (epoch, per_epoch - 1, per_epoch)


@pytest.mark.parametrize("batch_size", [1, 5, 7])
def test_visited_set_grows_by_the_batch_and_resets_each_epoch(batch_size):
    ls = LANDSCAPES["linreg"]
    n = ls.n_examples
    traj = run(ls, "sgd", ls.default_start, 40, 1e-6, batch_size=batch_size, seed=1)
    k = traj.steps_per_epoch
    for t in range(traj.steps):
        before = visited_mask(traj.batches, t, k, n)
        after = visited_mask(traj.batches, t, k, n, include_current=True)
        batch = np.asarray(traj.batches[t])
        if t % k == 0:
            assert before.sum() == 0, f"step {t} starts an epoch: nothing used yet"
        else:
            assert np.array_equal(before, visited_mask(traj.batches, t - 1, k, n, True))
        assert not before[batch].any(), "without replacement: the batch is all new"
        assert after.sum() == before.sum() + batch.size
        expected = before.copy()
        expected[batch] = True
        assert np.array_equal(after, expected)


def test_batch_position_counts_epochs_and_batches():
    assert batch_position(0, 4) == (0, 0, 4)
    assert batch_position(3, 4) == (0, 3, 4)
    assert batch_position(4, 4) == (1, 0, 4)
    assert batch_position(199, 4) == (49, 3, 4)
    assert batch_position(17, 1) == (17, 0, 1)
    with pytest.raises(ValueError, match="steps_per_epoch"):
        batch_position(3, 0)
    with pytest.raises(ValueError, match="step"):
        batch_position(-1, 4)


@pytest.mark.parametrize(
    ("u", "v", "degrees"),
    [
        ((1, 0), (0, 1), 90.0),
        ((1, 0), (-1, 0), 180.0),
        ((1, 1), (2, 2), 0.0),
        ((1, 0), (1, math.sqrt(3)), 60.0),
        ((3, -4), (-4, -3), 90.0),
        ((2, 0), (1, -1), 45.0),
    ],
)
def test_angle_between_hand_made_vectors(u, v, degrees):
    assert angle_between(u, v) == pytest.approx(degrees, abs=1e-9)
    assert angle_between(v, u) == pytest.approx(degrees, abs=1e-9)


def test_angle_with_a_zero_vector_is_nan():
    assert math.isnan(angle_between((0, 0), (1, 2)))
    assert math.isnan(angle_between((1, 2), (0.0, 0.0)))


@pytest.mark.parametrize("name", list(LANDSCAPES))
def test_gradient_pair_is_the_landscapes_gradients(name):
    ls = LANDSCAPES[name]
    traj = run(ls, "sgd", ls.default_start, 12, 1e-3, batch_size=5, seed=2)
    for t in (0, 5, 11):
        point, batch = traj.points[t], traj.batches[t]
        pair = gradient_pair(ls, point, batch)
        assert np.array_equal(pair.minibatch, ls.minibatch_grad(point, batch))
        assert np.array_equal(pair.full, ls.grad(point))
        assert pair.full_norm == pytest.approx(np.hypot(*ls.grad(point)), rel=1e-12)
        assert pair.minibatch_norm == pytest.approx(np.hypot(*pair.minibatch), rel=1e-12)
        assert pair.angle == pytest.approx(angle_between(pair.full, pair.minibatch), abs=1e-12)


@pytest.mark.parametrize("name", list(LANDSCAPES))
def test_an_epochs_minibatch_gradients_average_to_the_full_gradient(name):
    # N/|B| scaling: sum over the epoch of |B|/N * grad_B is the sum of all examples' grads.
    ls = LANDSCAPES[name]
    n = ls.n_examples
    traj = run(ls, "sgd", ls.default_start, 10, 1e-6, batch_size=7, seed=3)
    point = np.array(ls.default_start, dtype=float) + 0.3
    k = traj.steps_per_epoch
    total = sum(len(b) / n * gradient_pair(ls, point, b).minibatch for b in traj.batches[:k])
    assert np.allclose(total, ls.grad(point), rtol=1e-10, atol=1e-10)


def test_minibatch_grid_and_its_minimum():
    ls = LANDSCAPES["linreg"]
    everything = np.arange(ls.n_examples)
    xs, ys, full = ls.grid(61)
    bxs, bys, mini = minibatch_grid(ls, everything, 61)
    assert np.array_equal(xs, bxs) and np.array_equal(ys, bys)
    assert np.allclose(mini, full, rtol=1e-12)  # the batch of all N is the full loss
    # The least-squares minimum (0.37, 0.91) lies inside: the grid minimum is within a cell.
    best = grid_argmin(xs, ys, full)
    cell = np.array([xs[1] - xs[0], ys[1] - ys[0]])
    assert np.all(np.abs(best - ls.global_minimum.point) <= cell)
    assert not on_grid_edge(xs, ys, best)
    # One example's loss (phi0 + phi1 x - y)^2 is 0 along a line: its grid minimum is ~0.
    one = [3]
    bxs, bys, mini = minibatch_grid(ls, one, 61)
    low = grid_argmin(bxs, bys, mini)
    residual = ls.model(ls.data_x[one], low)[0] - ls.data_y[3]
    assert abs(residual) < 0.05
    assert ls.minibatch_loss(low, one) == pytest.approx(mini.min())


def test_grid_argmin_known_values_and_edges():
    xs = np.linspace(-1, 1, 5)
    ys = np.linspace(0, 4, 9)
    z = (xs[None, :] - 0.5) ** 2 + (ys[:, None] - 1.0) ** 2
    assert np.array_equal(grid_argmin(xs, ys, z), [0.5, 1.0])
    z[2, 3] = np.nan  # hide the minimum: the first of its four equal neighbours wins
    assert np.array_equal(grid_argmin(xs, ys, z), [0.5, 0.5])
    assert np.isnan(grid_argmin(xs, ys, np.full((9, 5), np.nan))).all()
    slope = ys[:, None] + 0 * xs[None, :]
    low = grid_argmin(xs, ys, slope)
    assert low[1] == 0.0 and on_grid_edge(xs, ys, low)


def test_arrow_scale_makes_the_longest_arrow_a_fraction_of_the_plot():
    scale = arrow_scale([(3.0, 4.0), (0.0, 1.0)], (6.0, 4.0), fraction=0.25)
    assert scale * 5.0 == pytest.approx(0.25 * 4.0)
    assert arrow_scale([(0, 0), (0, 0)], (6.0, 4.0)) == 0.0


def test_gd_takes_the_same_alpha_as_sgd_at_every_step():
    ls = get_landscape("saddle")
    sched = schedules.step_decay(0.5, 3)
    gd, sgd = lab_runs(ls, 60, 0.1, 8, schedule=sched)
    assert sgd.steps_per_epoch == 4
    assert np.array_equal(gd.lrs, sgd.lrs)
    # alpha halves every 3 epochs = 12 steps.
    assert sgd.lrs[11] == pytest.approx(0.1) and sgd.lrs[12] == pytest.approx(0.05)
    assert sgd.lrs[59] == pytest.approx(0.1 / 2**4)


def test_suggested_step_decay_fits_three_decays_into_the_run():
    assert suggested_step_decay(200, 4) == (0.5, 13)  # 50 epochs
    assert suggested_step_decay(300, 32) == (0.5, 3)  # 9.4 epochs
    assert suggested_step_decay(10, 1) == (0.5, 3)
    assert suggested_step_decay(5000, 1)[1] == 50  # the sidebar's limit
    # Three decays make four values of alpha; 250 epochs would need every 63 > 50 epochs,
    # so that run decays four times (at epochs 50, 100, 150, 200).
    for steps, per_epoch, values in [(200, 4, 4), (300, 10, 4), (300, 32, 4), (1000, 4, 5)]:
        factor, every = suggested_step_decay(steps, per_epoch)
        sched = schedules.step_decay(factor, every)
        lrs = sched(np.arange(steps), per_epoch, steps)
        assert len(np.unique(lrs)) == values, (steps, per_epoch)
        assert step_decay_count(steps, per_epoch, every) == values - 1
    assert step_decay_count(40, 4, 5) == 1  # epochs 0-9: one decay, at epoch 5
    assert step_decay_count(44, 4, 5) == 2  # epoch 10 starts at step 40
    assert step_decay_count(0, 4, 5) == 0


def test_frame_steps_show_the_first_epochs_step_by_step():
    shown = frame_steps(1000, 4, 100)
    assert len(shown) == 100 and shown[0] == 0 and shown[-1] == 1000
    assert np.all(np.diff(shown) > 0)
    assert np.array_equal(shown[:8], np.arange(8))  # two whole epochs, every step
    assert np.array_equal(frame_steps(50, 4, 100), np.arange(51))
    shown = frame_steps(300, 32, 100)  # one example per batch: 32 steps per epoch
    assert np.array_equal(shown[:50], np.arange(50)) and shown[-1] == 300
    assert len(shown) == 100 and np.all(np.diff(shown) > 0)


def test_where_gd_and_sgd_end_on_the_saddle():
    ls = get_landscape("saddle")
    gd, sgd = lab_runs(ls, 200, 0.1, 8, start=(2.5, 0.0))
    assert np.linalg.norm(gd.points[-1]) < 1e-3
    assert where_it_ended(ls, gd.points[-1]) == "saddle (0.00, 0.00)"
    assert abs(abs(sgd.points[-1][1]) - 1.0) < 0.03 and abs(sgd.points[-1][0]) < 0.03
    assert where_it_ended(ls, sgd.points[-1]).startswith("global minimum (0.00, ")
    assert where_it_ended(ls, sgd.points[-1], diverged=17) == "diverged at step 17"
    assert where_it_ended(ls, (2.0, 0.5)) == "not converged"
    report = run_report(ls, gd)
    assert report["ended at"] == "saddle (0.00, 0.00)"
    assert report["final loss"] == pytest.approx(0.25, abs=1e-6)
    assert report["steps to a minimum"] is None


# =========================================================================== figures


def spec(fig) -> dict:
    """The figure as the browser gets it (base64 arrays decoded)."""
    return _decode(json.loads(pio.to_json(fig, validate=False)))


def _decode(obj):
    if isinstance(obj, dict):
        if "bdata" in obj and "dtype" in obj:
            arr = np.frombuffer(base64.b64decode(obj["bdata"]), dtype=np.dtype(obj["dtype"]))
            shape = obj.get("shape")
            if shape:
                arr = arr.reshape([int(k) for k in str(shape).split(",")])
            return arr
        return {k: _decode(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_decode(v) for v in obj]
    return obj


def finite(values) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    return values[np.isfinite(values)]


def trace(figure: dict, name: str, mode: str | None = None) -> dict:
    """The trace called ``name`` (and drawn in ``mode``)."""
    return next(
        t for t in figure["data"] if t.get("name") == name and mode in (None, t.get("mode"))
    )


@pytest.fixture(scope="module")
def linreg_lab():
    ls = get_landscape("linreg")
    gd, sgd = lab_runs(ls, 200, 10**-2, 5)
    return ls, gd, sgd, spec(sgd_epoch.lab_figure(ls, gd, sgd))


def test_the_lab_figure_is_2d_on_a_contour_image_without_plotly_frames(linreg_lab):
    ls, gd, sgd, fig = linreg_lab
    # The browser moves traces with Plotly.animate without redraw: nothing it would wipe.
    assert {t["type"] for t in fig["data"]} == {"scatter"}
    assert fig["layout"]["images"][0]["source"].startswith("data:image/png;base64,")
    # Play, Pause and the step slider are the browser's (ui/sgd_chart.js), not Plotly's.
    assert "frames" not in fig
    assert "updatemenus" not in fig["layout"] and "sliders" not in fig["layout"]
    assert position_text(5, 200, sgd.steps_per_epoch) == "epoch 2, batch 2 of 4"
    assert position_text(200, 200, 4) == "end: 200 steps = 50 epochs"


def test_the_figure_opens_on_step_zero(linreg_lab):
    ls, gd, sgd, fig = linreg_lab
    batch_trace = trace(fig, "current minibatch")
    batch = np.asarray(sgd.batches[0])
    assert np.allclose(np.sort(batch_trace["x"]), np.sort(ls.data_x[batch]), atol=1e-6)
    assert np.allclose(np.sort(batch_trace["y"]), np.sort(ls.data_y[batch]), atol=1e-6)
    assert sorted(batch_trace["customdata"]) == sorted((batch + 1).tolist())
    # No example used yet: one NaN marker (the browser fills the trace in place).
    assert finite(trace(fig, "used earlier this epoch", "markers")["x"]).size == 0
    assert trace(fig, "status")["text"] == ["step 0: epoch 1, batch 1 of 4"]
    for traj, label in ((gd, "GD"), (sgd, "SGD")):
        head = trace(fig, label, "markers")
        assert np.allclose([head["x"][0], head["y"][0]], traj.points[0], atol=1e-5)
        assert np.allclose(head["customdata"][0], [0, traj.losses[0]], rtol=1e-6)
        end = trace(fig, f"{label}: end")
        assert np.allclose([end["x"][0], end["y"][0]], traj.points[-1], atol=1e-5)
    model = trace(fig, "model at SGD's φ")
    assert np.allclose(model["y"], ls.model(model["x"], sgd.points[0]), atol=1e-5)


def test_analytic_surfaces_show_the_examples_as_cells():
    ls = get_landscape("saddle")
    gd, sgd = lab_runs(ls, 200, 0.1, 8, start=(2.5, 0.0))
    fig = spec(sgd_epoch.lab_figure(ls, gd, sgd))
    cx, cy, cols, rows = sgd_epoch.example_cells(ls.n_examples)
    assert (cols, rows) == (8, 4)
    cells = trace(fig, "not yet used this epoch")
    assert np.allclose(cells["x"], cx) and np.allclose(cells["y"], cy)
    numbers = trace(fig, "cell numbers")
    assert numbers["text"] == [str(i) for i in range(1, 33)]
    current = trace(fig, "current minibatch")
    batch = np.asarray(sgd.batches[0])
    assert sorted(zip(current["x"], current["y"], strict=True)) == sorted(
        zip(cx[batch], cy[batch], strict=True)
    )


def test_minibatch_figure_shares_levels_and_scales_both_arrows_alike():
    ls = get_landscape("linreg")
    point = np.array([1.7, -1.2])
    batch = [0, 4, 9, 13, 17]
    full_grid = ls.grid(51)
    batch_grid = minibatch_grid(ls, batch, 51)
    grads = gradient_pair(ls, point, batch)
    scale = arrow_scale([grads.full, grads.minibatch], ls.extent)
    fig = spec(
        sgd_minibatch.minibatch_figure(
            ls,
            full_grid,
            batch_grid,
            point,
            ls.global_minimum.point,
            grid_argmin(*batch_grid),
            grads,
            scale,
            batch_label="epoch 1, batch 1 of 4",
        )
    )
    contours = [t for t in fig["data"] if t["type"] == "contour"]
    assert len(contours) == 2
    a, b = contours
    assert (a["zmin"], a["zmax"], a["contours"]) == (b["zmin"], b["zmax"], b["contours"])
    arrows = fig["layout"]["annotations"]
    arrows = [x for x in arrows if x.get("showarrow")]
    assert len(arrows) == 3  # full and minibatch on the left, minibatch on the right
    tips = {(x["xref"], x["arrowcolor"]): (x["x"], x["y"], x["ax"], x["ay"]) for x in arrows}
    full_tip = tips[("x", "#000000")]
    mini_tip = tips[("x", "#E69F00")]
    assert np.allclose(full_tip[2:], point) and np.allclose(mini_tip[2:], point)
    assert np.allclose(np.subtract(full_tip[:2], point), -scale * grads.full)
    assert np.allclose(np.subtract(mini_tip[:2], point), -scale * grads.minibatch)
    longest = max(grads.full_norm, grads.minibatch_norm) * scale
    assert longest == pytest.approx(0.3 * min(ls.extent))
    names = [t.get("name", "") for t in fig["data"]]
    assert f"−∇L, full batch (length {grads.full_norm:.3g})" in names
    assert f"−∇L_B, minibatch (length {grads.minibatch_norm:.3g})" in names


def test_lr_figure_marks_epochs_and_decays():
    ls = get_landscape("saddle")
    gd, sgd = lab_runs(ls, 200, 0.1, 8, schedule=schedules.step_decay(0.5, 13))
    fig = spec(sgd_curves.lr_figure(sgd.lrs, sgd.steps_per_epoch))
    line = next(t for t in fig["data"] if t["name"] == "α")
    assert np.allclose(line["y"], sgd.lrs)
    bands = next(t for t in fig["data"] if t["name"] == "epochs")
    corners = [x for x in bands["x"] if x is not None]
    assert len(corners) == 25 * 5  # 50 epochs, every other one shaded: 25 closed rectangles
    assert corners[5:7] == [8 - 0.5, 12 - 0.5]  # the second band is epoch 3 (steps 8 to 11)
    decays = [a for a in fig["layout"]["annotations"] if a["text"] == "×0.5"]
    assert [a["x"] for a in decays] == [52, 104, 156]
    labels = {a["text"]: a["x"] for a in fig["layout"]["annotations"]}
    assert labels["high α: explore"] == pytest.approx(25.5)
    assert labels["low α: fine-tune"] == pytest.approx(177.5)


def test_loss_figure_draws_both_runs():
    ls = get_landscape("linreg")
    gd, sgd = lab_runs(ls, 50, 10**-2, 5)
    fig = spec(runs_loss_figure([gd, sgd], legend=True))
    assert [t["name"] for t in fig["data"]] == ["GD", "SGD"]
    assert np.allclose(fig["data"][1]["y"], sgd.losses, rtol=1e-6)
    assert fig["layout"]["yaxis"]["type"] == "log"


def test_bands_follow_the_levels():
    ls = get_landscape("quadratic")
    xs, ys, z = ls.grid(41)
    levels = ColorLevels(ls, z)
    colors = levels.band_colors(z)
    assert colors.shape == (41, 41, 3) and colors.dtype == np.uint8
    # The lowest loss (the minimum) is in the darkest band, the highest in the lightest.
    lo = np.unravel_index(np.argmin(z), z.shape)
    hi = np.unravel_index(np.argmax(z), z.shape)
    assert colors[lo].sum() < colors[hi].sum()
