"""AppTests of the shell: the shared sidebar, the URL state and the comparison page."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from figures.race_motion import run_of
from landscapes import LANDSCAPE_NAMES, PRESETS, get_landscape
from optimizers import run
from ui.plotly_chart import COMPONENT, PLOTLY_JS_NAME, PLOTLY_JS_SOURCE, STATIC_DIR

CONFIG_KEY = "_descent_config"
APP = str(Path(__file__).resolve().parents[1] / "app.py")


def make_app(**query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def chart_data(at: AppTest) -> list[dict]:
    """The data of the page's charts (ui/plotly_chart.py), in page order; each carries the
    size of its JSON, as sent to the browser, under "bytes"."""
    found = []
    for element in at.get("bidi_component"):
        if element.proto.component_name == COMPONENT:
            data = json.loads(element.proto.json)
            if data.get("figure") or data.get("race") or data.get("lab"):
                found.append(dict(data, bytes=len(element.proto.json.encode())))
    return found


def race_data(at: AppTest) -> dict:
    (race,) = [d for d in chart_data(at) if d.get("race")]
    return race


def uids(figure: dict) -> list[str]:
    return [t.get("uid") for t in figure["data"]]


def config(at: AppTest):
    return at.session_state[CONFIG_KEY]


def warnings_text(at: AppTest) -> str:
    return "\n".join(w.value for w in at.warning)


def test_default_view_renders_the_race():
    at = make_app()
    assert not at.exception
    cfg = config(at)
    assert cfg.surface == "rosenbrock"
    assert cfg.optimizers == ("gd", "sgd", "momentum", "nesterov", "adam")
    assert cfg.lr == pytest.approx(10 ** PRESETS["rosenbrock"].lg_lr)
    race = race_data(at)
    motion = race["race"]["motion"]
    # Every optimizer, at its own α, times 25 factors from 0.1 to 10, the centre exactly 1.
    assert [o["name"] for o in motion["optimizers"]] == list(cfg.optimizers)
    assert [o["lr"] for o in motion["optimizers"]] == [s.lr for s in cfg.settings]
    assert len(motion["factors"]) == 25 and motion["factors"][motion["centre"]] == 1.0
    assert motion["factors"][0] == pytest.approx(0.1) and motion["factors"][-1] == pytest.approx(10)
    assert len(motion["offsets"]) == 25 * 5 + 1 and len(motion["diverged"]) == 25 * 5
    # Each panel has each optimizer's traces for the browser to fill.
    for k in range(5):
        assert f"path2d-{k}" in uids(race["race"]["contour"])
        assert {f"trail3d-{k}", f"head3d-{k}"} <= set(uids(race["race"]["surface"]))
        assert {f"loss-{k}", f"lossx-{k}"} <= set(uids(race["race"]["loss"]))
    # The default view sends at most 300 KB, paths at every α included.
    assert race["bytes"] <= 300_000
    # Adam takes the slider's α times the preset's factor, and says so in its label.
    factor = 10 ** (PRESETS["rosenbrock"].lg_lr_adaptive - PRESETS["rosenbrock"].lg_lr)
    labels = [o["label"] for o in motion["optimizers"]]
    assert labels[:4] == ["GD", "SGD", "Momentum", "Nesterov"]
    assert labels[4] == f"Adam (α × {factor:.3g})"


def test_the_compare_page_draws_with_the_published_plotly_js():
    at = make_app()
    race = race_data(at)
    # It loads the plotly.js that ships with the pinned plotly package, from static/.
    assert race["src"] == f"/app/static/{PLOTLY_JS_NAME}"
    published = STATIC_DIR / PLOTLY_JS_NAME
    assert published.read_bytes() == PLOTLY_JS_SOURCE.read_bytes()
    assert race["clickable"]  # clicks on the contour set the start
    # Until plotly.js has loaded, the race shows a static SVG of its contour, one path each.
    assert race["poster"].startswith('<svg class="descent-poster"')
    assert race["poster"].count("<polyline") == len(config(at).optimizers)
    # A loader starts the download before the sidebar: it is the first component, figureless.
    first = json.loads(at.get("bidi_component")[0].proto.json)
    assert first == {"src": race["src"]}
    # No st.plotly_chart on this page: its element id follows the figure, so every change
    # would rebuild the chart from nothing.
    assert len(at.get("plotly_chart")) == 0


def test_figure_paths_equal_the_optimizer_runs():
    at = make_app(surface="himmelblau", opt=["gd"], steps="50")
    cfg = config(at)
    ls = get_landscape("himmelblau", noise=cfg.noise)
    expected = run(ls, "gd", cfg.start, 50, cfg.lr)
    motion = race_data(at)["race"]["motion"]
    centre = run_of(motion, 0, motion["centre"])
    # The kept steps, at the precision of the uint16 transport (1/65535 of the range).
    (bx0, bx1), (by0, by1) = ls.divergence_box()
    assert centre["idx"][0] == 0 and centre["idx"][-1] == 50
    pts = expected.points[centre["idx"]]
    np.testing.assert_allclose(centre["x"], pts[:, 0], atol=(bx1 - bx0) / 65535)
    np.testing.assert_allclose(centre["y"], pts[:, 1], atol=(by1 - by0) / 65535)
    # Losses travel as log10(loss - floor + eps).
    floor, eps = motion["loss_floor"], motion["loss_eps"]
    lo, hi = motion["ranges"]["loss"]
    np.testing.assert_allclose(
        np.log10(centre["loss"] - floor + eps),
        np.log10(expected.losses[centre["idx"]] - floor + eps),
        atol=(hi - lo) / 65535 * 1.01,
    )


def test_changing_alpha_changes_the_trajectories():
    at = make_app(surface="quadratic", opt=["gd"])
    before = race_data(at)["race"]["motion"]
    at.sidebar.slider(key="log_lr").set_value(-1.0).run()
    assert not at.exception
    assert config(at).lr == pytest.approx(0.1)
    after = race_data(at)["race"]["motion"]
    assert after["optimizers"][0]["lr"] == pytest.approx(0.1)
    gd_before = run_of(before, 0, before["centre"])
    gd_after = run_of(after, 0, after["centre"])
    assert not np.array_equal(gd_before["x"], gd_after["x"])


def test_query_parameters_set_the_widgets():
    at = make_app(
        surface="himmelblau",
        x0="1.5",
        y0="-2",
        log_lr="-1.5",
        opt=["gd", "adam"],
        bs="4",
        beta="0.8",
        gamma="0.99",
        steps="120",
        seed="7",
        sched="step",
        decay="0.25",
        every="3",
        noise="2.5",
        tune="adam.log_lr:-0.7,gd.log_lr:-2.4",
    )
    assert not at.exception
    assert not at.warning
    cfg = config(at)
    assert cfg.surface == "himmelblau"
    assert cfg.start == (1.5, -2.0)
    assert cfg.lr == pytest.approx(10**-1.5)
    assert cfg.optimizers == ("gd", "adam")
    assert (cfg.batch_size, cfg.beta, cfg.gamma, cfg.steps, cfg.seed) == (4, 0.8, 0.99, 120, 7)
    assert cfg.schedule == ("step", 0.25, 3, 0.0)
    assert cfg.noise == 2.5
    assert cfg.setting("adam").lr == pytest.approx(10**-0.7)
    assert cfg.setting("gd").lr == pytest.approx(10**-2.4)
    assert cfg.setting("gd").batch_size is None  # gd is always full batch
    assert cfg.setting("adam").batch_size == 4


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("log_lr", "abc"),
        ("log_lr", "99"),
        ("x0", "1e9"),
        ("surface", "moon"),
        ("opt", "warp"),
        ("bs", "0"),
        ("steps", "12.5"),
        ("beta", "1.5"),
        ("sched", "sometimes"),
        ("noise", "-1"),
        ("seed", "nan"),
        ("mystery", "1"),
    ],
)
def test_a_bad_parameter_warns_by_name_and_falls_back(key, value):
    at = make_app(**{key: value})
    assert not at.exception
    assert f"**{key}**" in warnings_text(at)
    cfg = config(at)
    assert cfg.surface == "rosenbrock"  # the rest of the view is the default one
    assert cfg.lr == pytest.approx(10 ** PRESETS["rosenbrock"].lg_lr)


def test_bad_tune_entries_warn_and_good_ones_apply():
    at = make_app(
        tune="adam.log_lr:-0.7,sgd.bs:999,nonsense,momentum.beta:0.5,adam.lr:0.2,sgd.beta:nan"
    )
    assert not at.exception
    text = warnings_text(at)
    assert "**tune**" in text and "sgd.bs:999" in text and "nonsense" in text
    assert "adam.lr:0.2" in text  # α is on the slider's scale, k, in the URL too
    assert "sgd.beta:nan" in text
    cfg = config(at)
    assert cfg.setting("adam").lr == pytest.approx(10**-0.7)
    assert cfg.setting("momentum").beta == pytest.approx(0.5)


def test_changing_the_surface_resets_its_defaults():
    at = make_app(surface="himmelblau", x0="2", log_lr="-1.5")
    at.sidebar.selectbox(key="surface").set_value("saddle").run()
    assert not at.exception
    cfg = config(at)
    ls = get_landscape("saddle")
    assert cfg.surface == "saddle"
    assert cfg.start == tuple(ls.default_start)
    assert cfg.lr == pytest.approx(10 ** PRESETS["saddle"].lg_lr)
    assert cfg.noise == ls.noise


def test_a_diverging_optimizer_is_flagged_and_the_others_carry_on():
    # Adam keeps its own α (10^-1.3, the quadratic's preset) while GD's is far too large.
    at = make_app(surface="quadratic", opt=["gd", "adam"], log_lr="0.6", tune="adam.log_lr:-1.3")
    assert not at.exception
    text = warnings_text(at)
    assert "GD diverged at step" in text
    assert "Adam" not in text
    table = at.dataframe[0].value
    assert not np.isnan(float(table.loc["GD", "diverged at"]))
    assert table.loc["Adam", "final loss"] < 1e-2


def test_no_optimizer_chosen_says_so():
    at = make_app()
    at.sidebar.multiselect(key="opt").set_value([]).run()
    assert not at.exception
    assert any("at least one optimizer" in i.value for i in at.info)


@pytest.mark.parametrize("surface", LANDSCAPE_NAMES)
def test_every_surface_renders_with_its_defaults_and_nothing_diverges(surface):
    at = make_app(surface=surface)
    assert not at.exception
    assert "diverged" not in warnings_text(at)
    table = at.dataframe[0].value
    assert table["diverged at"].isna().all()
    # every optimizer visibly moves on the first view
    motion = race_data(at)["race"]["motion"]
    for o in range(len(motion["optimizers"])):
        path = run_of(motion, o, motion["centre"])
        assert np.ptp(path["x"]) + np.ptp(path["y"]) > 0


def test_without_static_serving_the_page_says_how_to_fix_it():
    from streamlit import config as st_config

    before = st_config.get_option("server.enableStaticServing")
    st_config.set_option("server.enableStaticServing", False)
    try:
        at = make_app()
    finally:
        st_config.set_option("server.enableStaticServing", before)
    assert not at.exception
    assert chart_data(at) == []  # nothing pointing at a plotly.js that would not load
    message = "\n".join(e.value for e in at.error)
    assert len(at.error) == 1  # in place of the chart; the early loader stays silent
    assert "static file serving" in message and "--server.enableStaticServing true" in message
    # The rest of the page still works: the results table is there.
    assert len(at.main.dataframe) == 1
