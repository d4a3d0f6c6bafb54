"""The compare page's CSV: every point with its run's settings, a diverged flag, and epochs
that mean full passes over the data (GD: one per step)."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from tests.test_app import config, make_app
from ui.compare import CSV_SETTINGS, trajectories_csv
from ui.compute_compare import race


def test_the_csv_carries_each_runs_settings_and_whether_it_diverged():
    at = make_app(
        surface="quadratic",
        opt=["gd", "sgd", "adam"],
        log_lr="0.6",
        y0="0.5",
        seed="7",
        sched="step",
        decay="0.75",
        every="10",
        tune="sgd.log_lr:-1",
    )
    cfg = config(at)
    runs = race(cfg)
    table = pd.read_csv(io.BytesIO(trajectories_csv(cfg, runs)))
    assert list(table.columns) == [
        "optimizer", "step", "epoch", "steps_per_epoch", "phi0", "phi1", "loss", "lr",
        *CSV_SETTINGS.split(", "), "diverged", "diverged_at",
    ]  # fmt: skip
    n = cfg.landscape().n_examples
    for name, traj in runs.items():
        rows = table[table["optimizer"] == name]
        s = cfg.setting(name)
        assert len(rows) == cfg.steps + 1
        assert (rows["start_phi1"] == 0.5).all() and (rows["seed"] == 7).all()
        assert rows["alpha"].iloc[0] == pytest.approx(s.lr)
        assert (rows["beta"] == s.beta).all() and (rows["gamma"] == s.gamma).all()
        assert (rows["noise"] == cfg.noise).all()
        assert (rows["schedule"] == "step").all() and (rows["schedule_factor"] == 0.75).all()
        assert (rows["schedule_every"] == 10).all()
        np.testing.assert_allclose(rows["phi0"], traj.points[:, 0])
        # An epoch is a full pass over the N examples: GD makes one per step.
        per_epoch = 1 if name == "gd" else n // cfg.batch_size
        assert (rows["steps_per_epoch"] == per_epoch).all()
        assert (rows["batch_size"] == (n if name == "gd" else cfg.batch_size)).all()
        np.testing.assert_array_equal(rows["epoch"], rows["step"] // per_epoch)
    # α = 10^0.6 ≈ 4 is too large for GD on this quadratic; SGD's own α (0.1) is not.
    gd, sgd = table[table["optimizer"] == "gd"], table[table["optimizer"] == "sgd"]
    assert gd["diverged"].all() and (gd["diverged_at"] == int(runs["gd"].diverged)).all()
    assert not sgd["diverged"].any() and sgd["diverged_at"].isna().all()
    assert sgd["alpha"].iloc[0] == pytest.approx(0.1)
    # The step decay: α × 0.75 after 10 epochs of SGD's steps, not before.
    k = n // cfg.batch_size
    assert sgd["lr"].iloc[10 * k - 1] == pytest.approx(0.1)
    assert sgd["lr"].iloc[10 * k] == pytest.approx(0.1 * 0.75)


def test_the_csv_carries_an_optimizers_own_hyperparameters_and_blanks_elsewhere():
    at = make_app(surface="quadratic", opt=["gd", "adamw", "nadam"], tune="adamw.weight_decay:0.3")
    cfg = config(at)
    table = pd.read_csv(io.BytesIO(trajectories_csv(cfg, race(cfg))))
    by = {name: rows for name, rows in table.groupby("optimizer")}
    assert (by["adamw"]["weight_decay"] == 0.3).all() and by["adamw"]["psi"].isna().all()
    assert (by["nadam"]["psi"] == 4e-3).all() and by["nadam"]["weight_decay"].isna().all()
    assert by["gd"][["weight_decay", "psi"]].isna().all(axis=None)
