"""The facts of a post-incident report as plain data: what ``build_report`` gathers from a
history and ``render_html`` prints. No formatting here; times are epoch ms, ratios 0..1."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from warroom.core.incident.action_items import ActionItem
from warroom.core.model import SeriesKey
from warroom.report.impact import Impact


class ReportError(Exception):
    """A report cannot be made: unknown incident, unreadable file... (the message says which)."""


@dataclass(frozen=True)
class AlertFacts:
    """One alert that fired during the incident, with its firing spans ``[start, end)``.

    ``end`` is None while the alert was still firing at the end of the log. ``root`` is
    True for an alert nothing was folded above (it stands for its root cause).
    """

    fingerprint: str
    rule: str
    series: SeriesKey
    subject: str
    subject_kind: str
    severity: str
    title: str
    threshold: float | None
    fired_value: float | None  # the value when it fired
    root: bool
    folded_under: str
    root_cause: str
    spans: tuple[tuple[int, int | None], ...]
    titles: dict[str, str] = field(default_factory=dict, compare=False)  # the title per language

    @property
    def first_fired_ms(self) -> int:
        """When it first fired."""
        return self.spans[0][0]


@dataclass(frozen=True)
class Summary:
    """The incident itself."""

    id: str
    title: str
    severity: str
    state: str
    root_cause: str
    owner: str
    started_ms: int
    detected_ms: int
    acked_ms: int | None
    resolved_ms: int | None  # every alert resolved, the root cause's included (the recovery window's start)
    verified_ms: int | None  # the recovery then verified
    duration_s: float | None  # started to service restored (mitigated); None while not restored
    alerts: int  # alerts that fired, roots and symptoms
    root_alerts: int
    scenarios: tuple[tuple[str, str], ...]  # (id, title) of the scenarios whose alerts fired
    root_cause_name: str = ""  # the root cause's display name in the report's language ("" = its id)
    mitigated_ms: int | None = None  # service restored: users recovered, the root may still alert
    root_firing: bool = False  # the root cause's own alert still fires at the end of the report


@dataclass(frozen=True)
class Kpis:
    """MTTD, MTTA, MTTR (seconds; None when not reached) from ``warroom.core.northstar.mttx``:
    ``mttr_s`` to resolution, ``mttr_mitigated_s`` to mitigation (service restored), which the
    goal is judged on."""

    mttd_s: float | None
    mtta_s: float | None
    mttr_s: float | None
    goal_s: float = 60.0
    mttr_mitigated_s: float | None = None


@dataclass(frozen=True)
class TimelineRow:
    """One line of the timeline. ``what`` is a catalogue key, ``what_args`` its values;
    ``detail`` is data (an alert title, a note) and ``subjects`` names grouped alerts."""

    ts: int
    what: str
    what_args: dict[str, Any] = field(default_factory=dict)
    subject: str = ""
    actor: str = ""
    detail: str = ""
    tone: str = ""  # "crit", "warn", "ok" or "" for how the row is marked
    subjects: tuple[str, ...] = ()


@dataclass(frozen=True)
class Marker:
    """A vertical line on every chart: ``kind`` is ``detected``, ``plan``, ``resolved`` or ``worst``."""

    ts: int
    kind: str


@dataclass(frozen=True)
class Series:
    """One line of a chart (downsampled: mean with min/max per bucket)."""

    key: SeriesKey
    label: str
    ts: tuple[int, ...]
    value: tuple[float, ...]
    low: tuple[float, ...]
    high: tuple[float, ...]
    bucket_ms: int = 0


@dataclass(frozen=True)
class Chart:
    """A chart of one alert's series (``alert`` set) or of several scenarios' success rates."""

    title: str
    unit: str
    start_ms: int
    end_ms: int
    lines: tuple[Series, ...]
    thresholds: tuple[float, ...] = ()
    firing: tuple[tuple[int, int], ...] = ()
    alert: AlertFacts | None = None


@dataclass(frozen=True)
class MapNode:
    """A service on the map at the worst moment. ``x``/``y`` are layout units (depth, row)."""

    name: str
    label: str
    kind: str
    x: float
    y: float
    level: str  # ok, warn, crit, unknown
    requests: float | None
    error_ratio: float | None
    p99_s: float | None
    saturation: float | None
    p99_warn_s: float
    saturation_warn: float
    root_cause: bool


@dataclass(frozen=True)
class MapEdge:
    """A call edge at the worst moment."""

    caller: str
    callee: str
    level: str
    error_ratio: float | None


@dataclass(frozen=True)
class MapFacts:
    """The call chain at ``ts``."""

    ts: int
    nodes: tuple[MapNode, ...]
    edges: tuple[MapEdge, ...]


@dataclass(frozen=True)
class PlanFacts:
    """A plan run during the incident, from its audit events."""

    run: str
    plan_id: str
    title: str
    kind: str
    actor: str
    reason: str
    confirmed_ms: int
    executed_ms: int | None
    verified_ms: int | None
    ended_ms: int | None
    params: dict[str, Any]
    steps: tuple[str, ...]
    guard: dict[str, Any] | None
    before: float | None
    after: float | None
    verdicts: tuple[str, ...]  # effective / not_effective / unverified / rolled_back / expired / failed / not_run
    preview_ms: int | None = None
    preview: dict[str, Any] | None = None  # the figures the commander saw
    #: A staged shift's ladder: ``(stage name, how it ended)`` per stage, ``passed``, ``failed``,
    #: ``aborted`` or ``not_reached`` (empty for other plans).
    stages: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Note:
    """A note: made during the incident, or during a later review (``review``)."""

    ts: int
    actor: str
    text: str
    review: bool = False


@dataclass(frozen=True)
class Report:
    """Everything a post-incident report says."""

    summary: Summary
    kpis: Kpis
    timeline: tuple[TimelineRow, ...]
    alerts: tuple[AlertFacts, ...]
    charts: tuple[Chart, ...]
    charts_left_out: tuple[AlertFacts, ...]
    scenario_chart: Chart | None
    scenarios_unaffected: tuple[str, ...]
    markers: tuple[Marker, ...]
    worst_ms: int
    worst_firing: int
    worst_success: float | None
    map: MapFacts | None
    plans: tuple[PlanFacts, ...]
    notes: tuple[Note, ...]
    review_notes: tuple[Note, ...]
    source: str
    generated_ms: int
    version: str
    window: tuple[int, int]  # the time span the charts show
    impact: Impact | None = None  # business impact per scenario (warroom.report.impact)
    action_items: tuple[ActionItem, ...] = ()  # follow-ups with owners (warroom.core.incident.action_items)
    symptom_grid: tuple[Chart, ...] = ()  # every symptom not charted in full, as small multiples
    #: The scorecard of the drill the incident belongs to; None for production (warroom.report.drill).
    drill: Any = None
