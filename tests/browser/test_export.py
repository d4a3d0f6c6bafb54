"""Export in a real browser: the GIF through its button, the modebar's named 2x PNG."""

from __future__ import annotations

import io
import struct

import pytest
from PIL import Image

from tests.browser.helpers import ARTIFACTS_DIR, assert_no_exception, wait_idle
from tests.browser.test_compare import open_race

COMPARE_STEM = "descent-compare-rosenbrock-gd-sgd-momentum-nesterov-adam"


def _download_gif(page, tmp_path, name: str):
    opener = page.get_by_role("button", name="Animated GIF").first
    opener.scroll_into_view_if_needed()
    opener.click()
    popover = page.locator('[data-testid="stPopoverBody"]')
    popover.wait_for(timeout=10000)
    page.screenshot(path=str(ARTIFACTS_DIR / "screenshots" / f"{name}-gif-popover.png"))
    with page.expect_download(timeout=60000) as info:
        popover.get_by_role("button", name="Download the GIF").click()
    download = info.value
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    return download.suggested_filename, Image.open(io.BytesIO(path.read_bytes()))


def test_compare_gif_downloads_through_its_button(page, app_server, tmp_path):
    open_race(page, f"{app_server}/")
    name, gif = _download_gif(page, tmp_path, "compare")
    assert name == f"{COMPARE_STEM}.gif"
    assert gif.format == "GIF"
    assert gif.size[0] == 800
    assert gif.n_frames == 72  # the defaults: 12 fps for 6 s
    assert_no_exception(page)


def test_sgd_lab_gif_downloads_through_its_button(page, app_server, tmp_path):
    page.goto(f"{app_server}/sgd_lab?surface=saddle")
    wait_idle(page, timeout=90000)
    page.wait_for_selector(".js-plotly-plot", timeout=60000)
    name, gif = _download_gif(page, tmp_path, "sgd_lab")
    assert name == "descent-sgd-lab-saddle-gd-sgd-epoch.gif"
    assert gif.size[0] == 800 and gif.n_frames == 72


@pytest.mark.parametrize(
    "path, index, name",
    [
        # The compare page's own component: its loss chart (2D, quick to render).
        ("", 2, f"{COMPARE_STEM}-loss.png"),  # contour, surface, loss
        # st.plotly_chart: the SGD lab's loss chart.
        ("sgd_lab?surface=saddle", 1, "descent-sgd-lab-saddle-gd-sgd-loss.png"),
    ],
)
def test_modebar_camera_saves_a_named_png_at_twice_the_size(
    page, app_server, tmp_path, path, index, name
):
    if path:
        page.goto(f"{app_server}/{path}")
        wait_idle(page, timeout=90000)
        page.wait_for_selector(".js-plotly-plot", timeout=60000)
    else:
        open_race(page, f"{app_server}/")
    chart = page.locator(".js-plotly-plot").nth(index)
    chart.scroll_into_view_if_needed()
    chart.hover()
    camera = chart.locator('.modebar-btn[data-title^="Download plot as a"]')
    with page.expect_download(timeout=60000) as info:
        camera.click()
    download = info.value
    assert download.suggested_filename == name
    saved = tmp_path / name
    download.save_as(saved)
    data = saved.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    box = chart.bounding_box()
    assert abs(width - 2 * box["width"]) <= 4, (width, box)
    assert abs(height - 2 * box["height"]) <= 4, (height, box)
