"""Plotly charts that update in place (a Streamlit custom component), for the compare page.

``st.plotly_chart`` in Streamlit 1.67 derives its element id from the figure, so every new
figure remounts the chart and Plotly rebuilds it from nothing, WebGL contexts included: about
2 s for the race figure on a machine without a GPU. This component keeps one Plotly instance
per key and hands it each new figure through ``Plotly.react`` (about 0.3 s). It can draw the
2D part of a figure first and add the 3D scene a moment later, and it reports clicks on the
2D plot.

plotly.js is the copy that ships inside the pinned plotly package: it is copied once into
``static/`` (git-ignored) and served by Streamlit's static file serving
(``server.enableStaticServing`` in ``.streamlit/config.toml``).
"""

from __future__ import annotations

import functools
import os
import shutil
from pathlib import Path
from typing import NamedTuple

import plotly
import plotly.io as pio
import plotly.offline
import streamlit as st
from _plotly_utils.utils import convert_to_base64

from figures.race_panels import PANEL_HEIGHT

REPO = Path(__file__).resolve().parent.parent
STATIC_DIR = REPO / "static"  # served at <base>/app/static/
PLOTLY_JS_SOURCE = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
PLOTLY_JS_NAME = f"plotly-{plotly.offline.get_plotlyjs_version()}.min.js"
COMPONENT = "descent_plotly"
LOADER_KEY = "descent_plotly_loader"
# The race's code (ui/race_chart.js) and the SGD lab's (ui/sgd_chart.js, which uses the
# race's helpers) come first: the module's default export calls them.
_JS = "\n".join(
    (Path(__file__).parent / name).read_text(encoding="utf-8")
    for name in ("race_chart.js", "sgd_chart.js", "plotly_chart.js")
)
# The loader draws nothing and must take no room; charts hold their height while loading.
_CSS = f"""
.st-key-{LOADER_KEY} {{ display: none; }}
.descent-plot {{ width: 100%; }}
.descent-plot-error {{ color: #b42318; padding: 1rem 0; }}
.descent-race, .descent-lab {{ width: 100%; outline: none; }}
.descent-race:focus-visible, .descent-lab:focus-visible {{ outline: 2px solid #0072B2;
  outline-offset: 2px; }}
.descent-follow {{ position: relative; }}
.descent-controls {{ display: flex; flex-wrap: wrap; gap: 0.4rem 1.2rem; align-items: center;
  font-size: 0.9rem; margin-bottom: 0.3rem; }}
.descent-alpha, .descent-time {{ display: flex; gap: 0.4rem; align-items: center;
  flex: 1 1 300px; }}
.descent-controls input[type=range] {{ flex: 1 1 120px; min-width: 80px; }}
.descent-controls button, .descent-controls select {{ font: inherit; padding: 0.1rem 0.5rem;
  border: 1px solid #bbb; border-radius: 0.3rem; background: white; color: #1f2430;
  cursor: pointer; }}  /* their own colours: on a white card in both themes */
.descent-controls output {{ font-variant-numeric: tabular-nums; white-space: nowrap; }}
/* Two panels side by side; below about 700 px they wrap, each at full width. */
.descent-panels {{ display: flex; flex-wrap: wrap; gap: 8px; }}
.descent-panels > .descent-panel {{ flex: 1 1 340px; min-width: 0; }}
.descent-panel {{ position: relative; }}
.descent-controls button {{ white-space: nowrap; }}
/* Room held for the plots while plotly.js loads (they size themselves to their width). */
.descent-surface {{ min-height: 260px; }}
.descent-loss {{ min-height: 220px; }}
.descent-time {{ flex-wrap: wrap; }}
.descent-overlay {{ position: absolute; pointer-events: none; overflow: hidden; }}
.descent-readout {{ display: flex; flex-wrap: wrap; gap: 0.2rem 1rem; font-size: 0.85rem;
  margin: 0.3rem 0; font-variant-numeric: tabular-nums; }}
.descent-swatch {{ display: inline-block; width: 3.2em; height: 0.7em; margin-right: 0.3em;
  vertical-align: -0.05em; }}
.descent-run.diverged {{ font-style: italic; }}
.descent-contour svg.descent-poster {{ width: 100%; height: auto; max-height: {PANEL_HEIGHT}px; }}
"""


