"""The race as an animated GIF, for slides: the contour in the preview's colour bands, each
run's path growing with its head moving in its colour, the minima and saddles, the start, a
legend and a step counter.

Drawn with Pillow straight into palette images (one fixed palette: the contour's bands, the
optimizers' colours, a few greys), so no frame is quantized and each GIF frame stores only
the pixels that changed. Arrays in, bytes out: no streamlit, no plotly figure.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from figures import style
from figures.gif_canvas import (
    AXIS,
    BACKGROUND,
    LEGEND_TOP,
    MARKER_DARK,
    TEXT,
    TRANSPARENT,
    Layout,
    Palette,
    load_font,
    star,
    x_mark,
)
from figures.levels import ColorLevels, band_index
from figures.poster import nice_ticks
from figures.run_view import RunView, frame_steps, stop_point
from figures.sgd_epoch import position_text
from optimizers.minibatch import frame_steps as lab_frame_steps

WIDTHS = (480, 1200)  # px: the smallest and largest width offered
FPS = (2, 30)
SECONDS = (1.0, 30.0)
END_HOLD_MS = 1500  # the last frame stays this much longer, so the loop reads
CONTOUR_N = 241  # loss grid: bilinear between its points, then cut into the bands


@dataclass(frozen=True)
class GifOptions:
    """Width in px, frames per second and length in seconds (the end is held a moment
    longer). Out-of-range values raise a ValueError that names them."""

    width: int = 800
    fps: int = 12
    seconds: float = 6.0

    def __post_init__(self):
        checks = (("width", self.width, WIDTHS), ("fps", self.fps, FPS))
        for name, value, (lo, hi) in checks + (("seconds", self.seconds, SECONDS),):
            if not lo <= value <= hi:
                raise ValueError(f"{name} must lie between {lo:g} and {hi:g}, got {value!r}")

    @property
    def frames(self) -> int:
        return max(2, round(self.fps * self.seconds))

    @property
    def frame_ms(self) -> int:
        # GIF delays are whole hundredths of a second.
        return max(20, round(100 / self.fps) * 10)


def _shown_points(landscape, kind: str) -> np.ndarray:
    """(n, 2): the landscape's critical points of ``kind`` inside its plotted bounds."""
    (x0, x1), (y0, y1) = landscape.bounds
    points = [
        c.point
        for c in landscape.critical_points
        if c.kind == kind and x0 <= c.point[0] <= x1 and y0 <= c.point[1] <= y1
    ]
    return np.reshape(np.asarray(points, dtype=float), (-1, 2))


def _legend_items(runs, saddles: bool) -> list[tuple[str, str]]:
    markers = [("minimum", "star")] + [("saddle", "saddle")] * saddles + [("start", "start")]
    return [(run.legend_label, style.color(run.name)) for run in runs] + markers


def _legend_rows(runs, saddles: bool, width: int) -> list[list[tuple[str, str, int]]]:
    """The legend's items wrapped into rows: (label, colour or marker, width in px)."""
    s = width / 800
    font, _ = load_font(max(10, round(14 * s)))
    rows, row, used = [], [], 0
    avail = width - round(40 * s)
    for text, color in _legend_items(runs, saddles):
        w = round(34 * s) + round(font.getlength(text)) + round(22 * s)
        if row and used + w > avail:
            rows.append(row)
            row, used = [], 0
        row.append((text, color, w))
        used += w
    if row:
        rows.append(row)
    return rows


