"""What every frame of an exported GIF is drawn on: its one palette, its layout (the plot's box
and the data-to-pixel map), fonts and marker shapes (the frames themselves are
figures/animation_gif.py's)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
from PIL import Image, ImageFont

from figures.levels import band_colors

LEGEND_TOP = 62  # px at 800 wide, below the plot: tick labels and the φ₀ axis name first
# The palette index no drawing uses: a GIF frame's pixels unchanged since the frame before.
TRANSPARENT = 255
BACKGROUND = "#FFFFFF"
TEXT = "#2A3F5F"  # Plotly's default text colour, as in the interactive figures
AXIS = "#444444"
MARKER_DARK = "#222222"


def hex_rgb(color: str) -> tuple[int, int, int]:
    h = color.lstrip("#")
    return tuple(int(h[k : k + 2], 16) for k in (0, 2, 4))


@cache
def load_font(size: int) -> tuple[ImageFont.ImageFont, bool]:
    """A font and whether it has Greek letters (DejaVu Sans if installed, else Pillow's own,
    which lacks φ)."""
    try:
        return ImageFont.truetype("DejaVuSans.ttf", size), True
    except OSError:
        return ImageFont.load_default(size=size), False


class Palette:
    """The one palette of every frame: the contour's bands first (index = band), then fixed
    colours, then anti-aliasing ramps from text colours to white."""

    def __init__(self, run_colors: Sequence[str]):
        colors = [tuple(int(v) for v in c) for c in band_colors()]
        self.index: dict[str, int] = {}
        for name in (BACKGROUND, TEXT, AXIS, MARKER_DARK, "#000000", *run_colors):
            key = name.upper()
            if key not in self.index:
                self.index[key] = len(colors)
                colors.append(hex_rgb(key))
        for dark in (TEXT, AXIS, *run_colors):
            rgb = np.array(hex_rgb(dark), dtype=float)
            for t in np.linspace(0.15, 0.85, 6):
                colors.append(tuple(int(v) for v in np.round(rgb + t * (255 - rgb))))
        if len(colors) > TRANSPARENT:
            raise ValueError(f"too many colours for one GIF palette: {len(colors)}")
        flat = [v for c in colors for v in c]
        flat += [255] * (3 * TRANSPARENT - len(flat)) + [255, 0, 255]
        self.image = Image.new("P", (1, 1))
        self.image.putpalette(flat)

    def __getitem__(self, color: str) -> int:
        return self.index[color.upper()]

    def quantize(self, rgb: Image.Image) -> Image.Image:
        return rgb.quantize(palette=self.image, dither=Image.Dither.NONE)


@dataclass(frozen=True)
class Layout:
    """Where things go in a frame: the plot's box in px and the data-to-pixel map."""

    width: int
    height: int
    left: int
    top: int
    plot_w: int
    plot_h: int
    bounds: tuple
    scale: float  # 1 at 800 px wide

    @classmethod
    def for_width(cls, landscape, width: int, legend_rows: int, header_rows: int = 1) -> Layout:
        s = width / 800
        (x0, x1), (y0, y1) = landscape.bounds
        left, right, top = round(58 * s), round(16 * s), round((48 + 26 * (header_rows - 1)) * s)
        plot_w = width - left - right
        plot_h = round(min(1.2, (y1 - y0) / (x1 - x0)) * plot_w)
        height = top + plot_h + round(LEGEND_TOP * s) + legend_rows * round(28 * s) + round(8 * s)
        return cls(width, height, left, top, plot_w, plot_h, landscape.bounds, s)

    def px(self, points: np.ndarray) -> np.ndarray:
        """(..., 2) data points to (..., 2) pixel positions inside the plot box (float; far
        points are clipped well outside it, so lines keep their direction in view)."""
        (x0, x1), (y0, y1) = self.bounds
        points = np.asarray(points, dtype=float)
        x = (points[..., 0] - x0) / (x1 - x0) * self.plot_w
        y = (y1 - points[..., 1]) / (y1 - y0) * self.plot_h
        reach = 20 * max(self.plot_w, self.plot_h)
        return np.clip(np.stack([x, y], axis=-1), -reach, reach)

    def frame_px(self, point) -> tuple[int, int]:
        """A data point's pixel in the whole frame (for tests and checks)."""
        x, y = self.px(np.asarray(point, dtype=float))
        return self.left + int(round(x)), self.top + int(round(y))

    def size(self, px: float) -> int:
        return max(1, round(px * self.scale))


def star(draw, cx, cy, r, fill, outline, width=1) -> None:
    angles = np.pi / 2 + np.arange(10) * np.pi / 5
    radii = np.where(np.arange(10) % 2 == 0, r, 0.45 * r)
    pts = [(cx + q * np.cos(a), cy - q * np.sin(a)) for q, a in zip(radii, angles, strict=True)]
    draw.polygon(pts, fill=fill, outline=outline, width=width)


def x_mark(draw, cx, cy, r, fill, width) -> None:
    draw.line([(cx - r, cy - r), (cx + r, cy + r)], fill=fill, width=width)
    draw.line([(cx - r, cy + r), (cx + r, cy - r)], fill=fill, width=width)
