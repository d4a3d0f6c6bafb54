"""Small wording and display errors of the first impressions (issue 9): where a run ended in
a sentence that reads, Greek letters in the captions, every marker of the SGD lab's contour
in its legend, and the convexity page's points A and B drawn above the minima's stars."""

from __future__ import annotations

import numpy as np
import plotly.io as pio
import pytest

from figures import sgd_epoch
from figures.convexity import curvature_figure
from landscapes import LANDSCAPE_NAMES, get_landscape
from landscapes.convexity import curvature_map, default_segment
from optimizers import run
from optimizers.minibatch import ending_sentence


def test_a_run_that_reaches_nothing_does_not_end_at_not_converged():
    ls = get_landscape("rosenbrock")
    gd = run(ls, "gd", (-1.2, 1.0), 50, 1e-3)
    text = ending_sentence(ls, gd, "GD")
    assert "not converged**" not in text and "ended at" not in text
    assert (
        text
        == f"**GD** came near no minimum or saddle in 50 steps; final loss {gd.losses[-1]:.4g}."
    )


def test_endings_tell_a_local_minimum_from_the_global_one():
    ls = get_landscape("wells")
    gd = run(ls, "gd", (-2.5, -2.0), 200, 0.1)  # into the shallow well at (-1.94, -1.36)
    text = ending_sentence(ls, gd, "GD")
    assert text.startswith("**GD** ended in a **local minimum (-1.94, -1.36)**, not the global one")
    gd = run(ls, "gd", (2.0, 2.0), 200, 0.1)
    assert ending_sentence(ls, gd, "GD").startswith(
        "**GD** ended at the **global minimum (1.75, 1.56)**"
    )


def test_endings_at_a_saddle_and_after_diverging():
    ls = get_landscape("saddle")
    gd = run(ls, "gd", (2.5, 0.0), 200, 0.1)
    assert ending_sentence(ls, gd, "GD").startswith("**GD** ended at the **saddle (0.00, 0.00)**")
    blown = run(ls, "gd", (2.5, 0.5), 50, 5.0)
    assert int(blown.diverged) >= 0
    assert ending_sentence(ls, blown, "GD") == (
        f"**GD** diverged at step {int(blown.diverged)}: its path stops at its last finite point."
    )


@pytest.mark.parametrize("name", LANDSCAPE_NAMES)
def test_descriptions_write_greek_letters_not_phi(name):
    assert "phi" not in get_landscape(name).description.lower()


def test_saddle_caption_names_phi_one():
    assert "φ₁ = 0" in get_landscape("saddle").description


def test_every_marker_on_the_sgd_lab_contour_is_in_the_legend():
    ls = get_landscape("rosenbrock")
    start = ls.default_start
    sgd = run(ls, "sgd", start, 40, 1e-3, batch_size=8)
    gd = run(ls, "gd", start, 40, 1e-3)
    fig = pio.from_json(pio.to_json(sgd_epoch.lab_figure(ls, gd, sgd, contour_n=41)))
    diamonds = [t for t in fig.data if t.marker and t.marker.symbol == "diamond"]
    assert {t.name for t in diamonds} == {"GD: end", "SGD: end"}
    for t in diamonds:
        assert t.showlegend is not False, t.name
    orange = next(t for t in diamonds if t.name == "SGD: end")
    assert orange.marker.color == "#E69F00"


@pytest.mark.parametrize("name", ["rosenbrock", "saddle", "himmelblau"])
def test_points_a_and_b_are_drawn_above_the_minima(name):
    ls = get_landscape(name)
    a, b = default_segment(ls)
    fig = curvature_figure(curvature_map(ls, 21), ls.critical_points, a, b)
    names = [t.name for t in fig.data]
    assert names.index("A and B") > names.index("minima")
    # on these surfaces a default point lies on a minimum: the reason for the order
    on_minimum = [np.allclose(p, m.point, atol=1e-6) for p in (a, b) for m in ls.minima]
    assert any(on_minimum)


# ----- each lab page shows something on its first view, or says what to try ---------------


def test_basins_hint_names_surfaces_with_basins():
    from figures.basins import SURFACES_WITH_BASINS, basins_hint
    from optimizers.sweeps_extra import BasinShares

    for name in SURFACES_WITH_BASINS:
        assert len(get_landscape(name).minima) >= 2, name
    stuck = {"gd": BasinShares(0.01, 0.0, 0.99, 0.0)}
    hint = basins_hint(get_landscape("rosenbrock"), stuck, 300)
    assert "single minimum" in hint and "*himmelblau*, *wells* or *rastrigin*" in hint
    assert "Steps per run" in hint
    hint = basins_hint(get_landscape("wells"), stuck, 300)
    assert hint.startswith("Most starts reach no minimum in 300 steps")
    fine = {"gd": BasinShares(0.6, 0.4, 0.0, 0.0)}
    assert basins_hint(get_landscape("wells"), fine, 300) is None


def test_basins_page_on_rosenbrock_says_which_surface_to_try():
    from tests.pages import open_page

    at = open_page("pages/basins.py", timeout=120, surface="rosenbrock", grid=20)
    info = "\n".join(i.value for i in at.info)
    assert "single minimum" in info and "*himmelblau*" in info


def test_sgd_lab_on_rosenbrock_says_why_the_paths_look_the_same():
    from tests.pages import open_page

    at = open_page("pages/sgd_lab.py", timeout=120)  # Rosenbrock, the default
    info = "\n".join(i.value for i in at.info)
    assert "never strays more than" in info and "Raise the gradient noise σ" in info
    at = open_page("pages/sgd_lab.py", timeout=120, surface="saddle", x0=2.5, y0=0)
    assert "never strays" not in "\n".join(i.value for i in at.info)


def test_theory_first_step_goes_downhill_at_the_defaults():
    from tests.pages import open_page

    at = open_page("pages/theory.py", timeout=120)
    caption = "\n".join(c.value for c in at.main.caption)
    assert "The loss decreased: 24.2 → 5.35" in caption


@pytest.mark.parametrize("name", LANDSCAPE_NAMES)
def test_one_gd_step_from_each_default_start_goes_downhill(name):
    from landscapes import PRESETS
    from optimizers.theory import gd_step

    ls = get_landscape(name)
    step = gd_step(ls, ls.default_start, 10 ** PRESETS[name].lg_lr)
    assert step.new_loss < step.loss
