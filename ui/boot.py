"""The app's modules, imported once per process under one lock.

Two sessions that start together on a fresh server run their scripts in two threads, and both
import NumPy, pandas, Plotly and this project's modules at the same moment; Python's import
locks then let one thread see a module that the other is still initializing ("partially
initialized module 'numpy'"), and that session's page fails. ``import_all`` is the first
thing app.py and every page script do (a fresh server may run a page alone, see
ui/state.py): the first session imports every module of the app, the others wait.
Stdlib only, so importing this module itself is safe.
"""

from __future__ import annotations

import gc
import importlib
import pkgutil
import threading

PACKAGES = ("landscapes", "optimizers", "figures", "ui")
_LOCK = threading.Lock()
_done = False


def import_all() -> None:
    global _done
    if _done:
        return
    with _LOCK:
        if _done:
            return
        for name in ("numpy", "pandas", "plotly.graph_objects", "plotly.io", "streamlit"):
            importlib.import_module(name)
        for package in PACKAGES:
            module = importlib.import_module(package)
            for info in pkgutil.iter_modules(module.__path__, package + "."):
                importlib.import_module(info.name)
        # What the imports built lives as long as the process: out of the collector's way,
        # Streamlit's full collection after every run (runner.postScriptGC, which keeps a
        # replica's memory bounded) walks only what the runs made, not 160,000 objects of
        # NumPy, pandas, Plotly and Streamlit (0.1 s of CPU per view; bench/README.md).
        gc.collect()
        gc.freeze()
        _done = True
