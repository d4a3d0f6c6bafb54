"""First-view settings of a landscape, chosen so that every optimizer visibly moves, none
diverges at once, and the view shows one stated lesson. The learning rates are exponents:
alpha = 10 ** lg_lr.

Each built-in surface carries its hand-tuned `Preset` (``Landscape.preset``, written in its
factory); `landscapes.PRESETS` gathers them by name. Each lesson is checked with numbers at
these settings by tests/test_lessons.py: retune a preset (or a surface's default start) and
that test says whether its lesson still holds. A user's surface gets `auto_preset`.
"""

from __future__ import annotations

from typing import NamedTuple


class Preset(NamedTuple):
    lg_lr: float  # optimizers whose step is gradient-scaled (optimizers.rules: Spec.step)
    lg_lr_adaptive: float  # optimizers whose step has a fixed size
    steps: int
    batch_size: int
    lesson: str = ""  # what this first view shows, in one line (true at these settings)


# The optimizers of the first view: the lessons above are about them.
DEFAULT_OPTIMIZERS = ("gd", "sgd", "momentum", "nesterov", "adam")
# Which optimizers take lg_lr_adaptive is their spec's step kind: `optimizers.default_lg_lr`.


def lesson(landscape_name: str) -> str:
    """The one-line lesson of ``landscape_name``'s first view ("" for a user's surface)."""
    from landscapes import PRESETS  # noqa: PLC0415 (the surfaces import this module)

    preset = PRESETS.get(landscape_name)
    return preset.lesson if preset else ""


def __getattr__(name: str):
    # ``landscapes.presets.PRESETS``, the table's old home, now gathered from the surfaces.
    if name == "PRESETS":
        from landscapes import PRESETS  # noqa: PLC0415

        return PRESETS
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# Surfaces made from a user's formula or data have no hand-tuned row: theirs is derived.
AUTO_STEPS = 300
AUTO_BATCH = 8
AUTO_LR_RANGE = (-5.0, 1.0)  # the sidebar's range of lg alpha


def auto_preset(landscape, grid: int = 41) -> Preset:
    """A first view for any landscape: alpha = 1/(2L) with L the median over the plotted range
    of the largest curvature (gradient descent is stable for alpha < 2/L where the curvature
    is L), and a fixed-step alpha of a hundredth of the range's shorter side."""
    import numpy as np  # noqa: PLC0415 (the surfaces' presets need no NumPy)

    (x0, x1), (y0, y1) = landscape.bounds
    pts = np.stack(np.meshgrid(np.linspace(x0, x1, grid), np.linspace(y0, y1, grid)), -1)
    with np.errstate(all="ignore"):
        hess = landscape.hessian(pts.reshape(-1, 2))
        ok = np.all(np.isfinite(hess), axis=(-2, -1))
        top = np.abs(np.linalg.eigvalsh(hess[ok])).max(axis=-1) if ok.any() else np.ones(1)
    curvature = 2.0 * float(np.median(top)) if top.size else 1.0
    lg_lr = -np.log10(curvature) if curvature > 0 else 0.0
    lg_adaptive = np.log10(0.01 * min(x1 - x0, y1 - y0))

    def snap(v):
        return float(np.clip(round(v * 20) / 20, *AUTO_LR_RANGE))

    batch = min(AUTO_BATCH, max(1, landscape.n_examples // 4))
    return Preset(snap(lg_lr), snap(lg_adaptive), AUTO_STEPS, batch)


def preset_for(landscape) -> Preset:
    """The hand-tuned preset of a built-in surface, else one derived from the landscape."""
    return landscape.preset or auto_preset(landscape)
