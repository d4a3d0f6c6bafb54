"""AppTest of the Minibatch SGD lab page: it renders on several surfaces, its animation shows
the true minibatches, GD stalls at the saddle where SGD escapes, URL and button state."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from landscapes import get_landscape
from optimizers import run
from optimizers.minibatch import suggested_step_decay, with_epochs_of
from tests.pages import chart_figures
from tests.pages import open_page as open_page_at
from tests.plotly_json import decoded
from tests.test_sgd_motion import decoded as decoded_motion
from ui.state import CONFIG_KEY

PAGE = "pages/sgd_lab.py"


def open_lab(**query) -> AppTest:
    return open_page_at(PAGE, timeout=120, **query)


def charts(at) -> list[dict]:
    """The page's other charts: loss against step, the minibatch view, the learning rate."""
    return [decoded(fig) for fig in chart_figures(at)]


def lab(at) -> dict:
    """What the epoch chart sends (ui/plotly_chart.py `lab_chart`): figure and motion."""
    from ui.plotly_chart import COMPONENT

    for element in at.get("bidi_component"):
        if element.proto.component_name == COMPONENT:
            data = json.loads(element.proto.json)
            if data.get("lab"):
                return dict(figure=json.loads(data["lab"]["figure"]), motion=data["lab"]["motion"])
    raise LookupError("no lab chart")


def markdown(at) -> str:
    return "\n".join(m.value for m in at.main.markdown)


def runs_for(at):
    """GD and SGD recomputed from the page's configuration, independently of the page."""
    cfg = at.session_state[CONFIG_KEY]
    ls = cfg.landscape()
    s = cfg.setting("sgd")
    sched = cfg.schedule_object()
    sgd = run(
        ls, "sgd", cfg.start, cfg.steps, s.lr, batch_size=s.batch_size, seed=cfg.seed,
        schedule=sched,
    )  # fmt: skip
    gd = run(
        ls, "gd", cfg.start, cfg.steps, s.lr, schedule=with_epochs_of(sched, sgd.steps_per_epoch)
    )
    return ls, gd, sgd


@pytest.mark.parametrize(
    "query",
    [{}, {"surface": "linreg"}, {"surface": "gabor"}, {"surface": "saddle"}],
    ids=["default", "linreg", "gabor", "saddle"],
)
def test_page_renders(query):
    at = open_lab(**query)
    assert at.title[0].value == "Minibatch SGD lab"
    assert len(charts(at)) == 3  # loss against step, minibatch view, learning rate
    epoch = lab(at)
    assert not epoch["figure"].get("frames")  # the browser plays the steps
    assert epoch["motion"]["steps"] == at.session_state[CONFIG_KEY].steps
    text = markdown(at)
    assert "**GD** " in text and "**SGD** " in text  # where each ended, in a sentence
    assert "ended at **not converged**" not in text
    assert not at.warning  # nothing diverges on the first view


def test_the_epoch_chart_gets_the_true_minibatches_and_paths_on_linreg():
    at = open_lab(surface="linreg")
    ls, gd, sgd = runs_for(at)
    assert sgd.batch_size == 5 and sgd.steps_per_epoch == 4
    epoch = lab(at)
    back = decoded_motion(epoch["motion"])
    assert len(back["batches"]) == sgd.steps
    for step, batch in enumerate(back["batches"]):
        np.testing.assert_array_equal(batch, sgd.batches[step])
    # The browser places example i at the examples trace's i-th point: the data point.
    examples = next(t for t in decoded(epoch["figure"])["data"] if t.get("uid") == "examples")
    np.testing.assert_allclose(examples["x"], ls.data_x, atol=1e-12)
    for run_points, traj in zip(back["points"], (gd, sgd), strict=True):
        assert np.abs(run_points - traj.points).max() < 1e-3 * max(ls.extent)


def test_gd_stalls_at_the_saddle_and_sgd_escapes():
    at = open_lab(surface="saddle", x0=2.5, y0=0)
    text = markdown(at)
    assert "**GD** ended at the **saddle (0.00, 0.00)**" in text
    assert re.search(r"\*\*SGD\*\* ended at the \*\*global minimum \(0\.00, -?1\.00\)\*\*", text)
    ls, gd, sgd = runs_for(at)
    assert cfg_noise(at) > 0
    assert np.linalg.norm(gd.points[-1]) < 1e-3
    assert np.linalg.norm(np.abs(sgd.points[-1]) - [0.0, 1.0]) < 0.06  # 1% of the bounds
    table = at.dataframe[0].value
    assert list(table.index) == ["GD", "SGD"]
    assert table.loc["GD", "final loss"] == pytest.approx(0.25, abs=1e-6)
    assert table.loc["SGD", "final loss"] < 1e-3


