"""The optimizer palette: neighbours differ in lightness and hue, and the colours stay apart
for simulated protanopia, deuteranopia and tritanopia (Machado et al. 2009, severity 1). The
notes' eight optimizers are drawn solid and told apart by colour alone; the later variants
share their family's hue and are told apart by dash."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from figures import style
from landscapes.presets import DEFAULT_OPTIMIZERS
from optimizers import OPTIMIZER_NAMES
from optimizers.rules import Spec

# Machado, Oliveira & Fernandes (2009), full severity, acting on linear RGB.
SIMULATIONS = {
    "normal": np.eye(3),
    "protanopia": np.array(
        [
            [0.152286, 1.052583, -0.204868],
            [0.114503, 0.786281, 0.099216],
            [-0.003882, -0.048116, 1.051998],
        ]
    ),
    "deuteranopia": np.array(
        [
            [0.367322, 0.860646, -0.227968],
            [0.280085, 0.672501, 0.047413],
            [-0.011820, 0.042940, 0.968881],
        ]
    ),
    "tritanopia": np.array(
        [
            [1.255528, -0.076749, -0.178779],
            [-0.078411, 0.930809, 0.147602],
            [0.004733, 0.691367, 0.303900],
        ]
    ),
}
SRGB_TO_XYZ = np.array(
    [[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]
)
WHITE = np.array([0.95047, 1.0, 1.08883])


def linear_rgb(hex_color: str) -> np.ndarray:
    c = np.array([int(hex_color[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def lab(rgb: np.ndarray) -> np.ndarray:
    t = SRGB_TO_XYZ @ np.clip(rgb, 0, 1) / WHITE
    f = np.where(t > 216 / 24389, np.cbrt(t), (24389 / 27 * t + 16) / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def lab_of(name: str, simulation: str = "normal") -> np.ndarray:
    return lab(SIMULATIONS[simulation] @ linear_rgb(style.color(name)))


def test_lab_of_known_colours():
    np.testing.assert_allclose(lab(linear_rgb("#FFFFFF")), [100, 0, 0], atol=0.05)
    np.testing.assert_allclose(lab(linear_rgb("#000000")), [0, 0, 0], atol=1e-9)
    # sRGB red: L* 53.24, a* 80.09, b* 67.20
    np.testing.assert_allclose(lab(linear_rgb("#FF0000")), [53.24, 80.09, 67.20], atol=0.1)


NOTES = ("gd", "sgd", "momentum", "nesterov", "normalized", "adam", "rmsprop", "adagrad")
DASHES = {"solid", "dot", "dash", "longdash", "dashdot", "longdashdot"}  # Plotly's names


def test_every_spec_has_its_own_colour_dash_and_label():
    colours = [style.color(name) for name in OPTIMIZER_NAMES]
    fallback = Spec.__dataclass_fields__["colour"].default
    assert fallback not in colours and len(set(colours)) == len(colours)  # each its own
    assert {style.dash(name) for name in OPTIMIZER_NAMES} <= DASHES
    assert all(style.dash(name) == "solid" for name in NOTES)
    labels = [style.label(name) for name in OPTIMIZER_NAMES]
    assert len(set(labels)) == len(labels) and all(len(x) <= 12 for x in labels)


def test_one_distinct_colour_per_optimizer():
    colors = [style.color(name) for name in OPTIMIZER_NAMES]
    assert len(set(colors)) == len(colors)


@pytest.mark.parametrize("pair", list(itertools.pairwise(OPTIMIZER_NAMES)))
def test_neighbours_differ_in_lightness(pair):
    a, b = (lab_of(name)[0] for name in pair)
    assert abs(a - b) >= 10, f"{pair}: L* {a:.0f} and {b:.0f}"


def test_default_optimizers_have_different_hues():
    hues = {
        name: np.degrees(np.arctan2(lab_of(name)[2], lab_of(name)[1])) % 360
        for name in DEFAULT_OPTIMIZERS
        if np.hypot(*lab_of(name)[1:]) > 10  # black has no hue
    }
    assert len(hues) == len(DEFAULT_OPTIMIZERS) - 1
    for (a, ha), (b, hb) in itertools.combinations(hues.items(), 2):
        gap = min(abs(ha - hb), 360 - abs(ha - hb))
        assert gap >= 45, f"{a} and {b} are {gap:.0f} degrees of hue apart"


@pytest.mark.parametrize("simulation", SIMULATIONS)
def test_colours_stay_apart_for_colour_blind_viewers(simulation):
    def closest(names):
        return min(
            np.linalg.norm(lab_of(a, simulation) - lab_of(b, simulation))
            for a, b in itertools.combinations(names, 2)
        )

    assert closest(DEFAULT_OPTIMIZERS) >= 30
    assert closest(NOTES) >= 18
    # Fifteen colours cannot all be 18 apart: two lines closer than that differ in dash.
    assert closest(OPTIMIZER_NAMES) >= 12
    for dash in {style.dash(name) for name in OPTIMIZER_NAMES}:
        same = [name for name in OPTIMIZER_NAMES if style.dash(name) == dash]
        if len(same) > 1:
            assert closest(same) >= 18, dash
