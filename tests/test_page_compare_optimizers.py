"""The compare page with the later optimizers: each runs the path `optimizers.run` gives at its
spec's default α, and "How it works" shows its equations and conventions from its spec."""

from __future__ import annotations

import pytest

from landscapes import PRESETS, get_landscape
from optimizers import SPECS, default_lg_lr, run
from tests.pages import open_page

SHARED = ("beta", "gamma", "eps")
NEW = ["adamw", "amsgrad", "nadam", "lion", "nesterov_corrected"]


def test_new_optimizers_run_on_the_compare_page_as_their_specs_say():
    at = open_page("pages/compare.py", timeout=90, surface="quadratic", opt=NEW)
    table = at.dataframe[0].value
    ls = get_landscape("quadratic")
    preset = PRESETS["quadratic"]
    for name in NEW:
        traj = run(
            ls,
            name,
            ls.default_start,
            preset.steps,
            10 ** default_lg_lr(preset, name),
            batch_size=preset.batch_size,
            # at the sidebar's defaults each optimizer has its spec's own β, γ and ε: the
            # shared 0.9, 0.999 and 1e-8, except Lion's γ (its β₂), 0.99
            **{k: h.default for k, h in SPECS[name].accepted().items() if k in SHARED},
        )
        final = table.loc[SPECS[name].label, "final loss"]
        assert final == pytest.approx(float(traj.losses[-1]), rel=1e-12, abs=1e-12), name
    captions = [c.value for c in at.main.caption]
    for name in NEW:
        assert SPECS[name].conventions in captions, name
    latex = [x.value for x in at.main.latex]
    assert any(r"\phi_t - \alpha\beta m_t" in x for x in latex)  # the corrected look-ahead
    assert any(r"(1 - \alpha\lambda)" in x for x in latex)  # AdamW's decoupled decay
