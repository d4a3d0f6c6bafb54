"""Theory: the equations of fitting-models.md, each beside a live plot of what it does."""

from ui import boot

boot.import_all()  # before anything else, also when a page runs alone: ui/boot.py

import math

import streamlit as st

from figures.theory import (
    balance_figure,
    bias_correction_figure,
    gd_step_figure,
    lookahead_figure,
    momentum_weights_figure,
    scale_step_figure,
    window_around,
)
from landscapes import PRESETS
from optimizers.theory import (
    BALANCE_START,
    BALANCE_SURFACE,
    bias_correction_curves,
    effective_memory,
    momentum_weights,
    uncorrected_first_step,
)
from ui.compute_theory import (
    LOOKAHEAD_WARMUP,
    balance_grid,
    balance_landscape,
    balance_runs,
    first_gd_step,
    lookahead,
    lookahead_table,
    scale_steps,
    scale_table,
    step_table,
    zoom_grid,
)
from ui.export import plotly_config
from ui.figure_cache import shared_figure
from ui.plotly_chart import chart
from ui.present import explanatory
from ui.state import config
from ui.widgets import declare_page

CONSTANT_GRADIENT = 2.0  # g in the bias-correction example: g and g² differ, so both read
BIAS_STEPS = 1000
BALANCE_PARAMS = tuple(sorted(BALANCE_SURFACE.items()))


def _power_of(base: float, exponent: int) -> str:
    """base^exponent in LaTeX, in scientific notation when it is tiny."""
    value = base**exponent
    if value == 0 or value >= 1e-4:
        return f"{value:.6g}"
    mantissa, power = f"{value:.2e}".split("e")
    return rf"{mantissa}\times 10^{{{int(power)}}}"


cfg = config()
declare_page(())  # no URL keys of its own
PLOT = plotly_config("theory", cfg)
ls = cfg.landscape()
extent = max(ls.extent)
# What the zoomed contours depend on besides the sliders: the figures are shared per input.
surface_key = (cfg.surface, cfg.landscape_params, tuple(cfg.start))

st.title("Theory")
explanatory.caption(
    "The update rules of the notes, in their notation, each next to a plot computed live from "
    f"the sidebar: surface **{ls.title}**, start φ = ({cfg.start[0]:.2f}, {cfg.start[1]:.2f}), "
    f"α = {cfg.lr:.3g}, β = {cfg.beta:g}, γ = {cfg.gamma:g}, ε = {cfg.eps:.0e}."
)

# ----- 1. gradient descent --------------------------------------------------------------------
st.header("1 · Gradient descent: one step by hand")
left, right = st.columns([2, 3])
step = first_gd_step(cfg.surface, cfg.landscape_params, tuple(cfg.start), cfg.lr)
with left:
    st.markdown("**Step 1.** The derivative of the loss with respect to the parameters:")
    st.latex(
        r"\frac{\partial L}{\partial \phi} = \begin{bmatrix} \frac{\partial L}{\partial \phi_0}"
        r" \\[4pt] \frac{\partial L}{\partial \phi_1} \end{bmatrix}"
    )
    st.markdown("It points **uphill**. **Step 2.** Move a small distance α downhill:")
    st.latex(r"\phi \leftarrow \phi - \alpha\, \frac{\partial L}{\partial \phi}")
    st.dataframe(step_table(step, "gd"), width="stretch")
    if math.isfinite(step.new_loss):
        change = "decreased" if step.new_loss < step.loss else "**increased** (α is too large here)"
        st.caption(f"The loss {change}: {step.loss:.6g} → {step.new_loss:.6g}.")
with right:
    # Room for the step and for the uphill arrow the figure draws opposite to it.
    window = window_around([step.phi, step.new, 2 * step.phi - step.new], 0.02 * extent)
    grid = zoom_grid(cfg.surface, cfg.landscape_params, window)
    chart(
        shared_figure("gd_step", (*surface_key, cfg.lr), lambda: gd_step_figure(ls, grid, step)),
        key="gd_step_chart",
        config=PLOT,
    )

