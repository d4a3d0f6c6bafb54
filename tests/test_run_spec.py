"""The frozen run spec the pages' caches take: what it holds, and that its run is
`optimizers.run` with the configuration's settings, to 1e-12."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from optimizers import run
from tests.test_race_motion import _config


def test_a_run_spec_holds_only_the_hyperparameters_its_optimizer_uses():
    cfg = _config()
    assert cfg.run_spec("gd").hyper == () and cfg.run_spec("sgd").hyper == ()
    assert cfg.run_spec("momentum").hyper == (("beta", 0.8),)
    assert cfg.run_spec("adam").hyper == (("beta", 0.9), ("gamma", 0.99), ("eps", 1e-8))
    # So a new β is a new key for momentum and Adam, and the same one for GD and SGD.
    other = replace(cfg, settings=tuple(replace(s, beta=0.5) for s in cfg.settings))
    assert other.run_spec("gd") == cfg.run_spec("gd")
    assert other.run_spec("momentum") != cfg.run_spec("momentum")
    spec = cfg.run_spec("gd", start=None, steps=7)  # the basins page's: the grid gives starts
    assert spec.start is None and spec.steps == 7 and spec.lr == 0.01
    assert hash(spec) == hash(cfg.run_spec("gd", start=None, steps=7))


def test_a_run_spec_runs_what_its_settings_say():
    cfg = _config()
    ls = cfg.landscape()
    for s in cfg.settings:
        spec = cfg.run_spec(s.name)
        assert spec.landscape() is ls and spec.batch_size == s.batch_size
        reference = run(
            ls,
            s.name,
            cfg.start,
            cfg.steps,
            s.lr,
            beta=s.beta,
            gamma=s.gamma,
            eps=s.eps,
            batch_size=s.batch_size,
            seed=cfg.seed,
            schedule=cfg.schedule_object(),
        )
        traj = spec.run()
        np.testing.assert_allclose(traj.points, reference.points, rtol=0, atol=1e-12)
        np.testing.assert_allclose(traj.losses, reference.losses, rtol=0, atol=1e-12)
        halved = spec.run(lr=s.lr / 2)
        assert not np.allclose(halved.points[-1], traj.points[-1])
