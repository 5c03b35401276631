"""The alert engine: rules in, alert lifecycle events out (pure, clock-free).

Feed it the latest points (``observe``) and the deploys and config changes it sees
(``note_event``), then call ``evaluate(now_ms)`` once per tick of feed time. It returns the
events to append to the event log, one per transition:

    pending   the condition holds, not yet for the rule's ``for``
    firing    it held for ``for`` and now holds, in at least half of the evaluations of
              the last ``for`` window (short clear blips do not restart the clock)
    acknowledged   someone took it (``acknowledge``), with a comment
    resolved  the condition has been clear for ``resolve_after`` (a pending alert that
              clears is resolved with ``fired: false``: after a short grace of clear
              evaluations, or, for a noisy one, as soon as it is clear at an evaluation when
              it is at least ``for`` old and held in less than half of the last ``for``
              window: a pending alert never lingers for ever)

Baseline rules have hysteresis: an active alert stays "held" until the value is back at
least halfway from its limit to the usual value, so a value hovering at the edge of its band
does not flap (in between, its title shows its worst value, as while clearing). Rules that name an objective (``slo``) alert above the subject's declared
objective where there is one, and within it judge as usual; baseline rules with a ``fallback`` judge by that absolute limit
while the baseline has learned nothing (a fresh console is not blind), and by the band they
had before while an alert empties it.

Titles never contradict their numbers: while an alert holds, its title and value are the
latest; while it clears and when it resolves, they are its *worst* value while active, and
the title says so ("(worst while active)"); events carry ``worst: true`` and the ``current``
value. Fields for titles: ``warroom.core.alerting.titles``.

No data: a rule with ``no_data: alert`` (the default ``service-no-data`` on ``service_up``)
holds when the subject's measured series (all its series other than that rule's) have been
silent for ``cadence.silent_after_s`` of the subject's cadence, or its own condition holds
(``service_up < 1``); its value is the seconds without data. A rule with ``measure: age``
judges ``now - value`` of a unix-seconds series (``job_last_success_timestamp_seconds``)
every evaluation, silent or not (silence is the symptom), and ``when: "> cadence"`` compares
it with ``silent_after_s`` of the subject's cadence. A series whose subject (or rule) has a
cadence is judged per burst: only at evaluations that saw a new point, and it is "no data"
only after ``silent_after_s``, not between bursts.

Learning: a baseline learns a point only while no alert is active on its subject and no
P0/P1 or ``cause: load`` alert is firing anywhere (an incident or a surge is not "normal":
after a surge, traffic back at its usual level is not "far below normal"). Paused, the band
keeps what it learned before; once its lagged window holds nothing it falls back as at a
cold start.

An alert is identified by its *fingerprint* (rule + series), so the same problem is one
alert however long it lasts. Flapping is damped: an alert that fires ``flap_count`` times
within ``flap_window`` needs five times as long to resolve, and is tagged ``flapping``.
After each evaluation the alerts are grouped by probable root cause
(``warroom.core.alerting.rootcause``); when an alert's root cause changes, an event with the same
state and the new ``root_cause`` records it. Data older than ``stale_after`` (or, for a
series with a cadence, ``cadence.silent_after_s``) is "no data": an alert neither fires nor
resolves on silence, except on the rules made to judge silence (``no_data: alert``,
``measure: age``).

Alerts another system decided (Alertmanager, through a gateway) join with ``fire_external`` and
leave with ``end_external`` (``warroom.core.alerting.external`` reads the feed's events): they are
never evaluated here, but are listed, silenced, acknowledged and grouped by root cause like the
engine's own, and a rule reload leaves them alone.

Memory is bounded for a feed that runs for weeks: a series silent for ``FORGET_AFTER_MS`` of
feed time (at least twice its ``silent_after_s``) with no active alert is forgotten (its latest
point, its rules' state and baselines; it starts afresh if it comes back), and at most ``MAX_CHANGES`` deploys and config
changes of the last ``change_window`` are remembered.
"""

from __future__ import annotations

import hashlib
import math
from collections import deque
from dataclasses import dataclass, field, replace
from typing import Any, Mapping, Sequence

import numpy as np

from warroom.core.alerting import titles as title_text
from warroom.core.alerting.baseline import Band, Baseline
from warroom.core.alerting.cadence import silent_after_s
from warroom.core.alerting.health import DEFAULT_THRESHOLDS, HealthThresholds, thresholds_by_service
from warroom.core.language.lang import clean_titles
from warroom.core.model import Event, EventKind, SeriesKey, Severity
from warroom.core.language.names import Names
from warroom.core.alerting.rootcause import CallGraph, Symptom, find_roots
from warroom.core.alerting.rules import Condition, Rule, RuleSet, Selector
from warroom.core.alerting.silences import Silence
from warroom.core.funnel.conversion import STEP_KIND, step_subject
from warroom.core.graph.topology import Topology

ACTIVE_STATES = ("pending", "firing", "acknowledged")
#: A series silent this long (feed time) with no active alert is forgotten: feeds whose series
#: come and go (pods, hosts) would otherwise add a rule instance per series for ever.
FORGET_AFTER_MS = 3_600_000
#: How often, in feed time, ``evaluate`` looks for such series.
_FORGET_EVERY_MS = 60_000
#: Deploys and config changes remembered for "after change" tags (also pruned by time).
MAX_CHANGES = 1000
_FLAP_FACTOR = 5.0
_CHANGE_KINDS = (EventKind.DEPLOY, EventKind.CONFIG_CHANGE)


