"""One script run at a time per process (ui/gate.py): first come, first served, reentrant,
released on every way out, and taken by app.py's run."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui.gate import GATE, FifoGate, gated, one_at_a_time

APP = str(Path(__file__).resolve().parents[1] / "app.py")
WAIT = 30.0  # s: a bound for threads that must finish, never reached when all is well


def wait_until(condition) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.005)


def test_waiting_threads_take_their_turns_in_arrival_order():
    gate, order = FifoGate(), []
    gate.acquire()

    def visitor(name):
        gate.acquire()
        order.append(name)
        gate.release()

    threads = []
    for k, name in enumerate("BCDEF"):
        t = threading.Thread(target=visitor, args=(name,))
        t.start()
        threads.append(t)
        wait_until(lambda k=k: gate.queued == k + 1)  # each queues before the next starts
    assert order == []  # all wait while the gate is held
    gate.release()
    for t in threads:
        t.join(WAIT)
    assert order == list("BCDEF")
    assert gate.queued == 0


def test_the_holder_may_enter_again_and_others_wait_for_its_last_release():
    gate, entered = FifoGate(), threading.Event()
    gate.acquire()
    gate.acquire()  # a fragment inside its page's run: same thread

    def other():
        gate.acquire()
        entered.set()
        gate.release()

    t = threading.Thread(target=other)
    t.start()
    wait_until(lambda: gate.queued == 1)
    gate.release()
    assert not entered.wait(0.2)  # still held once
    gate.release()
    assert entered.wait(WAIT)
    t.join(WAIT)


def test_release_by_a_thread_that_does_not_hold_it_is_an_error():
    gate = FifoGate()
    with pytest.raises(RuntimeError, match="does not hold"):
        gate.release()


def test_an_exception_leaves_the_gate_open():
    class Stop(Exception):  # as Streamlit stops a run: an exception raised in the script
        pass

    with pytest.raises(Stop), one_at_a_time():
        raise Stop
    assert GATE.queued == 0
    done = threading.Event()
    t = threading.Thread(target=lambda: (GATE.acquire(), GATE.release(), done.set()))
    t.start()
    assert done.wait(WAIT)


def test_gated_runs_the_function_under_the_gate_and_keeps_its_name():
    seen = []

    @gated
    def fragment(x):
        """doc"""
        seen.append(GATE._owner == threading.get_ident())
        return 2 * x

    assert fragment(21) == 42 and seen == [True]
    assert fragment.__name__ == "fragment" and fragment.__doc__ == "doc"


def test_a_page_runs_only_when_the_gate_is_free():
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["surface"] = "quadratic"
    finished = threading.Event()

    def run():
        at.run()
        finished.set()

    GATE.acquire()  # another session's run
    try:
        t = threading.Thread(target=run)
        t.start()
        wait_until(lambda: GATE.queued == 1)  # app.py waits at the gate
        assert not finished.wait(0.5)
    finally:
        GATE.release()
    assert finished.wait(120)
    t.join(WAIT)
    assert not at.exception
    assert at.title[0].value == "Compare optimizers"
    assert GATE.queued == 0 and GATE._owner is None  # released at the end of the run
