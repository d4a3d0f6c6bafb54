"""Open one page of the app in an AppTest, as a visitor following a link to it would."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def open_page(page: str, *, timeout: float, **query) -> AppTest:
    """Run the app with ``query`` as its URL's parameters, switch to ``page``; no exception."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    for key, value in query.items():
        at.query_params[key] = value if isinstance(value, list) else str(value)
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at
