"""CPU slots: at most N threads compute at once; a thread waiting on the network lends its slot out."""

from __future__ import annotations

import threading

from rag import cpu_slots


def test_holding_bounds_how_many_compute_at_once() -> None:
    slots = threading.Semaphore(2)
    inside, most, lock = 0, 0, threading.Lock()
    go = threading.Barrier(6)

    def work() -> None:
        nonlocal inside, most
        go.wait()
        with cpu_slots.holding(slots):
            with lock:
                inside += 1
                most = max(most, inside)
            for _ in range(20_000):  # some Python work, so that the threads overlap
                pass
            with lock:
                inside -= 1

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert 1 <= most <= 2


def test_waiting_lends_the_slot_and_takes_it_back() -> None:
    slots = threading.Semaphore(1)
    waiting, other_ran, done = threading.Event(), threading.Event(), threading.Event()

    def caller() -> None:
        with cpu_slots.holding(slots):
            with cpu_slots.waiting():  # the LLM call: the only slot is free meanwhile
                waiting.set()
                assert other_ran.wait(30)
            # Back in: the slot is ours again, so nobody else can take it now.
            assert not slots.acquire(blocking=False)
        done.set()

    def other() -> None:
        assert waiting.wait(30)
        with cpu_slots.holding(slots):
            other_ran.set()

    threads = [threading.Thread(target=caller), threading.Thread(target=other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert done.is_set() and slots.acquire(blocking=False)


def test_waiting_without_a_slot_is_a_no_op() -> None:
    with cpu_slots.waiting():  # the CLI, the eval, the web chat's own threads
        pass
