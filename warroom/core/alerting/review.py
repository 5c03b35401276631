"""The rules review: per alert rule, what its alerts led to, and which rules only make noise.

Read from the event log alone (``alert``, ``incident``, ``plan_execution`` and ``silence``
events), so a history file answers "which rules earn their pages?" without today's rules.
An alert *episode* is one fingerprint from its first event until it resolves. Per rule:

fired
    episodes that reached ``firing`` (pending alerts that faded page nobody: ``pending_only``).
acknowledged
    fired episodes someone took: the alert's own ``acknowledged`` event, or the incident it
    belongs to was acknowledged while it was active (the commander took the whole outage).
led to a plan
    fired episodes during which a plan was executed (the feed's ``execute`` or the console's
    ``executed`` step) on the alert's subject or one of the plans the alert proposes, or
    within an incident it belongs to (a plan on any of that incident's services).
flapped
    fired episodes the engine tagged ``flapping``.
silenced
    fired episodes a silence muted: the alert's events say so, or a silence in force while
    it was active matches it (a silence made later still mutes an alert, as in the console).
median time to acknowledge
    over acknowledged episodes, from firing to the first acknowledgement (0 when it fired
    into an incident already in hand).

A rule whose alerts fired and resolved at least ``min_fired`` times is *noise* when nobody acknowledged it or ran a
plan on it (``never_acted_on``), when at least half its episodes flapped (``mostly_flapping``),
or when at least half were silenced (``mostly_silenced``). Events another system sent as they
were (``external: true``) are skipped: the engine's own event for the same alert follows.

Pure: no clock, no I/O. A damaged event (wrong types, unknown state) is skipped, never raised.
"""

from __future__ import annotations

import bisect
import csv
import io
import statistics
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from warroom.core.alerting.alert_log import log_order
from warroom.core.alerting.silences import Silence
from warroom.core.model import Event, EventKind, SeriesKey

#: Plan steps that mean "a plan was put in force": the feed's own and the console's audit step.
PLAN_RUN_ACTIONS = ("execute", "executed")
#: Why a rule is called noise (``RuleFigures.noise``), in the order they are named.
NOISE_REASONS = ("never_acted_on", "mostly_flapping", "mostly_silenced")
#: A rule's alerts must have fired (and resolved) this often before it is judged: once is an anecdote.
DEFAULT_MIN_FIRED = 3
#: Longest rule id kept (a hostile feed may send megabytes); longer ones are cut with "…".
MAX_RULE_LEN = 200
#: CSV columns of ``to_csv``.
CSV_COLUMNS = ("rule", "severity", "fired", "acknowledged", "led_to_plan", "flapped", "silenced", "pending_only",
               "active", "median_ack_s", "noise", "reason")

_ENDED = ("removed", "expired")
_ACTIVE = ("firing", "acknowledged")


@dataclass(frozen=True)
class RuleFigures:
    """One rule's figures over the events reviewed (see the module docstring)."""

    rule: str
    severity: str
    fired: int
    acknowledged: int
    led_to_plan: int
    flapped: int
    silenced: int
    pending_only: int
    median_ack_s: float | None
    noise: tuple[str, ...] = ()
    #: Fired alerts still active at the end of the events reviewed (not judged yet).
    active: int = 0

    @property
    def is_noise(self) -> bool:
        """True when the rule only makes noise (``noise`` names why)."""
        return bool(self.noise)


@dataclass(frozen=True)
class Review:
    """The review of a stretch of log: rules noisiest first, and the stretch it covers."""

    rules: tuple[RuleFigures, ...]
    start_ms: int | None
    end_ms: int | None
    min_fired: int = DEFAULT_MIN_FIRED

    @property
    def noisy(self) -> tuple[RuleFigures, ...]:
        """The rules that only make noise."""
        return tuple(r for r in self.rules if r.is_noise)


@dataclass
class _Episode:
    fp: str
    rule: str
    subject: str
    severity: str
    labels: dict[str, str]
    plans: set[str] = field(default_factory=set)
    fired_ms: int | None = None
    acked_ms: int | None = None
    end_ms: int | None = None
    flapping: bool = False
    silenced: bool = False


@dataclass
class _Incident:
    alerts: set[str]
    root: str
    started_ms: int
    acked_ms: int | None
    end_ms: int | None
    order: tuple[int, int]
    planned: bool = False  # a plan ran on its services while it was live


