"""figures/sgd_motion.py: the SGD lab's epoch as the browser receives it. Decoded as
ui/sgd_chart.js decodes it, the arrays give back both runs, every minibatch, the examples each
epoch used before a step, and the model curves at every step."""

from __future__ import annotations

import base64
import json

import numpy as np
import plotly.io as pio
import pytest

from figures import sgd_animation, sgd_motion
from figures.race_motion import Q, dequantize, unvarint
from landscapes import get_landscape
from optimizers import run
from optimizers.minibatch import visited_mask


def runs(surface: str, steps: int, lr: float, batch_size, start=None, seed: int = 3):
    ls = get_landscape(surface)
    start = start if start is not None else ls.default_start
    sgd = run(ls, "sgd", start, steps, lr, batch_size=batch_size, seed=seed)
    gd = run(ls, "gd", start, steps, lr)
    return ls, gd, sgd


def decoded(payload: dict) -> dict:
    """The payload's arrays, read as the browser reads them."""
    n = payload["steps"] + 1
    x = dequantize(
        np.frombuffer(base64.b64decode(payload["x"]), np.uint16), *payload["ranges"]["x"]
    )
    y = dequantize(
        np.frombuffer(base64.b64decode(payload["y"]), np.uint16), *payload["ranges"]["y"]
    )
    loss = np.frombuffer(base64.b64decode(payload["loss"]), np.float32)
    dtype = {"u1": np.uint8, "u2": np.uint16}[payload["batch_dtype"]]
    flat = np.frombuffer(base64.b64decode(payload["batch"]), dtype).astype(int)
    sizes = unvarint(base64.b64decode(payload["sizes"]))
    starts = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
    out = dict(
        points=[np.column_stack([x[r * n : (r + 1) * n], y[r * n : (r + 1) * n]]) for r in (0, 1)],
        loss=[loss[r * n : (r + 1) * n] for r in (0, 1)],
        batches=[flat[starts[t] : starts[t + 1]] for t in range(payload["steps"])],
        starts=starts,
        flat=flat,
    )
    if "link" in payload:
        out["link"] = np.frombuffer(base64.b64decode(payload["link"]), np.float32)
    return out


def quantum(payload: dict, axis: str) -> float:
    lo, hi = payload["ranges"][axis]
    return (hi - lo) / Q


@pytest.mark.parametrize(
    ("surface", "batch_size"), [("rosenbrock", 4), ("gabor", 3), ("saddle", None)]
)
def test_points_losses_and_batches_come_back(surface, batch_size):
    ls, gd, sgd = runs(surface, 120, 10**-2.5 if surface == "rosenbrock" else 0.05, batch_size)
    payload = sgd_motion.lab_motion(ls, gd, sgd)
    back = decoded(payload)
    assert payload["runs"] == ["gd", "sgd"] and payload["steps"] == 120
    for r, traj in enumerate((gd, sgd)):
        assert payload["last"][r] == traj.steps  # neither diverged
        err = np.abs(back["points"][r] - traj.points)
        assert err[:, 0].max() <= quantum(payload, "x") / 2 + 1e-12
        assert err[:, 1].max() <= quantum(payload, "y") / 2 + 1e-12
        np.testing.assert_allclose(back["loss"][r], traj.losses, rtol=1e-6)
    assert len(back["batches"]) == len(sgd.batches) == 120
    for mine, theirs in zip(back["batches"], sgd.batches, strict=True):
        np.testing.assert_array_equal(mine, theirs)


