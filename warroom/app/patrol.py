"""Running a patrol: against a history file, a console's live view, or a feed for N seconds.

The judgement is ``warroom.core.patrol``; this module gathers its inputs:

- the **window**: the last ``window_ms`` (15 minutes by default) of every series the patrol
  reads, raw;
- the **traffic history** for the forecast: each service's ``service_requests_rate`` over the
  ``HISTORY_DAYS`` before the window, as 90-second averages (what the console's baselines read,
  ``warroom.app.session``). A live feed watched for N seconds has no such history unless a
  history file is given too: its headroom is then "unknown", said, not guessed;
- the **previous patrol**: the newest ``patrol`` event of the same source, from the history's
  event log or the caller's (``PatrolLog``, the JSON-lines log ``warroom patrol`` keeps).

Blocking functions (DuckDB reads): the console runs them off its event loop.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from warroom.core.graph.topology import Topology
from warroom.core.model import Event, EventKind, SeriesKey
from warroom.core.patrol import Patrol, inspect, last_patrol, levels_of
from warroom.store.live import LiveView

log = logging.getLogger(__name__)

WINDOW_MS = 15 * 60_000
HISTORY_DAYS = 7
HISTORY_BUCKET_MS = 90_000
_FAR = 4_102_444_800_000  # 2100: "every event"


class PatrolError(Exception):
    """The patrol cannot run: no data, no topology, an unreadable file (the message says which)."""


def window_keys(topology: Topology) -> list[SeriesKey]:
    """Every series the patrol reads over its window."""
    keys: list[SeriesKey] = []
    for s in topology.services:
        keys += [SeriesKey("service_error_ratio", {"service": s.name}),
                 SeriesKey("service_latency_seconds", {"service": s.name, "quantile": "0.99"}),
                 SeriesKey("service_requests_rate", {"service": s.name})]
    keys += [SeriesKey("scenario_success_ratio", {"scenario": sc.id}) for sc in topology.scenarios]
    return keys


def traffic_history(reader, topology: Topology, before_ms: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Each service's request rate over the ``HISTORY_DAYS`` before ``before_ms`` (blocking)."""
    keys = {SeriesKey("service_requests_rate", {"service": s.name}): s.name for s in topology.services}
    start = before_ms - HISTORY_DAYS * 86_400_000
    found = reader.range(list(keys), start, before_ms, max_points=max(1, (before_ms - start) // HISTORY_BUCKET_MS))
    return {name: (found[k].ts, found[k].value) for k, name in keys.items() if len(found[k])}


def previous_of(events: Iterable[Event], source: str) -> tuple[dict[str, str] | None, int | None]:
    """(levels, time) of the last patrol of ``source`` in ``events``; (None, None) if none."""
    ev = last_patrol(events, source)
    return (levels_of(ev), ev.ts) if ev is not None else (None, None)


def patrol_history(reader, *, at_ms: int | None = None, window_ms: int = WINDOW_MS, source: str = "",
                   previous_events: Iterable[Event] = ()) -> Patrol:
    """Patrol a recorded history over the ``window_ms`` ending at ``at_ms`` (default: its newest point).

    The previous patrol is the newest of ``previous_events`` and the history's own patrol
    events (a console's recording holds them) before the window's end.
    """
    span = reader.time_range()
    if span is None:
        raise PatrolError("the history holds no metric points")
    end = span[1] if at_ms is None else int(at_ms)
    start = max(span[0], end - window_ms)
    topology = reader.graph_at(end)
    if topology is None or not topology.services:
        raise PatrolError("the history holds no topology (which services and scenarios to patrol)")
    keys = window_keys(topology)
    found = reader.range(keys, start, end + 1, max_points=max(1000, (end - start) // 500))
    window = {k: (d.ts, d.value) for k, d in found.items() if len(d)}
    events = [e for e in (*previous_events, *reader.events(0, end + 1, kinds=[EventKind.PATROL])) if e.ts <= end]
    previous, previous_at = previous_of(events, source)
    return inspect(topology, window, start_ms=start, end_ms=end, traffic_history=traffic_history(reader, topology, start),
                   source=source, previous=previous, previous_at_ms=previous_at)


@dataclass(frozen=True)
class ViewWindow:
    """What a patrol reads from a live view, copied out of it (so judging can run on a thread)."""

    topology: Topology
    window: dict
    start_ms: int
    end_ms: int
    events: tuple


def take_window(view: LiveView, window_ms: int = WINDOW_MS) -> ViewWindow:
    """Copy the view's last ``window_ms`` up to its cursor (call on the thread that feeds the view)."""
    end = view.cursor_ms
    if end is None or view.newest_ms is None:
        raise PatrolError("no data from the feed yet")
    topology = view.topology
    if not topology.services:
        raise PatrolError("the feed has sent no topology (which services and scenarios to patrol)")
    window = {}
    for k in window_keys(topology):
        ts, v = view.window(k, window_ms, end)
        window[k] = (np.array(ts, copy=True), np.array(v, copy=True))
    start = end - window_ms
    firsts = [int(ts[0]) for ts, _ in window.values() if ts.size]
    if firsts:
        start = max(start, min(firsts))
    return ViewWindow(topology, window, start, end, tuple(view.events(until_ms=end)))


def judge_window(w: ViewWindow, *, reader=None, source: str = "", previous_events: Iterable[Event] = ()) -> Patrol:
    """Patrol a ``take_window`` copy; the forecast reads ``reader`` (a history) when given (blocking)."""
    history = traffic_history(reader, w.topology, w.start_ms) if reader is not None else {}
    previous, previous_at = previous_of([*previous_events, *w.events], source)
    return inspect(w.topology, w.window, start_ms=w.start_ms, end_ms=w.end_ms, traffic_history=history,
                   source=source, previous=previous, previous_at_ms=previous_at)


def patrol_view(view: LiveView, *, reader=None, window_ms: int = WINDOW_MS, source: str = "",
                previous_events: Iterable[Event] = ()) -> Patrol:
    """Patrol what a live view holds: its last ``window_ms`` up to its cursor; the forecast reads
    ``reader`` (the console's history file) when given. Blocking when a reader is given."""
    return judge_window(take_window(view, window_ms), reader=reader, source=source, previous_events=previous_events)


async def watch_feed(url: str, seconds: float, *, credentials=None) -> LiveView:
    """Watch the feed at ``url`` for ``seconds`` (wall time) and return what it sent, in a view."""
    from warroom.io.client import FeedClient

    view = LiveView()
    client = FeedClient(url, credentials=credentials) if credentials is not None else FeedClient(url)
    runner = asyncio.create_task(client.run())

    async def consume() -> None:
        while True:
            view.apply(await client.queue.get())  # batches, events, topology; status is ignored

    consumer = asyncio.create_task(consume())
    try:
        done, _ = await asyncio.wait({runner, consumer}, timeout=seconds, return_when=asyncio.FIRST_EXCEPTION)
        for task in done:
            task.result()  # a crashed client is an error, not an empty patrol
    finally:
        consumer.cancel()
        await client.stop()
        runner.cancel()
        await asyncio.gather(runner, consumer, return_exceptions=True)
    return view


class PatrolLog:
    """The patrol events of ``warroom patrol``, one JSON object a line (the CLI's event log).

    A line that is not a patrol event (hand-edited, truncated) is skipped with a warning.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def events(self) -> list[Event]:
        """Every readable patrol event, in file order."""
        if not self.path.exists():
            return []
        out: list[Event] = []
        with self.path.open(encoding="utf-8", errors="replace") as f:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    d = json.loads(line)
                    ev = Event(str(d["id"]), int(d["ts"]), EventKind(d["kind"]), str(d["subject"]), str(d["title"]),
                               d.get("severity", "info"), d.get("attrs") or {})
                except (ValueError, KeyError, TypeError) as exc:
                    log.warning("%s line %d: not a patrol event (%s); skipped", self.path, n, exc)
                    continue
                if ev.kind is EventKind.PATROL:
                    out.append(ev)
        return out

    def append(self, event: Event) -> None:
        """Add ``event`` at the end (the folder is made if missing)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        row = {"id": event.id, "ts": event.ts, "kind": event.kind.value, "subject": event.subject,
               "title": event.title, "severity": event.severity.value, "attrs": dict(event.attrs)}
        with self.path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


class PatrolSchedule:
    """The console's patrol: every ``every_s`` seconds (wall time), the first ``first_after_s``
    after the start, over the view's last ``window_ms``; the forecast reads the console's
    history file. Each patrol's report is written by ``write_report(patrol, path)`` (the caller
    picks the language; the report package sits above this one) into ``report_dir``, and its
    event goes to ``record`` (the history and the view, like every event the room makes).

    A patrol that cannot run (no data yet, no topology) or whose report cannot be written is
    logged and the schedule goes on: a patrol must never take the console down.
    """

    def __init__(self, view: LiveView, *, every_s: float, record: Callable[[list[Event]], None],
                 reader_factory: Callable[[], object] | None = None, report_dir: Path | None = None,
                 write_report: Callable[[Patrol, Path], None] | None = None, source: str = "console",
                 first_after_s: float = 30.0, window_ms: int = WINDOW_MS) -> None:
        if every_s <= 0:
            raise ValueError(f"the patrol interval must be positive, got {every_s}")
        self.view = view
        self.every_s = float(every_s)
        self.first_after_s = float(first_after_s)
        self.record = record
        self.reader_factory = reader_factory
        self.report_dir = report_dir
        self.write_report = write_report
        self.source = source
        self.window_ms = window_ms
        self.last: Patrol | None = None
        self._reader = None

    async def run(self) -> None:
        """Patrol on the schedule until cancelled (the history's last verdict shows meanwhile)."""
        await self.recall()
        await asyncio.sleep(self.first_after_s)
        while True:
            await self.patrol_once()
            await asyncio.sleep(self.every_s)

    async def recall(self) -> Event | None:
        """Put the history's last patrol event in the view, so a restarted wall shows its verdict."""
        reader = self._history()
        if reader is None:
            return None
        try:
            events = await asyncio.to_thread(reader.events, 0, _FAR, [EventKind.PATROL])
        except Exception:  # noqa: BLE001 - nothing to recall is not a failure
            log.warning("patrol: cannot read past patrols from the history", exc_info=True)
            return None
        ev = last_patrol(events, self.source)
        if ev is not None:
            self.view.add_events([ev])
        return ev

    def _history(self):
        if self._reader is None and self.reader_factory is not None:
            try:
                self._reader = self.reader_factory()
            except Exception:  # noqa: BLE001 - no history: headroom is unknown, the patrol still runs
                log.warning("patrol: cannot read the history file; headroom will be unknown", exc_info=True)
        return self._reader

    async def patrol_once(self) -> Event | None:
        """One patrol now; its event (also recorded), or None when it could not run."""
        self._history()
        try:
            # Copied here, on the loop that feeds the view; judged (and the history read) off it.
            window = take_window(self.view, self.window_ms)
            patrol = await asyncio.to_thread(judge_window, window, reader=self._reader, source=self.source)
        except PatrolError as exc:
            log.info("patrol skipped: %s", exc)
            return None
        except Exception:  # noqa: BLE001 - a patrol must never stop the console
            log.exception("patrol failed")
            return None
        report = ""
        if self.write_report is not None and self.report_dir is not None:
            path = self.report_dir / f"patrol-{_stamp(patrol.at_ms)}.html"
            try:
                await asyncio.to_thread(self._write, patrol, path)
                report = str(path)
            except Exception:  # noqa: BLE001 - the verdict still goes to the log and the wall
                log.warning("patrol: cannot write the report %s", path, exc_info=True)
        from warroom.core.patrol import patrol_event

        event = patrol_event(patrol, report)
        self.last = patrol
        self.record([event])
        return event

    def _write(self, patrol: Patrol, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        assert self.write_report is not None
        self.write_report(patrol, path)


def _stamp(ms: int) -> str:
    from datetime import datetime, timezone

    return datetime.fromtimestamp(ms / 1000, timezone.utc).strftime("%Y%m%d-%H%M%S")