def review(events: Iterable[Event], *, min_fired: int = DEFAULT_MIN_FIRED) -> Review:
    """The rules review of ``events`` (any order; other kinds are ignored)."""
    episodes: list[_Episode] = []
    open_: dict[str, _Episode] = {}
    incidents: dict[str, _Incident] = {}
    silences: list[tuple[Silence, int]] = []  # (silence, when it really ended)
    plan_runs: list[tuple[int, str, set[str]]] = []  # (ts, plan id, services touched)
    first = last = None
    for ev in sorted(events, key=log_order):
        if ev.kind not in (EventKind.ALERT, EventKind.INCIDENT, EventKind.PLAN_EXECUTION, EventKind.SILENCE):
            continue
        first = ev.ts if first is None else first
        last = ev.ts
        attrs = ev.attrs if isinstance(ev.attrs, Mapping) else {}
        if ev.kind is EventKind.ALERT:
            _on_alert(ev, attrs, open_, episodes)
        elif ev.kind is EventKind.INCIDENT:
            _on_incident(ev, attrs, incidents)
        elif ev.kind is EventKind.PLAN_EXECUTION:
            if attrs.get("action") in PLAN_RUN_ACTIONS:
                plan_runs.append((ev.ts, str(attrs.get("plan_id") or ev.subject), _touched(attrs)))
        else:
            _on_silence(ev, attrs, silences)
    runs = _Runs(plan_runs)
    subjects = {e.fp: e.subject for e in episodes}
    by_fp: dict[str, list[_Incident]] = {}
    for inc in incidents.values():
        # A plan on any of the incident's services (its root, its alerts' subjects) is within it.
        services = {inc.root, *(s for fp in inc.alerts for s in _services(subjects.get(fp, "")))} - {""}
        inc.planned = any(touched & services for _, _, touched in runs.between(inc.started_ms, inc.end_ms))
        for fp in inc.alerts:
            by_fp.setdefault(fp, []).append(inc)
    by_rule: dict[str, list[_Episode]] = {}
    for ep in episodes:
        by_rule.setdefault(ep.rule, []).append(ep)
    rows = [_figures(rule, eps, by_fp, silences, runs, min_fired) for rule, eps in by_rule.items()]
    rows.sort(key=lambda r: (not r.is_noise, -r.fired, r.rule))
    return Review(tuple(rows), first, last, min_fired)


def _on_alert(ev: Event, a: Mapping[str, Any], open_: dict[str, _Episode], episodes: list[_Episode]) -> None:
    if a.get("external") is True:
        return
    fp, state = a.get("fingerprint"), a.get("state")
    if not isinstance(fp, str) or not fp or state not in ("pending", "firing", "acknowledged", "resolved"):
        return
    ep = open_.get(fp)
    if ep is None:
        if state == "resolved":
            return  # its episode began before the stretch read and left nothing to count
        ep = open_[fp] = _Episode(fp, _rule_id(a.get("rule")), str(ev.subject), _sev(ev), _labels(a.get("series")))
        episodes.append(ep)
    plans = a.get("plans")
    if isinstance(plans, (list, tuple)):
        ep.plans.update(str(p) for p in plans)
    if "flapping" in (a.get("tags") if isinstance(a.get("tags"), (list, tuple)) else ()):
        ep.flapping = True
    if a.get("silenced") and state != "resolved":
        ep.silenced = True
    if state in _ACTIVE and ep.fired_ms is None:
        fired = a.get("fired_ms")  # an episode already firing when the stretch began says since when
        ep.fired_ms = fired if isinstance(fired, int) and not isinstance(fired, bool) and fired <= ev.ts else ev.ts
    if state == "acknowledged" and ep.acked_ms is None:
        ep.acked_ms = ev.ts
    if state == "resolved":
        ep.end_ms = ev.ts
        del open_[fp]


def _on_incident(ev: Event, a: Mapping[str, Any], incidents: dict[str, _Incident]) -> None:
    iid = a.get("incident")
    if not isinstance(iid, str) or not iid:
        return
    seq = a.get("seq")
    order = (ev.ts, seq if isinstance(seq, int) else 0)
    known = incidents.get(iid)
    if known is not None and known.order > order:
        return  # the latest event carries the whole state
    alerts = a.get("alerts")
    started = _ms(a.get("started_ms")) or ev.ts
    inc = _Incident({str(x) for x in alerts} if isinstance(alerts, (list, tuple)) else set(),
                    str(a.get("root_cause") or ""), min(started, known.started_ms) if known else started,
                    _ms(a.get("acked_ms")), _ms(a.get("verified_ms")), order)
    if known is not None:
        inc.alerts |= known.alerts  # an alert stays in the incidents it joined
    incidents[iid] = inc


def _on_silence(ev: Event, a: Mapping[str, Any], silences: list[tuple[Silence, int]]) -> None:
    sid = str(a.get("silence") or ev.subject)
    if a.get("action") in _ENDED:
        for i, (s, end) in enumerate(silences):
            if s.id == sid and end > ev.ts:
                silences[i] = (s, ev.ts)
        return
    matchers = a.get("matchers")
    try:
        s = Silence(sid, {str(k): str(v) for k, v in matchers.items()}, int(a.get("starts_ms", ev.ts)),
                    int(a.get("ends_ms", ev.ts)), str(a.get("actor") or "?"))
    except (AttributeError, TypeError, ValueError):
        return  # a damaged record mutes nothing
    silences.append((s, s.ends_ms))


