"""One script run at a time per process, in the order they asked.

Streamlit runs each session's script in its own thread, and Python's GIL lets one of them
run Python at a time. A view that calls NumPy often (a basin map: thousands of calls, each
releasing the GIL) waits up to the switch interval (5 ms) to take the GIL back after every
call while other views run Python (building figures), so under load the heaviest views
slowed most: alone a basin map took 0.08 s, beside four busy threads 115 s (bench/README.md,
"Capacity, third pass"). Taking turns, each run computes at full speed and the runs queue
in order; a replica is one core's worth of work, and `make serve` starts one per core.

``one_at_a_time()`` wraps app.py's run, and ``gated`` each fragment (a fragment reruns
without app.py). The gate is reentrant: a fragment also runs inside its page's full run, in
the same thread.
"""

from __future__ import annotations

import functools
import threading
from collections import deque
from contextlib import contextmanager


class FifoGate:
    """A reentrant lock that admits its waiting threads first come, first served."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._waiting: deque[int] = deque()
        self._owner: int | None = None
        self._depth = 0

    def acquire(self) -> None:
        me = threading.get_ident()
        with self._cond:
            if self._owner == me:
                self._depth += 1
                return
            self._waiting.append(me)
            while self._owner is not None or self._waiting[0] != me:
                self._cond.wait()
            self._waiting.popleft()
            self._owner, self._depth = me, 1

    def release(self) -> None:
        with self._cond:
            if self._owner != threading.get_ident():
                raise RuntimeError("release of a gate this thread does not hold")
            self._depth -= 1
            if self._depth == 0:
                self._owner = None
                self._cond.notify_all()

    @property
    def queued(self) -> int:
        """Threads waiting for their turn."""
        with self._cond:
            return len(self._waiting)


GATE = FifoGate()


@contextmanager
def one_at_a_time():
    """Run the block when this process's earlier script runs are done (see above)."""
    GATE.acquire()
    try:
        yield
    finally:
        GATE.release()


def gated(fn):
    """``fn`` run under `one_at_a_time` (for ``st.fragment`` functions: ``@st.fragment`` then
    ``@gated``)."""

    @functools.wraps(fn)
    def run(*args, **kwargs):
        with one_at_a_time():
            return fn(*args, **kwargs)

    return run
