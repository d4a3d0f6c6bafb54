"""AppTests of the shared sidebar's state: no optimizer, the α offsets, the per-optimizer
fields, the URL checks' robustness and wording, and the reset button."""

from __future__ import annotations

import math

import numpy as np
import pytest

from landscapes import PRESETS, get_landscape
from landscapes.presets import DEFAULT_OPTIMIZERS
from optimizers import run
from tests.pages import open_page
from tests.test_app import config, make_app, warnings_text
from ui.sidebar import NO_OPTIMIZER, SEED_RANGE

ROSENBROCK = PRESETS["rosenbrock"]
OFFSET = ROSENBROCK.lg_lr_adaptive - ROSENBROCK.lg_lr  # Adam's α over the slider's, in k


def sidebar_labels(at) -> list[str]:
    return [getattr(node, "label", None) for node in at.sidebar]


def test_clearing_every_optimizer_is_a_state_that_survives_a_rerun_and_a_reload():
    at = make_app()
    at.sidebar.multiselect(key="opt").set_value([]).run()
    at.run()  # the next run checks the URL, which now holds opt= (empty)
    assert not at.exception
    assert config(at).optimizers == ()
    assert [i.value for i in at.sidebar.info] == [NO_OPTIMIZER]
    assert not at.warning
    # A reload of that link: still no optimizer, and no warning about it.
    reloaded = make_app(opt="")
    assert not reloaded.exception
    assert config(reloaded).optimizers == ()
    assert not reloaded.warning
    assert [i.value for i in reloaded.sidebar.info] == [NO_OPTIMIZER]


@pytest.mark.parametrize(
    "page",
    [
        "pages/sgd_lab.py",
        "pages/sensitivity.py",
        "pages/basins.py",
        "pages/convexity.py",
        "pages/theory.py",
    ],
)
def test_no_optimizer_is_said_on_every_page(page):
    at = make_app(opt="")
    at.switch_page(page).run()
    assert not at.exception
    assert [i.value for i in at.sidebar.info] == [NO_OPTIMIZER]


def test_the_slider_moves_every_optimizer_and_the_fixed_size_ones_keep_their_offset():
    at = make_app(opt=["gd", "adam", "rmsprop"])
    cfg = config(at)
    assert cfg.setting("gd").lr == pytest.approx(10**ROSENBROCK.lg_lr)
    assert cfg.setting("adam").lr == pytest.approx(10**ROSENBROCK.lg_lr_adaptive)
    at.sidebar.slider(key="log_lr").set_value(-2.0).run()
    cfg = config(at)
    assert cfg.lr == pytest.approx(0.01)
    assert cfg.setting("gd").lr == pytest.approx(0.01)
    for name in ("adam", "rmsprop"):
        assert cfg.setting(name).lr == pytest.approx(10 ** (-2.0 + OFFSET))
    # The offset is said next to the slider (10^1.5 = 31.6 with today's presets).
    said = f"Adam, RMSprop: α × {10**OFFSET:.3g} = {10 ** (-2.0 + OFFSET):.3g}"
    captions = [c.value for c in at.sidebar.caption]
    assert any(said in c for c in captions), captions


def test_an_optimizer_with_its_own_default_keeps_it_until_tuned():
    # Lion's γ (its β₂) defaults to 0.99 in its spec; Adam's, the shared slider's, to 0.999.
    at = make_app(opt=["adam", "lion"], gamma="0.95")
    cfg = config(at)
    assert cfg.setting("adam").gamma == 0.95 and cfg.setting("lion").gamma == 0.99
    assert cfg.setting("lion").beta == cfg.setting("adam").beta == 0.9
    at.sidebar.selectbox(key="tune_pick").set_value("lion").run()
    field = next(n for n in at.sidebar.number_input if n.key == "tune_lion.gamma")
    assert field.placeholder == "Lion's own: 0.9900"
    at = make_app(opt=["adam", "lion"], tune="lion.gamma:0.9")
    assert config(at).setting("lion").gamma == 0.9 and config(at).setting("adam").gamma == 0.999


def test_the_per_optimizer_fields_sit_under_the_optimizers_and_open_when_set():
    at = make_app()
    labels = sidebar_labels(at)
    assert labels.index("Per-optimizer settings") == labels.index("Optimizers") + 2
    expander = next(e for e in at.sidebar.expander if e.label == "Per-optimizer settings")
    assert not expander.proto.expanded
    # All four fields for one optimizer at a time, blank (None), not "None".
    fields = {n.label: n.value for n in at.sidebar.number_input if n.key.startswith("tune_gd.")}
    assert fields == {"α = 10^k, k": None, "β": None, "γ": None, "batch size": None}

    opened = make_app(tune="adam.beta:0.5")
    expander = next(e for e in opened.sidebar.expander if e.label == "Per-optimizer settings")
    assert expander.proto.expanded


