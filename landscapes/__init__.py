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
from landscapes.custom import custom
from landscapes.data import DataLandscape, gabor, linreg
from landscapes.userdata import data, from_data

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
# Surfaces built from what the user typed or uploaded: get_landscape takes them with their
# text (expr, rows) as parameters; the registry tests above loop over the built-ins only.
USER_FACTORIES = {"custom": custom, "data": data}
USER_LANDSCAPES = tuple(USER_FACTORIES)
SURFACE_NAMES = LANDSCAPE_NAMES + USER_LANDSCAPES
FACTORIES_ALL = FACTORIES | USER_FACTORIES


def landscape_params(name: str) -> tuple[str, ...]:
    """The keyword parameters that get_landscape accepts for ``name``: its factory's, plus
    ``noise`` and ``n_examples`` where the factory passes ``**kw`` on to a textbook surface
    (a data surface's noise is its data)."""
    signature = inspect.signature(FACTORIES_ALL[name]).parameters
    params = [p for p in signature if p != "kw"]
    if "kw" in signature:
        params += ["noise", "n_examples"]
    return tuple(params)


@lru_cache(maxsize=64)
def _build(name: str, items: tuple) -> Landscape:
    return FACTORIES_ALL[name](**dict(items))


def get_landscape(name: str, **params) -> Landscape:
    """The landscape called ``name``, built with ``params`` (cached: treat it as read-only)."""
    if name not in FACTORIES_ALL:
        raise ValueError(f"unknown landscape {name!r}; choose one of {', '.join(SURFACE_NAMES)}")
    allowed = landscape_params(name)
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        raise ValueError(f"{name} takes no parameter {', '.join(unknown)}; it takes {allowed}")
    return _build(name, tuple(sorted(params.items())))


# Each built-in surface's first view, gathered from the surfaces (tests, benchmarks, Theory).
PRESETS = {name: get_landscape(name).preset for name in LANDSCAPE_NAMES}


__all__ = [
    "AnalyticLandscape",
    "CriticalPoint",
    "DataLandscape",
    "LANDSCAPE_NAMES",
    "Landscape",
    "PRESETS",
    "SURFACE_NAMES",
    "USER_LANDSCAPES",
    "from_data",
    "get_landscape",
    "landscape_params",
]
