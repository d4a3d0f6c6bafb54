"""First-view settings per landscape, chosen so that every optimizer visibly moves, none
diverges at once, and the view shows one stated lesson. The learning rates are exponents:
alpha = 10 ** lg_lr.

Each lesson is checked with numbers at these settings by tests/test_lessons.py: retune a
preset (or a surface's default start) and that test says whether its lesson still holds.
"""

from __future__ import annotations

from typing import NamedTuple


class Preset(NamedTuple):
    lg_lr: float  # optimizers whose step is gradient-scaled (optimizers.rules: Spec.step)
    lg_lr_adaptive: float  # optimizers whose step has a fixed size
    steps: int
    batch_size: int
    lesson: str = ""  # what this first view shows, in one line (true at these settings)


PRESETS = {
    "quadratic": Preset(
        -0.5,
        -1.3,
        200,
        8,
        "Momentum and Nesterov reach the minimum first; GD creeps along the shallow direction.",
    ),
    "rosenbrock": Preset(
        -3.0,
        -0.9,
        1000,
        16,
        "Every optimizer finds the curved valley at once; Adam follows it to the minimum "
        "(1, 1), while GD, SGD, momentum and Nesterov crawl along its flat floor.",
    ),
    "himmelblau": Preset(
        -2.0,
        -1.3,
        200,
        8,
        "Four equally low minima: from one start GD, momentum and Nesterov reach one of "
        "them, SGD and Adam another.",
    ),
    "wells": Preset(
        -1.0,
        -1.3,
        300,
        8,
        "From a start on a ridge, GD, SGD and Adam settle in a shallow well; momentum and "
        "Nesterov roll on into the deepest. Move the start a little and the wells change.",
    ),
    "saddle": Preset(
        -1.0,
        -1.3,
        200,
        8,
        "Started on the line φ₁ = 0, GD stalls at the saddle; the minibatch noise tips the "
        "others off it into a minimum.",
    ),
    "beale": Preset(
        -1.6,
        -1.7,
        120,
        8,
        "Momentum builds up speed across the flat plateau and reaches the minimum (3, 0.5); "
        "GD and SGD are still crawling.",
    ),
    "rastrigin": Preset(
        -2.7,
        -1.3,
        200,
        8,
        "Every optimizer stops in the local minimum nearest its start, far above the global "
        "minimum at the origin: local steps cannot see past the next bump.",
    ),
    "linreg": Preset(
        -2.0,
        -1.3,
        200,
        5,
        "A convex bowl: every optimizer reaches its one minimum, the least-squares line.",
    ),
    "gabor": Preset(
        -1.3,
        -1.0,
        300,
        6,
        "From a start near a ridge, GD, momentum and Nesterov find the best fit; SGD and Adam "
        "end in a worse local minimum.",
    ),
}

# The optimizers of the first view: the lessons above are about them.
DEFAULT_OPTIMIZERS = ("gd", "sgd", "momentum", "nesterov", "adam")
# Which optimizers take lg_lr_adaptive is their spec's step kind: `optimizers.default_lg_lr`.


def lesson(landscape_name: str) -> str:
    """The one-line lesson of ``landscape_name``'s first view ("" for a user's surface)."""
    preset = PRESETS.get(landscape_name)
    return preset.lesson if preset else ""


# Surfaces made from a user's formula or data have no hand-tuned row: theirs is derived.
AUTO_STEPS = 300
AUTO_BATCH = 8
AUTO_LR_RANGE = (-5.0, 1.0)  # the sidebar's range of lg alpha


def auto_preset(landscape, grid: int = 41) -> Preset:
    """A first view for any landscape: alpha = 1/(2L) with L the median over the plotted range
    of the largest curvature (gradient descent is stable for alpha < 2/L where the curvature
    is L), and a fixed-step alpha of a hundredth of the range's shorter side."""
    import numpy as np  # noqa: PLC0415 (the hand-tuned table above needs no NumPy)

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
    if landscape.name in PRESETS:
        return PRESETS[landscape.name]
    return auto_preset(landscape)
