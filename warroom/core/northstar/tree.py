"""The north-star KPI tree: the strategic goal broken down into business lines, teams and services.

A platform declares the tree (the world file's or the site file's ``kpi_tree:``, or the feed's
topology message, protocol 1.6)::

    goal (MTTR to mitigation ≤ 60 s, or a success ratio ≥ 99.5 %)
      └─ business line (payments, merchant services…)
           └─ team (trade, payment core…)
                └─ services (trade, trade-db…)

Against the event log it answers the question the room asks after a bad day: whose services
caused today's incident minutes, and how fast does each team restore service (MTTR over 7 and
30 days)? An incident is credited to the team owning its root cause (``root_cause`` of its
INCIDENT events, the latest winning): a service, or the callee of an edge (``a->b``: the call
into ``b`` failed). An incident whose root is unknown or in no team goes to the *unassigned*
branch, so the shares always add up to the whole.

**Incident minutes** of an incident are the minutes users felt it: from its start to its
mitigation (service restored), or to ``now`` while it is not mitigated, clipped to the window.
**MTTR** here is the north star's: time to mitigation (``mttx.IncidentTimes.mttr_mitigated_s``),
averaged over the team's incidents mitigated in the window; time to resolution is beside it.
Drill incidents (``warroom.core.incident.drills``: the drill mark on their events) are counted
apart: a rehearsal is not production's time to recover.

Pure: no Qt, no I/O; the same code serves the live view, a replay cursor, a stored history
(``warroom.store.teams``) and tests.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from warroom.core.language.lang import pick
from warroom.core.language.text import unsafe_char
from warroom.core.model import Event, EventKind
from warroom.core.northstar import mttx

_DAY_MS = 86_400_000
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")
#: What a goal may measure: time to mitigation (seconds) or the platform's success ratio (0..1).
GOAL_KPIS = ("mttr", "success_ratio")
#: Windows (days) MTTR per branch is averaged over.
MTTR_DAYS = (7, 30)
#: The branch that collects incidents whose root is unknown or owned by no team.
UNASSIGNED = "unassigned"
#: Most lines, teams per line and services per team a tree may hold: a tree is read by people.
MAX_LINES, MAX_TEAMS, MAX_SERVICES = 64, 64, 2000
_MAX_TITLE = 200


class TreeError(ValueError):
    """A tree that cannot be used. ``path`` says where (``("lines", "payments", "teams", "trade")``)
    so a file reader can point at the line; ``problem`` says what."""

    def __init__(self, problem: str, path: tuple[str, ...] = ()) -> None:
        self.problem, self.path = problem, path
        where = ".".join(path)
        super().__init__(f"kpi_tree.{where}: {problem}" if where else f"kpi_tree: {problem}")


@dataclass(frozen=True)
class Goal:
    """The strategic goal at the root: what is measured (``kpi``) and the ``target`` (seconds for
    ``mttr``, a ratio 0..1 for ``success_ratio``; ``None``: no target declared)."""

    title: str = "Service restored fast"
    kpi: str = "mttr"
    target: float | None = None
    titles: Mapping[str, str] = field(default_factory=dict, hash=False)

    @property
    def label(self) -> str:
        """The goal's name in the console's language."""
        return pick(self.title, self.titles)


@dataclass(frozen=True)
class Team:
    """A team and the services it answers for."""

    id: str
    title: str
    services: tuple[str, ...]
    titles: Mapping[str, str] = field(default_factory=dict, hash=False)

    @property
    def label(self) -> str:
        """The team's name in the console's language."""
        return pick(self.title or self.id, self.titles)


@dataclass(frozen=True)
class Line:
    """A business line and its teams."""

    id: str
    title: str
    teams: tuple[Team, ...]
    titles: Mapping[str, str] = field(default_factory=dict, hash=False)

    @property
    def label(self) -> str:
        """The line's name in the console's language."""
        return pick(self.title or self.id, self.titles)


@dataclass(frozen=True)
class KpiTree:
    """Goal → business lines → teams → services. A service belongs to one team at most."""

    goal: Goal
    lines: tuple[Line, ...]

    def __post_init__(self) -> None:
        owner: dict[str, str] = {}
        seen_lines: set[str] = set()
        seen_teams: set[str] = set()
        for line in self.lines:
            if line.id in seen_lines:
                raise TreeError(f"business line {line.id!r} is declared twice", ("lines", line.id))
            seen_lines.add(line.id)
            for team in line.teams:
                if team.id in seen_teams:
                    raise TreeError(f"team {team.id!r} is declared twice", ("lines", line.id, "teams", team.id))
                seen_teams.add(team.id)
                for svc in team.services:
                    if svc in owner:
                        raise TreeError(f"service {svc!r} is already in team {owner[svc]!r}: a service has one "
                                        "owning team", ("lines", line.id, "teams", team.id, "services"))
                    owner[svc] = team.id
        # A frozen dataclass: the index is set once, through object.__setattr__.
        object.__setattr__(self, "_team_of", owner)

    @property
    def teams(self) -> tuple[Team, ...]:
        """Every team, line by line."""
        return tuple(t for line in self.lines for t in line.teams)

    @property
    def services(self) -> frozenset[str]:
        """Every service the tree names."""
        return frozenset(self._team_of)  # type: ignore[attr-defined]

    def team_of(self, service: str) -> str | None:
        """The id of the team owning ``service``; None when no team does."""
        return self._team_of.get(service)  # type: ignore[attr-defined]

    def line_of(self, team_id: str) -> str | None:
        """The id of the business line a team belongs to."""
        for line in self.lines:
            if any(t.id == team_id for t in line.teams):
                return line.id
        return None

    def unknown_services(self, known: Iterable[str]) -> list[str]:
        """Services the tree names that ``known`` (the topology's services) does not have, sorted."""
        return sorted(self.services - set(known))

    def to_wire(self) -> dict[str, Any]:
        """The JSON-ready form (the topology message's ``kpi_tree``, protocol 1.6)."""
        g = self.goal
        goal: dict[str, Any] = {"title": g.title, "kpi": g.kpi}
        if g.target is not None:
            goal["target"] = g.target
        if g.titles:
            goal["titles"] = dict(g.titles)
        return {"goal": goal, "lines": [
            {"id": line.id, "title": line.title, **({"titles": dict(line.titles)} if line.titles else {}),
             "teams": [{"id": t.id, "title": t.title, **({"titles": dict(t.titles)} if t.titles else {}),
                        "services": list(t.services)} for t in line.teams]}
            for line in self.lines]}


# -- reading a tree -----------------------------------------------------------------------
def tree_from_wire(body: Any) -> KpiTree:
    """A tree from its wire form (lists of lines and teams with ``id``); ``TreeError`` if bad."""
    if not isinstance(body, Mapping):
        raise TreeError("must be an object with goal and lines")
    _only(body, ("goal", "lines"), ())
    lines = body.get("lines", [])
    if not isinstance(lines, list):
        raise TreeError("lines must be a list", ("lines",))
    _bound(lines, MAX_LINES, "business lines", ("lines",))
    out = []
    for i, ld in enumerate(lines):
        if not isinstance(ld, Mapping):
            raise TreeError("a business line is an object with id, title and teams", ("lines", str(i)))
        lid = _ident(ld.get("id"), ("lines", str(i), "id"))
        where = ("lines", lid)
        _only(ld, ("id", "title", "titles", "teams"), where)
        teams = ld.get("teams", [])
        if not isinstance(teams, list):
            raise TreeError("teams must be a list", where + ("teams",))
        _bound(teams, MAX_TEAMS, "teams", where + ("teams",))
        built = []
        for j, td in enumerate(teams):
            if not isinstance(td, Mapping):
                raise TreeError("a team is an object with id, title and services", where + ("teams", str(j)))
            tid = _ident(td.get("id"), where + ("teams", str(j), "id"))
            built.append(_team(tid, td, where + ("teams", tid)))
        out.append(Line(lid, _title(ld.get("title"), lid, where + ("title",)), tuple(built),
                        _titles(ld.get("titles"), where + ("titles",))))
    return KpiTree(_goal(body.get("goal"), ("goal",)), tuple(out))


def tree_from_config(body: Any) -> KpiTree:
    """A tree as people write it in a world or site file: lines and teams keyed by id::

        kpi_tree:
          goal: {title: Service restored within a minute, kpi: mttr, target: 60}
          lines:
            payments:
              title: Payments
              teams:
                trade-team: {title: Trade, services: [trade, trade-db]}
    """
    if not isinstance(body, Mapping):
        raise TreeError("must be a mapping with goal and lines")
    _only(body, ("goal", "lines"), ())
    lines = body.get("lines")
    if not isinstance(lines, Mapping) or not lines:
        raise TreeError("lines must map each business line's id to its title and teams", ("lines",))
    _bound(lines, MAX_LINES, "business lines", ("lines",))
    out = []
    for lid, ld in lines.items():
        lid = _ident(lid, ("lines", str(lid)))
        where = ("lines", lid)
        if not isinstance(ld, Mapping):
            raise TreeError("a business line is a mapping with title and teams", where)
        _only(ld, ("title", "titles", "teams"), where)
        teams = ld.get("teams")
        if not isinstance(teams, Mapping) or not teams:
            raise TreeError("teams must map each team's id to its title and services", where + ("teams",))
        _bound(teams, MAX_TEAMS, "teams", where + ("teams",))
        built = [_team(_ident(tid, where + ("teams", str(tid))), td, where + ("teams", str(tid)))
                 for tid, td in teams.items()]
        out.append(Line(lid, _title(ld.get("title"), lid, where + ("title",)), tuple(built),
                        _titles(ld.get("titles"), where + ("titles",))))
    return KpiTree(_goal(body.get("goal"), ("goal",)), tuple(out))


def _team(tid: str, td: Any, where: tuple[str, ...]) -> Team:
    if not isinstance(td, Mapping):
        raise TreeError("a team is a mapping with title and services", where)
    _only(td, ("id", "title", "titles", "services"), where)
    svcs = td.get("services")
    if not isinstance(svcs, list) or not svcs:
        raise TreeError("services must list the team's services", where + ("services",))
    _bound(svcs, MAX_SERVICES, "services", where + ("services",))
    names = tuple(_service(s, where + ("services",)) for s in svcs)
    if len(set(names)) != len(names):
        raise TreeError("a service is listed twice", where + ("services",))
    return Team(tid, _title(td.get("title"), tid, where + ("title",)), names, _titles(td.get("titles"), where + ("titles",)))


def _goal(gd: Any, where: tuple[str, ...]) -> Goal:
    if gd is None:
        return Goal()
    if not isinstance(gd, Mapping):
        raise TreeError("goal must be a mapping with title, kpi and target", where)
    _only(gd, ("title", "titles", "kpi", "target"), where)
    kpi = gd.get("kpi", "mttr")
    if kpi not in GOAL_KPIS:
        raise TreeError(f"kpi must be one of {', '.join(GOAL_KPIS)}, not {kpi!r}", where + ("kpi",))
    target = gd.get("target")
    if target is not None:
        if isinstance(target, bool) or not isinstance(target, (int, float)) or not math.isfinite(target):
            raise TreeError(f"target must be a number, not {target!r}", where + ("target",))
        target = float(target)
        if kpi == "mttr" and not target > 0:
            raise TreeError("an MTTR target is a positive number of seconds", where + ("target",))
        if kpi == "success_ratio" and not 0 < target <= 1:
            raise TreeError("a success-ratio target is a fraction in (0, 1], e.g. 0.995", where + ("target",))
    return Goal(_title(gd.get("title"), Goal.title, where + ("title",)), str(kpi), target,
                _titles(gd.get("titles"), where + ("titles",)))


def _only(d: Mapping, keys: tuple[str, ...], where: tuple[str, ...]) -> None:
    for k in d:
        if str(k) not in keys:
            raise TreeError(f"unknown field {k!r}; expected one of {', '.join(keys)}", where)


def _bound(items: Any, most: int, what: str, where: tuple[str, ...]) -> None:
    if len(items) > most:
        raise TreeError(f"at most {most} {what}, not {len(items)}", where)


def _ident(value: Any, where: tuple[str, ...], what: str = "id") -> str:
    if not isinstance(value, str) or not _ID.match(value):
        raise TreeError(f"{what} {value!r} is not a name (letters, digits, '-', '_', '.')", where)
    return value


def _service(value: Any, where: tuple[str, ...]) -> str:
    # Service names are the feed's (protocol identifiers: a gateway's may hold '/' or ':'), so
    # they are checked as identifiers are at the protocol boundary, not as tree ids.
    if (not isinstance(value, str) or not value.strip() or len(value) > 256 or "->" in value
            or unsafe_char(value) is not None):
        raise TreeError(f"service {value!r} is not a service name", where)
    return value


def _clean(value: str) -> str:
    # Titles are shown on a wall: one line, no control characters, bounded.
    return " ".join("".join(ch if ch.isprintable() else " " for ch in value).split())[:_MAX_TITLE]


def _title(value: Any, default: str, where: tuple[str, ...]) -> str:
    if value is None:
        return default
    if not isinstance(value, str) or not _clean(value):
        raise TreeError("title must be text", where)
    return _clean(value)


def _titles(value: Any, where: tuple[str, ...]) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise TreeError("titles must map a language to a name", where)
    out = {}
    for lang, text in value.items():
        if not isinstance(lang, str) or not isinstance(text, str) or not _clean(text):
            raise TreeError(f"titles.{lang}: must be text", where)
        out[lang] = _clean(text)
    return out


# -- the figures --------------------------------------------------------------------------
@dataclass(frozen=True)
class Mttr:
    """Mean times over a window of ``days`` for one branch: to mitigation (the north star) over
    the ``restored`` incidents mitigated in it, to resolution over the ``resolved`` ones."""

    days: int
    restored: int
    mttr_mitigated_s: float | None
    resolved: int
    mttr_s: float | None


@dataclass(frozen=True)
class Branch:
    """One node of the tree with its figures.

    ``kind`` is ``goal``, ``line``, ``team``, ``service`` or ``unassigned``; ``minutes`` are the
    incident minutes in the report's window (``TreeReport.start_ms`` .. ``end_ms``) credited
    to it, ``share`` its part of the whole (None when nothing happened), ``incidents`` how many
    incidents touched the window. ``mttr`` holds one ``Mttr`` per ``MTTR_DAYS``.
    """

    kind: str
    id: str
    title: str
    titles: Mapping[str, str]
    minutes: float
    share: float | None
    incidents: int
    mttr: tuple[Mttr, ...]
    children: tuple["Branch", ...] = ()
    #: Its incidents users still feel at the report's end (not mitigated yet).
    open: int = 0

    @property
    def label(self) -> str:
        """The branch's name in the console's language."""
        return pick(self.title or self.id, self.titles)

    def mttr_over(self, days: int) -> Mttr | None:
        """Its MTTR over ``days`` (one of ``MTTR_DAYS``)."""
        return next((m for m in self.mttr if m.days == days), None)

    def walk(self, depth: int = 0) -> Iterable[tuple[int, "Branch"]]:
        """``(depth, branch)`` for it and every branch under it, depth first."""
        yield depth, self
        for c in self.children:
            yield from c.walk(depth + 1)

    def find(self, kind: str, ident: str) -> "Branch | None":
        """The branch of that kind and id under (or at) this one."""
        return next((b for _, b in self.walk() if b.kind == kind and b.id == ident), None)


@dataclass(frozen=True)
class TreeReport:
    """The tree with its figures at ``end_ms``; the share window is ``start_ms``..``end_ms``.

    ``drill_incidents``/``drill_minutes`` are the drills in the window, kept out of the figures.
    ``events_from_ms`` is the oldest event the figures could see: when it is after a window's
    start, that window's MTTR is partial (a live console holds a bounded log).
    """

    root: Branch
    start_ms: int
    end_ms: int
    drill_incidents: int
    drill_minutes: float
    events_from_ms: int | None

    def partial(self, days: int) -> bool:
        """True when the log does not reach back ``days`` days from ``end_ms``."""
        return self.events_from_ms is not None and self.events_from_ms > self.end_ms - days * _DAY_MS


@dataclass(frozen=True)
class _Incident:
    id: str
    root: str
    drill: bool
    times: mttx.IncidentTimes


def credited_service(root: str, known: Iterable[str] | None = None) -> str:
    """The service an incident's root cause names: the service itself, or the callee of an edge
    (``a->b``); "" when it names neither (a scenario, an unknown root)."""
    root = (root or "").strip()
    if "->" in root:
        root = root.split("->", 1)[1].strip()
    if known is not None and root not in known:
        return ""
    return root


def _incidents(events: list[Event], now_ms: int) -> list[_Incident]:
    """Every counted incident with its root and drill mark (its latest INCIDENT event's)."""
    latest: dict[str, Event] = {}
    for ev in events:
        if ev.kind is not EventKind.INCIDENT or ev.ts > now_ms:
            continue
        iid = str(ev.attrs.get("incident") or "")
        if iid:
            prev = latest.get(iid)
            if prev is None or ev.ts >= prev.ts:
                latest[iid] = ev
    # Merged incidents are left out (the survivor carries their time); drills come back marked.
    times = {t.id: t for t in mttx.incident_times(events, now_ms=now_ms, include_drills=True)}
    out = []
    for iid, ev in latest.items():
        t = times.get(iid)
        if t is not None:
            drill = bool(getattr(t, "drill", "")) or bool(ev.attrs.get("drill"))
            out.append(_Incident(iid, str(ev.attrs.get("root_cause") or ev.subject or ""), drill, t))
    return out


def _felt_ms(t: mttx.IncidentTimes, start_ms: int, end_ms: int) -> int:
    """Milliseconds of ``[start_ms, end_ms]`` users felt the incident: started → mitigated (or still)."""
    begin = t.started_ms if t.started_ms is not None else t.detected_ms
    if begin is None:
        return 0
    stop = t.mitigated_ms if t.mitigated_ms is not None else end_ms
    return max(0, min(stop, end_ms) - max(begin, start_ms))


def _mttr(incs: list[_Incident], end_ms: int) -> tuple[Mttr, ...]:
    out = []
    for days in MTTR_DAYS:
        start = end_ms - days * _DAY_MS
        mit = [i.times.mttr_mitigated_s for i in incs if i.times.mitigated_ms is not None
               and start <= i.times.mitigated_ms <= end_ms and i.times.mttr_mitigated_s is not None]
        res = [i.times.mttr_s for i in incs if i.times.state == "resolved" and i.times.resolved_ms is not None
               and start <= i.times.resolved_ms <= end_ms and i.times.mttr_s is not None]
        out.append(Mttr(days, len(mit), sum(mit) / len(mit) if mit else None,
                        len(res), sum(res) / len(res) if res else None))
    return tuple(out)


def report(tree: KpiTree, events: Iterable[Event], now_ms: int, *, start_ms: int | None = None,
           utc_offset_h: float = 8.0, log_from_ms: int | None = None) -> TreeReport:
    """The tree's figures at ``now_ms`` from the event log.

    Shares are of the incident minutes in ``start_ms``..``now_ms`` (default: today, from the
    local midnight at UTC + ``utc_offset_h``); MTTR per branch over ``MTTR_DAYS`` ending at
    ``now_ms``. Incidents rooted in a service no team owns, or in no service, go to the
    *unassigned* branch, one child per root. ``log_from_ms`` is where the log starts (default:
    its oldest event), which says whether a window's MTTR is partial.
    """
    events = list(events)
    start = mttx.window_start(now_ms, "today", utc_offset_h=utc_offset_h) if start_ms is None else int(start_ms)
    incs = _incidents(events, now_ms)
    prod = [i for i in incs if not i.drill]
    drills = [i for i in incs if i.drill]
    by_service: dict[str, list[_Incident]] = {}
    for inc in prod:
        by_service.setdefault(credited_service(inc.root), []).append(inc)

    felt = {inc.id: _felt_ms(inc.times, start, now_ms) for inc in incs}
    total_ms = sum(felt[i.id] for i in prod)

    def branch(kind: str, ident: str, title: str, titles: Mapping[str, str], members: list[_Incident],
               children: tuple[Branch, ...] = ()) -> Branch:
        ms = sum(felt[i.id] for i in members)
        return Branch(kind, ident, title, dict(titles), ms / 60_000.0, ms / total_ms if total_ms else None,
                      sum(1 for i in members if felt[i.id] > 0), _mttr(members, now_ms), children,
                      sum(1 for i in members if i.times.mitigated_ms is None and i.times.state != "resolved"))

    lines = []
    for line in tree.lines:
        teams = []
        line_incs: list[_Incident] = []
        for team in line.teams:
            team_incs: list[_Incident] = []
            svcs = []
            for svc in team.services:
                s_incs = by_service.get(svc, [])
                team_incs += s_incs
                svcs.append(branch("service", svc, svc, {}, s_incs))
            line_incs += team_incs
            teams.append(branch("team", team.id, team.title, team.titles, team_incs, tuple(svcs)))
        lines.append(branch("line", line.id, line.title, line.titles, line_incs, tuple(teams)))
    owned = tree.services
    rest = [i for svc, group in by_service.items() if svc not in owned for i in group]
    if rest:
        # Roots outside the tree, one child per root so the room sees what is not owned yet.
        kids = []
        for svc in sorted({credited_service(i.root) for i in rest}):
            group = [i for i in rest if credited_service(i.root) == svc]
            kids.append(branch("service", svc or "?", svc or "?", {}, group))
        lines.append(branch(UNASSIGNED, UNASSIGNED, "Unassigned", {"zh_CN": "未归属"}, rest,
                            tuple(sorted(kids, key=lambda b: -b.minutes))))
    g = tree.goal
    root = branch("goal", "goal", g.title, g.titles, prod, tuple(lines))
    oldest = log_from_ms if log_from_ms is not None else min((e.ts for e in events), default=None)
    return TreeReport(root, start, now_ms, sum(1 for i in drills if felt[i.id] > 0),
                      sum(felt[i.id] for i in drills) / 60_000.0, oldest)
