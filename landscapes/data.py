"""Landscapes of models fitted by squared error to small data sets made here from fixed seeds.

L(phi) = sum_i (f[x_i, phi] - y_i)^2, the plain sum over examples as in fitting-models.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from landscapes.base import Landscape, pair


@dataclass(eq=False, kw_only=True)
class DataLandscape(Landscape):
    data_x: np.ndarray
    data_y: np.ndarray
    # predict(x, phi0, phi1) -> f[x, phi]; with_grad(...) -> (f, df/dphi0, df/dphi1)
    predict: Callable
    with_grad: Callable
    true_phi: tuple[float, float] | None = None
    noise: float = 0.0  # data landscapes carry their own noise: the data themselves

    def model(self, x, phi) -> np.ndarray:
        """Predictions f[x, phi] for x of shape (M,) at phi of shape (..., 2): (..., M)."""
        phi = np.asarray(phi, dtype=float)
        return self.predict(np.asarray(x, dtype=float), phi[..., 0, None], phi[..., 1, None])

    def _terms(self, points, x, y):
        points = np.asarray(points, dtype=float)
        p0, p1 = points[..., 0, None], points[..., 1, None]
        pred, d0, d1 = self.with_grad(x, p0, p1)
        return pred - y, d0, d1

    def example_losses(self, points):
        points = np.asarray(points, dtype=float)
        return (self.model(self.data_x, points) - self.data_y) ** 2

    def example_grads(self, points):
        residual, d0, d1 = self._terms(points, self.data_x, self.data_y)
        return pair(2 * residual * d0, 2 * residual * d1)

    def loss(self, points):
        return self.example_losses(points).sum(axis=-1)

    def _summed_grad(self, points, x, y, scale):
        residual, d0, d1 = self._terms(points, x, y)
        return pair((residual * d0).sum(-1), (residual * d1).sum(-1)) * scale

    def grad(self, points):
        return self._summed_grad(points, self.data_x, self.data_y, 2.0)

    def minibatch_grad(self, points, idx):
        idx = np.asarray(idx, dtype=int)
        scale = 2.0 * self.n_examples / idx.size
        return self._summed_grad(points, self.data_x[idx], self.data_y[idx], scale)

    def minibatch_loss(self, points, idx):
        idx = np.asarray(idx, dtype=int)
        points = np.asarray(points, dtype=float)
        residual = self.model(self.data_x[idx], points) - self.data_y[idx]
        return (residual**2).sum(-1) * (self.n_examples / idx.size)


def linreg(n_examples: int = 20) -> DataLandscape:
    if int(n_examples) != n_examples or not 12 <= n_examples <= 30:
        raise ValueError(f"n_examples must be an integer from 12 to 30, got {n_examples!r}")
    n = int(n_examples)
    rng = np.random.default_rng(6_1)
    true_phi = (0.4, 0.9)
    x = np.sort(rng.uniform(0.0, 1.0, n))
    y = true_phi[0] + true_phi[1] * x + rng.normal(0.0, 0.12, n)

    def predict(x, p0, p1):
        return p0 + p1 * x

    def with_grad(x, p0, p1):
        pred = p0 + p1 * x
        return pred, 1.0, x

    return DataLandscape(
        name="linreg",
        title="Linear regression",
        description=f"A line fitted by least squares to {n} noisy points: convex, one minimum.",
        formula=r"L(\phi) = \sum_{i=1}^{" + str(n) + r"} (\phi_0 + \phi_1 x_i - y_i)^2",
        bounds=((-1.0, 2.0), (-1.5, 2.5)),
        default_start=(1.7, -1.2),
        n_examples=n,
        convex=True,
        data_x=x,
        data_y=y,
        predict=predict,
        with_grad=with_grad,
        true_phi=true_phi,
    )


GABOR_SCALE = 0.06


def gabor(n_examples: int = 30) -> DataLandscape:
    if int(n_examples) != n_examples or not 12 <= n_examples <= 60:
        raise ValueError(f"n_examples must be an integer from 12 to 60, got {n_examples!r}")
    n = int(n_examples)
    rng = np.random.default_rng(6_2)
    true_phi = (-1.0, 15.0)

    def predict(x, p0, p1):
        u = p0 + GABOR_SCALE * p1 * x
        return np.sin(u) * np.exp(-u * u / 32.0)

    def with_grad(x, p0, p1):
        u = p0 + GABOR_SCALE * p1 * x
        envelope = np.exp(-u * u / 32.0)
        sin_u = np.sin(u)
        du = (np.cos(u) - u / 16.0 * sin_u) * envelope
        return sin_u * envelope, du, du * (GABOR_SCALE * x)

    x = np.sort(rng.uniform(-15.0, 15.0, n))
    y = predict(x, *true_phi) + rng.normal(0.0, 0.1, n)
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
        default_start=(-6.0, 6.0),
        n_examples=n,
        data_x=x,
        data_y=y,
        predict=predict,
        with_grad=with_grad,
        true_phi=true_phi,
    )
