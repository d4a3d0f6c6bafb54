"""Every page on a typed formula and on the user's data (AppTest), the sidebar's formula box
and data inputs, and the link that reproduces them."""

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from landscapes import get_landscape
from landscapes.custom import EXAMPLES
from landscapes.presets import preset_for
from landscapes.userdata import DEFAULT_ROWS, URL_ROWS, encode_rows
from tests.pages import APP, open_page
from ui.state import CONFIG_KEY

HIMMELBLAU = "(x**2 + y - 11)**2 + (x + y**2 - 7)**2"
CUSTOM_LINK = dict(surface="custom", expr=HIMMELBLAU, xlo=-5, xhi=5, ylo=-5, yhi=5)
_x = np.linspace(-15, 15, 31)
_u = -1 + 0.9 * _x
GABOR_ROWS = encode_rows(
    _x, np.round(np.sin(_u) * np.exp(-_u * _u / 32) + 0.05 * np.cos(7 * _x), 4)
)
DATA_LINK = dict(surface="data", model="gabor", rows=GABOR_ROWS)
PAGES = ["compare", "sgd_lab", "sensitivity", "basins", "convexity", "theory"]


def config(at):
    return at.session_state[CONFIG_KEY]


def page_text(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for e in at.error] + [i.value for i in at.info]
    return "\n".join(parts)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("link", ["custom", "data"])
def test_every_page_works_on_a_user_surface(page, link):
    query = CUSTOM_LINK if link == "custom" else DATA_LINK
    at = open_page(f"pages/{page}.py", timeout=180, **query)
    cfg = config(at)
    ls = cfg.landscape()
    assert ls.name == link
    if link == "custom":
        assert dict(cfg.surface_params)["expr"] == HIMMELBLAU
        assert len(ls.minima) == 4 and ls.global_minimum.loss == pytest.approx(0, abs=1e-12)
    else:
        assert ls.n_examples == 31 and dict(cfg.surface_params)["rows"] == GABOR_ROWS
    assert cfg.start == ls.default_start
    # Nothing in the link was dropped (a data surface's sweep may be cut to the work budget).
    dropped = [w.value for w in at.warning if "one view may compute" not in w.value]
    assert not dropped, dropped
    assert ls.title in page_text(at) or page == "theory"
    if page == "sgd_lab" and link == "data":
        assert "the 31 data points" in page_text(at)
    if page == "convexity":
        assert f"**{ls.title} is not convex**" in page_text(at)


def test_the_link_reproduces_the_formula_range_and_start():
    at = open_page("pages/compare.py", timeout=120, **CUSTOM_LINK, x0=-4, y0=4.5)
    cfg = config(at)
    want = get_landscape("custom", expr=HIMMELBLAU, xlim=(-5, 5), ylim=(-5, 5))
    assert cfg.landscape().bounds == want.bounds == ((-5.0, 5.0), (-5.0, 5.0))
    assert cfg.start == (-4.0, 4.5)
    assert cfg.noise == want.noise
    np.testing.assert_array_equal(cfg.landscape().loss(np.array([1.0, 2.0])), 68.0)  # 8² + 2²


def _app(**query):
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in query.items():
        at.query_params[key] = str(value)
    return at.run()


def test_a_new_formula_brings_its_own_start_and_alpha_and_a_bad_one_keeps_the_view():
    at = _app(surface="custom")
    first = config(at)
    booth = EXAMPLES["Booth"]
    at.sidebar.text_area(key="expr").set_value(booth.expr)
    for key, value in zip(("xlo", "xhi", "ylo", "yhi"), (*booth.xlim, *booth.ylim), strict=True):
        at.sidebar.number_input(key=key).set_value(value)
    at.run()
    cfg = config(at)
    ls = get_landscape("custom", expr=booth.expr, xlim=booth.xlim, ylim=booth.ylim)
    assert cfg.surface_params != first.surface_params
    assert cfg.start == ls.default_start == (-8.0, -8.0)
    assert cfg.lr == pytest.approx(10 ** preset_for(ls).lg_lr)
    assert cfg.noise == ls.noise
    assert not at.error

    for bad, says in [
        ("x + __import__('os').system('ls')", "at column 5: not a function you can call"),
        ("(x + y", "syntax error"),
        ("x.real", "attributes"),
    ]:
        at.sidebar.text_area(key="expr").set_value(bad).run()
        assert not at.exception
        message = "\n".join(e.value for e in at.sidebar.error)
        assert says in message and "The surface shown is the previous one" in message
        assert config(at) == cfg  # the same surface, start and settings


