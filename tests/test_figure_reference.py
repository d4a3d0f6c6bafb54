"""Figures that were rebuilt for size (issue 13: no figure function over about 80 lines, the
SGD lab's Plotly-frames animation retired) send what they sent before.

tests/data/figure_reference.json was recorded from the code before the change: for each case,
the figure's JSON as the app sends it (uids kept) with every array summarised (dtype, length,
first, last, sum, NaN count), the contour image by its length, the plotly_white template by
its name, and for the SGD lab the browser's payload (ui/sgd_chart.js) the same way. Every
trace's uid, type, colours, names and hover text and the whole layout are compared as they
are. After a deliberate change to one of these figures, record again:
``python -m tests.test_figure_reference --record``.
"""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from figures import race_panels, sgd_curves, sgd_epoch, sgd_motion, theory
from landscapes import get_landscape
from optimizers import run
from optimizers.theory import BALANCE_START, BALANCE_SURFACE

REFERENCE = Path(__file__).parent / "data" / "figure_reference.json"
PAYLOAD_ARRAYS = {"x": "u2", "y": "u2", "loss": "f4", "link": "f4", "sizes": "u1"}


def _number(v: float):
    return None if not np.isfinite(v) else float(f"{v:.6g}")


def _array(values: np.ndarray) -> dict:
    values = np.asarray(values)
    flat = values.astype(float).ravel()
    return dict(
        dtype=str(values.dtype),
        n=int(flat.size),
        first=_number(flat[0]) if flat.size else None,
        last=_number(flat[-1]) if flat.size else None,
        sum=_number(np.nansum(flat)),
        nan=int(np.isnan(flat).sum()),
    )


def summary(obj):
    """``obj`` (figure JSON) with arrays summarised and images by their length."""
    if isinstance(obj, dict):
        if "bdata" in obj and "dtype" in obj:
            raw = np.frombuffer(base64.b64decode(obj["bdata"]), dtype=np.dtype(obj["dtype"]))
            return dict(_array(raw), shape=obj.get("shape"))
        return {k: summary(v) for k, v in obj.items()}
    if isinstance(obj, list):
        if len(obj) > 8 and all(isinstance(v, int | float) or v is None for v in obj):
            return _array(np.array([np.nan if v is None else v for v in obj], dtype=float))
        return [summary(v) for v in obj]
    if isinstance(obj, str) and obj.startswith("data:image/"):
        return dict(image=obj[:22], length=len(obj))
    return obj


def payload_summary(payload: dict) -> dict:
    out = dict(payload)
    dtypes = dict(PAYLOAD_ARRAYS, batch=payload["batch_dtype"])
    for key, dtype in dtypes.items():
        if key in out:
            out[key] = _array(np.frombuffer(base64.b64decode(out[key]), np.dtype(dtype)))
    return json.loads(json.dumps(out))


def _figure(fig) -> dict:
    out = summary(json.loads(pio.to_json(fig, validate=False, remove_uids=False)))
    white = json.loads(pio.to_json(go.Figure(layout=dict(template="plotly_white"))))
    if out["layout"].get("template") == white["layout"]["template"]:
        out["layout"]["template"] = "plotly_white (whole)"
    return out


def _sgd_lab(surface, steps, lr, batch_size, start=None):
    ls = get_landscape(surface)
    start = ls.default_start if start is None else start
    sgd = run(ls, "sgd", start, steps, lr, batch_size=batch_size, seed=3)
    gd = run(ls, "gd", start, steps, lr)
    # As ui/compute_sgd_lab.lab_view builds it.
    figure = sgd_epoch.lab_figure(ls.for_view([gd.points, sgd.points]), gd, sgd)
    return dict(figure=_figure(figure), motion=payload_summary(sgd_motion.lab_motion(ls, gd, sgd)))


def _surface(surface):
    ls = get_landscape(surface)
    return _figure(race_panels.surface_figure(ls, ["gd", "momentum", "adam"], ls.default_start))


def _balance(surface, gd_lr, adam_lr, steps):
    bowl = surface == "quadratic"  # as the Theory page draws it
    ls = get_landscape(surface, **BALANCE_SURFACE) if bowl else get_landscape(surface)
    start = BALANCE_START if bowl else ls.default_start
    gd = run(ls, "gd", start, steps, gd_lr)
    adam = run(ls, "adam", start, steps, adam_lr)
    return _figure(theory.balance_figure(ls, ls.grid(41), gd.points, adam.points))


def _lr(lrs, per_epoch):
    return _figure(sgd_curves.lr_figure(np.asarray(lrs, dtype=float), per_epoch))


CASES = {
    "sgd lab rosenbrock": lambda: _sgd_lab("rosenbrock", 120, 10**-2.5, 4),
    "sgd lab saddle": lambda: _sgd_lab("saddle", 100, 0.1, 8, start=(2.5, 0.0)),
    "sgd lab linreg": lambda: _sgd_lab("linreg", 200, 1e-2, 5),
    "surface himmelblau": lambda: _surface("himmelblau"),
    "surface rosenbrock": lambda: _surface("rosenbrock"),
    "surface linreg": lambda: _surface("linreg"),
    "balance quadratic": lambda: _balance("quadratic", 0.019, 0.1, 40),
    "balance himmelblau": lambda: _balance("himmelblau", 0.01, 0.1, 30),
    "lr constant": lambda: _lr(np.full(50, 0.01), 7),
    "lr step decay": lambda: _lr(np.repeat([0.1, 0.05, 0.025], 40), 8),
    "lr smooth decay, many epochs": lambda: _lr(0.1 / np.sqrt(1 + np.arange(3000)), 5),
}


@pytest.fixture(scope="module")
def reference() -> dict:
    return json.loads(REFERENCE.read_text())


@pytest.mark.parametrize("case", CASES)
def test_the_figure_sends_what_it_sent_before(case, reference):
    recorded, now = reference[case], json.loads(json.dumps(CASES[case]()))
    if "motion" in recorded:
        assert now["motion"] == recorded["motion"]
        recorded, now = recorded["figure"], now["figure"]
    traces = lambda f: [(t.get("uid"), t["type"], t.get("name")) for t in f["data"]]  # noqa: E731
    assert traces(now) == traces(recorded)
    for mine, theirs in zip(now["data"], recorded["data"], strict=True):
        assert mine == theirs, mine.get("uid")
    assert now["layout"] == recorded["layout"]
    assert now.get("frames") == recorded.get("frames")


if __name__ == "__main__":
    if "--record" not in sys.argv:
        sys.exit("python -m tests.test_figure_reference --record: write the reference again")
    REFERENCE.write_text(json.dumps({case: build() for case, build in CASES.items()}, indent=0))
    print(f"wrote {REFERENCE} ({REFERENCE.stat().st_size} bytes)")
