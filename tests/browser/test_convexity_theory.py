"""The Convexity and Theory pages in a real browser: they render, a click on the contour moves
a point, and nothing errors. Screenshots: convexity.png, convexity_rosenbrock.png, theory.png.
"""

from __future__ import annotations

from tests.browser.helpers import (
    assert_no_console_errors,
    assert_no_exception,
    screenshot,
    wait_idle,
)

PLOT = '[data-testid="descent-chart"]'


def _open(page, url: str, charts: int) -> None:
    page.goto(url)
    wait_idle(page, timeout=90000)
    page.wait_for_function(
        f"() => document.querySelectorAll('{PLOT} .main-svg').length >= {charts}",
        timeout=60000,
    )
    wait_idle(page, timeout=60000)


def _point_inputs(page) -> dict[str, float]:
    """The four number inputs of A and B, by label."""
    values = {}
    for label in ("A: φ₀", "A: φ₁", "B: φ₀", "B: φ₁"):
        values[label] = float(page.get_by_label(label, exact=True).input_value())
    return values


def test_convexity_default_and_click(page, app_server):
    _open(page, f"{app_server}/convexity", charts=3)
    assert_no_exception(page)
    text = page.locator('[data-testid="stMain"]').inner_text()
    assert "Convexity" in text
    assert "rosenbrock is not convex" in text  # the sidebar's default surface
    assert "The surface rises above the chord" in text
    screenshot(page, "convexity")

    before = _point_inputs(page)
    # Click inside the contour's plot area, a quarter of the way in from its lower left.
    area = page.locator(f"{PLOT} .nsewdrag").first
    box = area.bounding_box()
    assert box is not None and box["width"] > 100
    page.mouse.move(box["x"] + 0.25 * box["width"], box["y"] + 0.75 * box["height"])
    page.wait_for_timeout(300)
    page.mouse.click(box["x"] + 0.25 * box["width"], box["y"] + 0.75 * box["height"])
    wait_idle(page, timeout=60000)
    page.wait_for_timeout(500)
    wait_idle(page, timeout=60000)
    after = _point_inputs(page)
    assert (after["A: φ₀"], after["A: φ₁"]) != (before["A: φ₀"], before["A: φ₁"])
    assert (after["B: φ₀"], after["B: φ₁"]) == (before["B: φ₀"], before["B: φ₁"])
    # A quarter in from the left and bottom of rosenbrock's box [-2, 2] x [-1, 3].
    assert abs(after["A: φ₀"] - (-1.0)) < 0.25
    assert abs(after["A: φ₁"] - 0.0) < 0.25
    assert "ax=" in page.url
    assert_no_exception(page)
    assert_no_console_errors(page)


def test_convexity_rosenbrock_and_linreg(page, app_server):
    _open(page, f"{app_server}/convexity?surface=rosenbrock", charts=3)
    assert_no_exception(page)
    text = page.locator('[data-testid="stMain"]').inner_text()
    assert "not convex" in text
    screenshot(page, "convexity_rosenbrock")

    _open(page, f"{app_server}/convexity?surface=linreg", charts=3)
    assert_no_exception(page)
    text = page.locator('[data-testid="stMain"]').inner_text()
    assert "linreg is convex" in text
    assert "The chord stays above the surface everywhere on this segment" in text
    screenshot(page, "convexity_linreg")
    assert_no_console_errors(page)


def test_theory(page, app_server):
    _open(page, f"{app_server}/theory", charts=6)
    assert_no_exception(page)
    text = page.locator('[data-testid="stMain"]').inner_text()
    for heading in ("Gradient descent", "Momentum", "Nesterov", "bias correction", "Normalized"):
        assert heading in text
    # KaTeX rendered the equations.
    assert page.locator(".katex").count() >= 10
    screenshot(page, "theory")
    assert_no_console_errors(page)