# ----- 2. momentum ------------------------------------------------------------------------------
st.header("2 · Momentum: a weighted sum of all past gradients")
left, right = st.columns([2, 3])
total = cfg.steps
memory = effective_memory(cfg.beta)
shown = min(total, max(20, math.ceil(round(4 * memory, 9))))  # four memories
weights = momentum_weights(cfg.beta, total)
with left:
    st.latex(
        r"m_{t+1} \leftarrow \beta\, m_t + (1-\beta) \sum_{i\in B_t}"
        r" \frac{\partial \ell_i[\phi_t]}{\partial \phi}"
    )
    st.latex(r"\phi_{t+1} \leftarrow \phi_t - \alpha\, m_{t+1}")
    explanatory.markdown(
        "Write $g_t$ for the gradient of batch $B_t$. Unrolling the recursion from $m_0 = 0$ gives"
    )
    st.latex(r"m_T = \sum_{k=0}^{T-1} (1-\beta)\,\beta^{k}\; g_{T-1-k}")
    explanatory.markdown(
        "a weighted sum of every previous gradient, whose weights get smaller as we move back "
        "in time. They add up to"
    )
    st.latex(r"\sum_{k=0}^{T-1} (1-\beta)\beta^k = 1-\beta^T")
    st.latex(rf"1 - {cfg.beta:g}^{{{total}}} = 1 - {_power_of(cfg.beta, total)}")
    explanatory.caption(
        f"With β = {cfg.beta:g} the newest gradient weighs {weights[0]:.3g}; the last "
        f"1/(1−β) ≈ {memory:.3g} gradients carry {1 - cfg.beta ** math.ceil(memory):.0%} "
        f"of the weight. T = {total} is the number of steps in the sidebar."
    )
with right:
    chart(
        shared_figure(
            "momentum_weights",
            (cfg.beta, total),
            lambda: momentum_weights_figure(weights[:shown], cfg.beta, total),
        ),
        key="momentum_chart",
        config=PLOT,
    )

# ----- 3. Nesterov --------------------------------------------------------------------------------
st.header("3 · Nesterov: the gradient at the predicted point")
left, right = st.columns([2, 3])
la = lookahead(cfg.surface, cfg.landscape_params, tuple(cfg.start), cfg.lr, cfg.beta)
with left:
    st.latex(
        r"m_{t+1} \leftarrow \beta\, m_t + (1-\beta) \sum_{i\in B_t}"
        r" \frac{\partial \ell_i[\phi_t - \alpha\, m_t]}{\partial \phi}"
    )
    st.latex(r"\phi_{t+1} \leftarrow \phi_t - \alpha\, m_{t+1}")
    explanatory.markdown(
        f"After {LOOKAHEAD_WARMUP} momentum steps from the start, both methods stand at "
        r"$\phi_t$ with the same $m_t$. Momentum takes the gradient where it stands; Nesterov "
        r"first predicts where momentum is carrying it, $\phi_t - \alpha m_t$, and takes the "
        "gradient there. The notes write this look-ahead; their author later corrected it to "
        r"$\phi_t - \alpha\beta m_t$, the point momentum alone would reach (the smaller "
        "diamond, optimizer *Nesterov βm*)."
    )
    if not la.diverged:
        st.dataframe(lookahead_table(la), width="stretch")
        apart = float(math.dist(la.momentum_next, la.nesterov_next))
        length = float(math.dist(la.phi, la.momentum_next))
        if length > 0:
            explanatory.caption(
                f"The two next points lie {apart:.3g} apart, {apart / length:.1%} of momentum's "
                "step: the more the gradient changes between φₜ and the look-ahead point, the "
                "more they differ."
            )
with right:
    if not la.diverged:
        points = [la.phi, la.ahead, la.coast, la.momentum_next, la.nesterov_next, la.corrected_next]
        window = window_around(points, 1e-3 * extent, pad=0.45)
        grid = zoom_grid(cfg.surface, cfg.landscape_params, window)
        chart(
            shared_figure(
                "lookahead",
                (*surface_key, cfg.lr, cfg.beta),
                lambda: lookahead_figure(ls, grid, la),
            ),
            key="lookahead_chart",
            config=PLOT,
        )
    else:
        st.warning(
            f"With α = {cfg.lr:.3g} momentum diverges within {LOOKAHEAD_WARMUP} steps from the "
            "start, so there is no state to compare from. Lower the learning rate in the "
            "sidebar.",
            icon=":material/warning:",
        )