@dataclass(frozen=True)
class Alert:
    """A snapshot of one alert, for panels and tests (the engine keeps the live state)."""

    fingerprint: str
    rule: str
    series: SeriesKey
    subject: str
    subject_kind: str
    severity: Severity
    state: str
    title: str
    since_ms: int
    value: float
    threshold: float | None
    fired_ms: int | None = None
    acked_ms: int | None = None
    acked_by: str = ""
    ack_comment: str = ""
    root_cause: str = ""
    folded_under: str = ""
    #: Every root that explains the alert, ``root_cause`` first: a scenario whose path crosses
    #: two independent faults names both, and belongs to both incidents.
    root_causes: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    change: dict[str, Any] | None = None
    silenced_by: str = ""
    runbook: str = ""
    plans: tuple[str, ...] = ()
    cause: str = "failure"
    #: The title in other languages (``{"zh_CN": …}``) for rules that have one; ``title`` is
    #: the default. Subjects in titles are the feed's display names. Not hashed (a dict).
    titles: Mapping[str, str] = field(default_factory=dict, hash=False)
    #: The system that raised it when not this engine (``"alertmanager"``: ``external``), else "".
    source: str = ""

    @property
    def is_root(self) -> bool:
        """True for the alert that stands for its root cause (nothing folded above it)."""
        return not self.folded_under


@dataclass
class _Instance:
    """One rule applied to one series, with its alert (if any) and its history."""

    rule: Rule
    key: SeriesKey
    subject: str
    subject_kind: str
    fingerprint: str
    baseline: Baseline | None = None
    alert: Alert | None = None
    clear_since: int | None = None
    last_ts: int = -1
    value: float = 0.0  # the latest value and limit; copied into the Alert when it is read
    limit: float | None = None
    last_band: Any = None  # the band before the alert, kept while the baseline has none
    fire_times: deque = field(default_factory=deque)
    names: Names = field(default_factory=Names)  # the feed's display names (the engine's, updated)
    basis: title_text.Basis = field(default_factory=title_text.Basis)  # what the latest value was judged against
    shown_basis: title_text.Basis = field(default_factory=title_text.Basis)  # ...and the value shown in the title
    current: float = 0.0  # the latest value (``value`` may be the worst one, see showing_worst)
    worst: tuple[float, float | None, title_text.Basis] | None = None  # while an alert is active
    showing_worst: bool = False
    history: deque = field(default_factory=deque)  # (ts, held) of a pending alert, last `for`
    judged_ts: int = -1  # the point last judged (series with a cadence are judged per burst)
    lingering: bool = False  # held only by hysteresis: back inside its limit, not yet halfway to usual
    title_key: tuple = ()
    external: bool = False  # raised by another system (``fire_external``): never evaluated here

    def snapshot(self) -> Alert | None:
        """The alert with its latest (or, while clearing, worst) value and title."""
        a = self.alert
        key = (self.value, self.limit, self.showing_worst, self.shown_basis)
        if a is None or key == self.title_key:
            return a
        title, titles = self.titles(self.value, self.limit)
        self.title_key = key
        self.alert = replace(a, value=self.value, threshold=self.limit, title=title, titles=titles)
        return self.alert

    def titles(self, value: float, limit: float | None) -> tuple[str, dict[str, str]]:
        """The default title and those per language, the subject written as people name it."""
        rule, names, basis = self.rule, self.names, self.shown_basis

        def one(lang: str | None) -> str:
            extra = title_text.fields(value, limit, rule.unit, basis, lang)
            text = rule.format_title(names.subject(self.subject, self.subject_kind, lang or "en"), value, limit,
                                     lang, extra)
            return text + title_text.worst_suffix(lang) if self.showing_worst else text

        return one(None), {lang: one(lang) for lang in rule.titles}

    def note_worst(self, value: float, limit: float | None) -> None:
        """Remember the value if it is the worst since the alert began."""
        low_is_bad = (self.basis.op in ("<", "<="))
        w = self.worst
        if w is None or (value < w[0] if low_is_bad else value > w[0]):
            self.worst = (value, limit, self.basis)


def amends_root(attrs: Mapping[str, Any]) -> bool:
    """True for an alert event that only records a new root cause (the state did not change).

    Such events carry ``amends: "root_cause"``; logs written before that key existed said
    ``change: "root_cause"`` (where ``change`` now always means the nearby deploy or config change).
    """
    return attrs.get("amends") == "root_cause" or attrs.get("change") == "root_cause"


def fingerprint(rule_id: str, key: SeriesKey) -> str:
    """A short, stable id of "this rule on this series"."""
    return hashlib.sha1(f"{rule_id}|{key.text}".encode()).hexdigest()[:12]