@functools.cache
def publish_plotly_js() -> Path:
    """Copy plotly.py's plotly.min.js into ``static/`` unless an equal copy is there; once
    per process (a failure raises, and is tried again on the next call)."""
    target = STATIC_DIR / PLOTLY_JS_NAME
    size = PLOTLY_JS_SOURCE.stat().st_size
    if not target.exists() or target.stat().st_size != size:
        STATIC_DIR.mkdir(exist_ok=True)
        partial = target.with_name(f"{target.name}.{os.getpid()}.part")
        shutil.copyfile(PLOTLY_JS_SOURCE, partial)
        partial.replace(target)  # atomic: a browser never reads half a file
    return target


def plotly_js_url() -> str:
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return "/" + "/".join(part for part in (base, "app/static", PLOTLY_JS_NAME) if part)


def _component():
    # Registered on every call: registration is per Streamlit runtime, and an identical
    # definition registers again silently.
    return st.components.v2.component(COMPONENT, js=_JS, css=_CSS, isolate_styles=False)


def _source(report: bool = True) -> str | None:
    """The URL of plotly.js, or None (after telling the user why, if ``report``)."""
    problem = None
    if not st.get_option("server.enableStaticServing"):
        problem = (
            "The interactive plots load plotly.js through Streamlit's static file serving, "
            "which is off. Start the app from the repository's folder (its "
            "`.streamlit/config.toml` turns it on), or add "
            "`--server.enableStaticServing true` to `streamlit run`."
        )
    else:
        try:
            publish_plotly_js()
        except OSError as exc:
            problem = (
                f"The interactive plots need {PLOTLY_JS_NAME} in {STATIC_DIR}, and it could "
                f"not be copied there from the plotly package: {exc}"
            )
    if problem is None:
        return plotly_js_url()
    if report:
        st.error(problem, icon=":material/error:")
    return None


def load_plotly() -> None:
    """Start downloading plotly.js now, before any chart of this run is ready to draw. Silent
    when it can't: each chart says why it is missing."""
    src = _source(report=False)
    if src:
        _component()(key=LOADER_KEY, data={"src": src})


def plotly_chart(
    figure_json: str,
    *,
    key: str,
    height: int,
    stages: bool = False,
    later: tuple[str, ...] = (),
    poster: str | None = None,
    on_click=None,
    config: dict | None = None,
    follow: str | None = None,
):
    """Draw a Plotly figure given as JSON; later runs with the same ``key`` update it.

    ``stages``: draw the 2D traces first (WebGL ones as SVG, and none of the traces named in
    ``later``), and the whole figure once the browser has painted that.
    ``poster``: trusted SVG shown until plotly.js has loaded and drawn (a new page only).
    ``on_click``: called (before the rerun) when the 2D plot is clicked; read the point with
    `clicked_xy`.
    ``follow``: a group of animated charts (e.g. the SGD lab's, `figures.sgd_motion.GROUP`)
    whose current step this chart marks with a vertical line (its x axis is the step).
    """
    src = _source()
    if src is None:
        return None
    data = dict(
        src=src,
        figure=figure_json,
        height=height,
        stages=stages,
        later=list(later),
        poster=poster,
        clickable=on_click is not None,
        config={"displaylogo": False, **(config or {})},
        follow=follow,
    )
    callbacks = {"on_click_change": on_click} if on_click is not None else {}
    return _component()(key=key, data=data, height=height, **callbacks)


DEFAULT_HEIGHT = 450  # px: Plotly's own default for a figure without a height