class _Frames:
    """Builds the frames: a chrome image (title, axes, legend) and a plot image whose paths
    grow from frame to frame, both in the palette."""

    def __init__(self, landscape, runs, options: GifOptions, title: str, counters: list[str]):
        self.runs = list(runs)
        self.palette = Palette([style.color(r.name) for r in self.runs])
        s = options.width / 800
        self.font, greek = load_font(max(10, round(14 * s)))
        self.big_font, _ = load_font(max(12, round(18 * s)))
        # The counter's box: as wide as its longest text, on a line of its own if it would
        # cover the title.
        self.counter_w = round(max(self.font.getlength(c) for c in counters)) + 4
        room = options.width - round(74 * s) - self.big_font.getlength(title) - round(20 * s)
        header_rows = 1 if self.counter_w <= room else 2
        self.minima = _shown_points(landscape, "minimum")
        self.saddles = _shown_points(landscape, "saddle")
        legend = _legend_rows(self.runs, len(self.saddles) > 0, options.width)
        self.layout = lay = Layout.for_width(landscape, options.width, len(legend), header_rows)
        self.counter_y = lay.size(10) if header_rows == 1 else lay.size(38)
        self.line_w = lay.size(3)
        self.head_r = lay.size(7)
        self.axis_names = ("φ₀", "φ₁") if greek else ("phi0", "phi1")
        self.chrome = self._chrome(landscape, legend, title)
        self.plot = self._bands(landscape)  # the paths are drawn onto it as they grow
        self.start = tuple(lay.px(self.runs[0].points[0])) if self.runs else None
        self.paths = [lay.px(run.points[: run.end]) for run in self.runs]
        self.heads = [self._heads(run, landscape.bounds) for run in self.runs]
        self.drawn = [0] * len(self.runs)  # how many points of each path are drawn

    def _bands(self, landscape) -> Image.Image:
        lay = self.layout
        _, _, grid = landscape.grid(CONTOUR_N)
        top_first = ColorLevels(landscape).fraction(grid)[::-1]
        fraction = Image.fromarray(top_first.astype(np.float32))
        fine = np.asarray(fraction.resize((lay.plot_w, lay.plot_h), Image.Resampling.BILINEAR))
        image = Image.fromarray(band_index(fine), mode="P")
        image.putpalette(self.palette.image.getpalette())
        return image

    def _draw_markers(self, draw) -> None:
        """The minima, saddles and the start, over the paths (a few shapes: cheaper to draw
        in every frame than to paste through a mask)."""
        lay, pal = self.layout, self.palette
        for px, py in lay.px(self.minima):
            star(draw, px, py, lay.size(9), pal[BACKGROUND], pal[MARKER_DARK], lay.size(1.5))
        for px, py in lay.px(self.saddles):
            x_mark(draw, px, py, lay.size(5), pal[BACKGROUND], lay.size(5))
            x_mark(draw, px, py, lay.size(5), pal[MARKER_DARK], lay.size(2.5))
        if self.start is not None:
            sx, sy = self.start
            r = lay.size(7)
            box = (sx - r, sy - r, sx + r, sy + r)
            draw.ellipse(box, outline=pal[MARKER_DARK], width=lay.size(2.5))

    def _heads(self, run, bounds) -> np.ndarray:
        """(T+1, 2) pixel position of the run's head at each step (a diverged run's stays
        where it left the picture)."""
        heads = run.points.copy()
        if run.is_diverged:
            heads[run.diverged :] = stop_point(run.points[: run.end], bounds)
        return self.layout.px(heads)

    def _chrome(self, landscape, legend, title: str) -> Image.Image:
        lay = self.layout
        image = Image.new("RGB", (lay.width, lay.height), BACKGROUND)
        draw = ImageDraw.Draw(image)
        draw.text((lay.left, lay.size(12)), title, font=self.big_font, fill=TEXT)
        left, top, right, bottom = lay.left, lay.top, lay.left + lay.plot_w, lay.top + lay.plot_h
        (x0, x1), (y0, y1) = landscape.bounds
        tick = lay.size(5)
        for t in nice_ticks(x0, x1):
            x = left + (t - x0) / (x1 - x0) * lay.plot_w
            draw.line([(x, bottom), (x, bottom + tick)], fill=AXIS)
            draw.text((x, bottom + tick + 2), f"{t:g}", font=self.font, fill=TEXT, anchor="mt")
        for t in nice_ticks(y0, y1):
            y = top + (y1 - t) / (y1 - y0) * lay.plot_h
            draw.line([(left - tick, y), (left, y)], fill=AXIS)
            draw.text((left - tick - 3, y), f"{t:g}", font=self.font, fill=TEXT, anchor="rm")
        x_name, y_name = self.axis_names
        draw.text(
            ((left + right) / 2, bottom + lay.size(26)),
            x_name,
            font=self.font,
            fill=TEXT,
            anchor="mt",
        )
        draw.text(
            (left - tick - 3, top - lay.size(6)), y_name, font=self.font, fill=TEXT, anchor="rb"
        )
        y = bottom + lay.size(LEGEND_TOP - 8)
        for row in legend:
            x = left
            for text, color, w in row:
                self._legend_key(draw, x, y + lay.size(10), color)
                draw.text(
                    (x + lay.size(34), y + lay.size(10)),
                    text,
                    font=self.font,
                    fill=TEXT,
                    anchor="lm",
                )
                x += w
            y += lay.size(28)
        image = self.palette.quantize(image)
        # The plot box is pasted into each frame; its frame line goes around it.
        ImageDraw.Draw(image).rectangle(
            (left - 1, top - 1, right, bottom), outline=self.palette[AXIS]
        )
        return image

    def _legend_key(self, draw, x, y, kind: str) -> None:
        lay = self.layout
        r = lay.size(6)
        if kind == "star":
            star(
                draw, x + lay.size(14), y, lay.size(9), BACKGROUND, MARKER_DARK, width=lay.size(1.5)
            )
        elif kind == "saddle":
            cx = x + lay.size(14)
            x_mark(draw, cx, y, lay.size(5), MARKER_DARK, lay.size(2.5))
        elif kind == "start":
            cx = x + lay.size(14)
            draw.ellipse((cx - r, y - r, cx + r, y + r), outline=MARKER_DARK, width=lay.size(2.5))
        else:
            draw.line([(x, y), (x + lay.size(28), y)], fill=kind, width=self.line_w)
            cx = x + lay.size(14)
            draw.ellipse(
                (cx - r, y - r, cx + r, y + r), fill=kind, outline=BACKGROUND, width=lay.size(2)
            )

    def frame(self, step: int, counter: str) -> Image.Image:
        lay, pal = self.layout, self.palette
        draw = ImageDraw.Draw(self.plot)
        for i, run in enumerate(self.runs):
            upto = min(step + 1, run.end)  # points[:upto] are drawn by this frame
            if upto > self.drawn[i]:
                part = self.paths[i][max(0, self.drawn[i] - 1) : upto]
                if len(part) > 1:
                    color = pal[style.color(run.name)]
                    draw.line(
                        [tuple(p) for p in part], fill=color, width=self.line_w, joint="curve"
                    )
                self.drawn[i] = upto
        plot = self.plot.copy()
        heads = ImageDraw.Draw(plot)
        self._draw_markers(heads)
        r = self.head_r
        for run, path in zip(self.runs, self.heads, strict=True):
            hx, hy = path[min(step, run.steps)]
            color = pal[style.color(run.name)]
            if run.is_diverged and step >= run.diverged:
                x_mark(heads, hx, hy, r, pal[BACKGROUND], self.line_w + lay.size(3))
                x_mark(heads, hx, hy, r, color, self.line_w)
            else:
                heads.ellipse(
                    (hx - r, hy - r, hx + r, hy + r),
                    fill=color,
                    outline=pal[BACKGROUND],
                    width=lay.size(2),
                )
        image = self.chrome.copy()
        image.paste(plot, (lay.left, lay.top))
        # The counter: anti-aliased on a small white box, matched to the palette.
        box = Image.new("RGB", (self.counter_w, lay.size(26)), BACKGROUND)
        ImageDraw.Draw(box).text(
            (box.width, box.height // 2), counter, font=self.font, fill=TEXT, anchor="rm"
        )
        image.paste(pal.quantize(box), (lay.width - lay.size(16) - box.width, self.counter_y))
        return image


def step_counter(step: int, steps: int) -> str:
    return f"step {step} of {steps}"


def race_frames(
    landscape,
    runs,
    options: GifOptions = GifOptions(),
    *,
    title: str | None = None,
    steps: np.ndarray | None = None,
    counter: Callable[[int, int], str] = step_counter,
) -> tuple[list[Image.Image], Layout]:
    """The animation's frames (palette images) and their layout.

    ``steps``: the step each frame shows (default: ``options.frames`` evenly spaced from 0 to
    the last, fewer if the runs are shorter). ``counter(step, steps)`` is the text at the top
    right.
    """
    if not runs:
        raise ValueError("no runs to animate")
    total = max(run.steps for run in runs)
    shown = frame_steps(total, options.frames) if steps is None else np.asarray(steps)
    counters = [counter(int(s), total) for s in shown]
    frames = _Frames(landscape, runs, options, title or landscape.title, counters)
    images = [frames.frame(int(s), text) for s, text in zip(shown, counters, strict=True)]
    return images, frames.layout


def race_gif(landscape, runs, options: GifOptions = GifOptions(), **kw) -> bytes:
    """The race as an animated GIF that loops (keywords as `race_frames`)."""
    images, _ = race_frames(landscape, runs, options, **kw)
    durations = [options.frame_ms] * len(images)
    durations[-1] += END_HOLD_MS
    out = io.BytesIO()
    images[0].save(
        out,
        format="GIF",
        save_all=True,
        append_images=images[1:],
        duration=durations,
        loop=0,
        # Each frame stores only what changed, the rest transparent (its index given, so
        # Pillow need not search every frame for an unused one).
        optimize=True,
        transparency=TRANSPARENT,
    )
    return out.getvalue()


def lab_gif(landscape, gd, sgd, options: GifOptions = GifOptions()) -> bytes:
    """The SGD lab's epoch animation as a GIF: GD and SGD from the same start on the contour,
    the first epochs batch by batch (as the lab's figure plays them), then evenly spaced."""
    per_epoch = sgd.steps_per_epoch
    views = [RunView.from_trajectory(t) for t in (gd, sgd)]

    def counter(step: int, steps: int) -> str:
        return f"step {step} of {steps}: {position_text(step, steps, per_epoch)}"

    n = landscape.n_examples
    batch = n if sgd.batch_size is None else sgd.batch_size
    return race_gif(
        landscape,
        views,
        options,
        title=f"{landscape.title}: GD and SGD, batches of {batch} of {n}",
        steps=lab_frame_steps(sgd.steps, per_epoch, options.frames),
        counter=counter,
    )
