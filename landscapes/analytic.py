"""Textbook test surfaces written as finite sums of N synthetic examples.

Each example's loss is l_i(phi) = f(phi)/N + (sigma/N) a_i . phi with sum_i a_i = 0, so the
full loss is exactly the textbook f, every minibatch gradient is unbiased, and a single
example's gradient differs from the full gradient by noise of standard deviation sigma per
coordinate (the "gradient noise"). With sigma = 0 every example carries f/N.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from landscapes.base import Landscape, pair, split
from landscapes.presets import Preset

EXAMPLES_SEED = 20_240_601  # fixes the synthetic examples; runs draw minibatches elsewhere


def _directions(n: int) -> np.ndarray:
    """N zero-sum directions a_i with unit standard deviation per coordinate."""
    a = np.random.default_rng(EXAMPLES_SEED).standard_normal((n, 2))
    a -= a.mean(axis=0)
    return a / a.std(axis=0)


@dataclass(eq=False, kw_only=True)
class AnalyticLandscape(Landscape):
    f: Callable[[np.ndarray, np.ndarray], np.ndarray]
    df: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]
    noise: float = 0.0
    directions: np.ndarray = field(init=False, repr=False)

    def __post_init__(self):
        if not np.isfinite(self.noise) or self.noise < 0:
            raise ValueError(f"noise must be a finite number >= 0, got {self.noise!r}")
        if int(self.n_examples) != self.n_examples or self.n_examples < 2:
            raise ValueError(f"n_examples must be an integer >= 2, got {self.n_examples!r}")
        self.n_examples = int(self.n_examples)
        self.directions = _directions(self.n_examples)

    def loss(self, points):
        return self.f(*split(points))

    def grad(self, points):
        return pair(*self.df(*split(points)))

    def example_losses(self, points):
        points = np.asarray(points, dtype=float)
        n = self.n_examples
        return self.loss(points)[..., None] / n + (self.noise / n) * (points @ self.directions.T)

    def example_grads(self, points):
        n = self.n_examples
        g = self.grad(points)[..., None, :] / n
        return g + (self.noise / n) * self.directions

    def minibatch_grad(self, points, idx):
        # Same as N/|B| * sum_{i in B} dl_i/dphi, without forming the per-example terms.
        idx = np.asarray(idx, dtype=int)
        return self.grad(points) + (self.noise / idx.size) * self.directions[idx].sum(axis=0)

    def minibatch_offsets(self, batches) -> np.ndarray:
        """minibatch_grad(phi, B) - grad(phi) for each batch: it does not depend on phi here.

        Lets a run add one precomputed (2,) vector per step instead of re-summing the batch.
        """
        sizes = np.array([len(b) for b in batches])
        if sizes.size == 0:
            return np.zeros((0, 2))
        starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        sums = np.add.reduceat(self.directions[np.concatenate(batches)], starts, axis=0)
        return (self.noise / sizes)[:, None] * sums


# ----- the surfaces --------------------------------------------------------------------------


def quadratic(condition: float = 10.0, angle: float = 30.0, **kw) -> AnalyticLandscape:
    """0.5 (phi - c)^T H (phi - c), H with eigenvalues 1 and 1/condition, rotated by angle."""
    if not np.isfinite(condition) or condition < 1:
        raise ValueError(f"condition must be a finite number >= 1, got {condition!r}")
    if not np.isfinite(angle):
        raise ValueError(f"angle must be finite, got {angle!r}")
    theta = np.deg2rad(angle)
    c, s = np.cos(theta), np.sin(theta)
    lam_hi, lam_lo = 1.0, 1.0 / condition
    # H = lam_hi u u^T + lam_lo w w^T with u = (c, s), w = (-s, c).
    hxx = lam_hi * c * c + lam_lo * s * s
    hyy = lam_hi * s * s + lam_lo * c * c
    hxy = (lam_hi - lam_lo) * c * s

    def f(x, y):
        return 0.5 * (hxx * x * x + 2 * hxy * x * y + hyy * y * y)

    def df(x, y):
        return hxx * x + hxy * y, hxy * x + hyy * y

    return AnalyticLandscape(
        name="quadratic",
        title="Ill-conditioned quadratic",
        description=(
            f"A convex bowl, rotated by {angle:g} degrees, whose curvatures differ "
            f"{condition:g}-fold: gradient descent zig-zags across the narrow direction."
        ),
        formula=(
            r"\begin{aligned}L(\phi) &= \tfrac12\,\phi^T R_\theta"
            r" \begin{bmatrix}1 & 0\\ 0 & 1/\kappa\end{bmatrix} R_\theta^T \phi \\ \kappa &= "
            + f"{condition:g}"
            + r",\ \theta = "
            + f"{angle:g}"
            + r"^\circ\end{aligned}"
        ),
        bounds=((-3.0, 3.0), (-3.0, 3.0)),
        default_start=(-2.6, 2.2),
        preset=Preset(
            -0.5,
            -1.3,
            200,
            8,
            "Momentum and Nesterov reach the minimum first; GD creeps along the shallow direction.",
        ),
        segment=((-2.5, -1.0), (2.0, 2.5)),
        n_examples=kw.pop("n_examples", 32),
        convex=True,
        critical_seeds=((0.0, 0.0),),
        f=f,
        df=df,
        noise=kw.pop("noise", 0.3),
        **kw,
    )


def rosenbrock(a: float = 1.0, b: float = 100.0, **kw) -> AnalyticLandscape:
    def f(x, y):
        return (a - x) ** 2 + b * (y - x * x) ** 2

    def df(x, y):
        r = y - x * x
        return -2 * (a - x) - 4 * b * x * r, 2 * b * r

    return AnalyticLandscape(
        name="rosenbrock",
        title="Rosenbrock",
        description="A long, curved, flat-bottomed valley: easy to find, slow to follow to (1, 1).",
        formula=r"L(\phi) = (1-\phi_0)^2 + 100\,(\phi_1-\phi_0^2)^2",
        bounds=((-2.0, 2.0), (-1.0, 3.0)),
        default_start=(-1.2, 1.0),
        preset=Preset(
            -3.0,
            -0.9,
            1000,
            16,
            "Every optimizer finds the curved valley at once; Adam follows it to the minimum "
            "(1, 1), while GD, SGD, momentum and Nesterov crawl along its flat floor.",
        ),
        segment=((-1.0, 1.0), (1.0, 1.0)),
        where_not_convex=(
            "above the parabola φ₁ = φ₀² + 1/200, where the Hessian's determinant "
            "80000 (φ₀² − φ₁) + 400 is negative"
        ),
        n_examples=kw.pop("n_examples", 32),
        log_contour=True,
        critical_seeds=((a, a * a),),
        f=f,
        df=df,
        noise=kw.pop("noise", 10.0),
        **kw,
    )


def himmelblau(**kw) -> AnalyticLandscape:
    def f(x, y):
        return (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2

    def df(x, y):
        p = x * x + y - 11
        q = x + y * y - 7
        return 4 * x * p + 2 * q, 2 * p + 4 * y * q

    return AnalyticLandscape(
        name="himmelblau",
        title="Himmelblau",
        description="Four global minima of equal loss: the start decides which one you reach.",
        formula=(
            r"\begin{aligned}L(\phi) = &\ (\phi_0^2+\phi_1-11)^2 \\ &+ (\phi_0+\phi_1^2-7)^2"
            r"\end{aligned}"
        ),
        bounds=((-5.0, 5.0), (-5.0, 5.0)),
        default_start=(-0.3, -0.8),
        preset=Preset(
            -2.0,
            -1.3,
            200,
            8,
            "Four equally low minima: from one start GD, momentum and Nesterov reach one of "
            "them, SGD and Adam another.",
        ),
        segment=((-2.8, 3.1), (3.0, 2.0)),
        n_examples=kw.pop("n_examples", 32),
        log_contour=True,
        critical_seeds=((3.0, 2.0),),
        f=f,
        df=df,
        noise=kw.pop("noise", 10.0),
        **kw,
    )


# (centre x, centre y, depth, width) of the wells, deepest first.
WELLS = ((1.8, 1.6, 3.0, 0.9), (-2.0, -1.4, 2.2, 0.8), (-1.6, 2.4, 1.6, 0.7))


def wells(**kw) -> AnalyticLandscape:
    """A shallow bowl with three Gaussian wells of different depths."""
    bowl = 0.05
    cx, cy, depth, width = (np.array(col) for col in zip(*WELLS, strict=True))
    inv = 1.0 / (2 * width * width)

    def _terms(x, y):
        # The wells run along a leading axis: one exp call for all three, and sums over it
        # add whole arrays (a sum over a trailing axis of 3 was a third of a basin map's time;
        # both add the wells in the same order).
        lead = (3,) + (1,) * np.ndim(x)
        dx = x - cx.reshape(lead)
        dy = y - cy.reshape(lead)
        k = inv.reshape(lead)
        return dx, dy, k, depth.reshape(lead) * np.exp(-(dx * dx + dy * dy) * k)

    def f(x, y):
        *_, e = _terms(np.asarray(x), np.asarray(y))
        return bowl * (x * x + y * y) - e.sum(axis=0)

    def df(x, y):
        dx, dy, k, e = _terms(np.asarray(x), np.asarray(y))
        e = e * (2 * k)
        return 2 * bowl * x + (e * dx).sum(axis=0), 2 * bowl * y + (e * dy).sum(axis=0)

    terms = " ".join(
        rf"\\ &- {d:g}\,e^{{-\|\phi-({cx:g},{cy:g})\|^2/{2 * w * w:g}}}" for cx, cy, d, w in WELLS
    )
    return AnalyticLandscape(
        name="wells",
        title="Three wells",
        description=(
            "One deep well and two shallower ones: gradient descent settles in whichever "
            "basin it starts in, with no way of knowing a better minimum exists elsewhere."
        ),
        formula=r"\begin{aligned}L(\phi) = &\ "
        + f"{bowl:g}"
        + r"\,\|\phi\|^2 "
        + terms
        + r"\end{aligned}",
        bounds=((-4.0, 4.0), (-4.0, 4.0)),
        default_start=(0.8, -1.6),
        preset=Preset(
            -1.0,
            -1.3,
            300,
            8,
            "From a start on a ridge, GD, SGD and Adam settle in a shallow well; momentum and "
            "Nesterov roll on into the deepest. Move the start a little and the wells change.",
        ),
        segment=((-2.0, -1.4), (1.8, 1.6)),
        n_examples=kw.pop("n_examples", 32),
        critical_seeds=tuple((cx, cy) for cx, cy, _, _ in WELLS),
        f=f,
        df=df,
        noise=kw.pop("noise", 0.5),
        **kw,
    )


def saddle(**kw) -> AnalyticLandscape:
    def f(x, y):
        return 0.5 * x * x + 0.25 * (y * y - 1) ** 2

    def df(x, y):
        return x, y * (y * y - 1)

    return AnalyticLandscape(
        name="saddle",
        title="Saddle",
        description=(
            "A saddle point at the origin between minima at (0, ±1): gradient descent "
            "started on the line φ₁ = 0 stalls at the saddle; noise or momentum escapes it."
        ),
        formula=r"L(\phi) = \tfrac12\phi_0^2 + \tfrac14(\phi_1^2-1)^2",
        bounds=((-3.0, 3.0), (-2.0, 2.0)),
        default_start=(2.5, 0.0),
        preset=Preset(
            -1.0,
            -1.3,
            200,
            8,
            "Started on the line φ₁ = 0, GD stalls at the saddle; the minibatch noise tips the "
            "others off it into a minimum.",
        ),
        segment=((0.0, -1.0), (0.0, 1.0)),
        where_not_convex=(
            "in the band |φ₁| < 1/√3 ≈ 0.577, where the curvature along φ₁, 3φ₁² − 1, is negative"
        ),
        n_examples=kw.pop("n_examples", 32),
        critical_seeds=((0.0, 0.0), (0.0, 1.0), (0.0, -1.0)),
        f=f,
        df=df,
        noise=kw.pop("noise", 0.5),
        **kw,
    )


def beale(**kw) -> AnalyticLandscape:
    c1, c2, c3 = 1.5, 2.25, 2.625

    def _terms(x, y):
        y2 = y * y
        y3 = y2 * y
        return y2, y3, c1 - x + x * y, c2 - x + x * y2, c3 - x + x * y3

    def f(x, y):
        _, _, p, q, r = _terms(x, y)
        return p * p + q * q + r * r

    def df(x, y):
        y2, y3, p, q, r = _terms(x, y)
        gx = 2 * (p * (y - 1) + q * (y2 - 1) + r * (y3 - 1))
        gy = 2 * x * (p + 2 * q * y + 3 * r * y2)
        return gx, gy

    return AnalyticLandscape(
        name="beale",
        title="Beale",
        description="Flat plateaus and steep walls over six decades; the minimum is at (3, 0.5).",
        formula=(
            r"\begin{aligned}L(\phi) = &\ (1.5-\phi_0+\phi_0\phi_1)^2 \\"
            r" &+ (2.25-\phi_0+\phi_0\phi_1^2)^2 \\ &+ (2.625-\phi_0+\phi_0\phi_1^3)^2"
            r"\end{aligned}"
        ),
        bounds=((-4.5, 4.5), (-4.5, 4.5)),
        default_start=(1.0, 1.4),
        preset=Preset(
            -1.6,
            -1.7,
            120,
            8,
            "Momentum builds up speed across the flat plateau and reaches the minimum (3, 0.5); "
            "GD and SGD are still crawling.",
        ),
        segment=((3.0, 0.5), (-3.0, 1.5)),
        n_examples=kw.pop("n_examples", 32),
        log_contour=True,
        critical_seeds=((3.0, 0.5), (0.0, 1.0)),
        f=f,
        df=df,
        noise=kw.pop("noise", 2.0),
        **kw,
    )


def rastrigin(**kw) -> AnalyticLandscape:
    amp = 10.0
    tau = 2 * np.pi

    def f(x, y):
        return 2 * amp + x * x + y * y - amp * (np.cos(tau * x) + np.cos(tau * y))

    def df(x, y):
        return 2 * x + amp * tau * np.sin(tau * x), 2 * y + amp * tau * np.sin(tau * y)

    return AnalyticLandscape(
        name="rastrigin",
        title="Rastrigin",
        description="An egg-box of local minima on a bowl: the global minimum is at the origin.",
        formula=r"L(\phi) = 20 + \sum_{k=0}^{1}\left(\phi_k^2 - 10\cos 2\pi\phi_k\right)",
        bounds=((-2.5, 2.5), (-2.5, 2.5)),
        default_start=(-2.2, 1.9),
        preset=Preset(
            -2.7,
            -1.3,
            200,
            8,
            "Every optimizer stops in the local minimum nearest its start, far above the global "
            "minimum at the origin: local steps cannot see past the next bump.",
        ),
        segment=((-1.0, -1.0), (1.0, 0.0)),
        where_not_convex=(
            "in the strips where a cosine bump curves downward: 2 + 40π² cos 2πφ_k < 0, "
            "around every half-integer φ₀ or φ₁"
        ),
        n_examples=kw.pop("n_examples", 32),
        critical_seeds=((0.0, 0.0),),
        f=f,
        df=df,
        noise=kw.pop("noise", 20.0),
        **kw,
    )
