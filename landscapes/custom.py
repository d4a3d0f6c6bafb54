"""The ``custom`` surface: a formula typed by the user (landscapes/formula.py) over a chosen
range, with the same per-example noise as the analytic surfaces and an exact Hessian.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from landscapes.analytic import AnalyticLandscape
from landscapes.base import split
from landscapes.formula import Formula, parse

MAX_RANGE = 1e6  # the widest plotted range (and the largest |bound|)
N_EXAMPLES = 32
PROBE = 41  # grid side over which the defaults (start, noise, contour scale) are chosen


class Example(NamedTuple):
    title: str
    expr: str
    xlim: tuple[float, float]
    ylim: tuple[float, float]


EXAMPLES: dict[str, Example] = {
    e.title: e
    for e in (
        Example(
            "Six-hump camel",
            "(4 - 2.1*x**2 + x**4/3)*x**2 + x*y + (4*y**2 - 4)*y**2",
            (-2.0, 2.0),
            (-1.2, 1.2),
        ),
        Example("Booth", "(x + 2*y - 7)**2 + (2*x + y - 5)**2", (-10.0, 10.0), (-10.0, 10.0)),
        Example("Matyas", "0.26*(x**2 + y**2) - 0.48*x*y", (-10.0, 10.0), (-10.0, 10.0)),
        Example(
            "Three-hump camel", "2*x**2 - 1.05*x**4 + x**6/6 + x*y + y**2", (-2.5, 2.5), (-2.5, 2.5)
        ),
        Example(
            "Styblinski-Tang",
            "(x**4 - 16*x**2 + 5*x)/2 + (y**4 - 16*y**2 + 5*y)/2",
            (-5.0, 5.0),
            (-5.0, 5.0),
        ),
        Example(
            "Goldstein-Price (scaled)",
            "(log((1 + (x + y + 1)**2*(19 - 14*x + 3*x**2 - 14*y + 6*x*y + 3*y**2))"
            "*(30 + (2*x - 3*y)**2*(18 - 32*x + 12*x**2 + 48*y - 36*x*y + 27*y**2)))"
            " - 8.693)/2.427",
            (-2.0, 2.0),
            (-2.0, 2.0),
        ),
        Example("Rosenbrock", "(1 - x)**2 + 100*(y - x**2)**2", (-2.0, 2.0), (-1.0, 3.0)),
    )
}
DEFAULT_EXAMPLE = EXAMPLES["Six-hump camel"]


def check_range(name: str, lim) -> tuple[float, float]:
    """(lo, hi) as floats, or ValueError saying what is wrong with the range ``name``."""
    try:
        lo, hi = (float(v) for v in lim)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be two numbers (low, high), got {lim!r}") from None
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise ValueError(f"{name} must be finite, got ({lo:g}, {hi:g})")
    if not lo < hi:
        raise ValueError(f"{name} must go from low to high, got ({lo:g}, {hi:g})")
    if max(abs(lo), abs(hi)) > MAX_RANGE:
        raise ValueError(f"{name} must lie within ±{MAX_RANGE:g}, got ({lo:g}, {hi:g})")
    if hi - lo < 1e-6 * max(abs(lo), abs(hi), 1.0):
        raise ValueError(f"{name} is too narrow to plot: ({lo:g}, {hi:g})")
    return lo, hi


@dataclass(eq=False, kw_only=True)
class CustomLandscape(AnalyticLandscape):
    """An AnalyticLandscape whose f, gradient and Hessian come from a checked Formula."""

    expression: Formula = field(repr=False)

    def hessian(self, points, h: float = 0.0) -> np.ndarray:
        """The exact Hessian (forward-mode jets); ``h`` is ignored."""
        return self.expression.hessian(*split(points))


def _one_figure(value: float) -> float:
    """``value`` rounded to one significant figure (a slider-friendly number)."""
    if value <= 0 or not math.isfinite(value):
        return 1.0
    return float(f"{value:.0e}")


def custom(
    expr: str = DEFAULT_EXAMPLE.expr,
    xlim: tuple[float, float] = DEFAULT_EXAMPLE.xlim,
    ylim: tuple[float, float] = DEFAULT_EXAMPLE.ylim,
    **kw,
) -> CustomLandscape:
    """The surface L(phi) = expr over xlim x ylim. ``noise`` defaults to a tenth of the median
    gradient norm over the range; the start is the inner corner point of highest loss."""
    formula = parse(expr)
    bounds = (check_range("the φ₀ range", xlim), check_range("the φ₁ range", ylim))
    (x0, x1), (y0, y1) = bounds
    xs, ys = np.linspace(x0, x1, PROBE), np.linspace(y0, y1, PROBE)
    gx, gy = np.meshgrid(xs, ys)
    losses = formula.value(gx, gy)
    finite = losses[np.isfinite(losses)]
    if finite.size == 0:
        raise ValueError(f"{expr!r} has no finite value anywhere in the range: widen or move it")
    g0, g1 = formula.grad(gx, gy)
    norms = np.hypot(g0, g1)
    noise = kw.pop("noise", None)
    if noise is None:
        noise = _one_figure(0.1 * float(np.nanmedian(norms))) if np.isfinite(norms).any() else 1.0
    # Start at the inset corner of highest finite loss: a long way downhill to watch.
    corners = [(x0 + fx * (x1 - x0), y0 + fy * (y1 - y0)) for fx in (0.1, 0.9) for fy in (0.1, 0.9)]
    corner_losses = [float(formula.value(*c)) for c in corners]
    ranked = sorted(
        (c for c, v in zip(corners, corner_losses, strict=True) if math.isfinite(v)),
        key=lambda c: -float(formula.value(*c)),
    )
    start = ranked[0] if ranked else ((x0 + x1) / 2, (y0 + y1) / 2)
    low = float(finite.min())
    log_contour = float(finite.max()) - low > 10 * (float(np.median(finite)) - low)
    ls = CustomLandscape(
        name="custom",
        title="Your formula",
        # Shown as Markdown: in backticks, so that ** is not read as bold.
        description=f"`L = {formula.source.strip()}` over φ₀ in [{x0:g}, {x1:g}] and φ₁ in "
        f"[{y0:g}, {y1:g}].",
        formula=formula.latex_lines(r"L(\phi)"),
        bounds=bounds,
        default_start=(round(start[0], 2), round(start[1], 2)),
        n_examples=kw.pop("n_examples", N_EXAMPLES),
        log_contour=log_contour,
        f=formula.value,
        df=formula.grad,
        noise=float(noise),
        expression=formula,
        **kw,
    )
    if not ls.minima:
        raise ValueError(
            f"{formula.text.strip()!r} has no minimum inside the range: widen or move the range "
            "so that it holds one"
        )
    return ls
