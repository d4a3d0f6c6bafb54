"""What the browser needs to move the race by itself: every optimizer's paths at K learning
rates, thinned for display and packed as base64 float32 arrays.

The compare page runs each optimizer once, vectorized, at its own α times each factor of
`alpha_factors` (the centre factor is exactly 1). The browser then scrubs α and time from
these arrays (ui/race_chart.js) without asking the server again. Coordinates travel as
uint16 fractions of the divergence box (runs never leave it: under 0.1 px on a 600 px
panel), losses as uint16 fractions of their log range (under 0.001 decades): float32 would
make the default view's paths alone about 350 KB.

Thinning keeps a step only where straight-line interpolation between the kept steps would be
off by more than a tolerance (a fraction of the plotted extent in φ, a hundredth of a decade
in loss): every step can still be shown, to within a fraction of a pixel. The first and the
last step and, for a diverged run, the steps around its divergence are always kept.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from figures import style
from figures.run_view import stop_point

XY_TOLERANCE = 1 / 600  # of the plotted extent: a pixel on a 600 px panel
LOG_LOSS_TOLERANCE = 0.05  # decades: under two pixels on a 300 px loss chart spanning ten decades
Q = 65535  # values travel as uint16 fractions of a stated range


def alpha_factors(per_decade: int = 12, decades: float = 1.0) -> np.ndarray:
    """Factors 10**(j / per_decade) for |j| <= decades * per_decade: log-spaced, symmetric,
    the centre exactly 1.0 (K = 25 by default: ± one decade)."""
    half = int(round(decades * per_decade))
    return 10.0 ** (np.arange(-half, half + 1) / per_decade)


@dataclass(frozen=True, eq=False)
class AlphaSweep:
    """One optimizer run at ``lr * factors``: points (T+1, K, 2), losses (T+1, K), diverged
    (K,) (the step, or -1), as `optimizers.run` returns them for a start of shape (K, 2)."""

    name: str
    lr: float  # the optimizer's own α (the sidebar's, with its override)
    points: np.ndarray
    losses: np.ndarray
    diverged: np.ndarray

    @classmethod
    def from_trajectory(cls, trajectory, lr: float) -> AlphaSweep:
        return cls(
            trajectory.optimizer,
            float(lr),
            np.asarray(trajectory.points, dtype=float),
            np.asarray(trajectory.losses, dtype=float),
            np.asarray(trajectory.diverged, dtype=int),
        )


def loss_transform(losses: np.ndarray) -> tuple[float, float]:
    """(floor, eps) such that log10(loss - floor + eps) is finite for every loss given: the
    coordinate in which loss is thinned and interpolated."""
    finite = losses[np.isfinite(losses)]
    if finite.size == 0:
        return 0.0, 1.0
    floor = float(finite.min())
    span = float(finite.max()) - floor
    return floor, (span * 1e-12 if span > 0 else 1e-12) + 1e-300


def _log_loss(losses, floor: float, eps: float) -> np.ndarray:
    return np.log10(np.maximum(losses - floor, 0.0) + eps)


def keep_steps(coords: np.ndarray, tolerance: np.ndarray, forced=()) -> np.ndarray:
    """Sorted step indices of ``coords`` (T+1, D) such that linear interpolation in the step
    between kept neighbours is within ``tolerance`` (D,) of every step (Douglas-Peucker with
    the step as the parameter). ``forced`` steps are always kept."""
    return np.flatnonzero(keep_mask(np.asarray(coords)[None], tolerance, [forced])[0])


def keep_mask(coords: np.ndarray, tolerance: np.ndarray, forced=None) -> np.ndarray:
    """`keep_steps` of every run of ``coords`` (R, T+1, D) at once, as a mask (R, T+1) of the
    kept steps; ``forced[r]`` are run r's forced steps.

    Each segment's split depends only on its own end points, so every segment of one depth,
    of every run, is split in one vectorized pass: as many passes as the deepest recursion.
    The runs lie end to end in one array; each run's first and last steps are kept, so no
    segment crosses from one run into the next.
    """
    runs, n = coords.shape[:2]
    keep = np.zeros((runs, n), dtype=bool)
    keep[:, [0, n - 1]] = True
    for r, steps in enumerate(forced or ()):
        for f in steps:
            if 0 <= f < n:
                keep[r, f] = True
    keep = keep.ravel()
    # One contiguous column per coordinate: the passes below work on 1-D arrays.
    columns = (coords / tolerance).reshape(runs * n, coords.shape[2]).T.copy()
    bounds = np.flatnonzero(keep)
    starts, ends = bounds[:-1], bounds[1:]
    while True:
        inner = ends - starts - 1
        starts, ends, inner = starts[inner > 0], ends[inner > 0], inner[inner > 0]
        if not len(starts):
            break
        first = np.cumsum(inner) - inner  # where each segment's steps begin in the flat list
        at = np.arange(inner.sum()) - np.repeat(first, inner)  # 0, 1, ... in each segment
        t = np.repeat(starts + 1, inner) + at
        frac = (at + 1) / np.repeat(inner + 1, inner)  # (t - i) / (j - i)
        err = None
        for column in columns:
            line = np.repeat(column[starts], inner)
            line += frac * np.repeat(column[ends] - column[starts], inner)
            e = np.abs(column[t] - line)
            err = e if err is None else np.maximum(err, e)
        worst = np.maximum.reduceat(err, first)
        # The first step of each segment where its error is largest (as np.argmax takes).
        segment = np.repeat(np.arange(len(starts)), inner)
        at_worst = np.flatnonzero(err == worst[segment])
        split = np.full(len(starts), -1)
        split[segment[at_worst[::-1]]] = t[at_worst[::-1]]
        cut = worst > 1.0
        keep[split[cut]] = True
        starts, ends = (
            np.concatenate([starts[cut], split[cut]]),
            np.concatenate([split[cut], ends[cut]]),
        )
    return keep.reshape(runs, n)


def _b64(values, dtype) -> str:
    return base64.b64encode(np.ascontiguousarray(values, dtype=dtype).tobytes()).decode("ascii")


def varint(values) -> bytes:
    """Whole numbers >= 0 as LEB128: 7 bits a byte, the high bit set on all but the last."""
    out = bytearray()
    for v in np.asarray(values, dtype=np.int64).tolist():
        while v >= 0x80:
            out.append((v & 0x7F) | 0x80)
            v >>= 7
        out.append(v)
    return bytes(out)


def unvarint(data: bytes) -> np.ndarray:
    values, v, shift = [], 0, 0
    for byte in data:
        v |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            values.append(v)
            v, shift = 0, 0
    return np.array(values, dtype=int)


def quantize(values: np.ndarray, lo: float, hi: float) -> str:
    """``values`` in [lo, hi] as base64 uint16 fractions of the range."""
    t = (values - lo) / (hi - lo) if hi > lo else np.zeros_like(values)
    return _b64(np.round(np.clip(t, 0.0, 1.0) * Q), np.uint16)


def dequantize(q: np.ndarray, lo: float, hi: float) -> np.ndarray:
    return lo + q.astype(float) / Q * (hi - lo)


def motion_payload(landscape, sweeps: Sequence[AlphaSweep], factors: np.ndarray) -> dict:
    """The browser's copy of ``sweeps``: for optimizer o and factor k (run r = o * K + k),
    the kept steps idx[off[r]:off[r+1]] (as differences, LEB128) and x, y, loss there (uint16
    fractions of ``ranges``), all base64 (see `decode`); per run the divergence step (or -1)
    and where its marker stops."""
    factors = np.asarray(factors, dtype=float)
    centre = int(np.flatnonzero(factors == 1.0)[0])
    steps = {s.points.shape[0] - 1 for s in sweeps}
    if len(steps) > 1:
        raise ValueError(f"all sweeps must have the same number of steps, got {sorted(steps)}")
    T = steps.pop() if steps else 0
    all_losses = np.concatenate([s.losses.ravel() for s in sweeps]) if sweeps else np.zeros(1)
    floor, eps = loss_transform(all_losses)
    (x0, x1), (y0, y1) = landscape.bounds
    tolerance = np.array([(x1 - x0) * XY_TOLERANCE, (y1 - y0) * XY_TOLERANCE, LOG_LOSS_TOLERANCE])
    # Every run of every optimizer side by side: run r = o * K + k.
    points = np.concatenate([s.points for s in sweeps], axis=1) if sweeps else np.zeros((1, 0, 2))
    losses = np.concatenate([s.losses for s in sweeps], axis=1) if sweeps else np.zeros((1, 0))
    diverged = [int(d) for s in sweeps for d in s.diverged]
    coords = np.concatenate([points, _log_loss(losses, floor, eps)[..., None]], axis=2)
    keep = keep_mask(
        coords.transpose(1, 0, 2), tolerance, [(d - 1, d) if d > 0 else () for d in diverged]
    )
    run, kept = np.nonzero(keep)  # run by run, each run's kept steps in order
    offsets = np.concatenate([[0], np.cumsum(keep.sum(axis=1))])
    idx = np.diff(kept, prepend=0)  # per run: steps between kept points (from 0 at its start)
    idx[offsets[:-1]] = 0  # a run's first kept step is step 0
    stops = [
        stop_point(points[: max(1, d), r], landscape.bounds).tolist() if d >= 0 else None
        for r, d in enumerate(diverged)
    ]
    (bx0, bx1), (by0, by1) = landscape.divergence_box()
    log_losses = coords[kept, run, 2]
    lmin = float(log_losses.min()) if log_losses.size else 0.0
    lmax = float(log_losses.max()) if log_losses.size else 1.0
    return dict(
        steps=T,
        factors=[float(f) for f in factors],
        centre=centre,
        optimizers=[
            dict(
                name=s.name,
                label=style.label(s.name),
                color=style.color(s.name),
                dash=style.dash(s.name),
                lr=s.lr,
            )
            for s in sweeps
        ],
        offsets=[int(o) for o in offsets],
        diverged=diverged,
        stops=stops,
        # loss = 10**v - eps + floor, v = lo + q / Q * (hi - lo)
        ranges=dict(x=[bx0, bx1], y=[by0, by1], loss=[lmin, lmax]),
        loss_floor=floor,
        loss_eps=eps,
        idx=base64.b64encode(varint(idx)).decode("ascii"),
        x=quantize(points[kept, run, 0], bx0, bx1),
        y=quantize(points[kept, run, 1], by0, by1),
        loss=quantize(log_losses, lmin, lmax),
    )


def decode(payload: dict, field: str) -> np.ndarray:
    """One of the payload's arrays as NumPy, as the browser reads it (tests, benchmark)."""
    if field == "idx":
        deltas = unvarint(base64.b64decode(payload[field]))
        off = payload["offsets"]
        return np.concatenate(
            [np.cumsum(deltas[a:b]) for a, b in zip(off[:-1], off[1:], strict=True)] or [[]]
        ).astype(int)
    q = np.frombuffer(base64.b64decode(payload[field]), dtype=np.uint16)
    values = dequantize(q, *payload["ranges"][field])
    if field == "loss":
        return 10.0**values - payload["loss_eps"] + payload["loss_floor"]
    return values


def run_of(payload: dict, optimizer: int, k: int) -> dict:
    """The kept steps and x, y, loss there of one run of the payload."""
    r = optimizer * len(payload["factors"]) + k
    lo, hi = payload["offsets"][r], payload["offsets"][r + 1]
    return {f: decode(payload, f)[lo:hi] for f in ("idx", "x", "y", "loss")}
