"""What a replica holds after many views: RSS, the size of every Streamlit cache, and the
largest live allocations (tracemalloc), from views run in this process through AppTest.

    python bench/memory.py                 # 60 views of random valid links, every page
    python bench/memory.py --views 30 --trace --top 15

The links are bench/load.py's (random surface, start, α, seed and optimizers; each page's
sizes near their defaults). ``st.cache_data`` keeps its values pickled: their size is exact;
``st.cache_resource`` values are measured with Streamlit's own estimate (``asizeof``).
"""

from __future__ import annotations

import argparse
import gc
import logging
import random
import sys
import tracemalloc
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from load import PAGES, random_query  # noqa: E402
from streamlit import config as st_config  # noqa: E402
from streamlit.runtime.caching import cache_data_api, cache_resource_api  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

APP = str(REPO / "app.py")


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cache_sizes() -> dict[str, tuple[int, float]]:
    """Per cached function: (entries, MB)."""
    st_config.set_option("server.enableExpensiveMemoryStats", True)
    sizes: dict[str, list] = defaultdict(lambda: [0, 0])
    for provider in (cache_data_api._data_caches, cache_resource_api._resource_caches):
        for stats in provider.get_stats().values():
            for stat in stats:
                name = stat.category_name.rsplit(".", 1)[-1] + ":" + stat.cache_name
                sizes[name][0] += 1
                sizes[name][1] += stat.byte_length / 2**20
    return {k: (n, mb) for k, (n, mb) in sizes.items()}


def view(page: str, query: dict) -> None:
    at = AppTest.from_file(APP, default_timeout=300)
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page(f"pages/{page or 'compare'}.py")
    at.run()
    if at.exception:
        raise RuntimeError(f"{page}: {[e.value for e in at.exception]}")


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--views", type=int, default=60)
    p.add_argument("--top", type=int, default=10)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--trace", action="store_true", help="tracemalloc (about 10x slower)")
    args = p.parse_args(argv)
    logging.disable(logging.WARNING)
    rng = random.Random(args.seed)
    print(f"RSS at start: {rss_mb():.0f} MB", flush=True)
    view("", {})
    print(f"RSS after one view: {rss_mb():.0f} MB")
    if args.trace:
        tracemalloc.start(1)
    for _ in range(args.views):
        page = rng.choice(PAGES)
        view(page, random_query(rng, page))
    gc.collect()
    print(f"RSS after {args.views} views: {rss_mb():.0f} MB")
    print("\n| cache | entries | MB |\n|---|---:|---:|")
    sizes = cache_sizes()
    for name, (n, mb) in sorted(sizes.items(), key=lambda kv: -kv[1][1]):
        print(f"| {name} | {n} | {mb:.1f} |")
    entries, mb = sum(n for n, _ in sizes.values()), sum(mb for _, mb in sizes.values())
    print(f"| all | {entries} | {mb:.1f} |", flush=True)
    if not args.trace:
        return
    snapshot = tracemalloc.take_snapshot()
    print(f"\nLargest live allocations (by line, {args.top}):\n")
    for stat in snapshot.statistics("lineno")[: args.top]:
        print(f"{stat.size / 2**20:7.1f} MB  {stat.count:7d}  {stat.traceback[0]}")


if __name__ == "__main__":
    main()
