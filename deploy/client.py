"""A Streamlit websocket client: open a view as a browser does, without a browser.

One *view* is what a browser does when it opens a link: a new websocket to
``/_stcore/stream``, one ``rerun_script`` BackMsg carrying the link's query string and page,
then wait for the ``script_finished`` ForwardMsg. bench/load.py loads the app with it;
deploy/launch.py warms a fresh server with it.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import websockets  # ships with streamlit
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

VIEW_TIMEOUT = 120.0  # seconds: a view slower than this counts as failed
# url_path of each page in app.py ("" is the default page, compare).
PAGES = ("", "sgd_lab", "sensitivity", "basins", "convexity", "theory")


# ----- one view -----------------------------------------------------------------------------
def stream_url(base: str) -> str:
    parts = urlsplit(base)
    scheme = "wss" if parts.scheme == "https" else "ws"
    return f"{scheme}://{parts.netloc}{parts.path.rstrip('/')}/_stcore/stream"


@dataclass
class View:
    page: str
    seconds: float
    ok: bool
    error: str = ""
    title: str = ""  # the page's st.title, to tell which page ran
    warnings: tuple[str, ...] = ()  # st.warning texts (a rejected link parameter shows one)
    link: str = ""  # the page and query string asked for


async def one_view(base: str, page: str, query: dict, cookies: dict[str, str]) -> View:
    """Open the stream, ask for ``page`` with ``query``, wait for the run to finish."""
    back = BackMsg()
    back.rerun_script.query_string = urlencode(query, doseq=True)
    back.rerun_script.page_name = page
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())} if cookies else {}
    t0 = time.perf_counter()

    def view(ok: bool, error: str = "", **seen) -> View:
        link = f"/{page}?{back.rerun_script.query_string}"
        return View(page, time.perf_counter() - t0, ok, error, link=link, **seen)

    try:
        async with asyncio.timeout(VIEW_TIMEOUT):
            async with websockets.connect(
                stream_url(base),
                subprotocols=["streamlit"],
                additional_headers=headers,
                max_size=None,
                compression=None,
            ) as ws:
                _remember_cookies(ws, cookies)
                await ws.send(back.SerializeToString())
                title, exceptions, warnings = "", [], []
                async for data in ws:
                    msg = ForwardMsg()
                    msg.ParseFromString(data)
                    kind = msg.WhichOneof("type")
                    if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                        element = msg.delta.new_element
                        if element.WhichOneof("type") == "exception":
                            exceptions.append(element.exception.message)
                        elif element.WhichOneof("type") == "alert":
                            warnings.append(element.alert.body)
                        elif element.WhichOneof("type") == "heading" and not title:
                            if element.heading.tag == "h1":
                                title = element.heading.body
                    if kind != "script_finished":
                        continue
                    status = msg.script_finished
                    seen = dict(title=title, warnings=tuple(warnings))
                    if exceptions:
                        return view(False, "exception: " + exceptions[0], **seen)
                    if status == ForwardMsg.FINISHED_SUCCESSFULLY:
                        return view(True, **seen)
                    if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                        return view(False, "compile error", **seen)
                    # FINISHED_EARLY_FOR_RERUN: the app reran itself (st.rerun); keep waiting.
                return view(False, "closed before the run ended")
    except (TimeoutError, OSError, websockets.WebSocketException) as exc:
        return view(False, f"{type(exc).__name__}: {exc}")


def _remember_cookies(ws, cookies: dict[str, str]) -> None:
    """Keep cookies the server (or a proxy's sticky-session cookie) set, as a browser would."""
    response = getattr(ws, "response", None)
    if response is None:
        return
    for value in response.headers.get_all("Set-Cookie"):
        name, _, rest = value.partition("=")
        cookies[name.strip()] = rest.split(";", 1)[0].strip()