def cfg_noise(at) -> float:
    return at.session_state[CONFIG_KEY].noise


def test_bad_lab_step_in_the_link_is_named():
    at = open_lab(surface="linreg", lab_step="abc")
    messages = [w.value for w in at.warning]
    assert any("lab_step" in m and "not a number" in m for m in messages), messages
    assert at.slider(key="lab_step").value == 0


def test_lab_step_from_the_link_picks_the_step():
    at = open_lab(surface="linreg", lab_step=5)
    assert at.slider(key="lab_step").value == 5
    ls, gd, sgd = runs_for(at)
    caption = "\n".join(c.value for c in at.main.caption)
    batch = sorted(int(i) + 1 for i in sgd.batches[5])
    assert f"Step 5 (epoch 2, batch 2 of 4) uses examples {', '.join(map(str, batch))}." in (
        caption
    )
    minibatch_view = charts(at)[1]
    current = next(t for t in minibatch_view["data"] if t.get("name") == "current φ")
    assert np.allclose([current["x"][0], current["y"][0]], sgd.points[5], atol=1e-9)
    metrics = {m.label: m.value for m in at.metric}
    g = ls.grad(sgd.points[5])
    assert metrics["|∇L| (full batch)"] == f"{np.hypot(*g):.3g}"


def test_lab_step_out_of_range_is_refused_and_a_shorter_run_clamps_it():
    at = open_lab(surface="saddle", lab_step=5000)
    assert any("lab_step" in w.value and "between 0 and 199" in w.value for w in at.warning)
    at.slider(key="lab_step").set_value(150).run()
    at.sidebar.slider(key="steps").set_value(100).run()
    assert not at.exception
    assert at.slider(key="lab_step").value == 99


def test_seed_schedule_button_sets_step_decay():
    at = open_lab(surface="saddle")
    assert at.session_state[CONFIG_KEY].schedule[0] == "constant"
    offer = next(i.value for i in at.info if "notes' schedule" in i.value)
    assert "×0.5 every 13 epochs: α drops 3 times within these 200 steps" in offer
    at.button(key="seed_schedule").click().run()
    assert not at.exception
    factor, every = suggested_step_decay(200, 4)
    assert at.sidebar.selectbox(key="sched").value == "step"
    assert at.session_state[CONFIG_KEY].schedule[:3] == ("step", factor, every)
    assert not any(b.key == "seed_schedule" for b in at.button)
    ls, gd, sgd = runs_for(at)
    assert np.array_equal(np.unique(sgd.lrs), [0.1 / 8, 0.1 / 4, 0.1 / 2, 0.1])
    lr_figure = charts(at)[2]
    alpha = next(t for t in lr_figure["data"] if t["name"] == "α")
    assert np.allclose(alpha["y"], sgd.lrs)
    caption = "\n".join(c.value for c in at.main.caption)
    assert f"multiplied by 0.5 every {every} epochs ({4 * every} steps)" in caption


def test_wells_scenario_escapes_the_shallow_well():
    at = open_lab()
    at.button(key="scenario_wells").click().run()
    assert not at.exception
    cfg = at.session_state[CONFIG_KEY]
    assert (cfg.surface, cfg.start, cfg.batch_size) == ("wells", (1.0, -2.0), 1)
    assert cfg.schedule[:3] == ("step", 0.5, 3)
    assert math.isclose(cfg.lr, 10**-0.7)
    text = markdown(at)
    assert "**GD** ended in a **local minimum (-1.94, -1.36)**, not the global one" in text
    assert "**SGD** ended at the **global minimum (1.75, 1.56)**" in text


def test_full_batch_and_zero_noise_say_sgd_is_gd():
    ls = get_landscape("linreg")
    at = open_lab(surface="linreg", bs=ls.n_examples)
    assert any("SGD is gradient descent" in i.value for i in at.info)
    at = open_lab(surface="saddle", noise=0)
    assert any("σ is 0" in i.value for i in at.info)
    _, gd, sgd = runs_for(at)
    assert np.allclose(gd.points, sgd.points)


def test_a_diverging_run_is_flagged_and_the_page_still_renders():
    at = open_lab(surface="rosenbrock", log_lr=0)
    messages = [w.value for w in at.warning]
    assert any(m.startswith("GD diverged at step") for m in messages), messages
    assert any(m.startswith("SGD diverged at step") for m in messages), messages
    assert len(charts(at)) == 3
    assert lab(at)["motion"]["diverged"][0] > 0
