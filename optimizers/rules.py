"""The optimizer registry: one `Spec` per optimizer, the only place its facts are written.

A spec holds its update and state (pure functions from `optimizers.updates`), its own
hyperparameters (name, symbol, default, valid range, widget range, log scale or not), its
label, colour and dash, its equations in LaTeX and the conventions they follow, and its step kind: a
gradient-scaled step (proportional to the gradient, tuned by a surface's ``lg_lr``) or a
fixed-size one (about alpha per coordinate, tuned by ``lg_lr_adaptive``). Everything else that
iterates over optimizers (the sidebar, the caches, the figures' labels, the tests' tables)
reads these specs. The rules the colours follow are in figures/style.py; tests/test_style.py
checks them.

Adding an optimizer: write its update in `optimizers/updates.py`, its `Spec` below, and one row
in tests/test_optimizers.py's reference loop. ``beta``, ``gamma`` and ``eps`` are accepted by
every optimizer (the app passes one shared set to all); any other hyperparameter only by the
optimizers whose spec lists it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from landscapes import PRESETS
from optimizers import updates as u

GRADIENT_SCALED = "gradient-scaled"
FIXED_SIZE = "fixed-size"


@dataclass(frozen=True)
class Hyperparameter:
    name: str  # the keyword of run()
    symbol: str  # LaTeX
    default: float
    valid: tuple[float, float]  # the values run() accepts...
    open_ends: tuple[bool, bool] = (False, True)  # ...with these ends excluded
    widget: tuple[float, float] | None = None  # the range a widget offers (None: valid)
    log: bool = False  # a widget moves it on a log scale
    text: str = ""  # one line: what it does
    plain: str = ""  # the symbol as plain text, for widgets and messages

    def with_default(self, default: float) -> Hyperparameter:
        return replace(self, default=default)

    def check(self, value, runs: int):
        """``value`` as (R, 1), or as a float when all R runs share it; ValueError if invalid."""
        return per_run(self.name, value, runs, *self.valid, *self.open_ends)


BETA = Hyperparameter(
    "beta", r"\beta", 0.9, (0.0, 1.0), widget=(0.0, 0.999), text="first-moment decay"
)
GAMMA = Hyperparameter(
    "gamma", r"\gamma", 0.999, (0.0, 1.0), widget=(0.0, 0.9999), text="second-moment decay"
)
EPS = Hyperparameter(
    "eps", r"\epsilon", 1e-8, (0.0, np.inf), widget=(1e-12, 1e-1), log=True, text="ε"
)
WEIGHT_DECAY = Hyperparameter(
    "weight_decay",
    r"\lambda",
    1e-2,
    (0.0, np.inf),
    widget=(0.0, 1.0),
    text="decoupled weight decay: φ shrinks by αλφ each step",
    plain="λ",
)
PSI = Hyperparameter(
    "psi",
    r"\psi",
    4e-3,
    (0.0, np.inf),
    widget=(0.0, 0.1),
    text="NAdam's momentum decay (torch's momentum_decay)",
    plain="ψ",
)
# Accepted by every optimizer, as before the registry: ignored where the update has no use.
SHARED = (BETA, GAMMA, EPS)


@dataclass(frozen=True)
class Spec:
    name: str
    label: str  # short, for legends and tables
    title: str  # for headings
    init: Callable
    update: Callable
    step: str  # GRADIENT_SCALED or FIXED_SIZE
    hyper: tuple[Hyperparameter, ...] = ()  # the ones that change the update
    # Where the gradient of step t is taken; None means at phi_t.
    lookahead: Callable | None = None
    full_batch: bool = False  # True for gd, which ignores the batch size
    equations: tuple[str, ...] = ()  # LaTeX, in the notes' notation
    conventions: str = ""  # how this form relates to the notes and to torch.optim
    lg_lr_offset: float = 0.0  # its default lg alpha is its step kind's preset plus this
    heat: str | None = None  # the hyperparameter the sensitivity page maps against alpha
    # How it is drawn: a colour and a Plotly line dash. The palette's rules (colour-blind safe,
    # families share a hue, neighbours apart in lightness) are in figures/style.py, tested.
    colour: str = "#444444"
    dash: str = "solid"

    @property
    def fixed_size(self) -> bool:
        return self.step == FIXED_SIZE

    def accepted(self) -> dict[str, Hyperparameter]:
        """Every hyperparameter run() takes for this optimizer, with this optimizer's default."""
        own = {h.name: h for h in self.hyper}
        return {h.name: own.get(h.name, h) for h in SHARED} | own