def subject_of(key: SeriesKey) -> tuple[str, str]:
    """What a series is about, and its kind: a service, an edge ``a->b``, a funnel step
    ``scenario/step`` (``warroom.core.funnel``) or a scenario."""
    labels = key.labels
    if "caller" in labels and "callee" in labels:
        return f"{labels['caller']}->{labels['callee']}", "edge"
    if "service" in labels:
        return labels["service"], "service"
    if "scenario" in labels and "step" in labels:  # a funnel step: rooted in the step's services
        return step_subject(labels["scenario"], labels["step"]), STEP_KIND
    if "scenario" in labels:
        return labels["scenario"], "scenario"
    return key.text, "other"


class AlertEngine:
    """Evaluates a ``RuleSet`` over the latest points; see the module docstring."""

    def __init__(self, rules: RuleSet, topology: Topology | None = None) -> None:
        self._rules = rules
        self._latest: dict[SeriesKey, tuple[int, float]] = {}
        self._instances: dict[str, _Instance] = {}
        self._by_key: dict[SeriesKey, list[_Instance]] = {}
        self._changes: deque[Event] = deque(maxlen=MAX_CHANGES)
        self._next_forget_ms: int | None = None
        self._silences: dict[str, Silence] = {}
        self._graph: CallGraph | None = None
        #: The call graph in force (``set_topology``), None before one came.
        self.topology: Topology | None = None
        self._thresholds: dict[str, HealthThresholds] = {}
        self._entries: set[str] = set()
        self._services: set[str] | None = None  # the topology's services (None: no topology yet)
        self._cadence: dict[str, float] = {}
        self._slo: dict[str, Mapping[str, float]] = {}
        #: Newest point per service of its measured series (all but no-data rules' heartbeats).
        self._subject_ts: dict[str, int] = {}
        self._heartbeats = self._heartbeat_names(rules)
        #: The feed's display names, for alert titles ("ICBC gateway", not ``bank-icbc``).
        self.names = Names()
        #: True when a history file can teach new baselines their time-of-day profile: new
        #: baseline series then wait in ``take_unlearned`` for ``learn_history`` (the console's
        #: session reads the history off the event loop, ``warroom.app.session``).
        self.wants_history = False
        self._unlearned: dict[SeriesKey, int] = {}  # key -> its first point's time here
        if topology is not None:
            self.set_topology(topology)

    # -- configuration ------------------------------------------------------------------
    @property
    def rules(self) -> RuleSet:
        """The rules in force."""
        return self._rules

    def load(self, rules: RuleSet, now_ms: int) -> list[Event]:
        """Put new rules in force. Alerts of rules that are gone resolve; alerts of rules that
        stay keep their state (a reload does not re-page anyone)."""
        events: list[Event] = []
        keep = {r.id: r for r in rules.rules}
        for fp, inst in list(self._instances.items()):
            if inst.external:
                continue  # not one of the file's rules: it ends when its own system says so
            new_rule = keep.get(inst.rule.id)
            if new_rule is not None and new_rule.selector.matches(inst.key):
                inst.rule = new_rule
                continue
            if inst.alert is not None:
                events.append(self._transition(inst, "resolved", now_ms, {"reason": "rule removed"}))
            del self._instances[fp]
        self._rules = rules
        self._heartbeats = self._heartbeat_names(rules)
        self._by_key = {}
        for inst in self._instances.values():
            self._by_key.setdefault(inst.key, []).append(inst)
        for key in self._latest:
            self._match(key)
        return events

    def set_topology(self, topology: Topology) -> None:
        """Use this call graph for root causes and the map's health thresholds, and its names
        in alert titles."""
        self._graph = CallGraph(topology)
        self.topology = topology
        self._thresholds = thresholds_by_service(topology)
        self._entries = set(topology.entries())
        self._services = {s.name for s in topology.services}
        self._cadence = {s.name: s.cadence_s for s in topology.services if s.cadence_s > 0}
        self._slo = {s.name: s.slo for s in topology.services if s.slo}
        self.names = Names(topology)
        for inst in self._instances.values():
            inst.names = self.names

    # -- input --------------------------------------------------------------------------
    def observe(self, ts_ms: int, keys: Sequence[SeriesKey], values: Sequence[float]) -> None:
        """Take the latest value of each series (older points than what we have are ignored)."""
        self.observe_points(keys, [ts_ms] * len(keys), values)

    def observe_points(self, keys: Sequence[SeriesKey], ts_ms: Sequence[int], values: Sequence[float]) -> None:
        """Like ``observe`` with a timestamp per point (a batch may span several seconds)."""
        latest, seen, beats = self._latest, self._subject_ts, self._heartbeats
        for key, ts, value in zip(keys, ts_ms, values):
            prev = latest.get(key)
            if prev is None:
                latest[key] = (ts, float(value))
                self._match(key)
            elif ts >= prev[0]:
                latest[key] = (ts, float(value))
            else:
                continue
            service = key.labels.get("service")
            if service is not None and key.name not in beats and seen.get(service, -1) < ts:
                if service not in seen:
                    self._watch_silence(service)
                seen[service] = ts

    def _watch_silence(self, service: str) -> None:
        """Give a service that sends measured series its no-data rules' state even if it never
        sends their own series (a feed without ``service_up``): its silence still alerts."""
        for rule in self._rules.rules:
            if rule.no_data == "alert" and not rule.selector.labels:
                self._match(SeriesKey(rule.selector.name, {"service": service}))

    def note_event(self, event: Event) -> None:
        """Remember deploys and config changes, to tag alerts that follow them."""
        if event.kind in _CHANGE_KINDS:
            self._changes.append(event)
            # Pruned here too: alerts, which prune on use, may not come for weeks.
            window = self._rules.change_window_s * 1000
            while self._changes and event.ts - self._changes[0].ts > window:
                self._changes.popleft()

    @property
    def series_count(self) -> int:
        """How many series the engine holds state for (bounded: see ``FORGET_AFTER_MS``)."""
        return len(self._latest)

    def baseline(self, key: SeriesKey) -> list[Baseline]:
        """The baselines watching ``key`` (to teach them history)."""
        return [i.baseline for i in self._by_key.get(key, ()) if i.baseline is not None]

    # -- actions --------------------------------------------------------------------------
    def acknowledge(self, fp: str, actor: str, comment: str, now_ms: int) -> list[Event]:
        """Someone takes the alert. ``ValueError`` if it is not firing or the actor is empty."""
        if not actor.strip():
            raise ValueError("an acknowledgement needs the name of who acknowledges")
        inst = self._instances.get(fp)
        if inst is None or inst.alert is None or inst.alert.state != "firing":
            raise ValueError(f"no firing alert {fp!r} to acknowledge")
        inst.alert = replace(inst.alert, acked_ms=now_ms, acked_by=actor.strip(), ack_comment=comment)
        return [self._transition(inst, "acknowledged", now_ms, {"actor": actor.strip(), "comment": comment})]

    def silence(self, s: Silence, now_ms: int) -> list[Event]:
        """Put a silence in force (or schedule it); returns its event."""
        self._silences[s.id] = s
        self._apply_silences(now_ms)
        return [self._silence_event(s, "created", now_ms, s.created_by)]

    def unsilence(self, silence_id: str, actor: str, now_ms: int) -> list[Event]:
        """End a silence early."""
        s = self._silences.pop(silence_id, None)
        if s is None:
            raise ValueError(f"no silence {silence_id!r}")
        self._apply_silences(now_ms)
        return [self._silence_event(s, "removed", now_ms, actor)]

    def silences(self) -> list[Silence]:
        """Silences in force or scheduled."""
        return sorted(self._silences.values(), key=lambda s: s.starts_ms)

    # -- alerts another system raised (``warroom.core.alerting.external``) ----------------
    def fire_external(self, alert: Alert, now_ms: int, extra: Mapping[str, Any] | None = None) -> list[Event]:
        """Put an alert another system decided (Alertmanager) beside the engine's own: it fires
        as it arrives (its ``for`` was that system's), takes part in root cause, silences and
        acknowledgements, and stays until ``end_external``. An active alert with the same
        fingerprint ends first (its new episode supersedes it). Returns the events, roots found."""
        fp = alert.fingerprint
        events = self._end_external(fp, now_ms, {"reason": "superseded"})
        rule = Rule(alert.rule, alert.title, Selector(alert.series.name), alert.severity, 0.0, 0.0, cause=alert.cause,
                    runbook=alert.runbook)
        inst = _Instance(rule, alert.series, alert.subject, alert.subject_kind, fp, names=self.names, external=True)
        inst.title_key = (inst.value, inst.limit, inst.showing_worst, inst.shown_basis)  # its title is its own
        # Near a deploy before it began (not before it reached us); a subjectless one is near nothing.
        change = self._recent_change(alert.subject, min(alert.since_ms, now_ms)) if alert.subject else None
        inst.alert = replace(alert, state="firing", tags=("after_change",) if change else (), change=change,
                             root_cause="", folded_under="", root_causes=())
        inst.alert = replace(inst.alert, silenced_by=self._silenced_by(inst.alert, now_ms))
        self._instances[fp] = inst
        events.append(self._transition(inst, "firing", now_ms, dict(extra or {})))
        # Its firing event is stamped with the root found: no separate amendment for it.
        return [ev for ev in self._settle(now_ms, events)
                if not (ev.attrs.get("fingerprint") == fp and amends_root(ev.attrs))]

    def end_external(self, fp: str, now_ms: int, extra: Mapping[str, Any] | None = None) -> list[Event]:
        """Resolve an alert raised by ``fire_external`` (nothing if it is not active)."""
        events = self._end_external(fp, now_ms, extra)
        return self._settle(now_ms, events) if events else events

    def _end_external(self, fp: str, now_ms: int, extra: Mapping[str, Any] | None) -> list[Event]:
        inst = self._instances.get(fp)
        if inst is None or not inst.external or inst.alert is None:
            return []
        event = self._transition(inst, "resolved", now_ms, {"fired": True, **(extra or {})})
        del self._instances[fp]  # nothing to remember: a new episode is a new instance
        return [event]

    # -- output ---------------------------------------------------------------------------
    def alerts(self) -> list[Alert]:
        """Active alerts (pending, firing, acknowledged): roots first, then most severe, oldest."""
        active = [i.snapshot() for i in self._instances.values() if i.alert is not None]
        return sorted(active, key=lambda a: (bool(a.folded_under), a.severity.value, a.since_ms, a.fingerprint))

    def evaluate(self, now_ms: int) -> list[Event]:
        """Advance every alert to ``now_ms``; the transition events, in order."""
        events: list[Event] = []
        self._expire(now_ms, events)
        if self._next_forget_ms is None or now_ms >= self._next_forget_ms:
            self._next_forget_ms = now_ms + _FORGET_EVERY_MS
            self._forget_silent(now_ms)
        stale_s = self._rules.stale_after_s
        paused, disturbed = self._learning_paused()
        for inst in self._instances.values():
            if inst.external:
                continue
            point = self._latest.get(inst.key)
            rule = inst.rule
            if point is None:
                if rule.no_data != "alert" or inst.subject not in self._subject_ts:
                    continue
                point = (self._subject_ts[inst.subject], 1.0)  # no heartbeat of its own: judge by its series
            ts, value = point
            cadence = self._cadence_of(inst)
            silent_ms = silent_after_s(stale_s, cadence) * 1000
            if rule.no_data == "alert":
                holds, value, limit = self._no_data(inst, ts, value, now_ms, silent_ms)
            else:
                if rule.measure == "age":
                    value = max(0.0, now_ms / 1000 - value)  # judged every second: silence is the symptom
                elif now_ms - ts > silent_ms:
                    continue  # no data is not "fine": leave the alert as it is
                elif cadence > 0 and ts == inst.judged_ts:
                    continue  # a series that reports in bursts is judged per burst
                inst.judged_ts = ts
                learn = inst.alert is None and not disturbed and inst.subject not in paused
                holds, limit = self._check(inst, ts, value, learn)
            if holds is None:
                continue
            self._step(inst, holds, value, limit, now_ms, events)
        return self._settle(now_ms, events)

    def _settle(self, now_ms: int, events: list[Event]) -> list[Event]:
        """Find root causes after ``events`` (transitions) and stamp them with what was found."""
        transitions = len(events)
        self._update_roots(now_ms, events)
        # This evaluation's transitions happened with the root cause it found: say so in their
        # events, so the log (and a replay of it) folds a new alert as the console does.
        for i, ev in enumerate(events[:transitions]):
            inst = self._instances.get(ev.attrs.get("fingerprint", "")) if ev.kind is EventKind.ALERT else None
            if inst is not None and inst.alert is not None and ev.attrs.get("state") != "resolved":
                a = inst.alert
                if ((a.root_cause, a.folded_under, list(a.root_causes))
                        != (ev.attrs.get("root_cause"), ev.attrs.get("folded_under"), ev.attrs.get("root_causes", []))):
                    roots = {"root_causes": list(a.root_causes)} if a.root_causes else {}
                    attrs = {k: v for k, v in ev.attrs.items() if k != "root_causes"}
                    events[i] = replace(ev, attrs={**attrs, "root_cause": a.root_cause,
                                                   "folded_under": a.folded_under, "tags": list(a.tags),
                                                   "change": a.change, **roots})
        return events

    # -- internals ------------------------------------------------------------------------
    def _match(self, key: SeriesKey) -> None:
        for rule in self._rules.rules:
            fp = fingerprint(rule.id, key)
            if fp in self._instances or not rule.selector.matches(key):
                continue
            subject, kind = subject_of(key)
            base = None
            if rule.baseline is not None:
                b = rule.baseline
                base = Baseline(utc_offset_h=self._rules.utc_offset_h, k=b.k, min_rel=b.min_rel, min_abs=b.min_abs,
                                recent_window_s=int(b.recent_window_s), recent_lag_s=int(b.recent_lag_s))
            inst = _Instance(rule, key, subject, kind, fp, base, names=self.names)
            self._instances[fp] = inst
            self._by_key.setdefault(key, []).append(inst)
            if base is not None and self.wants_history and key not in self._unlearned:
                self._unlearned[key] = self._latest[key][0] if key in self._latest else 0

    def take_unlearned(self) -> list[tuple[SeriesKey, int]]:
        """The series whose new baselines want their history, each with the time of its first
        point here (history before it is what to learn); the list is emptied."""
        out = list(self._unlearned.items())
        self._unlearned = {}
        return out

    def learn_history(self, key: SeriesKey, ts: Any, values: Any) -> None:
        """Teach the baselines watching ``key`` its past ``(ts_ms, values)``: a console that
        restarts at 10:30 knows what 10:30 looks like at once. The profile keeps medians, so
        past incidents in the history do not become the normal."""
        if len(ts):
            ts = np.asarray(ts, dtype=np.int64)
            values = np.asarray(values, dtype=np.float64)
            for base in self.baseline(key):
                base.learn(ts, values)

    def _forget_silent(self, now: int) -> None:
        """Forget series silent for ``FORGET_AFTER_MS`` whose rules hold no alert."""
        stale_s = self._rules.stale_after_s
        silent = [k for k, (ts, _) in self._latest.items() if now - ts > FORGET_AFTER_MS]
        for key in silent:
            cadence = self._cadence.get(key.labels.get("service", ""), 0.0)
            if now - self._latest[key][0] <= 2000 * silent_after_s(stale_s, cadence):
                continue  # a daily job is silent by design most of the day
            insts = self._by_key.get(key, [])
            if any(i.alert is not None for i in insts):
                continue  # an alert stays as it is on silence (no data is not "fine")
            del self._latest[key]
            self._by_key.pop(key, None)
            for inst in insts:
                self._instances.pop(inst.fingerprint, None)
        alerting = {i.subject for i in self._instances.values() if i.alert is not None}
        for service in [s for s, ts in self._subject_ts.items() if now - ts > FORGET_AFTER_MS]:
            if service not in alerting:
                del self._subject_ts[service]
                for rule in self._rules.rules:  # the no-data state _watch_silence gave it
                    key = SeriesKey(rule.selector.name, {"service": service})
                    if rule.no_data == "alert" and key not in self._latest:
                        self._instances.pop(fingerprint(rule.id, key), None)
                        self._by_key.pop(key, None)

    @staticmethod
    def _heartbeat_names(rules: RuleSet) -> frozenset[str]:
        """Series that say a service is up without measuring it (no-data rules' own series)."""
        return frozenset(r.selector.name for r in rules.rules if r.no_data == "alert")

    def _cadence_of(self, inst: _Instance) -> float:
        """How often the instance's series report: the topology's word for its service, else the rule's."""
        return self._cadence.get(inst.subject, 0.0) or inst.rule.cadence_s

    def _learning_paused(self) -> tuple[set[str], bool]:
        """Subjects with an active alert, and whether an incident-class alert (P0/P1, or a
        ``cause: load`` surge) is firing: baselines learn nothing then (module docstring)."""
        subjects: set[str] = set()
        disturbed = False
        for inst in self._instances.values():
            a = inst.alert
            if a is None:
                continue
            subjects.add(a.subject)
            if a.state != "pending" and (a.cause == "load" or a.severity in (Severity.P0, Severity.P1)):
                disturbed = True
        return subjects, disturbed

    def _no_data(self, inst: _Instance, ts: int, value: float, now: int,
                 silent_ms: float) -> tuple[bool, float, float]:
        """A no-data rule: (holds, seconds without data, the silence limit in seconds)."""
        if self._services is not None and inst.subject not in self._services:
            return False, 0.0, silent_ms / 1000  # a service the feed no longer lists is gone, not silent
        measured = self._subject_ts.get(inst.subject) if inst.subject_kind == "service" else None
        age_ms = now - (measured if measured is not None else ts)
        holds = age_ms >= silent_ms
        rule = inst.rule
        if not holds and now - ts <= silent_ms and rule.condition is not None and rule.condition.value is not None:
            holds = rule.condition.holds(value, rule.condition.value)  # service_up says it is down
        inst.basis = title_text.Basis("fixed", ">=")
        return holds, max(0.0, age_ms / 1000), silent_ms / 1000

    def _limit(self, inst: _Instance, c: Condition, mode: str) -> tuple[float | None, str]:
        """The limit of a fixed condition for this instance, and its mode (None: cannot judge)."""
        if c.value is not None:
            return c.value, mode
        if c.cadence:
            cadence = self._cadence_of(inst)
            if cadence <= 0:
                return None, mode  # a job with no declared cadence cannot miss it
            return silent_after_s(self._rules.stale_after_s, cadence), "cadence"
        th = self._thresholds.get(inst.subject, DEFAULT_THRESHOLDS)
        assert c.health is not None
        return getattr(th, c.health + "_s" if c.health.startswith("p99") else c.health), mode

    def _fixed(self, inst: _Instance, c: Condition, value: float, mode: str) -> tuple[bool | None, float | None]:
        limit, mode = self._limit(inst, c, mode)
        if limit is None:
            return None, None
        usual = self._cadence_of(inst) if mode == "cadence" else math.nan
        inst.basis = title_text.Basis(mode, c.op, usual)
        return c.holds(value, limit), limit

    def _minute(self, ts: int) -> int:
        return int(((ts + self._rules.utc_offset_h * 3_600_000) % 86_400_000) // 60_000)

    def _check(self, inst: _Instance, ts: int, value: float, learn: bool = True) -> tuple[bool | None, float | None]:
        rule = inst.rule
        inst.lingering = False
        if rule.subjects == "entry" and inst.subject not in self._entries:
            return None, None
        base = inst.baseline
        band: Band | None = None
        if base is not None:
            band = base.band(ts)
            if ts != inst.last_ts:
                inst.last_ts = ts
                # An anomaly (or an incident anywhere) must not become the new normal.
                base.observe(ts, value, learn=learn)
        if rule.slo:
            objective = self._rules.objective(inst.subject, rule.slo, self._slo.get(inst.subject))
            # A breached objective always alerts, whatever the learned normal. Within it, the
            # service is still judged against its own normal: a 10x slowdown well under a
            # generous objective is how a fault shows first, and root cause needs to see it.
            if objective is not None and value > objective:
                inst.basis = title_text.Basis("objective", ">")
                return True, objective
        if rule.condition is not None:
            return self._fixed(inst, rule.condition, value, "fixed")
        spec = rule.baseline
        assert base is not None and spec is not None
        if band is None:
            if inst.alert is not None and inst.last_band is not None:
                band = inst.last_band  # the anomaly emptied the baseline's window: judge by the band before it
            elif spec.fallback is not None:
                return self._fixed(inst, spec.fallback, value, "cold")  # nothing learned yet: absolute limits
            else:
                return None, None
        elif inst.alert is None:
            inst.last_band = band
        usual = band.expected
        active = inst.alert is not None
        if spec.direction == "below":
            if usual < spec.floor:
                return False, None  # a series that is normally near nothing cannot drop far
            limit = min(band.low, usual / spec.ratio) if spec.ratio else band.low
            inst.basis = title_text.Basis("baseline", "<", usual, self._minute(ts))
            # Hysteresis: an active alert holds until the value is back halfway to usual; in
            # between it "lingers" (its title shows its worst value, never a contradiction).
            clear = limit + (usual - limit) / 2 if active else limit
            inst.lingering = not value < limit
            return value < clear, limit
        limit = max(band.high, spec.ratio * usual if spec.ratio else band.high, spec.floor)
        inst.basis = title_text.Basis("baseline", ">", usual, self._minute(ts))
        clear = limit - (limit - max(usual, 0.0)) / 2 if active else limit
        inst.lingering = not value > limit
        return value > clear, limit

    def _step(self, inst: _Instance, holds: bool, value: float, limit: float | None, now: int,
              events: list[Event]) -> None:
        rule, alert = inst.rule, inst.alert
        inst.current = value
        if (holds and not inst.lingering) or alert is None:
            inst.value, inst.limit, inst.shown_basis, inst.showing_worst = value, limit, inst.basis, False
        elif inst.worst is not None:  # clearing, or held only by hysteresis: show the worst value
            inst.value, inst.limit, inst.shown_basis = inst.worst
            inst.showing_worst = True
        if holds:
            inst.clear_since = None
            if alert is None:
                inst.worst = None
                inst.history.clear()
                inst.alert = self._new_alert(inst, value, limit, now)
                events.append(self._transition(inst, "pending", now))
                alert = inst.alert
            assert alert is not None
            inst.note_worst(value, limit)
            if alert.state == "pending":
                held = self._held_share(inst, True, now)
                if now - alert.since_ms >= rule.for_s * 1000 and held >= 0.5:
                    inst.fire_times.append(now)
                    while inst.fire_times and now - inst.fire_times[0] > self._rules.flap_window_s * 1000:
                        inst.fire_times.popleft()
                    tags = alert.tags
                    if len(inst.fire_times) >= self._rules.flap_count and "flapping" not in tags:
                        tags = (*tags, "flapping")
                    inst.alert = replace(alert, fired_ms=now, tags=tags)
                    events.append(self._transition(inst, "firing", now))
            return
        if alert is None:
            return
        # Clearing: the title keeps the worst value while active (never "99.47 % (< 99.00 %)").
        if inst.clear_since is None:
            inst.clear_since = now
        if alert.state == "pending":
            held = self._held_share(inst, False, now)
            # A little grace, so a value hovering at the limit is one pending alert that
            # fires or fades, not a pending/resolved pair every other second...
            grace = min(rule.resolve_after_s, max(5.0, rule.for_s / 4))
            # ...but a noisy one that held in less than half of its last `for` resolves too.
            noisy = now - alert.since_ms >= rule.for_s * 1000 and held < 0.5
            if now - inst.clear_since >= grace * 1000 or noisy:
                events.append(self._transition(inst, "resolved", now, self._worst_attrs(inst, {"fired": False})))
                inst.alert = None
                inst.clear_since = None
            return
        wait = rule.resolve_after_s * (_FLAP_FACTOR if "flapping" in alert.tags else 1.0)
        if now - inst.clear_since >= wait * 1000:
            events.append(self._transition(inst, "resolved", now, self._worst_attrs(inst, {"fired": True})))
            inst.alert = None
            inst.clear_since = None

    @staticmethod
    def _worst_attrs(inst: _Instance, extra: dict[str, Any]) -> dict[str, Any]:
        return {**extra, "worst": inst.showing_worst, "current": inst.current}

    @staticmethod
    def _held_share(inst: _Instance, held: bool, now: int) -> float:
        """Record one evaluation of a pending alert; the share of the last ``for`` window's
        evaluations (since it began) in which the condition held."""
        hist = inst.history
        hist.append((now, held))
        window = inst.rule.for_s * 1000
        while hist and now - hist[0][0] > window:
            hist.popleft()
        return sum(1 for _, h in hist if h) / len(hist)

    def _new_alert(self, inst: _Instance, value: float, limit: float | None, now: int) -> Alert:
        rule = inst.rule
        change = self._recent_change(inst.subject, now)
        plans = tuple(dict.fromkeys(p.format(subject=inst.subject) if "{" in p else p for p in rule.plans))
        title, titles = inst.titles(value, limit)
        inst.title_key = (value, limit, False, inst.shown_basis)
        alert = Alert(
            fingerprint=inst.fingerprint, rule=rule.id, series=inst.key, subject=inst.subject,
            subject_kind=inst.subject_kind, severity=rule.severity, state="pending", titles=titles,
            title=title, since_ms=now, value=value, threshold=limit,
            tags=("after_change",) if change else (), change=change, runbook=rule.runbook, plans=plans,
            cause=rule.cause,
        )
        return replace(alert, silenced_by=self._silenced_by(alert, now))

    def _recent_change(self, subject: str, now: int) -> dict[str, Any] | None:
        """The latest deploy/config change on ``subject`` or a neighbour within the window."""
        window = self._rules.change_window_s * 1000
        while self._changes and now - self._changes[0].ts > window:
            self._changes.popleft()
        if self._graph is None:
            near = {subject}
        else:
            near = set(self._graph.neighbours.get(subject, {subject}))
            if "->" in subject:
                for end in subject.split("->"):
                    near |= self._graph.neighbours.get(end, {end})
            near |= set(self._graph.scenario_services.get(subject, ()))
        for ev in reversed(self._changes):
            if ev.subject in near and 0 <= now - ev.ts <= window:
                titles = clean_titles(ev.attrs.get("titles"))  # the change's title per language
                return {"id": ev.id, "kind": ev.kind.value, "subject": ev.subject, "title": ev.title, "ts": ev.ts,
                        **({"titles": titles} if titles else {})}
        return None

    def _update_roots(self, now: int, events: list[Event]) -> None:
        active = [i for i in self._instances.values() if i.alert is not None]
        if not active:
            return
        if self._graph is None:
            verdicts = {}
        else:
            verdicts = find_roots(self._graph, (
                Symptom(i.fingerprint, i.subject, i.subject_kind, i.rule.cause, i.rule.severity.value,
                        i.alert.state, i.alert.since_ms) for i in active if i.alert is not None))
        for inst in active:
            alert = inst.alert
            assert alert is not None
            v = verdicts.get(inst.fingerprint)
            root, folded = (v.root_cause, v.folded_under) if v else (alert.subject if alert.subject_kind == "service"
                                                                     else "", "")
            roots = tuple(v.roots) if v and len(v.roots) > 1 else ()
            if (root, folded, roots) == (alert.root_cause, alert.folded_under, alert.root_causes):
                continue
            tags, change = alert.tags, alert.change
            if change is None and root and root != alert.subject:
                change = self._recent_change(root, now)
                if change:
                    tags = (*tags, "after_change")
            inst.alert = replace(alert, root_cause=root, folded_under=folded, root_causes=roots, tags=tags,
                                 change=change)
            # Logged for every alert the room can see fired, so a replay of the log folds
            # symptoms exactly as the console did (pending alerts settle before they fire).
            if alert.state != "pending":
                events.append(self._transition(inst, alert.state, now, {"amends": "root_cause"}))

    def _expire(self, now: int, events: list[Event]) -> None:
        for s in list(self._silences.values()):
            if now >= s.ends_ms:
                del self._silences[s.id]
                events.append(self._silence_event(s, "expired", now, ""))
        self._apply_silences(now)

    def _apply_silences(self, now: int) -> None:
        for inst in self._instances.values():
            alert = inst.alert
            if alert is None or (not self._silences and not alert.silenced_by):
                continue
            silenced_by = self._silenced_by(alert, now)
            if silenced_by != alert.silenced_by:
                inst.alert = replace(alert, silenced_by=silenced_by)

    def _silenced_by(self, alert: Alert, now: int) -> str:
        for s in self._silences.values():
            if s.active_at(now) and s.matches(alert.rule, alert.subject, alert.severity.value, alert.series.labels):
                return s.id
        return ""

    def _transition(self, inst: _Instance, state: str, now: int, extra: dict[str, Any] | None = None) -> Event:
        alert = inst.snapshot()
        assert alert is not None
        inst.alert = alert = replace(alert, state=state)
        attrs: dict[str, Any] = {
            "fingerprint": alert.fingerprint, "rule": alert.rule, "state": state, "series": alert.series.text,
            "subject_kind": alert.subject_kind, "since_ms": alert.since_ms, "fired_ms": alert.fired_ms,
            "value": alert.value, "threshold": alert.threshold, "root_cause": alert.root_cause,
            "folded_under": alert.folded_under, "tags": list(alert.tags), "change": alert.change,
            "silenced": alert.silenced_by, "runbook": alert.runbook, "plans": list(alert.plans),
            "cause": alert.cause, "actor": alert.acked_by, "comment": alert.ack_comment,
            **({"titles": dict(alert.titles)} if alert.titles else {}),
            **({"root_causes": list(alert.root_causes)} if alert.root_causes else {}),
            **({"source": alert.source} if alert.source else {}),
        }
        attrs.update(extra or {})
        suffix = f"-{alert.root_cause}-{alert.folded_under}" if (extra or {}).get("amends") else ""
        return Event(f"alert-{alert.fingerprint}-{now}-{state}{suffix}", now, EventKind.ALERT, alert.subject,
                     alert.title, alert.severity, attrs)

    def _silence_event(self, s: Silence, action: str, now: int, actor: str) -> Event:
        text = ", ".join(f"{k}={v}" for k, v in s.matchers.items())
        return Event(f"silence-{s.id}-{action}-{now}", now, EventKind.SILENCE, s.id, f"Silence {action}: {text}",
                     Severity.INFO, {"silence": s.id, "action": action, "matchers": dict(s.matchers),
                                     "starts_ms": s.starts_ms, "ends_ms": s.ends_ms, "actor": actor or s.created_by,
                                     "comment": s.comment})

