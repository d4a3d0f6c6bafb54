"""figures/sgd_motion.py: the SGD lab's epoch as the browser receives it. Decoded as
ui/sgd_chart.js decodes it, the arrays give back both runs, every minibatch, the examples each
epoch used before a step, and the model curves at every step; what the browser draws at a step
(`browser_step`, LabData.traces in Python) is what the trajectory says there."""

from __future__ import annotations

import base64
import json

import numpy as np
import plotly.io as pio
import pytest

from figures import sgd_epoch, sgd_motion
from figures.race_motion import Q, dequantize, unvarint
from landscapes import get_landscape
from optimizers import run
from optimizers.minibatch import batch_position, visited_mask


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
    fig = json.loads(pio.to_json(sgd_epoch.lab_figure(ls, gd, sgd), remove_uids=False))
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


def browser_step(payload: dict, figure: dict, t: int) -> dict:
    """The moving traces at step ``t`` by uid, as ui/sgd_chart.js's LabData.traces fills them
    from the payload and the static figure's examples."""
    back = decoded(payload)
    examples = next(tr for tr in figure["data"] if tr.get("uid") == "examples")
    px, py = plotly_values(examples["x"]), plotly_values(examples["y"])
    T, K = payload["steps"], payload["per_epoch"]
    out = {}
    for r, name in enumerate(payload["runs"]):
        s = min(t, payload["last"][r])
        points, lo = back["points"][r], max(0, s - payload["tail"] + 1)
        out[f"tail:{name}"] = dict(x=points[lo : s + 1, 0], y=points[lo : s + 1, 1])
        out[f"head:{name}"] = dict(x=points[s, 0], y=points[s, 1], loss=back["loss"][r][s])
    batch = back["batches"][t] if t < T else np.zeros(0, dtype=int)
    first = t - t % K
    visited = back["flat"][back["starts"][first] : back["starts"][t]] if t < T else batch
    out["visited"] = dict(x=px[visited], y=py[visited])
    out["minibatch"] = dict(x=px[batch], y=py[batch], customdata=batch + 1)
    end = f"step {t}: {payload['end_text']}"
    out["status"] = end if t >= T else f"step {t}: epoch {t // K + 1}, batch {t % K + 1} of {K}"
    return out


def plotly_values(array) -> np.ndarray:
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), np.dtype(array["dtype"]))
    return np.asarray(array, dtype=float)


def _figure_json(ls, gd, sgd) -> dict:
    return json.loads(pio.to_json(sgd_epoch.lab_figure(ls, gd, sgd), remove_uids=False))


def test_each_step_highlights_that_steps_minibatch():
    ls, gd, sgd = runs("linreg", 200, 10**-2, 5, seed=0)
    payload = sgd_motion.lab_motion(ls, gd, sgd)
    figure = _figure_json(ls, gd, sgd)
    k = sgd.steps_per_epoch
    for step in range(sgd.steps + 1):
        shown = browser_step(payload, figure, step)
        pos = batch_position(min(step, sgd.steps - 1), k)
        if step == sgd.steps:  # the end: no batch, nothing used
            assert shown["minibatch"]["x"].size == shown["visited"]["x"].size == 0
            assert shown["status"] == f"step 200: {sgd_epoch.position_text(200, 200, k)}"
            continue
        batch = np.asarray(sgd.batches[step])
        assert np.allclose(np.sort(shown["minibatch"]["x"]), np.sort(ls.data_x[batch]), atol=1e-6)
        assert np.allclose(np.sort(shown["minibatch"]["y"]), np.sort(ls.data_y[batch]), atol=1e-6)
        assert sorted(shown["minibatch"]["customdata"]) == sorted((batch + 1).tolist())
        visited = visited_mask(sgd.batches, step, k, ls.n_examples)
        assert shown["visited"]["x"].size == visited.sum() == (step % k) * 5
        assert np.allclose(np.sort(shown["visited"]["x"]), np.sort(ls.data_x[visited]), atol=1e-6)
        assert (
            shown["status"] == f"step {step}: epoch {pos.epoch + 1}, batch {pos.batch + 1} of {k}"
        )
        assert shown["status"] == f"step {step}: {sgd_epoch.position_text(step, 200, k)}"
        for traj in (gd, sgd):
            head = shown[f"head:{traj.optimizer}"]
            assert abs(head["x"] - traj.points[step, 0]) <= quantum(payload, "x") / 2 + 1e-12
            assert abs(head["y"] - traj.points[step, 1]) <= quantum(payload, "y") / 2 + 1e-12
            assert head["loss"] == pytest.approx(traj.losses[step], rel=1e-6)
            tail = shown[f"tail:{traj.optimizer}"]
            assert len(tail["x"]) == min(step + 1, sgd_epoch.TAIL)


def test_the_cells_of_an_analytic_surface_follow_the_epoch():
    ls, gd, sgd = runs("saddle", 200, 0.1, 8, start=(2.5, 0.0), seed=0)
    payload = sgd_motion.lab_motion(ls, gd, sgd)
    cx, cy, _, _ = sgd_epoch.example_cells(ls.n_examples)
    shown = browser_step(payload, _figure_json(ls, gd, sgd), 6)  # epoch 2, batch 3 of 4
    batch = np.asarray(sgd.batches[6])
    current = shown["minibatch"]
    assert sorted(zip(current["x"], current["y"], strict=True)) == sorted(
        zip(cx[batch], cy[batch], strict=True)
    )
    assert shown["visited"]["x"].size == 16  # batches 1 and 2 of epoch 2
    assert browser_step(payload, _figure_json(ls, gd, sgd), 4)["visited"]["x"].size == 0
    assert shown["status"] == "step 6: epoch 2, batch 3 of 4"


def test_the_figure_has_no_frames_and_is_sent_once_compactly():
    ls, gd, sgd = runs("rosenbrock", 300, 1e-3, 4)
    fig = sgd_epoch.lab_figure(ls, gd, sgd)
    assert not fig.frames and not fig.layout.updatemenus and not fig.layout.sliders
    # The plot area the Plotly animation had (640 px less its 125 + 115 px of margins).
    assert fig.layout.height - fig.layout.margin.t - fig.layout.margin.b == 400
    uids = [t.uid for t in fig.data]
    for uid in ("tail:gd", "head:gd", "tail:sgd", "head:sgd", "visited", "minibatch", "status"):
        assert uid in uids
    # Every step as binary arrays: 2 runs x (x, y as uint16 + loss as float32) a step and the
    # batches' bytes, base64 (4/3), with under 1 KB of the rest.
    motion = json.dumps(sgd_motion.lab_motion(ls, gd, sgd))
    arrays = 2 * 301 * (2 + 2 + 4) + 300 * 4 + 300
    assert len(motion) < arrays * 4 / 3 + 1000