# ----- 4. Adam's bias correction ----------------------------------------------------------------
st.header("4 · Adam: moments with bias correction")
g = CONSTANT_GRADIENT
curves = bias_correction_curves(cfg.beta, cfg.gamma, g, BIAS_STEPS)
explanatory.markdown(
    "Adam keeps momentum on both the gradient and its square, starting from $m_0 = v_0 = 0$, "
    r"so the early averages are pulled towards 0. Dividing by $1-\beta^{t}$ and "
    r"$1-\gamma^{t}$ removes that bias. The plot feeds the same gradient "
    f"$g = {g:g}$ at every step."
)
cols = st.columns(3)
cols[0].latex(r"m_{t+1} = \beta\, m_t + (1-\beta) \frac{\partial L[\phi_t]}{\partial \phi}")
cols[0].latex(
    r"v_{t+1} = \gamma\, v_t + (1-\gamma) \left(\frac{\partial L[\phi_t]}{\partial \phi}\right)^2"
)
cols[1].latex(r"\tilde m_{t+1} = \frac{m_{t+1}}{1-\beta^{t+1}}")
cols[1].latex(r"\tilde v_{t+1} = \frac{v_{t+1}}{1-\gamma^{t+1}}")
cols[2].latex(
    r"\phi_{t+1} = \phi_t - \alpha\, \frac{\tilde m_{t+1}}{\sqrt{\tilde v_{t+1}}+\epsilon}"
)
bias_figure = shared_figure(
    "bias_correction",
    (cfg.beta, cfg.gamma),
    lambda: bias_correction_figure(curves, g, cfg.beta, cfg.gamma),
)
chart(bias_figure, key="bias_chart", config=PLOT)
ratio = uncorrected_first_step(cfg.beta, cfg.gamma)
explanatory.caption(
    f"At t = 1: m₁ = (1−β) g = {curves.m[0]:.4g} but m̃₁ = {curves.m_tilde[0]:.6g} = g; "
    f"v₁ = (1−γ) g² = {curves.v[0]:.4g} but ṽ₁ = {curves.v_tilde[0]:.6g} = g². Without the "
    f"correction the first step would be m₁/√v₁ = (1−β)/√(1−γ) = {ratio:.3g} α long instead "
    "of α."
)

# ----- 5. the normalized step -------------------------------------------------------------------
st.header("5 · Normalized gradients: the same distance along every coordinate")
bowl = balance_landscape()
alpha_gd = 10.0 ** PRESETS["quadratic"].lg_lr
alpha_adaptive = 10.0 ** PRESETS["quadratic"].lg_lr_adaptive
gd, normalized = scale_steps(alpha_gd, cfg.eps)
left, right = st.columns([2, 3])
with left:
    st.latex(
        r"m_{t+1} = \frac{\partial L[\phi_t]}{\partial \phi}, \quad"
        r" v_{t+1} = \left(\frac{\partial L[\phi_t]}{\partial \phi}\right)^2"
    )
    st.latex(r"\phi_{t+1} = \phi_t - \alpha\, \frac{m_{t+1}}{\sqrt{v_{t+1}}+\epsilon}")
    explanatory.markdown(
        r"On the axis-aligned bowl $L = \tfrac12\left(\phi_0^2 + \phi_1^2/100\right)$ from "
        rf"$\phi = ({BALANCE_START[0]:g}, {BALANCE_START[1]:g})$ the gradient is 100 times "
        r"larger along $\phi_0$ than along $\phi_1$, and so is gradient descent's step. The "
        r"normalized step moves $\alpha$ along each coordinate; $\epsilon$ only prevents "
        "division by 0."
    )
    st.dataframe(scale_table(gd, normalized), width="stretch")
with right:
    window = window_around([gd.phi, gd.new, normalized.new], 0.05)
    grid = zoom_grid("quadratic", BALANCE_PARAMS, window)
    chart(
        shared_figure(
            "scale_step", (cfg.eps,), lambda: scale_step_figure(bowl, grid, gd, normalized)
        ),
        key="scale_chart",
        config=PLOT,
    )

# ----- 6. Adam balances the scales ----------------------------------------------------------------
st.header("6 · Adam balances parameters of very different scales")
balance_steps = PRESETS["quadratic"].steps
gd_run, adam_run = balance_runs(
    alpha_gd, alpha_adaptive, cfg.beta, cfg.gamma, cfg.eps, balance_steps
)
explanatory.markdown(
    f"The same bowl and start, {balance_steps} full-batch steps: gradient descent with "
    f"α = {alpha_gd:.3g}, Adam with α = {alpha_adaptive:.3g}, β = {cfg.beta:g}, "
    f"γ = {cfg.gamma:g}. Gradient descent races along the steep φ₀ and crawls along the flat "
    "φ₁; Adam's steps have about the same length in both coordinates, as if the two "
    "parameters had been rescaled to the same size."
)
chart(
    shared_figure(
        "balance",
        (cfg.beta, cfg.gamma, cfg.eps),
        lambda: balance_figure(bowl, balance_grid(), gd_run.points, adam_run.points),
    ),
    key="balance_chart",
    config=PLOT,
)
gd_first = abs(gd_run.points[1] - gd_run.points[0])
adam_first = abs(adam_run.points[1] - adam_run.points[0])
explanatory.caption(
    f"First step: gradient descent moves |Δφ₀| = {gd_first[0]:.3g} and |Δφ₁| = "
    f"{gd_first[1]:.3g} ({gd_first[0] / gd_first[1]:.0f}× apart); Adam moves "
    f"{adam_first[0]:.3g} and {adam_first[1]:.3g}. After {balance_steps} steps φ₁ is "
    f"{gd_run.points[-1][1]:.3g} for gradient descent and {adam_run.points[-1][1]:.3g} for Adam "
    f"(the minimum is at 0)."
)