Rule = Spec  # the name the pages use


def per_run(name: str, value, runs: int, lo: float, hi: float, lo_open: bool, hi_open: bool):
    """Check a hyperparameter; return it as (R, 1), or as a float when all runs share it."""
    arr = np.asarray(value, dtype=float)
    if arr.ndim == 0:
        arr = np.full(runs, float(arr))
    if arr.shape != (runs,):
        raise ValueError(f"{name} must be a scalar or have shape ({runs},), got {arr.shape}")
    too_low = arr <= lo if lo_open else arr < lo
    too_high = arr >= hi if hi_open else arr > hi
    bad = ~np.isfinite(arr) | too_low | too_high
    if bad.any():
        lo_b = "(" if lo_open else "["
        hi_b = ")" if hi_open else "]"
        raise ValueError(f"{name} must lie in {lo_b}{lo:g}, {hi:g}{hi_b}, got {arr[bad][0]!r}")
    # Python floats make the per-step arithmetic of a single run markedly cheaper.
    return float(arr[0]) if np.all(arr == arr[0]) else arr[:, None]


# ----- equations ----------------------------------------------------------------------------

G = r"\mathbf{g}_t"
GRAD_FULL = r"\mathbf{g}_t = \frac{\partial L[\phi_t]}{\partial \phi}"
GRAD_BATCH = (
    r"\mathbf{g}_t = \frac{N}{|\mathcal{B}_t|}\sum_{i\in\mathcal{B}_t}"
    r"\frac{\partial \ell_i[\phi_t]}{\partial \phi}"
)


def grad_at(point: str) -> str:
    return (
        r"\mathbf{g}_t = \frac{N}{|\mathcal{B}_t|}\sum_{i\in\mathcal{B}_t}"
        r"\frac{\partial \ell_i[" + point + r"]}{\partial \phi}"
    )


STEP_M = r"\phi_{t+1} \leftarrow \phi_t - \alpha\, m_{t+1}"
M_AVG = r"m_{t+1} \leftarrow \beta m_t + (1-\beta)\, " + G
V_AVG = r"v_{t+1} \leftarrow \gamma v_t + (1-\gamma)\, " + G + r"^2"
ADAM_HATS = (
    r"\tilde m_{t+1} = \frac{m_{t+1}}{1-\beta^{t+1}},\quad"
    r" \tilde v_{t+1} = \frac{v_{t+1}}{1-\gamma^{t+1}}"
)
ADAM_STEP = (
    r"\phi_{t+1} \leftarrow \phi_t - \alpha\,"
    r"\frac{\tilde m_{t+1}}{\sqrt{\tilde v_{t+1}}+\epsilon}"
)
STEP_V = r"\phi_{t+1} \leftarrow \phi_t - \alpha\,\frac{" + G + r"}{\sqrt{v_{t+1}}+\epsilon}"
TORCH_ADAM = (
    "β and γ are torch's betas (β₁, β₂); t counts from 0, so torch's step is t + 1. ε sits "
    "outside the square root."
)

# ----- the registry -------------------------------------------------------------------------

