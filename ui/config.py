"""The configuration every page reads: what the shared sidebar and the URL hold.

Pure data (no streamlit), so computations can be cached on it and tests can build it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from landscapes import get_landscape
from optimizers import schedules


def schedule_from_tuple(schedule: tuple) -> schedules.Schedule:
    """The Schedule of a (kind, factor, every, final_fraction) tuple: hashable for caches."""
    kind, factor, every, final_fraction = schedule
    return schedules.make(kind, factor=factor, every=every, final_fraction=final_fraction)


@dataclass(frozen=True)
class OptimizerSettings:
    name: str
    lr: float
    beta: float
    gamma: float
    eps: float
    batch_size: int | None  # None: the full batch


@dataclass(frozen=True)
class Config:
    surface: str
    noise: float | None  # None for the data landscapes
    start: tuple[float, float]
    steps: int
    seed: int
    optimizers: tuple[str, ...]
    lr: float
    beta: float
    gamma: float
    eps: float
    batch_size: int
    schedule: tuple  # (kind, factor, every, final_fraction)
    settings: tuple[OptimizerSettings, ...]  # one per chosen optimizer, overrides applied
    # The user surfaces' own parameters (formula and range, or model and rows); () otherwise.
    surface_params: tuple = ()

    @property
    def landscape_params(self) -> tuple:
        noise = () if self.noise is None else (("noise", self.noise),)
        return self.surface_params + noise

    @property
    def surface_key(self) -> str:
        """Names the surface shown, formula or data included: a new one has new bounds."""
        if not self.surface_params:
            return self.surface
        digest = hashlib.sha1(repr(self.surface_params).encode()).hexdigest()[:12]
        return f"{self.surface}-{digest}"

    def landscape(self):
        return get_landscape(self.surface, **dict(self.landscape_params))

    def schedule_object(self) -> schedules.Schedule:
        return schedule_from_tuple(self.schedule)

    def setting(self, name: str) -> OptimizerSettings:
        for s in self.settings:
            if s.name == name:
                return s
        return OptimizerSettings(name, self.lr, self.beta, self.gamma, self.eps, self.batch_size)
