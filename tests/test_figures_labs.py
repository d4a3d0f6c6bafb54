"""Pure tests of the sensitivity and basin helpers and figures: ranges read off hand-made
sweeps, the stability limit, basin shares and the end-points-only basin map against
`optimizers.sweeps.basin_map`, the categorical colours, and what the figures hold."""

from __future__ import annotations

import numpy as np
import pytest

from figures import basins as fb
from figures import hyper as fh
from figures import sensitivity as fs
from landscapes import LANDSCAPE_NAMES, PRESETS, get_landscape
from optimizers import default_lg_lr
from optimizers.analysis import DIVERGED, NOT_CONVERGED
from optimizers.sweeps import BasinMap, Grid2D, Sweep, basin_map, log_range
from optimizers.sweeps_extra import (
    basin_map_ends,
    basin_shares,
    best_lr,
    convergent_range,
    fastest,
    first_diverging_lr,
    global_flags,
    loss_excess,
    one_minus_log_values,
    stability_limit,
)

LEVEL = 0.1


def make_sweep(converged, diverged=None, steps=None) -> Sweep:
    """A sweep over 10^-3 .. 10^1 in half decades: final loss 0.01 where ``converged``,
    1.0 elsewhere; ``diverged`` marks runs that diverged (at step 5)."""
    ok = np.asarray(converged, dtype=bool)
    values = np.logspace(-3, 1, ok.size)
    div = np.full(ok.size, -1) if diverged is None else np.where(diverged, 5, -1)
    steps = np.where(ok, 10, -1) if steps is None else np.asarray(steps)
    return Sweep(values, np.where(ok, 0.01, 1.0), steps, div, LEVEL)


# ----- convergent ranges and friends ------------------------------------------------------------


def test_convergent_range_picks_the_widest_unbroken_run():
    # Values 10^-3, 10^-2.5, ..., 10^1; two runs of True: indices 1-2 and 4-6.
    sweep = make_sweep([0, 1, 1, 0, 1, 1, 1, 0, 0])
    rng = convergent_range(sweep)
    assert rng.lo == pytest.approx(10**-1)
    assert rng.hi == pytest.approx(10**0)
    assert rng.decades == pytest.approx(1.0)
    assert not rng.at_lo_edge and not rng.at_hi_edge
    assert rng.elsewhere == 2  # indices 1 and 2


def test_convergent_range_edges_single_value_and_none():
    full = convergent_range(make_sweep([1] * 9))
    assert full.decades == pytest.approx(4.0)
    assert full.at_lo_edge and full.at_hi_edge
    single = convergent_range(make_sweep([0, 0, 0, 1, 0, 0, 0, 0, 0]))
    assert single.decades == 0 and single.lo == pytest.approx(10**-1.5)
    assert convergent_range(make_sweep([0] * 9)) is None
    # Two runs of equal width: the one at the smaller learning rates.
    tie = convergent_range(make_sweep([1, 1, 0, 0, 0, 0, 0, 1, 1]))
    assert tie.lo == pytest.approx(1e-3)


def test_a_diverged_run_never_counts_as_converged():
    # The run module freezes a diverged run's loss at its last good value, which may be low.
    sweep = make_sweep([1, 1, 1, 1, 1, 1, 1, 1, 1], diverged=[0, 0, 0, 0, 0, 0, 1, 1, 1])
    rng = convergent_range(sweep)
    assert rng.hi == pytest.approx(10**-0.5)
    assert not rng.at_hi_edge
    assert first_diverging_lr(sweep) == pytest.approx(10**0)
    assert best_lr(sweep) == pytest.approx(1e-3)  # first of the equal lowest losses


def test_best_and_fastest():
    sweep = make_sweep([0, 1, 1, 1, 0, 0, 0, 0, 0], steps=[-1, 40, 12, 30, -1, -1, -1, -1, -1])
    assert fastest(sweep) == (12, pytest.approx(10**-2))
    assert fastest(make_sweep([0] * 9)) is None
    assert best_lr(make_sweep([0] * 9, diverged=[1] * 9)) is None


