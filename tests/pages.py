"""Open one page of the app in an AppTest, as a visitor following a link to it would."""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def open_page(page: str, *, timeout: float, **query) -> AppTest:
    """Run the app with ``query`` as its URL's parameters, switch to ``page``; no exception."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    for key, value in query.items():
        at.query_params[key] = value if isinstance(value, list) else str(value)
    at.switch_page(page)  # the link's page runs first, as in the browser
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def chart_figures(at: AppTest) -> list[dict]:
    """The Plotly figure of every chart drawn through ui/plotly_chart.py, in page order."""
    from ui.plotly_chart import COMPONENT

    found = []
    for element in at.get("bidi_component"):
        if element.proto.component_name == COMPONENT:
            data = json.loads(element.proto.json)
            if data.get("figure"):
                found.append(json.loads(data["figure"]))
    return found