def test_the_examples_menu_fills_in_formula_and_range():
    at = _app(surface="custom")
    at.sidebar.selectbox(key="_custom_example").set_value("Styblinski-Tang").run()
    cfg = config(at)
    ex = EXAMPLES["Styblinski-Tang"]
    assert dict(cfg.surface_params) == dict(expr=ex.expr, xlim=ex.xlim, ylim=ex.ylim)
    assert cfg.landscape().global_minimum.loss == pytest.approx(-78.33233141, abs=1e-6)


def test_a_bad_formula_in_the_link_is_dropped_with_a_warning():
    at = _app(surface="custom", expr="().__class__.__bases__")
    assert not at.exception
    warning = "\n".join(w.value for w in at.warning)
    assert "**expr**" in warning and "attributes" in warning
    assert dict(config(at).surface_params)["expr"] == EXAMPLES["Six-hump camel"].expr


def test_pasted_data_are_fitted_and_a_bad_paste_keeps_them():
    at = _app(surface="data")
    rows = "\n".join(f"{x},{2 * x + 1 + 0.1 * (-1) ** x}" for x in range(8))
    at.sidebar.text_area(key="paste").set_value("x,y\n" + rows).run()
    cfg = config(at)
    ls = cfg.landscape()
    assert ls.n_examples == 8
    np.testing.assert_allclose(ls.global_minimum.point, np.polyfit(range(8), ls.data_y, 1)[::-1])
    assert at.query_params["rows"] == dict(cfg.surface_params)["rows"]  # small: in the link
    at.sidebar.text_area(key="paste").set_value("x,y\n1,2\n3,oops\n5,6").run()
    assert "line 3, column y: 'oops': it is not a number" in at.sidebar.error[0].value
    assert config(at) == cfg


def test_a_large_dataset_says_the_link_does_not_carry_it():
    at = _app(surface="data")
    at.sidebar.text_area(key="paste").set_value(
        "\n".join(f"{x},{0.5 * x}" for x in range(60))
    ).run()
    assert config(at).landscape().n_examples == 60
    assert "rows" not in at.query_params
    assert any("too many for a link" in c.value for c in at.sidebar.caption)


def test_a_link_with_more_rows_than_the_app_writes_is_refused():
    """The app writes at most URL_ROWS rows into a link; a longer table in a link is made by
    hand and would cost every page in proportion to its rows: the example data instead."""
    x = np.arange(URL_ROWS + 1.0)
    at = _app(surface="data", model="gabor", rows=encode_rows(x, 0.5 * x))
    assert not at.exception
    warning = "\n".join(w.value for w in at.warning)
    assert (
        "**rows**" in warning and f"at most {URL_ROWS} rows, this one has {URL_ROWS + 1}" in warning
    )
    assert dict(config(at).surface_params)["rows"] == DEFAULT_ROWS
    at = _app(surface="data", rows=encode_rows(x[:URL_ROWS], 0.5 * x[:URL_ROWS]))
    assert not at.warning and config(at).landscape().n_examples == URL_ROWS


def test_the_model_menu_refits_the_same_rows():
    at = _app(**DATA_LINK)
    at.sidebar.selectbox(key="model").set_value("line").run()
    cfg = config(at)
    assert dict(cfg.surface_params) == dict(model="line", rows=GABOR_ROWS)
    assert cfg.landscape().convex and cfg.start == cfg.landscape().default_start


def test_basins_on_a_large_table_cap_the_grid_of_starts():
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params.update(surface="data", opt="gd", steps="20")
    at.run()
    rows = "\n".join(f"{i / 1000},{0.3 + 0.5 * i / 1000 + 0.01 * (i % 3)}" for i in range(1000))
    at.sidebar.text_area(key="paste").set_value(rows).run()
    at.switch_page("pages/basins.py")
    at.run()
    assert not at.exception
    infos = [i.value for i in at.info]
    assert "With 1,000 rows the map uses 15 × 15 starts, not 60 × 60." in infos  # √(250000/1000)
    assert config(at).landscape().n_examples == 1000


def test_a_formula_survives_a_visit_to_another_surface():
    at = _app(surface="custom")
    at.sidebar.text_area(key="expr").set_value("x**2 + 2*y**2 + x*y")
    at.sidebar.number_input(key="xlo").set_value(-3.0).run()
    mine = config(at).surface_params
    at.sidebar.selectbox(key="surface").set_value("himmelblau").run()
    assert config(at).surface_params == ()
    at.sidebar.selectbox(key="surface").set_value("custom").run()
    assert (
        config(at).surface_params
        == mine
        == (
            ("expr", "x**2 + 2*y**2 + x*y"),
            ("xlim", (-3.0, 2.0)),
            ("ylim", (-1.2, 1.2)),
        )
    )
    assert not at.warning and not at.exception
