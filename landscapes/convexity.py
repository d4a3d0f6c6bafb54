"""Convexity checks of a landscape: the chord test on one segment, and curvature maps.

A function is convex when no chord lies below it: L((1-t)A + tB) <= (1-t)L(A) + tL(B) for
every A, B and t in [0, 1]. One segment on which the surface rises above its chord proves
non-convexity; a segment that passes proves nothing about the rest. For a smooth function
convexity is equivalent to a positive semi-definite Hessian everywhere, so the map of the
smallest Hessian eigenvalue gives the global verdict (on the plotted domain). Pure NumPy.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

SEGMENT_POINTS = 401
# A gap or eigenvalue smaller than this fraction of the values' scale is round-off.
RELATIVE_TOL = 1e-9


def default_segment(landscape) -> tuple[tuple[float, float], tuple[float, float]]:
    """The first-view points A and B: the surface's own segment (on the non-convex built-in
    surfaces it joins two low points across a ridge, so the chord test says something at
    once), else one across the middle of its bounds."""
    if landscape.segment is not None:
        return landscape.segment
    (x0, x1), (y0, y1) = landscape.bounds
    wx, wy = x1 - x0, y1 - y0
    return (x0 + 0.2 * wx, y0 + 0.3 * wy), (x0 + 0.8 * wx, y0 + 0.7 * wy)


# ----- the chord test on one segment --------------------------------------------------------


class ChordCheck(NamedTuple):
    """The loss along A -> B against the chord between the ends."""

    a: np.ndarray  # (2,)
    b: np.ndarray  # (2,)
    t: np.ndarray  # (n,) from 0 to 1
    points: np.ndarray  # (n, 2): (1 - t) A + t B
    losses: np.ndarray  # (n,): L at the points
    chord: np.ndarray  # (n,): (1 - t) L(A) + t L(B)
    above: np.ndarray  # (n,) bool: the surface lies above the chord there (beyond round-off)
    intervals: tuple[tuple[float, float], ...]  # the t ranges where ``above`` holds
    max_gap: float  # the largest L - chord (> 0 only when convexity fails on the segment)
    t_max_gap: float

    @property
    def degenerate(self) -> bool:
        return bool(np.all(self.a == self.b))

    @property
    def convex_on_segment(self) -> bool:
        return not self.intervals


def segment_points(a, b, n: int = SEGMENT_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """t in [0, 1] (n values) and the points (1 - t) A + t B, shape (n, 2)."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    t = np.linspace(0.0, 1.0, n)
    return t, (1.0 - t)[:, None] * a + t[:, None] * b


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) indices of each run of True in ``mask``."""
    padded = np.concatenate([[False], mask, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return [(int(s), int(e) - 1) for s, e in zip(edges[::2], edges[1::2], strict=True)]


def _crossing(t: np.ndarray, gap: np.ndarray, i: int, j: int) -> float:
    """Where the gap crosses zero between grid indices i and j (linear interpolation)."""
    gi, gj = gap[i], gap[j]
    if gi == gj:
        return float(t[j])
    w = gi / (gi - gj)
    return float(t[i] + np.clip(w, 0.0, 1.0) * (t[j] - t[i]))


def chord_check(landscape, a, b, n: int = SEGMENT_POINTS) -> ChordCheck:
    """Compare L((1-t)A + tB) with the chord (1-t)L(A) + tL(B) at n values of t."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    t, points = segment_points(a, b, n)
    losses = landscape.loss(points)
    chord = (1.0 - t) * losses[0] + t * losses[-1]
    gap = losses - chord
    scale = float(np.max(np.abs(losses))) if np.all(np.isfinite(losses)) else np.inf
    above = gap > RELATIVE_TOL * max(scale, 1e-300)
    intervals = []
    for first, last in _runs(above):
        lo = _crossing(t, gap, first - 1, first) if first > 0 else 0.0
        hi = _crossing(t, gap, last, last + 1) if last < n - 1 else 1.0
        intervals.append((lo, hi))
    k = int(np.argmax(gap))
    return ChordCheck(
        a, b, t, points, losses, chord, above, tuple(intervals), float(gap[k]), float(t[k])
    )