@pytest.mark.parametrize(
    ("column", "value", "why"),
    [
        ("beta", 1000.0, "between 0 and 0.999"),
        ("beta", -3.0, "between 0 and 0.999"),
        ("log_lr", 1000.0, "between -6 and 2"),
        ("bs", 33, "between 1 and 32"),  # Rosenbrock's N = 32 examples
    ],
)
def test_a_bad_per_optimizer_value_is_named_and_not_used(column, value, why):
    at = make_app(opt=["sgd", "adam"], tune="adam.beta:0.5")
    at.sidebar.selectbox(key="tune_pick").set_value("adam").run()
    at.sidebar.number_input(key=f"tune_adam.{column}").set_value(value).run()
    assert not at.exception
    errors = [e.value for e in at.sidebar.error]
    assert len(errors) == 1 and errors[0].startswith("Adam ") and why in errors[0]
    assert f"= {value:g} is not used" in errors[0]
    cfg = config(at)
    # The run keeps the last good values; the field keeps what was typed.
    assert cfg.setting("adam").beta == 0.5
    assert cfg.setting("adam").batch_size == ROSENBROCK.batch_size
    assert cfg.setting("adam").lr == pytest.approx(10**ROSENBROCK.lg_lr_adaptive)
    assert at.sidebar.number_input(key=f"tune_adam.{column}").value == value


def test_a_good_per_optimizer_value_applies_on_the_slider_scale_and_reaches_the_url():
    at = make_app(opt=["sgd", "adam"])
    at.sidebar.selectbox(key="tune_pick").set_value("adam").run()
    at.sidebar.number_input(key="tune_adam.log_lr").set_value(-0.5).run()
    at.sidebar.number_input(key="tune_adam.beta").set_value(0.8).run()
    cfg = config(at)
    assert cfg.setting("adam").lr == pytest.approx(10**-0.5)
    assert cfg.setting("adam").beta == 0.8
    assert cfg.setting("sgd").beta == 0.9
    assert at.query_params["tune"] == "adam.log_lr:-0.5,adam.beta:0.8"
    # Cleared again: it follows the slider, and the URL forgets it.
    at.sidebar.number_input(key="tune_adam.log_lr").set_value(None).run()
    assert config(at).setting("adam").lr == pytest.approx(10**ROSENBROCK.lg_lr_adaptive)
    assert at.query_params["tune"] == "adam.beta:0.8"


def test_a_partly_bad_optimizer_list_says_what_is_used():
    at = make_app(opt=["foo", "gd"])
    assert config(at).optimizers == ("gd",)
    text = warnings_text(at)
    assert "**opt**" in text and "foo is not among" in text and "Using gd." in text
    assert "default" not in text


def test_the_seed_limit_is_a_whole_number():
    at = make_app(seed="-1")
    assert f"between 0 and {SEED_RANGE[1]}" in warnings_text(at)
    assert "e+09" not in warnings_text(at)


def test_an_out_of_range_start_typed_gets_a_message_and_keeps_the_last_good_one():
    at = make_app(x0="0.5")
    at.sidebar.number_input(key="x0").set_value(9.0).run()
    assert not at.exception
    (lo, hi), _ = get_landscape("rosenbrock").bounds
    text = warnings_text(at)
    assert "**x0**" in text and "`9`" in text and f"between {lo:g} and {hi:g}" in text
    assert "Back to 0.5" in text
    assert config(at).start[0] == 0.5
    assert at.sidebar.number_input(key="x0").value == 0.5


NASTY = ["inf", "-inf", "nan", "1e400", "-1", "99999999999999999999", "abc", "٣.٥", "x" * 5000]


@pytest.mark.parametrize("key", ["seed", "x0", "steps", "log_lr", "bs", "beta", "noise"])
@pytest.mark.parametrize("raw", NASTY)
def test_every_number_in_the_url_is_checked_without_a_traceback(key, raw):
    at = make_app(**{key: raw})
    assert not at.exception, [e.value for e in at.exception]
    cfg = config(at)
    text = warnings_text(at)
    if f"**{key}**" not in text:  # accepted: then it is what the widget holds
        held = dict(x0=cfg.start[0], log_lr=math.log10(cfg.lr), beta=cfg.beta, noise=cfg.noise)
        assert held[key] == pytest.approx(float(raw))
    else:
        assert len(text) < 400  # a long value is shortened in the message
    assert cfg.seed >= 0 and 10 <= cfg.steps <= 1000 and math.isfinite(cfg.lr)


