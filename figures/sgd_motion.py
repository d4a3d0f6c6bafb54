"""What the browser needs to play the SGD lab's epoch by itself (ui/sgd_chart.js): both runs'
steps as compact binary arrays, sent once beside the static figure at step 0
(`figures.sgd_epoch.lab_figure`). The browser fills that figure's moving traces (tails,
heads, the minibatch, the examples used earlier this epoch, the status line and, on data
landscapes, the model curves) at any step from the arrays below. Play, Pause, speed, ±1 step
and the step slider are the browser's (as on the compare page): nothing goes back to the
server.

The payload, all arrays base64:

- ``x``, ``y``: GD's then SGD's points, steps 0..T each, as uint16 fractions of the
  divergence box (runs never leave it: under 0.1 px on a 600 px panel); a diverged run's
  steps after its last good one repeat that point, and ``last`` says which step that is;
- ``loss``: both runs' full-data losses (float32), for the heads' hover text;
- ``batch``: the examples of each step, concatenated (uint8 up to 256 examples, else uint16),
  with ``sizes`` (LEB128) the number in each;
- ``link``: on data landscapes, the model's link function sampled on ``link_range`` (float32,
  `LINK_SAMPLES` values), so the browser draws f[x, φ] = link(φ₀ + scale φ₁ x) at any step
  by linear interpolation.
"""

from __future__ import annotations

import base64

import numpy as np

from figures.race_motion import quantize, varint
from figures.sgd_epoch import TAIL, position_text

LINK_SAMPLES = 4096
GROUP = "sgd-lab"  # the charts that follow the lab's step (ui/plotly_chart.py `follow`)


def _b64(values, dtype) -> str:
    return base64.b64encode(np.ascontiguousarray(values, dtype=dtype).tobytes()).decode("ascii")


def _last_good(traj) -> int:
    """The last step with a finite point: the step before divergence, or T."""
    d = int(traj.diverged)
    return traj.steps if d < 0 else max(0, d - 1)


def _held(points: np.ndarray, last: int) -> np.ndarray:
    """``points`` with every step after ``last`` replaced by the point at ``last``."""
    out = np.array(points, dtype=float)
    out[last + 1 :] = out[last]
    return out


def lab_motion(landscape, gd, sgd) -> dict:
    """The browser's copy of ``gd`` and ``sgd`` (single-start runs of the same length)."""
    if gd.steps != sgd.steps:
        raise ValueError(f"gd and sgd must have the same steps, got {gd.steps} and {sgd.steps}")
    T, per_epoch, n = sgd.steps, sgd.steps_per_epoch, landscape.n_examples
    lasts = [_last_good(t) for t in (gd, sgd)]
    points = [_held(t.points, last) for t, last in zip((gd, sgd), lasts, strict=True)]
    (bx0, bx1), (by0, by1) = landscape.divergence_box()
    xs = np.concatenate([p[:, 0] for p in points])
    ys = np.concatenate([p[:, 1] for p in points])
    losses = np.concatenate([np.asarray(t.losses, dtype=float) for t in (gd, sgd)])
    batches = [np.asarray(b, dtype=int) for b in sgd.batches[:T]]
    flat = np.concatenate(batches) if batches else np.zeros(0, dtype=int)
    payload = dict(
        steps=T,
        per_epoch=per_epoch,
        n=n,
        tail=TAIL,
        group=GROUP,
        end_text=position_text(T, T, per_epoch),
        runs=[t.optimizer for t in (gd, sgd)],
        last=lasts,
        diverged=[int(t.diverged) for t in (gd, sgd)],
        ranges=dict(x=[bx0, bx1], y=[by0, by1]),
        x=quantize(np.clip(xs, bx0, bx1), bx0, bx1),
        y=quantize(np.clip(ys, by0, by1), by0, by1),
        loss=_b64(np.where(np.isfinite(losses), losses, np.nan), np.float32),
        batch=_b64(flat, np.uint8 if n <= 256 else np.uint16),
        batch_dtype="u1" if n <= 256 else "u2",
        sizes=base64.b64encode(varint([len(b) for b in batches])).decode("ascii"),
    )
    if landscape.is_data:  # a model fitted to data: its curve moves with φ
        payload.update(_link_table(landscape, points, landscape.link))
    return payload


def _link_table(landscape, points, link) -> dict:
    """The link function on the range of u = φ₀ + scale φ₁ x for every step's φ and every x
    a model curve may draw (the data's x range, widened by a tenth on each side)."""
    x = np.asarray(landscape.data_x, dtype=float)
    pad = 0.1 * (x.max() - x.min())
    scale = float(getattr(landscape, "scale", 1.0))
    phi = np.concatenate(points)
    phi = phi[np.all(np.isfinite(phi), axis=1)]
    u = phi[:, 0, None] + phi[:, 1, None] * scale * np.array([x.min() - pad, x.max() + pad])
    u0, u1 = float(u.min()), float(u.max())
    if u1 <= u0:
        u0, u1 = u0 - 1.0, u1 + 1.0
    grid = np.linspace(u0, u1, LINK_SAMPLES)
    return dict(link=_b64(link(grid), np.float32), link_range=[u0, u1], scale=scale)
