"""AppTests of the Theory page: each plot carries the numbers of its equation for the
sidebar's settings."""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from landscapes import PRESETS
from tests.pages import chart_figures
from tests.pages import open_page as open_page_at
from tests.plotly_json import values

PAGE = "pages/theory.py"


def open_page(**query) -> AppTest:
    return open_page_at(PAGE, timeout=90, **query)


def all_figures(at: AppTest) -> list[dict]:
    return chart_figures(at)


def bars(at: AppTest) -> tuple[np.ndarray, np.ndarray]:
    fig = next(f for f in all_figures(at) if f["data"][0]["type"] == "bar")
    return values(fig["data"][0]["x"]), values(fig["data"][0]["y"])


def named(at: AppTest, name: str) -> dict:
    for fig in all_figures(at):
        for trace in fig["data"]:
            if trace.get("name") == name:
                return trace
    raise KeyError(name)


def table(at: AppTest, index: int):
    return at.main.dataframe[index].value


def test_page_renders_every_section():
    at = open_page()
    headers = [h.value for h in at.header]
    assert len(headers) == 6
    for word in ("Gradient descent", "Momentum", "Nesterov", "bias correction", "Normalized"):
        assert any(word in h for h in headers), word
    assert len(chart_figures(at)) == 6
    assert len(at.main.dataframe) == 3
    assert len(at.latex) >= 12


def test_momentum_weights_follow_the_sidebar_beta():
    at = open_page()
    k, w = bars(at)
    beta = at.sidebar.slider(key="beta").value
    assert beta == pytest.approx(0.9)
    np.testing.assert_allclose(w, (1 - beta) * beta**k, rtol=1e-12)
    assert k[0] == 0 and len(k) == 40  # 4 / (1 - beta) gradients shown

    at.sidebar.slider(key="beta").set_value(0.5).run()
    assert not at.exception
    k2, w2 = bars(at)
    np.testing.assert_allclose(w2, 0.5 * 0.5**k2, rtol=1e-12)
    assert len(k2) == 20 and w2[0] == pytest.approx(0.5)
    assert not np.allclose(w2[:10], w[:10])
    # The sum stated beside the plot follows too: 1 - 0.5^T with T the sidebar's steps.
    assert any(r"0.5^{1000}" in eq.value for eq in at.latex)


def test_adam_corrected_moments_equal_g_from_step_one():
    at = open_page(beta="0.8", gamma="0.99")
    m_tilde = values(named(at, "m̃_t = m_t / (1 − β^t)")["y"])
    v_tilde = values(named(at, "ṽ_t = v_t / (1 − γ^t)")["y"])
    m_raw = values(named(at, "m_t (raw)")["y"])
    v_raw = values(named(at, "v_t (raw)")["y"])
    g = 2.0
    assert m_tilde[0] == g and v_tilde[0] == g * g
    np.testing.assert_allclose(m_tilde, g, rtol=1e-12)
    np.testing.assert_allclose(v_tilde, g * g, rtol=1e-12)
    # The raw moments start biased towards 0: (1 - beta) g and (1 - gamma) g^2.
    assert m_raw[0] == pytest.approx(0.2 * g) and v_raw[0] == pytest.approx(0.01 * g * g)
    t = np.arange(1, len(m_raw) + 1)
    np.testing.assert_allclose(m_raw, g * (1 - 0.8**t), rtol=1e-12)


def test_gd_step_table_by_hand():
    at = open_page()  # rosenbrock from (-1.2, 1), alpha = 1e-3
    gd = table(at, 0)
    # dL/dphi0 = -2 (1 - phi0) - 400 phi0 (phi1 - phi0^2) = -4.4 - 211.2; dL/dphi1 = 200 (1 - 1.44)
    assert list(gd.loc["∂L/∂φ at φₜ"]) == ["-215.6", "-88"]
    assert list(gd.loc["φₜ₊₁ = φₜ + Δφ"]) == ["-0.9844", "1.088"]
    assert list(gd.loc["α"]) == ["0.001", "0.001"]