def _interval_text(intervals) -> str:
    parts = [f"[{lo:.2f}, {hi:.2f}]" for lo, hi in intervals]
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def segment_verdict(check: ChordCheck) -> str:
    """The chord test's result in words."""
    if check.degenerate:
        return "A and B are the same point: move one of them to get a segment."
    if check.convex_on_segment:
        return (
            "The chord stays above the surface everywhere on this segment. That alone does "
            "not prove the surface convex: another segment might cross it (see the curvature "
            "map below)."
        )
    return (
        f"The surface rises above the chord for t in {_interval_text(check.intervals)}: "
        f"not convex. The largest gap is {check.max_gap:.4g} at t = {check.t_max_gap:.2f}."
    )


# ----- curvature maps ---------------------------------------------------------------------


class CurvatureMap(NamedTuple):
    """The Hessian's eigenvalues on an n x n grid over the landscape's bounds, [y, x]."""

    xs: np.ndarray  # (n,)
    ys: np.ndarray  # (n,)
    lam_min: np.ndarray  # (n, n): the smallest curvature at each grid point
    lam_max: np.ndarray  # (n, n)

    @property
    def scale(self) -> float:
        """The largest |eigenvalue| on the grid: round-off is judged against it."""
        return float(max(np.max(np.abs(self.lam_min)), np.max(np.abs(self.lam_max)), 1e-300))

    @property
    def negative(self) -> np.ndarray:
        """Where the smallest curvature is negative beyond round-off."""
        return self.lam_min < -RELATIVE_TOL * self.scale

    @property
    def negative_share(self) -> float:
        """The share of the plotted area where the surface curves downward somewhere."""
        return float(np.mean(self.negative))

    @property
    def convex(self) -> bool:
        return not bool(np.any(self.negative))


def curvature_map(landscape, n: int = 121) -> CurvatureMap:
    """Eigenvalues of ``landscape.hessian`` on the plotting grid, in one vectorized call."""
    (x0, x1), (y0, y1) = landscape.bounds
    xs = np.linspace(x0, x1, n)
    ys = np.linspace(y0, y1, n)
    points = np.stack(np.meshgrid(xs, ys), axis=-1)
    with np.errstate(all="ignore"):
        eigenvalues = np.linalg.eigvalsh(landscape.hessian(points))
    return CurvatureMap(xs, ys, eigenvalues[..., 0], eigenvalues[..., 1])


def symlog(values, linear_width: float) -> np.ndarray:
    """sign(x) log10(1 + |x| / w): both signs readable over many decades, 0 stays 0."""
    values = np.asarray(values, dtype=float)
    return np.sign(values) * np.log10(1.0 + np.abs(values) / linear_width)


def symlog_width(scale: float) -> float:
    """A linear width three decades below the largest curvature (a power of ten)."""
    return 10.0 ** (np.floor(np.log10(max(scale, 1e-300))) - 3)


def critical_counts(landscape) -> dict[str, int]:
    kinds = [c.kind for c in landscape.all_critical_points]
    return {k: kinds.count(k) for k in ("minimum", "saddle", "maximum")}


def _plural(count: int, word: str) -> str:
    plural = {"minimum": "minima", "maximum": "maxima", "saddle": "saddle points"}[word]
    return f"{count} {word if count == 1 else plural}"


def surface_verdict(landscape, cmap: CurvatureMap) -> str:
    """The global verdict from the curvature map, in words."""
    # A user's surface (no hand-tuned first view) goes by its title ("Your formula").
    shown = landscape.name if landscape.preset is not None else landscape.title
    if cmap.convex:
        return (
            f"**{shown} is convex** on the plotted area: the smallest curvature is "
            f"{float(cmap.lam_min.min()):.3g} or more everywhere (≥ 0), so the Hessian is "
            "positive semi-definite, no chord crosses the surface, and gradient descent with "
            "a small enough α reaches the one global minimum from anywhere."
        )
    share = cmap.negative_share
    percent = f"{100 * share:.0f}%" if share >= 0.01 else "under 1%"
    text = (
        f"**{shown} is not convex**: the smallest curvature is negative on {percent} of the "
        "plotted area (red)"
    )
    if landscape.where_not_convex:
        text += ", " + landscape.where_not_convex
    text += "."
    counts = critical_counts(landscape)
    if counts["minimum"] > 1 or counts["saddle"] or counts["maximum"]:
        found = [_plural(c, k) for k, c in counts.items() if c]
        listed = found[0] if len(found) == 1 else ", ".join(found[:-1]) + " and " + found[-1]
        text += f" It has {listed}; a convex surface has a single minimum and no saddles or maxima."
    return text
