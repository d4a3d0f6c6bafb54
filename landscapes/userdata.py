"""A user's own data: a two-column table (x, y) read from CSV or pasted text, and the landscape
of a two-parameter model fitted to it by squared error (a DataLandscape, so minibatch SGD
draws the user's rows). Pure Python and NumPy.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

import numpy as np

from landscapes.critical import find_critical_points
from landscapes.data import GABOR_COST, GABOR_SCALE, DataLandscape, gabor_link, gabor_link_grad

MAX_ROWS = 10_000
MAX_BYTES = 1_000_000
MIN_ROWS = 3
URL_ROWS = 50  # a dataset of at most this many rows travels in the link
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


class Table(NamedTuple):
    x: np.ndarray
    y: np.ndarray
    names: tuple[str, str]  # the header's column names, or ("x", "y")


# ----- reading -------------------------------------------------------------------------------


def _number(cell: str) -> float | None:
    """The float of a plain decimal number, else None (no nan, inf, 1_000 or hex)."""
    cell = cell.strip()
    if not _NUMBER.fullmatch(cell):
        return None
    return float(cell)


def _decode(raw: bytes | str) -> str:
    if isinstance(raw, str):
        if len(raw.encode("utf-8", "surrogatepass")) > MAX_BYTES:
            raise ValueError(
                f"the data are larger than {MAX_BYTES // 1_000_000} MB: use fewer rows"
            )
        return raw
    if len(raw) > MAX_BYTES:
        raise ValueError(
            f"the file has {len(raw):,} bytes; at most {MAX_BYTES:,} (1 MB) are allowed: "
            "use fewer rows"
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ValueError(
            f"the file is not UTF-8 text (byte 0x{raw[err.start]:02x} at position {err.start}): "
            "save it as CSV (UTF-8) with two numeric columns"
        ) from None


def _delimiter(line: str) -> str | None:
    for delimiter in (",", ";", "\t"):
        if delimiter in line:
            return delimiter
    return None  # whitespace


def parse_table(raw: bytes | str) -> Table:
    """Two numeric columns (x, y) from CSV text: comma, semicolon, tab or spaces between
    them, with or without a header row; blank lines and lines starting with # are skipped.
    Raises ValueError saying what to fix."""
    text = _decode(raw)
    if "\x00" in text:
        raise ValueError("the file holds NUL bytes: it is not a text file; save it as CSV")
    lines = [
        (i + 1, line)
        for i, line in enumerate(text.splitlines())
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not lines:
        raise ValueError("no data found: give two columns, x and y, one row per example")
    if len(lines) > MAX_ROWS + 1:  # + 1: a header
        raise ValueError(
            f"the data have more than {MAX_ROWS:,} rows ({len(lines):,} lines); "
            f"at most {MAX_ROWS:,} are allowed"
        )
    delimiter = _delimiter(lines[0][1])
    rows = []
    for number, line in lines:
        if delimiter is None:
            cells = line.split()
        else:
            cells = next(csv.reader(io.StringIO(line), delimiter=delimiter))
        rows.append((number, [c.strip() for c in cells]))
    names = ("x", "y")
    first_number, first = rows[0]
    if len(first) == 2 and any(_number(c) is None for c in first):
        if all(_number(c) is None for c in first):
            names = (first[0] or "x", first[1] or "y")
            rows = rows[1:]  # a header
    xs, ys = [], []
    for number, cells in rows:
        if len(cells) != 2:
            raise ValueError(
                f"line {number} has {len(cells)} column{'s' if len(cells) != 1 else ''}; every "
                "row needs exactly 2: x and y"
                + (" (separate them with a comma)" if len(cells) == 1 else "")
            )
        values = []
        for column, cell in zip(("x", "y"), cells, strict=True):
            value = _number(cell)
            if value is None:
                low = cell.lower().lstrip("+-")
                if low in ("nan", "inf", "infinity"):
                    why = "NaN and infinite values are not allowed"
                elif cell == "":
                    why = "the cell is empty"
                else:
                    why = "it is not a number"
                raise ValueError(
                    f"line {number}, column {column}: {cell!r}: {why}; fix or remove the row"
                )
            if not math.isfinite(value):
                raise ValueError(f"line {number}, column {column}: {cell!r} is too large a number")
            values.append(value)
        xs.append(values[0])
        ys.append(values[1])
    if len(xs) < MIN_ROWS:
        raise ValueError(
            f"the data have {len(xs)} row{'s' if len(xs) != 1 else ''}; "
            f"at least {MIN_ROWS} are needed"
        )
    if len(xs) > MAX_ROWS:
        raise ValueError(f"the data have {len(xs):,} rows; at most {MAX_ROWS:,} are allowed")
    return Table(np.array(xs), np.array(ys), names)


def encode_rows(x, y) -> str:
    """The canonical text of a dataset, ``x,y;x,y;...`` with floats that round-trip: a
    hashable key for caches and the link's ``rows`` parameter."""
    return ";".join(f"{float(a)!r},{float(b)!r}" for a, b in zip(x, y, strict=True))


