"""Two-parameter loss landscapes, each a finite sum over examples (pure NumPy)."""

from __future__ import annotations

import inspect
from functools import lru_cache

from landscapes.analytic import (
    AnalyticLandscape,
    beale,
    himmelblau,
    quadratic,
    rastrigin,
    rosenbrock,
    saddle,
    wells,
)
from landscapes.base import Landscape
from landscapes.critical import CriticalPoint
from landscapes.data import DataLandscape, gabor, linreg

FACTORIES = {
    "quadratic": quadratic,
    "rosenbrock": rosenbrock,
    "himmelblau": himmelblau,
    "wells": wells,
    "saddle": saddle,
    "beale": beale,
    "rastrigin": rastrigin,
    "linreg": linreg,
    "gabor": gabor,
}
LANDSCAPE_NAMES = tuple(FACTORIES)
DATA_LANDSCAPES = ("linreg", "gabor")


def landscape_params(name: str) -> tuple[str, ...]:
    """The keyword parameters that get_landscape accepts for ``name``."""
    factory = FACTORIES[name]
    params = [p for p in inspect.signature(factory).parameters if p != "kw"]
    if name not in DATA_LANDSCAPES:
        params += ["noise", "n_examples"]
    return tuple(params)


@lru_cache(maxsize=64)
def _build(name: str, items: tuple) -> Landscape:
    return FACTORIES[name](**dict(items))


def get_landscape(name: str, **params) -> Landscape:
    """The landscape called ``name``, built with ``params`` (cached: treat it as read-only)."""
    if name not in FACTORIES:
        raise ValueError(f"unknown landscape {name!r}; choose one of {', '.join(FACTORIES)}")
    allowed = landscape_params(name)
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        raise ValueError(f"{name} takes no parameter {', '.join(unknown)}; it takes {allowed}")
    return _build(name, tuple(sorted(params.items())))


__all__ = [
    "AnalyticLandscape",
    "CriticalPoint",
    "DATA_LANDSCAPES",
    "DataLandscape",
    "LANDSCAPE_NAMES",
    "Landscape",
    "get_landscape",
    "landscape_params",
]
