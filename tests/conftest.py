"""Shared test setup.

AppTest quirk (Streamlit 1.67): before every run AppTest resets
``PagesManager.uses_pages_directory`` and recomputes it from whether a ``pages/`` folder sits
beside the main script. Ours does (the page scripts live there, as plain files for
``st.navigation``), so from the second run on AppTest would execute the page script alone,
legacy multipage style, skipping app.py and its sidebar. The real server computes the flag
once and ``st.navigation`` clears it for good; this makes AppTest do the same.
"""

from __future__ import annotations

import os

import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import app_test

# Every figure any test builds is validated in full by plotly (figures.kit.new_figure); the
# servers the browser tests start inherit it.
os.environ.setdefault("DESCENT_VALIDATE_FIGURES", "1")


class _NavigationPagesManager(PagesManager):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        PagesManager.uses_pages_directory = False


@pytest.fixture(autouse=True)
def _apptest_uses_st_navigation(monkeypatch):
    monkeypatch.setattr(app_test, "PagesManager", _NavigationPagesManager)