def decode_rows(text: str) -> Table:
    """The inverse of encode_rows (also accepts any text parse_table accepts per row)."""
    if not isinstance(text, str):
        raise ValueError("rows must be text")
    return parse_table(text.replace(";", "\n"))


# ----- models --------------------------------------------------------------------------------


class Model(NamedTuple):
    title: str
    link: Callable  # u -> f
    link_grad: Callable  # u -> (f, df/du)
    link_second: Callable  # u -> d2f/du2
    latex: str  # f[x, phi] in terms of u
    convex: bool  # the squared-error landscape is convex whatever the data
    cost: float  # DataLandscape.example_cost: one example's share of a gradient


def _identity(u):
    return u


def _identity_grad(u):
    return u, 1.0


def _sigmoid(u):
    return 0.5 * (1.0 + np.tanh(0.5 * u))


def _sigmoid_grad(u):
    s = _sigmoid(u)
    return s, s * (1.0 - s)


def _exp_grad(u):
    e = np.exp(u)
    return e, e


def _gabor_second(u):
    # d2/du2 of sin(u) exp(-u^2/32)
    return np.exp(-u * u / 32.0) * (np.sin(u) * (u * u / 256.0 - 17.0 / 16.0) - u / 8.0 * np.cos(u))


def _sigmoid_second(u):
    s = _sigmoid(u)
    return s * (1.0 - s) * (1.0 - 2.0 * s)


MODELS: dict[str, Model] = {
    "line": Model("A line", _identity, _identity_grad, np.zeros_like, r"u", True, 0.04),
    "gabor": Model(
        "The notes' Gabor model",
        gabor_link,
        gabor_link_grad,
        _gabor_second,
        r"\sin(u)\,e^{-u^2/32}",
        False,
        GABOR_COST,
    ),
    "logistic": Model(
        "A logistic curve", _sigmoid, _sigmoid_grad, _sigmoid_second, r"1/(1+e^{-u})", False, 0.12
    ),
    "exponential": Model("An exponential", np.exp, _exp_grad, np.exp, r"e^{u}", False, 0.06),
}


CHUNK = 1 << 21  # (points x examples) terms evaluated at once: 16 MB of float64
STARTS_ROWS = 500  # up to this many rows the critical points search starts from 41 x 41 points


