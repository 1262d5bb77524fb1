"""CPU slots: how many answer threads may compute at once, and a way to give a slot back while waiting.

The server runs every admitted question on its own thread when an LLM is configured (those threads
mostly wait on the endpoint), but only a few may compute at a time: dozens of threads fighting for the
GIL would starve the event loop that answers /api/health, and would finish every answer late rather
than some early. A thread holds a slot while it retrieves, drafts and checks; the LLM client gives the
slot back for as long as it waits on the network (`waiting()`), then queues for one again.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

_held = threading.local()  # the semaphore whose slot this thread holds, if any


@contextmanager
def holding(slots: threading.Semaphore) -> Iterator[None]:
    """Run the body with one of `slots` (waiting for one first)."""
    slots.acquire()
    _held.slots = slots
    try:
        yield
    finally:
        _held.slots = None
        slots.release()


@contextmanager
def waiting() -> Iterator[None]:
    """Give this thread's slot back for the body (a network wait), then take one again. A no-op on a
    thread that holds none (the CLI, the eval, the web chat's own threads)."""
    slots: threading.Semaphore | None = getattr(_held, "slots", None)
    if slots is None:
        yield
        return
    _held.slots = None
    slots.release()
    try:
        yield
    finally:
        slots.acquire()
        _held.slots = slots
