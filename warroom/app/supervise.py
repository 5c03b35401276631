"""Supervised asyncio tasks: nothing that runs for the life of a session dies silently.

``Supervisor`` runs named long-lived coroutines (the feed client, the consumer that stores
and shows what the feed sends, the recorder's housekeeping). When one raises, at once:

* the exception is logged with its traceback (``logging.ERROR``);
* it is counted (``faults``, ``by_task``) and kept as ``last`` with its reason and wall time;
* ``on_fault`` hears of it (the recorder prints it, the console shows it on the feed-health
  panel, both write it to the event log);
* the task is started again after a jittered back-off: ``initial_s·2^(n-1)`` capped at
  ``maximum_s``, times U(0.5, 1), for the n-th crash in a row. A run that lasted
  ``healthy_after_s`` starts the count again.

A task that keeps crashing is given up after ``give_up_after`` crashes in a row (None: never);
a task that raises ``Fatal`` (it cannot go on, e.g. the history store stopped) is not restarted
at all. Either way ``run()`` raises (``TaskGaveUp`` or the ``Fatal``), so the process can say
so and exit non-zero.

``fault()`` reports one failed item of work (an alert evaluation that choked on a message)
in the same way (logged, counted, told) without restarting anything: the caller skips the
item and goes on.

``run()`` returns as soon as one task returns normally (the feed client after ``stop()``);
the other tasks are then cancelled.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import Counter
from dataclasses import dataclass
from typing import Awaitable, Callable

from warroom.core.clock import monotonic, wall_ms

from warroom.core.language.text import terminal_safe

log = logging.getLogger(__name__)

#: Longest reason kept for a fault (an exception's text may quote a whole frame).
MAX_REASON = 300
#: The same failure (task and exception type) is logged with its traceback at most this often;
#: the ones in between are counted, and the next one logged says how many there were.
LOG_EVERY_S = 10.0


@dataclass(frozen=True)
class Fault:
    """One failure of a supervised task, or of one item of its work."""

    task: str
    reason: str  # "ValueError: …", one terminal-safe line
    at_ms: int  # wall clock
    count: int  # failures of this task so far, this one included
    action: str  # what happened next: "restarting in 0.2 s", "item skipped", "gave up", "stopped"

    def describe(self) -> str:
        """``feed-consumer failed (ValueError: x); restarting in 0.2 s``."""
        return f"{self.task} failed ({self.reason}); {self.action}"


class Fatal(Exception):
    """Raised by a supervised task that cannot go on: it is not restarted and ``run()`` raises it."""


class TaskGaveUp(Exception):
    """A task crashed ``give_up_after`` times in a row; ``run()`` raises this."""


def describe_exception(exc: BaseException) -> str:
    """``Type: message`` on one terminal-safe line of at most ``MAX_REASON`` characters."""
    text = str(exc)
    words = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    words = terminal_safe(" ".join(words.split()))
    return words if len(words) <= MAX_REASON else words[: MAX_REASON - 1] + "…"


@dataclass
class _Spec:
    name: str
    factory: Callable[[], Awaitable[None]]


class Supervisor:
    """Runs and restarts named tasks; see the module docstring."""

    def __init__(
        self,
        on_fault: Callable[[Fault], None] | None = None,
        *,
        initial_s: float = 0.1,
        maximum_s: float = 5.0,
        healthy_after_s: float = 30.0,
        give_up_after: int | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.on_fault = on_fault
        self.initial_s = initial_s
        self.maximum_s = maximum_s
        self.healthy_after_s = healthy_after_s
        self.give_up_after = give_up_after
        self.rng = rng or random.Random()
        #: Failures so far, crashes and skipped items alike.
        self.faults = 0
        self.by_task: Counter[str] = Counter()
        #: The most recent failure (None before the first).
        self.last: Fault | None = None
        self._specs: list[_Spec] = []
        self._runners: list[asyncio.Task[None]] = []
        self._logged: dict[tuple[str, str], tuple[float, int]] = {}  # (task, type) -> (when, not logged since)

    def add(self, name: str, factory: Callable[[], Awaitable[None]]) -> None:
        """Supervise ``factory()`` (called again for every restart) under ``name``."""
        self._specs.append(_Spec(name, factory))

    async def run(self) -> None:
        """Run every task until one returns normally; raises ``Fatal`` or ``TaskGaveUp``."""
        self._runners = [asyncio.create_task(self._keep(s), name=s.name) for s in self._specs]
        try:
            done, _ = await asyncio.wait(self._runners, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()  # a Fatal or TaskGaveUp goes to the caller
        finally:
            await self.stop()

    async def stop(self) -> None:
        """Cancel every task and wait for them to end."""
        runners, self._runners = self._runners, []
        for task in runners:
            task.cancel()
        for task in runners:
            try:
                await task
            except asyncio.CancelledError:
                pass
            except Exception:  # noqa: BLE001 - already reported by _keep; run() raises the first
                pass

    def fault(self, task: str, exc: BaseException, action: str = "item skipped") -> Fault:
        """Report one failed item of work: logged with its traceback, counted, told; nothing restarts."""
        return self._report(task, exc, action)

    async def _keep(self, spec: _Spec) -> None:
        in_a_row = 0
        while True:
            started = monotonic()
            try:
                await spec.factory()
                return
            except Fatal as exc:
                self._report(spec.name, exc, "stopped: it cannot go on")
                raise
            except Exception as exc:  # noqa: BLE001 - that is the point: nothing dies silently
                if monotonic() - started >= self.healthy_after_s:
                    in_a_row = 0
                in_a_row += 1
                if self.give_up_after is not None and in_a_row >= self.give_up_after:
                    fault = self._report(spec.name, exc, f"gave up after {in_a_row} crashes in a row")
                    raise TaskGaveUp(fault.describe()) from exc
                delay = min(self.maximum_s, self.initial_s * 2 ** (in_a_row - 1)) * self.rng.uniform(0.5, 1.0)
                self._report(spec.name, exc, f"restarting in {delay:.1f} s")
                await asyncio.sleep(delay)

    def _report(self, task: str, exc: BaseException, action: str) -> Fault:
        self.faults += 1
        self.by_task[task] += 1
        fault = Fault(task, describe_exception(exc), wall_ms(), self.by_task[task], action)
        self.last = fault
        self._log(fault, exc)
        if self.on_fault is not None:
            try:
                self.on_fault(fault)
            except Exception:  # noqa: BLE001 - a broken hook must not stop the supervision
                log.exception("reporting a task failure failed")
        return fault

    def _log(self, fault: Fault, exc: BaseException) -> None:
        """At once, with the traceback; a failure repeating item after item not more than every ``LOG_EVERY_S``."""
        key, now = (fault.task, type(exc).__name__), monotonic()
        last, quiet = self._logged.get(key, (-LOG_EVERY_S, 0))
        if now - last < LOG_EVERY_S:
            self._logged[key] = (last, quiet + 1)
            log.debug("%s", fault.describe())
            return
        if len(self._logged) > 1000:  # bounded, whatever a feed makes fail
            self._logged = {k: v for k, v in self._logged.items() if now - v[0] < LOG_EVERY_S}
        self._logged[key] = (now, 0)
        more = f" ({quiet} more like it since the last report)" if quiet else ""
        log.error("%s%s", fault.describe(), more, exc_info=exc)


__all__ = ["Fatal", "Fault", "Supervisor", "TaskGaveUp", "describe_exception"]