SPECS: dict[str, Spec] = {
    spec.name: spec
    for spec in (
        Spec(
            "gd",
            "GD",
            "Gradient descent",
            u.no_state,
            u.gd_update,
            GRADIENT_SCALED,
            full_batch=True,
            colour="#000000",
            equations=(GRAD_FULL, r"\phi_{t+1} \leftarrow \phi_t - \alpha\, " + G),
            conventions="Always the full batch: the batch size does not apply.",
        ),
        Spec(
            "sgd",
            "SGD",
            "Stochastic gradient descent",
            u.no_state,
            u.gd_update,
            GRADIENT_SCALED,
            colour="#E69F00",
            equations=(GRAD_BATCH, r"\phi_{t+1} \leftarrow \phi_t - \alpha\, " + G),
            conventions="The minibatch gradient is scaled by N/|B|, so it estimates ∂L/∂φ.",
        ),
        Spec(
            "momentum",
            "Momentum",
            "Momentum",
            u.zero_m,
            u.momentum_update,
            GRADIENT_SCALED,
            (BETA,),
            colour="#117733",
            equations=(GRAD_BATCH, M_AVG, STEP_M),
            conventions="The notes' form: m is the (1 − β) average of past gradients, not "
            "their sum (heavy ball is the sum).",
            heat="beta",
        ),
        Spec(
            "nesterov",
            "Nesterov",
            "Nesterov momentum",
            u.zero_m,
            u.momentum_update,
            GRADIENT_SCALED,
            (BETA,),
            lookahead=u.nesterov_lookahead,
            colour="#33BBEE",
            equations=(grad_at(r"\phi_t - \alpha m_t"), M_AVG, STEP_M),
            conventions="The notes' look-ahead φ − αm (see Nesterov βm for the corrected one).",
            heat="beta",
        ),
        Spec(
            "normalized",
            "Normalized",
            "Normalized gradient",
            u.no_state,
            u.normalized_update,
            FIXED_SIZE,
            (EPS,),
            colour="#997700",
            equations=(
                GRAD_BATCH,
                r"m_{t+1} = " + G + r",\quad v_{t+1} = " + G + r"^2",
                r"\phi_{t+1} \leftarrow \phi_t - \alpha\,\frac{m_{t+1}}{\sqrt{v_{t+1}}+\epsilon}",
            ),
            conventions="Each coordinate moves α against the sign of its gradient (up to ε).",
        ),
        Spec(
            "adam",
            "Adam",
            "Adam",
            u.zero_mv,
            u.adam_update,
            FIXED_SIZE,
            (BETA, GAMMA, EPS),
            colour="#AA3377",
            equations=(GRAD_BATCH, M_AVG, V_AVG, ADAM_HATS, ADAM_STEP),
            conventions="As the notes and torch.optim.Adam. " + TORCH_ADAM,
            heat="gamma",
        ),
        Spec(
            "rmsprop",
            "RMSprop",
            "RMSprop",
            u.zero_v,
            u.rmsprop_update,
            FIXED_SIZE,
            (GAMMA, EPS),
            colour="#332288",
            equations=(
                GRAD_BATCH,
                V_AVG,
                STEP_V,
            ),
            conventions="γ is torch's alpha (smoothing constant); no bias correction.",
        ),
        Spec(
            "adagrad",
            "AdaGrad",
            "AdaGrad",
            u.zero_v,
            u.adagrad_update,
            FIXED_SIZE,
            (EPS,),
            colour="#EE6677",
            equations=(
                GRAD_BATCH,
                r"v_{t+1} \leftarrow v_t + " + G + r"^2",
                STEP_V,
            ),
            conventions="v sums all squared gradients, so the steps shrink over time.",
        ),
        Spec(
            "heavy_ball",
            "Heavy ball",
            "Heavy ball (SGD with momentum)",
            u.zero_m,
            u.heavy_ball_update,
            GRADIENT_SCALED,
            (BETA,),
            colour="#88CCAA",
            dash="dot",
            equations=(GRAD_BATCH, r"m_{t+1} \leftarrow \beta m_t + " + G, STEP_M),
            conventions="torch.optim.SGD(momentum=β): m is the plain sum of past gradients. "
            "Since m = m_avg / (1 − β), by linearity its path at α is exactly the notes' "
            "momentum path at α / (1 − β); its default α is momentum's times 1 − β = 0.1.",
            lg_lr_offset=-1.0,
        ),
        Spec(
            "nesterov_corrected",
            "Nesterov βm",
            "Nesterov momentum, corrected look-ahead",
            u.zero_m,
            u.momentum_update,
            GRADIENT_SCALED,
            (BETA,),
            lookahead=u.nesterov_corrected_lookahead,
            colour="#0077BB",
            dash="dash",
            equations=(grad_at(r"\phi_t - \alpha\beta m_t"), M_AVG, STEP_M),
            conventions="The look-ahead φ − αβm is the point momentum alone would reach; the "
            "notes' Nesterov looks ahead to φ − αm.",
        ),
        Spec(
            "adamw",
            "AdamW",
            "AdamW",
            u.zero_mv,
            u.adamw_update,
            FIXED_SIZE,
            (BETA, GAMMA, EPS, WEIGHT_DECAY),
            colour="#EE99CC",
            dash="dash",
            equations=(
                GRAD_BATCH,
                r"\phi_t' = (1 - \alpha\lambda)\,\phi_t",
                M_AVG,
                V_AVG,
                ADAM_HATS,
                r"\phi_{t+1} \leftarrow \phi_t' - \alpha\,"
                r"\frac{\tilde m_{t+1}}{\sqrt{\tilde v_{t+1}}+\epsilon}",
            ),
            conventions="torch.optim.AdamW: the weight decay λ (weight_decay, default 0.01) "
            "shrinks φ towards the origin, decoupled from the gradient. " + TORCH_ADAM,
        ),
        Spec(
            "amsgrad",
            "AMSGrad",
            "AMSGrad",
            u.zero_mv_max,
            u.amsgrad_update,
            FIXED_SIZE,
            (BETA, GAMMA, EPS),
            colour="#771155",
            dash="dot",
            equations=(
                GRAD_BATCH,
                M_AVG,
                V_AVG,
                r"\hat v_{t+1} = \max(\hat v_t, v_{t+1})",
                r"\phi_{t+1} \leftarrow \phi_t - \alpha\,\frac{m_{t+1}/(1-\beta^{t+1})}"
                r"{\sqrt{\hat v_{t+1}/(1-\gamma^{t+1})}+\epsilon}",
            ),
            conventions="torch.optim.Adam(amsgrad=True): the maximum is of the raw v, and "
            "the bias correction divides it afterwards. " + TORCH_ADAM,
        ),
        Spec(
            "nadam",
            "NAdam",
            "NAdam",
            u.zero_mv_mu,
            u.nadam_update,
            FIXED_SIZE,
            (BETA, GAMMA, EPS, PSI),
            colour="#CC6699",
            dash="dashdot",
            equations=(
                GRAD_BATCH,
                r"\mu_{t} = \beta\left(1 - \tfrac12\, 0.96^{(t+1)\psi}\right)",
                M_AVG,
                V_AVG,
                r"\phi_{t+1} \leftarrow \phi_t - \alpha\,\frac{"
                r"\frac{1-\mu_t}{1-\prod_{k\le t}\mu_k}\,\mathbf{g}_t"
                r" + \frac{\mu_{t+1}}{1-\prod_{k\le t+1}\mu_k}\, m_{t+1}}"
                r"{\sqrt{v_{t+1}/(1-\gamma^{t+1})}+\epsilon}",
            ),
            conventions="torch.optim.NAdam with momentum decay ψ (momentum_decay, default "
            "0.004): Adam whose momentum looks one step ahead. " + TORCH_ADAM,
        ),
        Spec(
            "radam",
            "RAdam",
            "RAdam",
            u.zero_mv,
            u.radam_update,
            GRADIENT_SCALED,
            (BETA, GAMMA, EPS),
            colour="#440022",
            dash="longdash",
            equations=(
                GRAD_BATCH,
                M_AVG,
                V_AVG,
                r"\rho_\infty = \frac{2}{1-\gamma} - 1,\quad \rho_{t} = \rho_\infty - "
                r"\frac{2 (t+1)\gamma^{t+1}}{1-\gamma^{t+1}}",
                r"r_t = \sqrt{\frac{(\rho_t-4)(\rho_t-2)\rho_\infty}"
                r"{(\rho_\infty-4)(\rho_\infty-2)\rho_t}}",
                r"\phi_{t+1} \leftarrow \phi_t - \alpha\,\tilde m_{t+1}\cdot\begin{cases}"
                r"r_t\,\frac{\sqrt{1-\gamma^{t+1}}}{\sqrt{v_{t+1}}+\epsilon} & \rho_t > 5\\"
                r" 1 & \text{otherwise}\end{cases}",
            ),
            conventions="torch.optim.RAdam: while ρ_t ≤ 5 (the first 5 or so steps at γ = "
            "0.999, every step at γ ≤ 2/3) the step is α times the bias-corrected momentum, "
            "scaled by the gradient; afterwards about α per coordinate, like Adam. Its first "
            "steps make its default α the gradient-scaled one: Adam's α diverges on "
            "Rosenbrock within two steps. " + TORCH_ADAM,
        ),
        Spec(
            "lion",
            "Lion",
            "Lion",
            u.zero_m,
            u.lion_update,
            FIXED_SIZE,
            (BETA.with_default(0.9), GAMMA.with_default(0.99), WEIGHT_DECAY.with_default(0.0)),
            colour="#DDCC77",
            dash="dash",
            equations=(
                GRAD_BATCH,
                r"c_{t} = \beta m_t + (1-\beta)\, " + G,
                r"\phi_{t+1} \leftarrow \phi_t - \alpha\left(\operatorname{sign}(c_t)"
                r" + \lambda\phi_t\right)",
                r"m_{t+1} \leftarrow \gamma m_t + (1-\gamma)\, " + G,
            ),
            conventions="Chen et al. 2023: β and γ are the paper's β₁ and β₂ (defaults 0.9 "
            "and 0.99); every coordinate moves exactly α (plus the decay λ, default 0).",
        ),
    )
}
RULES = SPECS  # the older name
OPTIMIZER_NAMES = tuple(SPECS)
# The hyperparameters some optimizers take beyond the shared β, γ, ε (AdamW's λ, NAdam's ψ),
# each once, as its first spec declares it; each optimizer's own default is in its spec.
OWN_HYPER: tuple[Hyperparameter, ...] = ()
for _spec in SPECS.values():
    for _h in _spec.hyper:
        if _h.name not in {h.name for h in SHARED + OWN_HYPER}:
            OWN_HYPER += (_h,)
STEP_KINDS = {name: spec.step for name, spec in SPECS.items()}


def get_spec(name: str) -> Spec:
    try:
        return SPECS[name]
    except KeyError:
        raise ValueError(
            f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZER_NAMES)}"
        ) from None


get_rule = get_spec


def default_lg_lr(preset, name: str) -> float:
    """``name``'s first-view lg alpha under ``preset`` (a `landscapes.presets.Preset`, or a
    built-in surface's name): ``lg_lr`` for a gradient-scaled step, ``lg_lr_adaptive`` for a
    fixed-size one, plus the spec's offset."""
    if isinstance(preset, str):
        preset = PRESETS[preset]
    spec = get_spec(name)
    return (preset.lg_lr_adaptive if spec.fixed_size else preset.lg_lr) + spec.lg_lr_offset