def test_nesterov_table_takes_the_gradient_ahead():
    at = open_page(surface="quadratic")
    la = table(at, 1).astype(float)
    phi, ahead = la.loc["φₜ"].to_numpy(), la.loc["look-ahead φₜ − α mₜ"].to_numpy()
    alpha_m = la.loc["α mₜ"].to_numpy()
    np.testing.assert_allclose(ahead, phi - alpha_m, rtol=1e-5)
    # Gradient of the rotated quadratic, H phi, at the look-ahead point.
    theta = np.deg2rad(30)
    u, w = np.array([np.cos(theta), np.sin(theta)]), np.array([-np.sin(theta), np.cos(theta)])
    hess = np.outer(u, u) + 0.1 * np.outer(w, w)
    grad = hess @ ahead  # the table shows 6 significant digits
    shown = la.loc["∂L/∂φ at the look-ahead (Nesterov)"].to_numpy()
    np.testing.assert_allclose(shown, grad, atol=1e-5 * np.abs(grad).max())


def test_normalized_step_moves_alpha_per_coordinate():
    at = open_page()
    steps = table(at, 2).astype(float)
    alpha = 10 ** PRESETS["quadratic"].lg_lr
    np.testing.assert_allclose(steps["normalized |Δφ|"], alpha, rtol=1e-6)
    np.testing.assert_allclose(steps["GD |Δφ|"]["φ₀"] / steps["GD |Δφ|"]["φ₁"], 100, rtol=1e-5)
    assert (steps["α − |Δφ|"] >= 0).all() and (steps["α − |Δφ|"] < 1e-6 * alpha).all()


def test_adam_balances_what_gd_does_not():
    at = open_page()
    gd0 = values(named(at, "GD: |Δφ₀|")["y"])
    gd1 = values(named(at, "GD: |Δφ₁|")["y"])
    adam0 = values(named(at, "Adam: |Δφ₀|")["y"])
    adam1 = values(named(at, "Adam: |Δφ₁|")["y"])
    assert gd0[0] / gd1[0] == pytest.approx(100, rel=1e-9)
    assert adam0[0] / adam1[0] == pytest.approx(1, rel=1e-6)
    np.testing.assert_allclose(adam0[0], 10 ** PRESETS["quadratic"].lg_lr_adaptive, rtol=1e-6)


def test_diverging_learning_rate_gives_a_warning_not_a_traceback():
    at = open_page(log_lr="1")  # alpha = 10 on rosenbrock
    text = "\n".join(w.value for w in at.main.warning)
    assert "momentum diverges within 5 steps" in text
    assert len(chart_figures(at)) == 5  # every plot but the look-ahead one
    assert "**increased**" in "\n".join(c.value for c in at.main.caption)


def test_start_at_the_minimum_takes_no_step():
    at = open_page(surface="quadratic", x0="0", y0="0")
    gd = table(at, 0)
    assert list(gd.loc["∂L/∂φ at φₜ"]) == ["0", "0"]
    assert list(gd.loc["φₜ₊₁ = φₜ + Δφ"]) == ["0", "0"]


def test_nesterov_figure_shows_both_look_ahead_points():
    at = open_page(surface="quadratic")
    la = table(at, 1).astype(float)
    phi, alpha_m = la.loc["φₜ"].to_numpy(), la.loc["α mₜ"].to_numpy()
    beta = 0.9  # the sidebar's default

    def point(name):
        trace = named(at, name)
        return np.array([values(trace["x"])[0], values(trace["y"])[0]])

    # The table shows 6 significant digits.
    np.testing.assert_allclose(point("look-ahead point"), phi - alpha_m, rtol=1e-5)
    corrected = phi - beta * alpha_m
    np.testing.assert_allclose(point("corrected look-ahead φₜ − αβ mₜ"), corrected, rtol=1e-5)
    # The corrected step starts from the same state and takes the gradient H φ there.
    theta = np.deg2rad(30)
    u, w = np.array([np.cos(theta), np.sin(theta)]), np.array([-np.sin(theta), np.cos(theta)])
    hess = np.outer(u, u) + 0.1 * np.outer(w, w)
    alpha = 10 ** PRESETS["quadratic"].lg_lr
    expect = phi - (beta * alpha_m + alpha * (1 - beta) * hess @ corrected)
    np.testing.assert_allclose(point("φₜ₊₁ Nesterov βm"), expect, rtol=1e-4, atol=1e-6)
