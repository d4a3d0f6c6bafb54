"""A surface crowded with critical points (Rastrigin, the Gabor model) marks only its global
minima and the critical points near the paths on show; the analysis still knows them all."""

from __future__ import annotations

import numpy as np

from landscapes import LANDSCAPE_NAMES, get_landscape
from landscapes.base import CROWDED, NEAR
from tests.plotly_json import values
from tests.test_lessons import default_run


def test_sparse_surfaces_mark_every_critical_point():
    for name in LANDSCAPE_NAMES:
        ls = get_landscape(name)
        if len(ls.all_critical_points) <= CROWDED:
            assert ls.critical_points == ls.all_critical_points, name


def test_rastrigin_marks_the_global_minimum_and_the_points_near_its_start():
    ls = get_landscape("rastrigin")
    assert len(ls.all_critical_points) == 81 and len(ls.minima) == 25  # 5 x 5 egg-box
    shown = ls.critical_points
    assert 2 <= len(shown) <= 6
    assert any(np.allclose(c.point, 0.0, atol=1e-9) for c in shown)
    start = np.asarray(ls.default_start)
    for c in shown:
        glob = np.allclose(c.point, 0.0, atol=1e-9)
        assert glob or np.linalg.norm(c.point - start) <= NEAR * 5.0
    # the minimum nearest the start (where every default run stops) is among them
    assert any(np.allclose(c.point, [-1.99, 1.99], atol=0.01) for c in shown)


def test_for_view_marks_the_points_near_the_paths_and_changes_nothing_else():
    ls = get_landscape("rastrigin")
    path = np.array([[1.2, -0.3], [1.0, -0.9]])
    view = ls.for_view([path])
    near = [
        c for c in ls.all_critical_points if np.min(np.linalg.norm(path - c.point, axis=1)) <= 0.5
    ]
    assert len(near) >= 3
    glob = ls.global_minimum
    assert [c for c in view.critical_points if c is not glob] == [
        c for c in ls.all_critical_points if any(c is n for n in near) and c is not glob
    ]
    assert any(c is glob for c in view.critical_points)
    assert view.minima == ls.minima and view.saddles == ls.saddles
    assert float(view.loss(np.array([0.3, 0.4]))) == float(ls.loss(np.array([0.3, 0.4])))
    assert len(ls.critical_points) <= 6  # the shared landscape is left as it was


def test_gabor_view_marks_the_local_minimum_sgd_ends_in():
    ls = get_landscape("gabor")
    sgd = default_run("gabor", "sgd")
    view = ls.for_view([sgd.points])
    assert len(ls.all_critical_points) > 30 and len(view.critical_points) < 15
    ended = min(ls.minima, key=lambda m: np.linalg.norm(m.point - sgd.points[-1]))
    assert any(c is ended for c in view.critical_points)


def test_compare_page_on_rastrigin_marks_a_few_points_not_dozens():
    from tests.pages import open_page
    from tests.test_app import race_data

    at = open_page("pages/compare.py", timeout=60, surface="rastrigin")
    fig = race_data(at)["race"]["contour"]
    marked = [
        t
        for t in fig["data"]
        if t.get("name") in ("minima", "saddles", "maxima") and t.get("type") != "scatter3d"
    ]
    count = sum(len(values(t["x"])) for t in marked)
    assert 2 <= count <= 8, count  # all 81 before
    minima = next(t for t in marked if t["name"] == "minima")
    xy = np.column_stack([values(minima["x"]), values(minima["y"])])
    assert np.min(np.linalg.norm(xy, axis=1)) < 1e-6  # the global minimum at the origin


def test_convexity_map_on_rastrigin_marks_the_points_near_a_and_b():
    from tests.pages import chart_figures, open_page

    at = open_page("pages/convexity.py", timeout=90, surface="rastrigin")
    fig = next(f for f in chart_figures(at) if f["layout"]["title"]["text"].startswith("Smallest"))
    marked = [t for t in fig["data"] if t.get("name") in ("minima", "saddles", "maxima")]
    xy = np.concatenate([np.column_stack([values(t["x"]), values(t["y"])]) for t in marked])
    assert 3 <= len(xy) <= 20, len(xy)  # all 81 before
    for end in get_landscape("rastrigin").segment:  # A (-1, -1) and B (1, 0): each by a minimum
        assert np.min(np.linalg.norm(xy - np.asarray(end), axis=1)) < 0.05
    assert len(at.dataframe[0].value) == 81  # the table still lists every critical point