def test_the_examples_used_earlier_this_epoch_are_the_batches_since_its_first_step():
    """ui/sgd_chart.js takes batches first..t-1 of the flat array, first = t - t % K: the
    same examples as optimizers.minibatch.visited_mask, at every step."""
    ls, gd, sgd = runs("rosenbrock", 40, 1e-3, 5)  # N = 32: 7 batches an epoch, the last of 2
    payload = sgd_motion.lab_motion(ls, gd, sgd)
    back = decoded(payload)
    K = payload["per_epoch"]
    assert K == sgd.steps_per_epoch == 7
    assert [len(b) for b in back["batches"][:7]] == [5, 5, 5, 5, 5, 5, 2]
    for t in range(payload["steps"]):
        first = t - t % K
        mine = np.sort(back["flat"][back["starts"][first] : back["starts"][t]])
        theirs = np.flatnonzero(visited_mask(sgd.batches, t, K, ls.n_examples))
        np.testing.assert_array_equal(mine, theirs)


def test_a_diverged_run_holds_its_last_good_point():
    ls, gd, sgd = runs("rosenbrock", 60, 0.01, 4)  # α = 0.01 diverges on Rosenbrock
    assert int(gd.diverged) > 0
    payload = sgd_motion.lab_motion(ls, gd, sgd)
    back = decoded(payload)
    last = payload["last"][0]
    assert last == int(gd.diverged) - 1
    assert np.all(np.isfinite(gd.points[: last + 1]))
    held = back["points"][0][last:]
    assert np.all(held == held[0])  # every later step shows the last good point
    assert abs(held[0, 0] - gd.points[last, 0]) <= quantum(payload, "x") / 2 + 1e-12


@pytest.mark.parametrize("surface", ["linreg", "gabor"])
def test_the_link_table_draws_the_model_at_every_step(surface):
    """link(φ₀ + scale φ₁ x), linearly interpolated in the table as the browser does, equals
    the landscape's own model at the same φ on the figure's curve x to 1e-4 of the data's y
    range (φ itself arrives to half a quantum: the test above)."""
    ls, gd, sgd = runs(surface, 80, 0.05 if surface == "gabor" else 0.002, 2)
    payload = sgd_motion.lab_motion(ls, gd, sgd)
    back = decoded(payload)
    fig = json.loads(pio.to_json(sgd_motion.lab_figure(ls, gd, sgd), remove_uids=False))
    curve = next(t for t in fig["data"] if t.get("uid") == "model:sgd")
    xs = np.frombuffer(base64.b64decode(curve["x"]["bdata"]), np.float32).astype(float)
    u0, u1 = payload["link_range"]
    grid = np.linspace(u0, u1, len(back["link"]))
    span = float(np.ptp(ls.data_y))
    for r, traj in enumerate((gd, sgd)):
        for t in range(0, traj.steps + 1, 7):
            phi = back["points"][r][t]
            u = phi[0] + payload["scale"] * phi[1] * xs
            assert u.min() >= u0 and u.max() <= u1
            mine = np.interp(u, grid, back["link"])
            np.testing.assert_allclose(mine, ls.model(xs, phi), atol=1e-4 * span)


def test_the_figure_has_no_frames_and_keeps_its_plot_area():
    ls, gd, sgd = runs("rosenbrock", 300, 1e-3, 4)
    old = sgd_animation.lab_animation(ls, gd, sgd)
    fig = sgd_motion.lab_figure(ls, gd, sgd)
    assert len(old.frames) == 100 and old.layout.updatemenus and old.layout.sliders
    assert not fig.frames and not fig.layout.updatemenus and not fig.layout.sliders
    plot_height = lambda f: f.layout.height - f.layout.margin.t - f.layout.margin.b  # noqa: E731
    assert plot_height(fig) == plot_height(old)
    uids = [t.uid for t in fig.data]
    for uid in ("tail:gd", "head:gd", "tail:sgd", "head:sgd", "visited", "minibatch", "status"):
        assert uid in uids
    # Every step, where the frames held 100 of the 300: still under half the bytes.
    sent = len(pio.to_json(fig, remove_uids=False)) + len(
        json.dumps(sgd_motion.lab_motion(ls, gd, sgd))
    )
    assert sent < len(pio.to_json(old)) / 2
