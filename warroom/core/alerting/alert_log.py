"""Alerts and silences as the event log recorded them: the state at any time, without rules.

The alert engine emits one ``alert`` event per transition (and per change of root cause)
and one ``silence`` event per silence created, ended or expired, each carrying the whole
alert or silence. Folding those events in order gives back what the console showed at
that moment, which is what a replay, an incident bundle or a report needs: it reads what
the war room *saw*, not what today's rules would say about the same data.

An alert's value and title are those of its latest event (the live console refreshes the
value every second; the log has it at each transition).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Iterable

from warroom.core.alerting.alerts import Alert, amends_root
from warroom.core.language.lang import clean_titles
from warroom.core.model import Event, EventKind, SeriesKey, Severity
from warroom.core.alerting.silences import Silence

_ENDED = ("removed", "expired")
#: Parsed series texts kept (a cache: past this many it starts again, so a log whose series
#: come and go over weeks cannot grow it without bound).
MAX_KEYS = 10_000
#: An alert's states in lifecycle order: at one timestamp, its events happened in this order.
_RANK = {"pending": 0, "firing": 1, "acknowledged": 2, "resolved": 3}


def log_order(ev: Event) -> tuple[int, float]:
    """A sort key that puts a stored log back in the order it was written.

    A store returns events of the same millisecond in no particular order, but one alert
    can go pending, firing and acknowledged within one: its lifecycle says which came
    first (a change of root cause follows the transition it amends).
    """
    if ev.kind is not EventKind.ALERT:
        return (ev.ts, 0.0)
    rank = _RANK.get(str(ev.attrs.get("state")), 1)
    return (ev.ts, rank + (0.5 if amends_root(ev.attrs) else 0.0))


class AlertLog:
    """Alerts active and silences in force, from ``alert`` and ``silence`` events applied in order."""

    def __init__(self) -> None:
        self._alerts: dict[str, Alert] = {}
        self._silences: dict[str, Silence] = {}
        self._keys: dict[str, SeriesKey] = {}  # parsed series texts: an alert logs the same one often
        self._latest_ms: int | None = None
        #: Bumped whenever an applied event changed alerts or silences.
        self.version = 0

    @classmethod
    def replay(cls, events: Iterable[Event], until_ms: int | None = None) -> "AlertLog":
        """The state after every event up to ``until_ms`` (inclusive; default: all), in log order."""
        log = cls()
        for ev in sorted(events, key=log_order):
            if until_ms is not None and ev.ts > until_ms:
                break
            log.apply(ev)
        return log

    def apply(self, ev: Event) -> bool:
        """Take one event of the log (others are ignored); True if the state changed.

        Give events in ``log_order``.
        """
        if ev.kind is EventKind.ALERT:
            changed = self._on_alert(ev)
        elif ev.kind is EventKind.SILENCE:
            changed = self._on_silence(ev)
        else:
            return False
        self._latest_ms = ev.ts if self._latest_ms is None else max(self._latest_ms, ev.ts)
        if changed:
            self.version += 1
        return changed

    def __deepcopy__(self, memo: dict) -> "AlertLog":
        """A copy to continue from (replays keep some to jump back to). Alerts and silences are
        immutable, so copying the dicts that hold them is enough."""
        clone = AlertLog()
        clone._alerts, clone._silences, clone._keys = dict(self._alerts), dict(self._silences), self._keys
        clone._latest_ms, clone.version = self._latest_ms, self.version
        return clone

    # -- reading -----------------------------------------------------------------------------
    def alerts(self) -> list[Alert]:
        """Active alerts, ordered as the engine orders them: roots first, most severe, oldest.

        Silences are applied as the engine applies them (a silence made after an alert's
        last event still mutes it), at the time of the latest event applied.
        """
        at = self._latest_ms
        out = []
        for a in self._alerts.values():
            by = self._silenced_by(a, at)
            out.append(a if by == a.silenced_by else replace(a, silenced_by=by))
        return sorted(out, key=lambda a: (bool(a.folded_under), a.severity.value, a.since_ms, a.fingerprint))

    def alert(self, fingerprint: str) -> Alert | None:
        """One active alert, or None."""
        return self._alerts.get(fingerprint)

    def silences(self, at_ms: int | None = None) -> list[Silence]:
        """Silences in force or scheduled (those that ended by ``at_ms`` are gone), by start."""
        at = self._latest_ms if at_ms is None else at_ms
        return sorted((s for s in self._silences.values() if at is None or s.ends_ms > at),
                      key=lambda s: s.starts_ms)

    # -- internals ---------------------------------------------------------------------------
    def _silenced_by(self, alert: Alert, at: int | None) -> str:
        if at is None:
            return alert.silenced_by
        for s in self._silences.values():
            if s.active_at(at) and s.matches(alert.rule, alert.subject, alert.severity.value, alert.series.labels):
                return s.id
        return ""

    def _on_alert(self, ev: Event) -> bool:
        a = ev.attrs
        if a.get("external") is True:
            return False  # another system's word as the feed sent it: the engine's event follows
        fp = a.get("fingerprint")
        if not isinstance(fp, str) or not fp:
            return False
        state = a.get("state")
        if state == "resolved":
            return self._alerts.pop(fp, None) is not None
        if state not in ("pending", "firing", "acknowledged"):
            return False
        before = self._alerts.get(fp)
        text = str(a.get("series") or "")
        series = self._keys.get(text)
        if series is None:
            if len(self._keys) >= MAX_KEYS:
                self._keys.clear()
            try:
                series = self._keys[text] = SeriesKey.parse(text)
            except ValueError:
                series = before.series if before else SeriesKey("unknown", {})
        acked_ms = before.acked_ms if before else None
        if state == "acknowledged" and acked_ms is None:
            acked_ms = ev.ts
        self._alerts[fp] = Alert(
            fingerprint=fp, rule=str(a.get("rule", "")), series=series, subject=ev.subject,
            subject_kind=str(a.get("subject_kind", "other")), severity=Severity(ev.severity), state=state,
            title=ev.title, since_ms=_int(a.get("since_ms"), ev.ts), value=_float(a.get("value")),
            threshold=None if a.get("threshold") is None else _float(a.get("threshold")),
            fired_ms=None if a.get("fired_ms") is None else _int(a.get("fired_ms"), ev.ts),
            acked_ms=acked_ms, acked_by=str(a.get("actor") or ""), ack_comment=str(a.get("comment") or ""),
            root_cause=str(a.get("root_cause") or ""), folded_under=str(a.get("folded_under") or ""),
            tags=tuple(str(t) for t in a.get("tags") or ()), change=a.get("change") if isinstance(
                a.get("change"), dict) else None,
            silenced_by=str(a.get("silenced") or ""), runbook=str(a.get("runbook") or ""),
            plans=tuple(str(p) for p in a.get("plans") or ()), cause=str(a.get("cause") or "failure"),
            titles=clean_titles(a.get("titles")), source=str(a.get("source") or ""),
        )
        return self._alerts[fp] != before

    def _on_silence(self, ev: Event) -> bool:
        a = ev.attrs
        sid = str(a.get("silence") or ev.subject)
        if a.get("action") in _ENDED:
            return self._silences.pop(sid, None) is not None
        try:
            silence = Silence(sid, dict(a.get("matchers") or {}), _int(a.get("starts_ms"), ev.ts),
                              _int(a.get("ends_ms"), ev.ts), str(a.get("actor") or "?"), str(a.get("comment") or ""))
        except ValueError:
            return False  # a damaged record is skipped, not allowed to stop the replay
        self._silences[sid] = silence
        return True


def _int(value: object, default: int) -> int:
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default


def _float(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return float("nan")
