"""Landscapes of models fitted by squared error to small data sets made here from fixed seeds.

L(phi) = sum_i (f[x_i, phi] - y_i)^2, the plain sum over examples as in fitting-models.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from landscapes.base import Landscape, pair
from landscapes.presets import Preset

# The most elements a (points, examples) temporary holds: 128 KB. Larger arrays come from
# fresh pages of memory, and a 60 x 60 basin map of the Gabor model spent 40% of its time in
# page faults (bench/README.md, "Capacity, third pass"); in blocks they stay in the cache.
BLOCK = 16_384


@dataclass(eq=False, kw_only=True)
class DataLandscape(Landscape):
    """A model of one linear index, f[x, phi] = link(phi0 + scale * phi1 * x).

    Both data models here have this form (the line: link(u) = u, scale 1; the Gabor model:
    link(u) = sin(u) exp(-u^2 / 32), scale 0.06), so with u = phi0 + phi1 * scale * x,
    dl_i/dphi = 2 (f[x_i, phi] - y_i) link'(u_i) (1, scale * x_i).
    """

    data_x: np.ndarray
    data_y: np.ndarray
    link: Callable  # u -> f
    link_grad: Callable  # u -> (f, df/du)
    scale: float = 1.0
    noise: float = 0.0  # data landscapes carry their own noise: the data themselves
    # One example's share of a gradient, in `step_cost` units (measured, bench/README.md
    # "Caps"): 0.04 for the line, 0.06 exp, 0.12 logistic (tanh), 0.25 Gabor (sin, cos, exp).
    example_cost: float = 0.04

    def __post_init__(self):
        self.scaled_x = self.scale * self.data_x  # u_i = phi0 + phi1 * scaled_x[i]

    @property
    def is_data(self) -> bool:
        return True

    def step_cost(self, examples: int | None = None) -> float:
        return 1.0 + self.example_cost * (self.n_examples if examples is None else examples)

    # Sums run elementwise rather than through a matrix product, so that one point and a
    # grid of points give bit-identical values (BLAS may sum in another order).
    def _index(self, points, scaled_x):
        points = np.asarray(points, dtype=float)
        return points[..., 0, None] + points[..., 1, None] * scaled_x

    def model(self, x, phi) -> np.ndarray:
        """Predictions f[x, phi] for x of shape (M,) at phi of shape (..., 2): (..., M)."""
        return self.link(self._index(phi, self.scale * np.asarray(x, dtype=float)))

    def _weights(self, points, scaled_x, y):
        """2 (f - y) df/du for each example, shape (..., M)."""
        pred, slope = self.link_grad(self._index(points, scaled_x))
        return 2.0 * (pred - y) * slope

    def example_losses(self, points):
        return (self.link(self._index(points, self.scaled_x)) - self.data_y) ** 2

    def example_grads(self, points):
        w = self._weights(points, self.scaled_x, self.data_y)
        return pair(w, w * self.scaled_x)

    def _in_blocks(self, sums, points, scaled_x, y):
        """``sums(points, scaled_x, y)`` (one sum over the examples per point), computed over
        blocks of points of at most BLOCK terms (row by row: the same values as in one go)."""
        points = np.asarray(points, dtype=float)
        rows = max(1, BLOCK // max(1, scaled_x.size))
        if points.size <= 2 * rows:  # one block (a single run: no reshaping)
            return sums(points, scaled_x, y)
        flat = points.reshape(-1, 2)
        parts = [sums(flat[i : i + rows], scaled_x, y) for i in range(0, len(flat), rows)]
        return np.concatenate(parts).reshape(points.shape[:-1] + parts[0].shape[1:])

    def _loss_sums(self, points, scaled_x, y):
        return ((self.link(self._index(points, scaled_x)) - y) ** 2).sum(-1)

    def _grad_sums(self, points, scaled_x, y):
        w = self._weights(points, scaled_x, y)
        return pair(w.sum(-1), (w * scaled_x).sum(-1))

    def loss(self, points):
        return self._in_blocks(self._loss_sums, points, self.scaled_x, self.data_y)

    def grad(self, points):
        return self._in_blocks(self._grad_sums, points, self.scaled_x, self.data_y)

    def minibatch_grad(self, points, idx):
        idx = np.asarray(idx, dtype=int)
        sums = self._in_blocks(self._grad_sums, points, self.scaled_x[idx], self.data_y[idx])
        return sums * (self.n_examples / idx.size)

    def minibatch_loss(self, points, idx):
        idx = np.asarray(idx, dtype=int)
        sums = self._in_blocks(self._loss_sums, points, self.scaled_x[idx], self.data_y[idx])
        return sums * (self.n_examples / idx.size)


def linreg(n_examples: int = 20) -> DataLandscape:
    if int(n_examples) != n_examples or not 12 <= n_examples <= 30:
        raise ValueError(f"n_examples must be an integer from 12 to 30, got {n_examples!r}")
    n = int(n_examples)
    rng = np.random.default_rng(6_1)
    true_phi = (0.4, 0.9)
    x = np.sort(rng.uniform(0.0, 1.0, n))
    y = true_phi[0] + true_phi[1] * x + rng.normal(0.0, 0.12, n)

    def link(u):
        return u

    def link_grad(u):
        return u, 1.0

    return DataLandscape(
        name="linreg",
        title="Linear regression",
        description=f"A line fitted by least squares to {n} noisy points: convex, one minimum.",
        formula=r"L(\phi) = \sum_{i=1}^{" + str(n) + r"} (\phi_0 + \phi_1 x_i - y_i)^2",
        bounds=((-1.0, 2.0), (-1.5, 2.5)),
        default_start=(1.7, -1.2),
        preset=Preset(
            -2.0,
            -1.3,
            200,
            5,
            "A convex bowl: every optimizer reaches its one minimum, the least-squares line.",
        ),
        segment=((-0.5, -1.0), (1.5, 2.0)),
        n_examples=n,
        convex=True,
        data_x=x,
        data_y=y,
        link=link,
        link_grad=link_grad,
    )


GABOR_SCALE = 0.06
GABOR_COST = 0.25  # DataLandscape.example_cost of the Gabor link


def sin_cos(u):
    """sin(u) and cos(u) from one tangent of the half angle, t = tan(u/2):
    sin u = 2t / (1 + t^2), cos u = 2 / (1 + t^2) - 1 (within about 1e-15 of np.sin and
    np.cos). NumPy's float64 sin and cos call the C library one element at a time (about 20 ns
    each on the benchmark machine) while its tan is vectorized (1.5 ns): a Gabor step in a
    batch of runs costs half what it did (bench/README.md, "Capacity, third pass")."""
    t = np.tan(0.5 * np.asarray(u, dtype=float))
    inv = 1.0 / (1.0 + t * t)
    return 2.0 * t * inv, 2.0 * inv - 1.0


def gabor_link(u):
    """The notes' Gabor wavelet sin(u) exp(-u^2 / 32)."""
    return sin_cos(u)[0] * np.exp(-u * u / 32.0)


