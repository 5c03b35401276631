"""Kiosk rotation for a wall: a playlist of layouts, and "follow the incident". GUI-free.

A wall nobody touches shows one layout after another (``--rotate``), each for its own
time. When an incident opens (an incident neither mitigated nor resolved: ``open`` or
``acknowledged``), the wall switches to the incident layout (``--follow-incident``) and
holds there until every incident is mitigated (``mitigated``: users recovered while the
root still alerts, or ``recovering``) or resolved; then it goes back to the layout it
left, for a full turn, and rotates on. An incident that goes back from mitigated to open
(a paging alert fires again) takes the wall again.

The playlist syntax (``parse_rotation``)::

    command-centre:60s,commander:30s   each layout with its own time
    command-centre,commander           each for DEFAULT_DWELL_S (30 s)
    command-centre,commander:45s       an item without a time gets the default

Times are ``warroom.core.settings.durations`` durations (``90``, ``45s``, ``2m``), at least
``MIN_DWELL_S``: a wall that changes faster cannot be read. A layout may be a name or a
``.json`` path (a colon in a Windows path is not taken for a time).

``Rotation`` is a state machine over a clock the caller passes in (seconds, any origin),
so it is tested with a fake clock; ``warroom.ui.wall.kiosk`` drives it with a Qt timer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from warroom.core.settings.durations import parse_duration

DEFAULT_DWELL_S = 30.0
MIN_DWELL_S = 5.0
#: Incident states that mean "the problem is still there": the wall holds on the incident.
UNMITIGATED = ("open", "acknowledged")


@dataclass(frozen=True)
class Stop:
    """One layout of the playlist and how long it stays on the wall."""

    layout: str
    seconds: float = DEFAULT_DWELL_S


def parse_rotation(text: str, default_s: float = DEFAULT_DWELL_S) -> tuple[Stop, ...]:
    """The playlist in ``text`` (see the module docstring); ``ValueError`` says what is wrong."""
    stops = []
    for raw in str(text).split(","):
        item = raw.strip()
        if not item:
            raise ValueError(f"rotation {text!r}: an empty item (write LAYOUT[:TIME],LAYOUT[:TIME],...)")
        layout, seconds = item, default_s
        name, sep, tail = item.rpartition(":")
        if sep and "\\" not in tail and "/" not in tail:
            try:
                seconds = parse_duration(tail)
            except ValueError:
                raise ValueError(f"rotation {text!r}: {item!r}: bad time {tail!r} (e.g. 30s, 2m)") from None
            layout = name.strip()
        if seconds < MIN_DWELL_S:
            raise ValueError(f"rotation {text!r}: {item!r}: at least {MIN_DWELL_S:g} s a layout, "
                             f"or nobody can read it")
        if not layout:
            raise ValueError(f"rotation {text!r}: {item!r} names no layout")
        stops.append(Stop(layout, seconds))
    return tuple(stops)


def unmitigated(incidents: Iterable) -> bool:
    """True while any of ``incidents`` (objects with a ``state``) is open or acknowledged."""
    return any(getattr(inc, "state", "") in UNMITIGATED for inc in incidents)


class Rotation:
    """Which layout the wall shows now; see the module docstring.

    ``follow`` is the incident layout (None: incidents do not move the wall). Call
    ``update(now_s, incident_open)`` often (every second is plenty); it returns the layout
    to switch to when that changes, else None. ``current`` is the layout shown.
    """

    def __init__(self, stops: Iterable[Stop], follow: str | None = None, now_s: float = 0.0) -> None:
        self.stops = tuple(stops)
        if not self.stops:
            raise ValueError("a rotation needs at least one layout")
        self.follow = follow
        self.index = 0
        self.holding = False  # on the incident layout until every incident is mitigated
        self._since = now_s

    @property
    def current(self) -> str:
        """The layout the wall shows."""
        return self.follow if self.holding and self.follow else self.stops[self.index].layout

    @property
    def layouts(self) -> tuple[str, ...]:
        """Every layout the wall may show (playlist order, the incident layout last), once each."""
        names = [s.layout for s in self.stops]
        if self.follow:
            names.append(self.follow)
        return tuple(dict.fromkeys(names))

    def remaining_s(self, now_s: float) -> float | None:
        """Seconds until the next switch (None while holding or with a single layout)."""
        if self.holding or len(self.stops) < 2:
            return None
        return max(0.0, self.stops[self.index].seconds - (now_s - self._since))

    def update(self, now_s: float, incident_open: bool = False) -> str | None:
        """Advance to ``now_s``; the layout to switch to, or None if the wall stays as it is."""
        before = self.current
        if self.follow and incident_open:
            self.holding = True
        elif self.holding:  # mitigated: back where the incident found us, for a full turn
            self.holding = False
            self._since = now_s
        elif len(self.stops) > 1 and now_s - self._since >= self.stops[self.index].seconds:
            self.index = (self.index + 1) % len(self.stops)
            self._since = now_s
        after = self.current
        return after if after != before else None
