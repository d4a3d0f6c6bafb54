"""Every ``st.cache_data`` value together stays within the server's byte budget
(``server.maxCacheDataSize`` in .streamlit/config.toml), whatever the links ask for."""

from __future__ import annotations

import numpy as np
from streamlit import config
from streamlit.byte_util import config_max_cache_data_size_to_bytes
from streamlit.runtime.caching import cache_data_api
from streamlit.runtime.caching.global_cache_budget import (
    reconfigure_global_cache_budget_from_config,
)

from ui.compute_compare import alpha_sweep
from ui.config import RunSpec


def _entries() -> list[int]:
    """The pickled size of every st.cache_data entry, one by one."""
    caches = cache_data_api._data_caches._function_caches.values()
    return [
        stat.byte_length
        for by_key in caches
        for cache in by_key.values()
        for stats in cache.get_stats().values()
        for stat in stats
    ]


def _spec(seed: int) -> RunSpec:
    """Minibatch SGD on Rosenbrock, 1000 steps at 25 α: about 1 MB in the cache."""
    return RunSpec(
        surface="rosenbrock",
        params=(),
        optimizer="sgd",
        start=(-1.2, 1.0),
        steps=1000,
        lr=1e-3,
        hyper=(),
        batch_size=16,
        seed=seed,
        schedule=("constant", 0.5, 10, 0.0),
    )


def test_cached_sweeps_stay_within_the_configured_budget():
    budget = config_max_cache_data_size_to_bytes(config.get_option("server.maxCacheDataSize"))
    assert budget == 24 * 2**20  # the repo's config is the one read
    reconfigure_global_cache_budget_from_config()  # as the server does when it starts
    cache_data_api._data_caches.clear_all()
    try:
        for seed in range(60):  # about 1 MB each: 60 MB asked for, more than the budget
            swept = alpha_sweep(_spec(seed))
            assert sum(_entries()) <= budget
        kept = _entries()
        assert len(kept) < 60 and len(kept) * max(kept) > 0.9 * budget  # the budget bit
        # The value read back is the run's (the newest entry is never the one evicted).
        assert np.array_equal(swept.points, alpha_sweep(_spec(59)).points)
    finally:
        cache_data_api._data_caches.clear_all()