def gabor_link_grad(u):
    envelope = np.exp(-u * u / 32.0)
    sin_u, cos_u = sin_cos(u)
    return sin_u * envelope, (cos_u - u / 16.0 * sin_u) * envelope


def gabor(n_examples: int = 30) -> DataLandscape:
    if int(n_examples) != n_examples or not 12 <= n_examples <= 60:
        raise ValueError(f"n_examples must be an integer from 12 to 60, got {n_examples!r}")
    n = int(n_examples)
    rng = np.random.default_rng(6_2)
    true_phi = (-1.0, 15.0)

    x = np.sort(rng.uniform(-15.0, 15.0, n))
    y = gabor_link(true_phi[0] + GABOR_SCALE * true_phi[1] * x) + rng.normal(0.0, 0.1, n)
    return DataLandscape(
        name="gabor",
        title="Gabor model",
        description=(
            f"A Gabor wavelet fitted to {n} noisy points: non-convex, with local minima "
            "of different losses."
        ),
        formula=(
            r"\begin{aligned}L(\phi) &= \sum_i \left(f[x_i, \phi] - y_i\right)^2 \\"
            r" f[x, \phi] &= \sin(u)\, e^{-u^2/32} \\ u &= \phi_0 + 0.06\,\phi_1 x"
            r"\end{aligned}"
        ),
        bounds=((-10.0, 10.0), (2.5, 22.5)),
        default_start=(-3.3, 9.2),
        preset=Preset(
            -1.3,
            -1.0,
            300,
            6,
            "From a start near a ridge, GD, momentum and Nesterov find the best fit; SGD and Adam "
            "end in a worse local minimum.",
        ),
        segment=((-6.0, 6.0), (-1.0, 15.0)),
        n_examples=n,
        data_x=x,
        data_y=y,
        link=gabor_link,
        link_grad=gabor_link_grad,
        scale=GABOR_SCALE,
        example_cost=GABOR_COST,
    )