def test_stability_limit_of_the_quadratic_is_two():
    # Curvatures 1 and 1/10: lambda_max = 1, so 2 / lambda_max = 2.
    assert stability_limit(get_landscape("quadratic")) == pytest.approx(2.0, rel=1e-6)
    assert stability_limit(get_landscape("quadratic", condition=4.0)) == pytest.approx(2.0)


def test_loss_excess_and_one_minus_values():
    np.testing.assert_allclose(loss_excess([-2.0, -2.5, 1.0], -2.5, 1e-9), [0.5, 1e-9, 3.5])
    values = one_minus_log_values(3.0, 7)
    np.testing.assert_allclose(values[[0, 2, 4, 6]], [0.0, 0.9, 0.99, 0.999])
    with pytest.raises(ValueError):
        one_minus_log_values(0.0, 5)


# ----- basin maps -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", LANDSCAPE_NAMES)
def test_basin_map_ends_equals_basin_map(name):
    """Same labels and end points as the reference, with and without divergence, and when
    split into blocks of starts."""
    ls = get_landscape(name)
    batch = PRESETS[name].batch_size
    for optimizer in ("gd", "sgd", "nesterov", "adam"):
        for lr in (10 ** default_lg_lr(name, optimizer), 10.0):
            ref = basin_map(ls, optimizer, 9, 40, lr=lr, batch_size=batch, seed=3)
            fast = basin_map_ends(
                ls, optimizer, 9, 40, lr=lr, batch_size=batch, seed=3, max_points=41 * 20
            )
            np.testing.assert_array_equal(fast.labels, ref.labels)
            np.testing.assert_array_equal(fast.final, ref.final)
            np.testing.assert_array_equal(fast.xs, ref.xs)


def test_basin_shares_counts_every_equal_minimum_as_global():
    himmelblau = get_landscape("himmelblau")
    assert global_flags(himmelblau).tolist() == [True] * 4
    shares = basin_shares(himmelblau, [0, 1, 2, 3, NOT_CONVERGED, DIVERGED])
    assert shares == pytest.approx((4 / 6, 0.0, 1 / 6, 1 / 6))
    wells = get_landscape("wells")
    assert global_flags(wells).tolist() == [True, False, False]
    assert basin_shares(wells, [[0, 1], [2, NOT_CONVERGED]]) == pytest.approx((0.25, 0.5, 0.25, 0))


def test_gd_basins_on_wells_split_between_global_and_local():
    wells = get_landscape("wells")
    bmap = basin_map_ends(wells, "gd", 30, 300, lr=0.1)
    shares = basin_shares(wells, bmap.labels)
    assert 0.2 < shares.global_ < 0.8
    assert shares.local == pytest.approx(1 - shares.global_)
    # Started at a well's centre, gradient descent stays in that well.
    assert set(np.unique(bmap.labels)) == {0, 1, 2}


# ----- colours and the basin figure -------------------------------------------------------------


def test_minimum_colors_distinct_while_the_palette_lasts():
    himmelblau = get_landscape("himmelblau")
    cats = fb.basin_categories(himmelblau)
    colors = [c.color for c in cats]
    assert len(set(colors)) == len(colors) == 6
    assert [c.name for c in cats[-2:]] == ["not converged", "diverged"]
    assert [c.label for c in cats[-2:]] == [NOT_CONVERGED, DIVERGED]
    assert all(c.name.startswith("global (") for c in cats[:4])


