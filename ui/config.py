"""The configuration every page reads: what the shared sidebar and the URL hold.

Pure data (no streamlit), so computations can be cached on it and tests can build it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace

from landscapes import get_landscape
from optimizers import Trajectory, get_spec, run, schedules


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
    # (name, value) pairs of the optimizer's own hyperparameters beyond β, γ, ε (AdamW's λ).
    extra: tuple = ()

    def value(self, name: str) -> float | None:
        """The hyperparameter ``name`` as set here, or None (then the spec's default holds)."""
        return (
            getattr(self, name, None)
            if name in ("beta", "gamma", "eps")
            else dict(self.extra).get(name)
        )


@dataclass(frozen=True)
class RunSpec:
    """One optimizer's run, as the caches key it: everything `optimizers.run` takes, as small
    hashable values (Streamlit hashes a dataclass by its fields)."""

    surface: str
    params: tuple  # the landscape's parameters, as (name, value) pairs
    optimizer: str
    start: tuple[float, float] | None  # None where the cached function picks the starts
    steps: int
    lr: float
    # (name, value) pairs of the hyperparameters that change this optimizer's update (its
    # spec's ``hyper``): moving β does not recompute gradient descent.
    hyper: tuple
    batch_size: int | None  # None: the full batch
    seed: int
    schedule: tuple  # (kind, factor, every, final_fraction)

    def landscape(self):
        return get_landscape(self.surface, **dict(self.params))

    def schedule_object(self) -> schedules.Schedule:
        return schedule_from_tuple(self.schedule)

    def options(self) -> dict:
        """The keyword arguments of `optimizers.run` after the learning rate."""
        return dict(
            batch_size=self.batch_size,
            seed=self.seed,
            schedule=self.schedule_object(),
            **dict(self.hyper),
        )

    def step_cost(self) -> float:
        """One step of one run, in the steps ui/budget.py counts (a minibatch sums fewer
        examples than the full batch)."""
        full = get_spec(self.optimizer).full_batch or self.batch_size is None
        return self.landscape().step_cost(None if full else self.batch_size)

    def run(self, start=None, lr=None) -> Trajectory:
        """The run, from ``start`` (default: the spec's) at ``lr`` (default: the spec's)."""
        start = self.start if start is None else start
        lr = self.lr if lr is None else lr
        return run(self.landscape(), self.optimizer, start, self.steps, lr, **self.options())


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

    def run_spec(self, name: str, **changes) -> RunSpec:
        """``name``'s run with its own settings (``changes`` replace fields: steps=...)."""
        s = self.setting(name)
        hyper = tuple(
            (h.name, s.value(h.name)) for h in get_spec(name).hyper if s.value(h.name) is not None
        )
        spec = RunSpec(
            surface=self.surface,
            params=self.landscape_params,
            optimizer=name,
            start=(float(self.start[0]), float(self.start[1])),
            steps=int(self.steps),
            lr=float(s.lr),
            hyper=tuple((k, float(v)) for k, v in hyper),
            batch_size=s.batch_size,
            seed=int(self.seed),
            schedule=tuple(self.schedule),
        )
        return replace(spec, **changes)
