"""What the event log says when the feed's call graph changes: a bounded summary, not a flood.

A feed sends its whole topology again whenever it changes (protocol section 5.2); the console
compares each one with the last and records the difference in its event log. A platform of
1,000 services whose graph moves every two seconds must not write thousands of events, so:

* a snapshot with the same content as the last one records nothing;
* the first change after a quiet spell is recorded at once (one event, at the snapshot's time);
* further changes within ``min_interval_ms`` of feed time are folded together and recorded as
  one event when the interval is over (``due`` says when; the next snapshot or metric batch
  after that writes it), describing the graph then against the graph last described;
* an event names at most ``MAX_NAMES`` services, edges and scenarios of each kind (added,
  removed, changed) and counts them all, so its size does not grow with the platform.

Events are ``EventKind.FEED`` (the console's own record), severity info, subject
``"topology"``, ``attrs["what"] == "topology"`` (as the recorder's feed events say what they
are about). Sans-I/O: times are feed times passed in.
"""

from __future__ import annotations

from warroom.core.model import Event, EventKind, Severity
from warroom.core.graph.topology import Topology, TopologyChange

#: Feed ms between two topology events at most (changes in between are folded together).
MIN_INTERVAL_MS = 60_000
#: Names listed per kind of change in one event; the counts are always complete.
MAX_NAMES = 10
SUBJECT = "topology"

_PARTS = (  # (attrs key, TopologyChange field, words for the title)
    ("added_services", "added_services", "+{} services"),
    ("removed_services", "removed_services", "-{} services"),
    ("changed_services", "changed_services", "{} services changed"),
    ("added_edges", "added_edges", "+{} calls"),
    ("removed_edges", "removed_edges", "-{} calls"),
    ("changed_edges", "changed_edges", "{} calls changed"),
    ("added_scenarios", "added_scenarios", "+{} scenarios"),
    ("removed_scenarios", "removed_scenarios", "-{} scenarios"),
    ("changed_scenarios", "changed_scenarios", "{} scenarios changed"),
)


def change_summary(change: TopologyChange, max_names: int = MAX_NAMES) -> tuple[str, dict]:
    """A title and bounded attrs for ``change``: every count, and the first ``max_names``
    names (sorted) of each kind; edges are ``[caller, callee]`` pairs."""
    counts: dict[str, int] = {}
    attrs: dict = {"what": "topology", "counts": counts}
    words = []
    for key, name, text in _PARTS:
        items = getattr(change, name)
        if not items:
            continue
        counts[key] = len(items)
        attrs[key] = [list(i) if isinstance(i, tuple) else i for i in sorted(items)[:max_names]]
        words.append(text.format(len(items)))
    return "topology changed: " + ", ".join(words), attrs


class TopologyLog:
    """Compares each topology the feed sends with the last; returns the events to record."""

    def __init__(self, min_interval_ms: int = MIN_INTERVAL_MS, max_names: int = MAX_NAMES) -> None:
        self.min_interval_ms = min_interval_ms
        self.max_names = max_names
        self._current: Topology | None = None  # the feed's graph now
        self._described: Topology | None = None  # the graph as the log last described it
        self._last_event_ms: int | None = None
        self._pending_since: int | None = None  # feed time of the first change not yet recorded
        self._pending_ts = 0  # feed time of the newest change not yet recorded
        self._pending_updates = 0
        self._written = 0

    @property
    def pending(self) -> bool:
        """True when a change is waiting for its interval to end."""
        return self._pending_since is not None

    def observe(self, topology: Topology, ts_ms: int) -> list[Event]:
        """A snapshot at feed time ``ts_ms``. The first graph is the reference (no event); a
        changed one is recorded now or folded into the next summary (see the module docstring)."""
        if self._current is None:
            self._current = self._described = topology
            return []
        if topology.same_content(self._current):
            self._current = topology  # the newest object: callers compare identities cheaply
            return self.due(ts_ms)
        self._current = topology
        if self._pending_since is None:
            self._pending_since = ts_ms
        self._pending_ts = max(self._pending_ts, ts_ms)
        self._pending_updates += 1
        return self.due(ts_ms)

    def due(self, now_ms: int) -> list[Event]:
        """The folded summary if the interval since the last event is over, else nothing."""
        if self._pending_since is None:
            return []
        if self._last_event_ms is not None and now_ms - self._last_event_ms < self.min_interval_ms:
            return []
        return self._write()

    def _write(self) -> list[Event]:
        assert self._current is not None and self._described is not None
        change = self._described.diff(self._current)
        since, ts, updates = self._pending_since, self._pending_ts, self._pending_updates
        self._pending_since, self._pending_ts, self._pending_updates = None, 0, 0
        self._described = self._current
        if change.empty:  # changed and changed back while folded: nothing to say
            return []
        self._last_event_ms = ts
        self._written += 1
        title, attrs = change_summary(change, self.max_names)
        attrs.update(updates=updates, since_ms=since, services=len(self._current),
                     edges=self._current.graph.number_of_edges())
        if updates > 1:
            title += f" ({updates} updates)"
        return [Event(id=f"topology-{ts}-{self._written}", ts=ts, kind=EventKind.FEED, subject=SUBJECT,
                      title=title, severity=Severity.INFO, attrs=attrs)]


__all__ = ["MAX_NAMES", "MIN_INTERVAL_MS", "TopologyLog", "change_summary"]
