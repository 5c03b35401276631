"""The supervisor: a task that raises is reported at once, counted and restarted; never silent."""

from __future__ import annotations

import asyncio
import logging
import random

import pytest

from warroom.app.supervise import Fatal, Fault, Supervisor, TaskGaveUp, describe_exception


def fast(**kw) -> Supervisor:
    return Supervisor(initial_s=0.01, maximum_s=0.02, rng=random.Random(1), **kw)


async def test_a_crash_is_logged_with_its_traceback_told_counted_and_the_task_restarted(caplog):
    told: list[Fault] = []
    runs = 0
    done = asyncio.Event()

    async def flaky() -> None:
        nonlocal runs
        runs += 1
        if runs == 1:
            raise ValueError("bad item 1")
        if runs == 2:
            raise KeyError("bad item 2")
        done.set()
        await asyncio.Event().wait()

    sup = fast(on_fault=told.append)
    sup.add("consumer", flaky)
    task = asyncio.create_task(sup.run())
    try:
        await asyncio.wait_for(done.wait(), 5)
    finally:
        await sup.stop()
        task.cancel()
    assert runs == 3 and sup.faults == 2 and sup.by_task["consumer"] == 2
    assert [f.reason for f in told] == ["ValueError: bad item 1", "KeyError: 'bad item 2'"]
    assert told[-1] is sup.last and told[-1].count == 2 and told[-1].action.startswith("restarting in ")
    logged = [r for r in caplog.records if r.levelno == logging.ERROR and "consumer failed" in r.getMessage()]
    assert len(logged) == 2 and all(r.exc_info for r in logged)  # the traceback, at once


def test_a_failure_repeating_item_after_item_does_not_flood_the_log(caplog):
    told: list[Fault] = []
    sup = fast(on_fault=told.append)
    for i in range(50):
        sup.fault("alert watch", ValueError(f"item {i}"))
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and errors[0].exc_info  # the first, at once, with its traceback
    assert sup.faults == 50 and len(told) == 50  # all counted and told


async def test_fatal_stops_at_once_and_run_raises_it():
    sup = fast()

    async def store() -> None:
        raise Fatal("the history store stopped")

    async def forever() -> None:
        await asyncio.Event().wait()

    sup.add("store watch", store)
    sup.add("client", forever)
    with pytest.raises(Fatal, match="history store stopped"):
        await asyncio.wait_for(sup.run(), 5)
    assert sup.last is not None and sup.last.action == "stopped: it cannot go on"


async def test_a_task_that_keeps_crashing_is_given_up_and_run_says_so():
    sup = fast(give_up_after=3)

    async def broken() -> None:
        raise RuntimeError("always")

    sup.add("recorder", broken)
    with pytest.raises(TaskGaveUp, match="recorder failed .RuntimeError: always.; gave up after 3 crashes in a row"):
        await asyncio.wait_for(sup.run(), 5)
    assert sup.by_task["recorder"] == 3


async def test_a_normal_end_of_one_task_ends_the_others():
    sup = fast()
    cancelled = asyncio.Event()

    async def client() -> None:
        await asyncio.sleep(0.05)  # stop() was called: it returns

    async def consumer() -> None:
        try:
            await asyncio.Event().wait()
        finally:
            cancelled.set()

    sup.add("client", client)
    sup.add("consumer", consumer)
    await asyncio.wait_for(sup.run(), 5)
    assert cancelled.is_set() and sup.faults == 0


async def test_an_item_fault_is_counted_and_told_but_restarts_nothing():
    told: list[Fault] = []
    sup = fast(on_fault=told.append)
    fault = sup.fault("alert watch", UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed"))
    assert fault.action == "item skipped" and sup.faults == 1 and told == [fault]
    assert "\ud800" not in fault.describe()  # terminal-safe: it is printed and shown


async def test_a_broken_hook_does_not_stop_the_supervision():
    def hook(fault: Fault) -> None:
        raise OSError("stdout closed")

    sup = fast(on_fault=hook)
    assert sup.fault("x", ValueError("y")).count == 1  # and no exception


def test_reasons_are_one_short_terminal_safe_line():
    text = describe_exception(ValueError("line one\nline two \x1b[31m" + "z" * 1000))
    assert "\n" not in text and "\x1b" not in text and len(text) <= 300
    assert text.startswith("ValueError: line one line two")
