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

from ui.compute import alpha_sweep


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


def test_cached_sweeps_stay_within_the_configured_budget():
    budget = config_max_cache_data_size_to_bytes(config.get_option("server.maxCacheDataSize"))
    assert budget == 32 * 2**20  # the repo's config is the one read
    reconfigure_global_cache_budget_from_config()  # as the server does when it starts
    cache_data_api._data_caches.clear_all()
    try:
        for seed in range(60):  # about 1 MB each: 60 MB asked for, more than the budget
            swept = alpha_sweep(
                "rosenbrock", (), "sgd", (-1.2, 1.0), 1000, 1e-3, 0.9, 0.999, 1e-8, 16, seed,
                ("constant", 0.5, 10, 0.0),
            )  # fmt: skip
            assert sum(_entries()) <= budget
        kept = _entries()
        assert len(kept) < 60 and len(kept) * max(kept) > 0.9 * budget  # the budget bit
        # The value read back is the run's (the newest entry is never the one evicted).
        assert np.array_equal(swept.points, alpha_sweep(
            "rosenbrock", (), "sgd", (-1.2, 1.0), 1000, 1e-3, 0.9, 0.999, 1e-8, 16, 59,
            ("constant", 0.5, 10, 0.0),
        ).points)  # fmt: skip
    finally:
        cache_data_api._data_caches.clear_all()
