"""Export: figure file names, the PNG button's options, and the GIF download on the pages."""

from __future__ import annotations

from tests.pages import open_page
from tests.test_app import chart_data, config, make_app
from ui.export import IMAGE_SCALE, file_stem, plotly_config

COMPARE_STEM = "descent-compare-rosenbrock-gd-sgd-momentum-nesterov-adam"


def _gif_buttons(at) -> list:
    return [b.proto for b in at.get("download_button") if "GIF" in b.proto.label]


def test_file_stem_names_page_surface_and_optimizers():
    at = make_app(surface="himmelblau", opt=["adam", "gd"])
    cfg = config(at)
    assert file_stem("compare", cfg) == "descent-compare-himmelblau-adam-gd"
    assert (
        file_stem("sgd-lab", cfg, "loss", ("gd", "sgd")) == "descent-sgd-lab-himmelblau-gd-sgd-loss"
    )
    # Anything a file system might refuse becomes a dash.
    assert file_stem("x y/z", cfg, "a:b") == "descent-x-y-z-himmelblau-adam-gd-a-b"
    options = plotly_config("compare", cfg, "race")["toImageButtonOptions"]
    assert options == {
        "format": "png",
        "filename": "descent-compare-himmelblau-adam-gd-race",
        "scale": IMAGE_SCALE,
    }


def test_compare_charts_save_named_2x_pngs_and_offer_a_gif_built_on_click():
    at = make_app()
    (race,) = chart_data(at)  # contour, surface and loss: ui/race_chart.js names each panel
    assert race["config"]["displaylogo"] is False
    assert race["config"]["toImageButtonOptions"] == {
        "format": "png",
        "filename": COMPARE_STEM,
        "scale": 2,
    }
    (gif,) = _gif_buttons(at)
    # Deferred: the page carries an id to build it with, no file: a rerun builds nothing.
    # (Its file name is checked in the browser: tests/browser/test_export.py.)
    assert gif.deferred_file_id and not gif.url
    widths = [s for s in at.select_slider if s.label == "Width (px)"]
    assert widths and widths[0].value == 800


def test_sgd_lab_figures_and_gif_are_named_for_gd_and_sgd():
    at = open_page("pages/sgd_lab.py", timeout=120, surface="saddle")
    names = [data["config"]["toImageButtonOptions"]["filename"] for data in chart_data(at)]
    stem = "descent-sgd-lab-saddle-gd-sgd"
    assert names == [f"{stem}-epoch", f"{stem}-loss", f"{stem}-minibatch-step0", f"{stem}-schedule"]
    (gif,) = _gif_buttons(at)
    assert gif.deferred_file_id and not gif.url