def _figures(rule: str, eps: list[_Episode], by_fp: dict[str, list[_Incident]], silences: list[tuple[Silence, int]],
             runs: _Runs, min_fired: int) -> RuleFigures:
    fired = [e for e in eps if e.fired_ms is not None]
    acked = planned = flapped = silenced = done = 0
    waits: list[float] = []
    for ep in fired:
        start, end = ep.fired_ms, ep.end_ms if ep.end_ms is not None else float("inf")
        mine = [inc for inc in by_fp.get(ep.fp, ())
                if inc.started_ms <= end and (inc.end_ms is None or inc.end_ms >= start)]
        took = [t for t in (ep.acked_ms, *(i.acked_ms for i in mine)) if t is not None and t <= end]
        if took:
            acked += 1
            waits.append(max(0.0, (min(took) - start) / 1000))
        own = _services(ep.subject)
        if any(i.planned for i in mine) or any(plan_id in ep.plans or touched & own
                                               for _, plan_id, touched in runs.between(start, ep.end_ms)):
            planned += 1
        flapped += ep.flapping
        if ep.silenced or any(_mutes(s, until, ep, start, end) for s, until in silences):
            silenced += 1
        if ep.end_ms is not None:
            done += 1
    n = len(fired)
    noise: list[str] = []
    # Judged on alerts that have resolved: one still firing may yet be taken.
    if done >= max(1, min_fired):
        if acked == 0 and planned == 0:
            noise.append("never_acted_on")
        if 2 * flapped >= n:
            noise.append("mostly_flapping")
        if 2 * silenced >= n:
            noise.append("mostly_silenced")
    worst = min((e.severity for e in eps), default="")
    return RuleFigures(rule, worst, n, acked, planned, flapped, silenced, len(eps) - n,
                       statistics.median(waits) if waits else None, tuple(noise), n - done)


class _Runs:
    """Plan runs ``(ts, plan id, services touched)`` by time, to take those of a span quickly."""

    def __init__(self, runs: list[tuple[int, str, set[str]]]) -> None:
        self._runs = sorted(runs, key=lambda r: r[0])
        self._ts = [r[0] for r in self._runs]

    def between(self, start: int, end: int | None) -> list[tuple[int, str, set[str]]]:
        """The runs with ``start <= ts <= end`` (``end`` None: to the end of the log)."""
        lo = bisect.bisect_left(self._ts, start)
        hi = len(self._ts) if end is None else bisect.bisect_right(self._ts, end)
        return self._runs[lo:hi]


def _mutes(s: Silence, until: int, ep: _Episode, start: int, end: float) -> bool:
    if s.starts_ms > end or min(s.ends_ms, until) <= start:
        return False
    return s.matches(ep.rule, ep.subject, ep.severity, ep.labels)


def _touched(a: Mapping[str, Any]) -> set[str]:
    """The services a plan event names (``target``, ``targets``), edges as both ends."""
    targets = a.get("targets")
    names: set[str] = set()
    for t in [*(targets if isinstance(targets, (list, tuple)) else ()), a.get("target")]:
        if isinstance(t, str) and t:
            names |= _services(t)
    return names


def _services(subject: str) -> set[str]:
    return ({subject, *subject.split("->")} if "->" in subject else {subject}) - {""}


def _rule_id(value: object) -> str:
    rule = value if isinstance(value, str) else "" if value is None else str(value)
    rule = rule.strip() or "(no rule)"
    return rule if len(rule) <= MAX_RULE_LEN else rule[:MAX_RULE_LEN - 1] + "…"


def _sev(ev: Event) -> str:
    sev = getattr(ev.severity, "value", ev.severity)
    return str(sev)


def _labels(series: object) -> dict[str, str]:
    try:
        return dict(SeriesKey.parse(str(series or "")).labels)
    except (ValueError, TypeError):
        return {}


def _ms(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


# -- words --------------------------------------------------------------------------------
_REASON_TEXT = {
    "never_acted_on": "fired {fired} times, nobody acknowledged it or ran a plan",
    "mostly_flapping": "flapped in {flapped} of {fired} firings",
    "mostly_silenced": "silenced in {silenced} of {fired} firings",
}


def reason_text(r: RuleFigures) -> str:
    """Why the rule is noise, in English ("" when it is not): for the command and its CSV."""
    return "; ".join(_REASON_TEXT[code].format(fired=r.fired, flapped=r.flapped, silenced=r.silenced)
                     for code in r.noise)


def to_csv(rev: Review) -> str:
    """The review as CSV (``CSV_COLUMNS``). A field that starts like a formula (``=``, ``+``,
    ``-``, ``@``) is prefixed with ``'``: a rule id came from a feed, a spreadsheet must not run it."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for r in rev.rules:
        w.writerow([_cell(r.rule), r.severity, r.fired, r.acknowledged, r.led_to_plan, r.flapped, r.silenced,
                    r.pending_only, r.active, "" if r.median_ack_s is None else f"{r.median_ack_s:g}",
                    " ".join(r.noise), reason_text(r)])
    return out.getvalue()


def _cell(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