def figure_json(figure, remove_uids: bool = True) -> str:
    """``pio.to_json(figure, validate=False)``, the same text, without plotly's deep copy of
    the whole figure (``Figure.to_dict``: a third of a basin map's figure, whose hover texts
    are object arrays copied item by item). Only the dicts and lists are copied, which
    plotly's base64 conversion then fills in; the arrays are read, never changed."""
    if figure._frame_objs:  # frames (none of ours): plotly's own path
        return pio.to_json(figure, validate=False, remove_uids=remove_uids)
    fig = {"data": _containers(figure._data), "layout": _containers(figure._layout)}
    convert_to_base64(fig)
    return pio.to_json(fig, validate=False, remove_uids=remove_uids)


def _containers(obj):
    if isinstance(obj, dict):
        return {k: _containers(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_containers(v) for v in obj]
    return obj


class FigureJSON(NamedTuple):
    """A figure as the browser gets it: its JSON (plotly.js's figure format) and height."""

    json: str
    height: int

    @classmethod
    def of(cls, figure, remove_uids: bool = True) -> FigureJSON:
        """A ``go.Figure``'s JSON (see `figure_json`) and height."""
        height = int(figure.layout.height or DEFAULT_HEIGHT)
        return cls(figure_json(figure, remove_uids), height)


def chart(
    figure, *, key: str, on_click=None, config: dict | None = None, follow: str | None = None
):
    """Draw a ``go.Figure`` (or its `FigureJSON`) in place of ``st.plotly_chart``: later runs
    with the same ``key`` update the chart with ``Plotly.react`` instead of building a new
    one. ``on_click``, ``follow``: see `plotly_chart`; ``config`` is merged into Plotly's
    config."""
    figure = figure if isinstance(figure, FigureJSON) else FigureJSON.of(figure)
    return plotly_chart(
        figure.json,
        key=key,
        height=figure.height,
        on_click=on_click,
        config=config,
        follow=follow,
    )


def race_chart(view, *, key: str, on_click=None, config: dict | None = None):
    """The compare page's race (a `ui.compute_compare.RaceView`): contour, surface and loss,
    with an α scrubber and Play/Pause/step/speed that run in the browser (ui/race_chart.js).

    ``on_click``: called (before the rerun) when the contour is clicked; read the point with
    `clicked_xy`. ``config`` is merged into Plotly's config (e.g. toImageButtonOptions).
    """
    src = _source()
    if src is None:
        return None
    data = dict(
        src=src,
        race=dict(contour=view.contour, surface=view.surface, loss=view.loss, motion=view.motion),
        poster=view.poster,
        clickable=on_click is not None,
        config={"displaylogo": False, **(config or {})},
    )
    callbacks = {"on_click_change": on_click} if on_click is not None else {}
    return _component()(key=key, data=data, **callbacks)


def lab_chart(view, *, key: str, on_click=None, config: dict | None = None):
    """The SGD lab's epoch (a `ui.compute_sgd_lab.LabView`): GD and SGD on the contour beside the
    minibatches, with Play/Pause/step/speed that run in the browser (ui/sgd_chart.js).
    ``on_click``, ``config``: as for `chart`."""
    src = _source()
    if src is None:
        return None
    data = dict(
        src=src,
        lab=dict(figure=view.figure.json, motion=view.motion),
        height=view.figure.height,
        clickable=on_click is not None,
        config={"displaylogo": False, **(config or {})},
    )
    callbacks = {"on_click_change": on_click} if on_click is not None else {}
    return _component()(key=key, data=data, **callbacks)


def clicked_xy(key: str) -> tuple[float, float, str] | None:
    """The last click on chart ``key`` as (x, y, name of the trace clicked), if any (inside
    ``on_click``)."""
    state = st.session_state.get(key)
    click = state.get("click") if state is not None else None
    if not isinstance(click, dict):
        return None
    try:
        x, y = float(click["x"]), float(click["y"])
    except (KeyError, TypeError, ValueError):
        return None
    return x, y, str(click.get("trace", ""))