def test_rastrigin_neighbours_never_share_a_colour():
    ls = get_landscape("rastrigin")
    points = np.array([m.point for m in ls.minima])
    assert len(points) == 25
    colors = fb.minimum_colors(points, global_flags(ls))
    dist = np.linalg.norm(points[:, None] - points[None], axis=-1)
    for i in range(25):
        for j in range(i + 1, 25):
            if dist[i, j] < 1.5:  # side and diagonal neighbours on the unit lattice
                assert colors[i] != colors[j], (points[i], points[j])
    # The global minimum's colour is its own.
    assert colors.count(colors[0]) == 1


def test_category_codes():
    codes = fb.category_codes(np.array([[0, 3], [NOT_CONVERGED, DIVERGED]]), 4)
    assert codes.tolist() == [[0, 3], [4, 5]]


def _fake_map(labels) -> BasinMap:
    labels = np.asarray(labels)
    n = labels.shape[0]
    xs = np.linspace(-5, 5, n)
    return BasinMap(xs, xs, labels, np.zeros((n, n, 2)))


def test_basin_figure_maps_labels_to_the_same_colours_everywhere():
    ls = get_landscape("himmelblau")
    maps = {
        "gd": _fake_map([[0, 1], [2, 3]]),
        "adam": _fake_map([[3, 3], [NOT_CONVERGED, 0]]),
    }
    fig = fb.basin_figure(ls, maps, ls.grid(21))
    heat = [t for t in fig.data if t.type == "heatmap"]
    assert [t.meta["optimizer"] for t in heat] == ["gd", "adam"]
    assert np.asarray(heat[1].z).tolist() == [[3, 3], [4, 0]]
    assert heat[1].text[1][0] == "not converged"
    assert heat[0].text[0][1] == fb.basin_categories(ls)[1].name
    # One colour scale for all maps, with a band per category.
    assert heat[0].colorscale == heat[1].colorscale
    assert heat[0].zmin == -0.5 and heat[0].zmax == 6 - 0.5
    # The legend lists exactly the categories shown: four minima and "not converged".
    legend = [t.name for t in fig.data if t.meta and t.meta.get("role") == "legend"]
    assert len(legend) == 5 and "diverged" not in legend and "not converged" in legend
    # Stars at the four minima on both maps.
    stars = [t for t in fig.data if t.meta and t.meta.get("role") == "minima"]
    assert len(stars) == 2 and all(len(t.x) == 4 for t in stars)


def test_divergence_warning_names_the_unstable():
    ls = get_landscape("quadratic")
    shares = {
        "gd": basin_shares(ls, [DIVERGED] * 3 + [0]),
        "sgd": basin_shares(ls, [DIVERGED] * 2 + [0] * 2),
        "adam": basin_shares(ls, [0] * 4),
    }
    assert fb.divergence_warning(shares).startswith("GD and SGD diverge from most starts")
    assert fb.divergence_warning({"adam": shares["adam"]}) is None


def test_grid_columns():
    assert [fb.grid_columns(n) for n in range(1, 9)] == [1, 2, 3, 4, 3, 3, 4, 4]


def test_describe_basins_names_local_minima():
    ls = get_landscape("wells")
    shares = {
        "gd": basin_shares(ls, [0] * 62 + [1] * 38),
        "adam": basin_shares(ls, [0] * 100),
    }
    text = fb.describe_basins(ls, shares, 300)
    assert "Of the 3 known minima, 1 is global" in text[0]
    assert text[1].startswith("From 38% of starts GD ends in a local minimum")
    assert "from 62% it reaches a global minimum" in text[1]
    assert text[2] == "Adam reaches a global minimum from every start."
    frame = fb.shares_frame(shares)
    assert frame.loc["GD", "local minimum"] == pytest.approx(38.0)
    assert frame.loc["Adam"].sum() == pytest.approx(100.0)


# ----- the sensitivity figures --------------------------------------------------------------