def test_repeated_and_odd_keys_do_not_break_the_sidebar():
    at = make_app(seed=["3", "inf"], surface=["moon", "himmelblau"], **{"wéird`*": "1"})
    assert not at.exception
    cfg = config(at)
    # A one-valued key given twice is refused as a whole (which did the link mean?).
    assert (cfg.seed, cfg.surface) == (0, "rosenbrock")
    text = warnings_text(at)
    assert "**seed**" in text and "**surface**" in text and "more than once" in text
    assert "not one Descent knows" in text


def test_reset_puts_every_setting_back_and_keeps_the_page():
    query = dict(surface="himmelblau", log_lr="-1", opt=["gd"], tune="gd.beta:0.5", seed="4")
    at = make_app(**query)
    at.switch_page("pages/sgd_lab.py").run()
    at.sidebar.button(key="_reset").click().run()
    assert not at.exception
    cfg = config(at)
    fresh = config(make_app())
    assert cfg == fresh
    assert cfg.optimizers == DEFAULT_OPTIMIZERS
    assert "tune" not in at.query_params
    assert at.title[0].value == "Minibatch SGD lab"


def test_reset_puts_the_pages_own_keys_back_too():
    # The keys the page declared beside its widgets (ui.widgets.declare_page), not a list.
    at = open_page("pages/sensitivity.py", timeout=120, sens_n="20", sens_lo="-3", seed="4")
    assert at.slider(key="sens_n").value == 20 and at.slider(key="sens_lo").value == -3.0
    at.sidebar.button(key="_reset").click().run()
    assert not at.exception
    assert at.slider(key="sens_n").value == 60 and at.slider(key="sens_lo").value == -4.0
    assert not {"sens_n", "sens_lo", "seed"} & set(at.query_params)


def test_the_sgd_lab_names_the_notes_not_the_seed():
    at = make_app(surface="saddle")
    at.switch_page("pages/sgd_lab.py").run()
    text = " ".join(e.value for e in [*at.caption, *at.info])
    assert "The notes' schedule" in text or "The notes:" in text
    assert "The seed" not in text


def test_an_optimizers_own_hyperparameter_has_its_field_and_reaches_the_run():
    # AdamW's λ (weight_decay) and NAdam's ψ are theirs alone: a field for each, under its spec's
    # default, and a value set in the link reaches the run (equal to run() called by hand).
    at = make_app(surface="quadratic", opt=["gd", "adamw", "nadam"], tune="adamw.weight_decay:0.3")
    assert not at.exception and not at.warning
    cfg = config(at)
    assert dict(cfg.run_spec("adamw").hyper)["weight_decay"] == 0.3
    assert dict(cfg.run_spec("nadam").hyper)["psi"] == 4e-3  # blank: NAdam's own default
    assert "weight_decay" not in dict(cfg.run_spec("gd").hyper)
    spec = cfg.run_spec("adamw")
    by_hand = run(
        cfg.landscape(), "adamw", cfg.start, cfg.steps, spec.lr,
        beta=cfg.beta, gamma=cfg.gamma, eps=cfg.eps, weight_decay=0.3,
        batch_size=spec.batch_size, seed=cfg.seed, schedule=cfg.schedule_object(),
    )  # fmt: skip
    np.testing.assert_allclose(spec.run().points, by_hand.points, rtol=0, atol=1e-12)
    decayed = run(cfg.landscape(), "adamw", cfg.start, cfg.steps, spec.lr, weight_decay=0.01)
    assert not np.allclose(by_hand.points[-1], decayed.points[-1])  # λ changes the path

    at.sidebar.selectbox(key="tune_pick").set_value("adamw").run()
    field = at.sidebar.number_input(key="tune_adamw.weight_decay")
    assert (field.label, field.value) == ("λ", 0.3)
    at.sidebar.selectbox(key="tune_pick").set_value("nadam").run()
    keys = {n.key for n in at.sidebar.number_input if n.key.startswith("tune_nadam.")}
    assert "tune_nadam.psi" in keys and "tune_nadam.weight_decay" not in keys
    psi = at.sidebar.number_input(key="tune_nadam.psi")
    assert psi.value is None and psi.placeholder == "NAdam's own: 0.0040"
    psi.set_value(0.01).run()
    assert at.query_params["tune"] == "adamw.weight_decay:0.3,nadam.psi:0.01"
    assert dict(config(at).run_spec("nadam").hyper)["psi"] == 0.01


def test_an_own_hyperparameter_for_an_optimizer_without_it_is_refused_by_name():
    at = make_app(opt=["gd", "adamw"], tune="gd.weight_decay:0.1,adamw.weight_decay:-1")
    assert not at.exception
    text = " ".join(w.value for w in at.warning)
    assert "gd.weight_decay:0.1" in text and "adamw.weight_decay:-1" in text
    assert dict(config(at).run_spec("adamw").hyper)["weight_decay"] == 0.01