@dataclass(eq=False, kw_only=True)
class UserDataLandscape(DataLandscape):
    """A DataLandscape whose loss and gradient go through the points in chunks: a contour
    grid of 121 x 121 points over 10,000 rows would otherwise hold 1.2 GB of terms. Each
    point's sum is the same whatever the chunk, so values do not depend on the chunking."""

    def _chunked(self, fn, points):
        points = np.asarray(points, dtype=float)
        flat = points.reshape(-1, 2)
        step = max(1, CHUNK // self.n_examples)
        with np.errstate(over="ignore", invalid="ignore"):  # overflow: a gap on the plots
            if flat.shape[0] <= step:
                return fn(points)
            parts = [fn(flat[i : i + step]) for i in range(0, flat.shape[0], step)]
        out = np.concatenate(parts)
        return out.reshape(points.shape[:-1] + out.shape[1:])

    link_second: Callable = None  # u -> d2f/du2, for the exact Hessian

    def loss(self, points):
        return self._chunked(super().loss, points)

    def _hessian(self, points):
        # l_i = (f(u_i) - y_i)^2 with u_i = phi0 + phi1 s x_i:
        # d2l_i/du2 = 2 (f'^2 + (f - y_i) f''), and du_i/dphi = (1, s x_i).
        u = self._index(points, self.scaled_x)
        f, slope = self.link_grad(u)
        w = 2.0 * (slope * slope + (f - self.data_y) * self.link_second(u))
        sx = self.scaled_x
        h00, h01, h11 = w.sum(-1), (w * sx).sum(-1), (w * sx * sx).sum(-1)
        return np.stack([np.stack([h00, h01], -1), np.stack([h01, h11], -1)], -2)

    def hessian(self, points, h: float = 0.0) -> np.ndarray:
        """The exact Hessian (``h`` is ignored), shape (..., 2, 2)."""
        return self._chunked(self._hessian, points)

    @cached_property
    def critical_points(self):
        # The Newton search costs (starts x rows) per step: fewer starts for many rows keep
        # a 10,000-row table to about the work of 500 rows (minima in narrow basins between
        # the coarser starts may then be missed).
        side = int(np.clip(41 * np.sqrt(STARTS_ROWS / self.n_examples), 9, 41))
        return find_critical_points(self, grid=side)

    def grad(self, points):
        return self._chunked(super().grad, points)


def _scale(model: str, x: np.ndarray) -> float:
    """The factor s in u = phi0 + s phi1 x: 1 for the line, the notes' 0.06 for Gabor, and
    for the others a power of ten that brings s x to within about +-1 (readable phi1)."""
    if model == "line":
        return 1.0
    if model == "gabor":
        return GABOR_SCALE
    top = float(np.max(np.abs(x)))
    return 1.0 if top == 0 else float(10.0 ** -np.ceil(np.log10(top)))


def _bounds(model: str, x: np.ndarray, y: np.ndarray, scale: float):
    if model == "gabor":
        return (-10.0, 10.0), (2.5, 22.5)  # the notes' window
    if model == "line":
        design = np.column_stack([np.ones_like(x), x])
        (c0, c1), *_ = np.linalg.lstsq(design, y, rcond=None)
        spread_y = float(np.std(y)) or 1.0
        spread_x = float(np.std(x)) or 1.0
        h0 = 2.0 * spread_y + 0.5 * abs(c0)
        h1 = 2.0 * spread_y / spread_x + 0.5 * abs(c1)
        return (c0 - h0, c0 + h0), (c1 - h1, c1 + h1)
    if model == "exponential":
        positive = y[y > 0]
        c0 = float(np.log(np.mean(positive))) if positive.size else 0.0
        return (c0 - 4.0, c0 + 4.0), (-5.0, 5.0)
    return (-8.0, 8.0), (-8.0, 8.0)


def _round(bounds):
    """Bounds widened outwards to 2 significant figures of their width: tidy axis ranges."""
    out = []
    for lo, hi in bounds:
        step = 10.0 ** (np.floor(np.log10(hi - lo)) - 1)
        lo, hi = np.floor(lo / step) * step, np.ceil(hi / step) * step
        out.append((float(f"{lo:.12g}"), float(f"{hi:.12g}")))
    return tuple(out)


def from_data(x, y, model: str = "line", names: tuple[str, str] = ("x", "y")) -> DataLandscape:
    """The landscape L(phi) = sum_i (f[x_i, phi] - y_i)^2 of ``model`` over the rows (x_i, y_i).

    Models (see MODELS): f = link(u) with u = phi0 + s phi1 x: the line (link u, s = 1), the
    notes' Gabor model (sin(u) exp(-u^2/32), s = 0.06), the logistic curve and an exponential
    (s a power of ten that brings s x within +-1).
    """
    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}; choose one of {', '.join(MODELS)}")
    x = np.asarray(x, dtype=float).ravel()
    y = np.asarray(y, dtype=float).ravel()
    if x.shape != y.shape:
        raise ValueError(f"x and y must have the same length, got {x.size} and {y.size}")
    if not MIN_ROWS <= x.size <= MAX_ROWS:
        raise ValueError(f"the data need {MIN_ROWS} to {MAX_ROWS:,} rows, got {x.size}")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValueError("the data hold NaN or infinite values: remove those rows")
    spec = MODELS[model]
    scale = _scale(model, x)
    bounds = _round(_bounds(model, x, y, scale))
    (x0, x1), (y0, y1) = bounds
    u = r"\phi_0 + \phi_1 x" if scale == 1 else rf"\phi_0 + {scale:g}\,\phi_1 x"
    ls = UserDataLandscape(
        name="data",
        title=f"{spec.title} fitted to your data",
        description=(
            f"{spec.title} fitted by least squares to your {x.size} rows ({names[0]}, {names[1]})."
        ),
        formula=(
            r"\begin{aligned}L(\phi) &= \sum_{i=1}^{" + str(x.size) + r"}"
            r" \left(f[x_i, \phi] - y_i\right)^2 \\ f[x, \phi] &= "
            + spec.latex
            + r" \\ u &= "
            + u
            + r"\end{aligned}"
        ),
        bounds=bounds,
        default_start=(0.0, 0.0),
        n_examples=int(x.size),
        convex=spec.convex,
        data_x=x,
        data_y=y,
        link=spec.link,
        link_grad=spec.link_grad,
        link_second=spec.link_second,
        scale=scale,
        example_cost=spec.cost,
    )
    # Start at the inset corner of highest loss: a long way downhill to watch.
    corners = np.array(
        [(x0 + fx * (x1 - x0), y0 + fy * (y1 - y0)) for fx in (0.1, 0.9) for fy in (0.1, 0.9)]
    )
    with np.errstate(all="ignore"):
        losses = np.where(np.isfinite(ls.loss(corners)), ls.loss(corners), -np.inf)
    start = corners[int(np.argmax(losses))]
    ls.default_start = (round(float(start[0]), 2), round(float(start[1]), 2))
    if not ls.minima:
        raise ValueError(
            f"the loss of {spec.title[0].lower() + spec.title[1:]} on these data has no "
            "minimum in a finite range "
            "(the best fit runs off to infinity, as for a logistic curve on data that a step "
            "separates): choose another model"
        )
    return ls


DEFAULT_ROWS = encode_rows(
    np.round(np.linspace(0.0, 1.0, 12), 3),
    np.round(0.4 + 0.9 * np.linspace(0.0, 1.0, 12) + 0.1 * np.sin(7 * np.arange(12)), 3),
)


def data(model: str = "line", rows: str = DEFAULT_ROWS) -> DataLandscape:
    """get_landscape("data", model=..., rows=encode_rows(x, y)): the registry's entry, keyed
    by hashable text."""
    table = decode_rows(rows)
    return from_data(table.x, table.y, model)