def test_sensitivity_figure_lines_divergence_and_limit():
    gd = make_sweep([0, 0, 1, 1, 1, 0, 0, 0, 0], diverged=[0, 0, 0, 0, 0, 0, 1, 1, 1])
    adam = make_sweep([0, 1, 1, 1, 1, 1, 1, 0, 0])
    fig = fs.sensitivity_figure({"gd": gd, "adam": adam}, 0.0, 5.0, 100, limit=2.0)
    roles = [(t.meta or {}).get("role") for t in fig.data]
    lines = [t for t, r in zip(fig.data, roles, strict=True) if r == "loss"]
    assert [t.meta["optimizer"] for t in lines] == ["gd", "adam"]
    gd_line = np.asarray(lines[0].y, dtype=float)
    assert np.isnan(gd_line[6:]).all() and np.isfinite(gd_line[:6]).all()
    marks = [t for t, r in zip(fig.data, roles, strict=True) if r == "diverged"]
    assert len(marks) == 1
    np.testing.assert_allclose(marks[0].x, gd.values[6:])
    assert min(marks[0].y) > np.nanmax(gd_line)  # drawn above every finished run
    # The stability line at alpha = 2 on both rows, labelled.
    vlines = [s for s in fig.layout.shapes if s.x0 == s.x1]
    assert len(vlines) == 2 and all(s.x0 == pytest.approx(2.0) for s in vlines)
    labels = [a.text for a in fig.layout.annotations]
    assert any("GD stability limit 2/λmax" in t for t in labels)


def test_sensitivity_figure_floors_non_positive_losses():
    # A surface whose minimum's loss is negative: the gap is plotted, floored.
    sweep = Sweep(np.array([0.01, 0.1, 1.0]), np.array([-2.0, -3.0, -3.0]), np.full(3, 5),
                  np.full(3, -1), -2.9)  # fmt: skip
    fig = fs.sensitivity_figure({"gd": sweep}, -3.0, 1.0, 50)
    line = next(t for t in fig.data if t.meta and t.meta["role"] == "loss")
    floor = 4.0 * 10.0**-fs.FLOOR_DECADES
    np.testing.assert_allclose(line.y, [1.0, floor, floor])
    assert "final loss − L(global min)" in fig.layout.yaxis.title.text


def test_describe_sweeps_reads_ranges():
    sweeps = {
        "gd": make_sweep([0, 0, 1, 1, 0, 0, 0, 0, 0], diverged=[0] * 5 + [1] * 4),
        "adam": make_sweep([0, 1, 1, 1, 1, 1, 1, 0, 0]),
    }
    text = fs.describe_sweeps(sweeps, limit=0.05)
    assert "**GD**: α from 0.01 to 0.032, a range of 0.5 decades" in text
    assert "**Adam**: α from 0.0032 to 1, a range of 2.5 decades" in text
    assert "The widest range is Adam's." in text
    assert "GD first diverges at α = 0.32" in text


def test_hyper_figure_greys_out_diverged_cells():
    lrs = log_range(1e-3, 1.0, 4)
    betas = one_minus_log_values(3.0, 3)
    loss = np.arange(12, dtype=float).reshape(3, 4) + 1.0
    diverged = np.zeros((3, 4), dtype=bool)
    diverged[:, -1] = True
    panel = fh.HyperPanel("momentum", "beta", Grid2D(lrs, betas, loss, diverged), (0.01, 0.9))
    fig = fh.hyper_figure([panel], best=0.0, start_loss=100.0)
    cells = next(t for t in fig.data if t.meta and t.meta["role"] == "diverged-cells")
    heat = next(t for t in fig.data if t.meta and t.meta["role"] == "heat")
    assert np.array_equal(np.isfinite(np.asarray(cells.z, dtype=float)), diverged)
    z = np.asarray(heat.z, dtype=float)
    assert np.isnan(z[:, -1]).all()
    np.testing.assert_allclose(z[:, :-1], np.log10(loss[:, :-1]))
    assert list(fig.layout.yaxis.ticktext) == ["0", "0.9", "0.99", "0.999"]
    assert any(t.name == "diverged" and t.showlegend for t in fig.data)
