"""Reading a world file: every field checked up front, every problem "FILE:LINE: problem".

The format is documented in docs/worlds.md. Nothing is half-loaded: either a ``World`` the
simulator can run (acyclic calls, every scenario hop a declared call, faults that target
something real), or a ``WorldError``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warroom.core.catalogue.describe import SeriesInfo, infos_from_mapping
from warroom.core.graph.topology import Topology
from warroom.core.model import (
    SLO_KEYS,
    CallEdge,
    FunnelStep,
    Scenario,
    Service,
    ServiceKind,
    step_series,
)
from warroom.core.northstar.tree import KpiTree, TreeError, tree_from_config
from warroom.core.plan.plans import Plan
from warroom.core.settings.paths import resource_dir
from warroom.sim import faults as F
from warroom.sim.catalogue import build_plans
from warroom.sim.platform import Platform, ServiceProfile
from warroom.sim.series_info import SIM_SERIES
from warroom.sim.traffic import DailyCurve
from warroom.sim.world.lines import LineError, Map, Seq, load

WORLD_VERSION = 1
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_HHMM = re.compile(r"^(\d{1,2}):(\d{2})$")
_TOP_KEYS = ("version", "name", "title", "titles", "source", "description", "traffic", "services", "scenarios",
             "plans", "faults", "rules", "kpi_tree", "series")
_SERVICE_KEYS = ("kind", "title", "titles", "capacity_rps", "latency_ms", "latency_s", "tail", "error_ratio",
                 "timeout_s", "core", "entry", "slo", "cadence_s", "group", "calls", "consumes")
_SCENARIO_KEYS = ("title", "titles", "peak_tps", "paths", "steps")
_STEP_KEYS = ("id", "title", "titles", "services", "conversion")


class WorldError(ValueError):
    """A world file that cannot be used; ``str()`` is ``FILE:LINE: problem``."""

    def __init__(self, problem: str, line: int | None = None, source: str = "<world>") -> None:
        self.problem, self.line, self.source = problem, line, source
        super().__init__(f"{source}:{line}: {problem}" if line else f"{source}: {problem}")


@dataclass(frozen=True)
class World:
    """A platform the simulator can play: its topology, numbers, traffic curve and drills.

    ``faults`` are scheduled (``warroom sim --world`` injects them with ``Simulator.inject_spec``);
    ``rules`` is the world's own rule file, if it has one.
    """

    def __deepcopy__(self, memo: dict) -> World:
        return self  # immutable: a copied simulator (a drill's fork) may share it

    name: str
    title: str
    platform: Platform
    traffic: DailyCurve
    faults: tuple[F.FaultSpec, ...] = ()
    rules: Path | None = None
    titles: Mapping[str, str] = field(default_factory=dict)
    source: str = ""
    description: str = ""
    path: Path | None = None

    @property
    def topology(self) -> Topology:
        """The world's call graph and scenarios."""
        return self.platform.topology


def worlds_dir() -> Path:
    """Where the shipped worlds live."""
    return resource_dir() / "worlds"


def builtin_worlds() -> list[str]:
    """Names of the shipped worlds (``load_world`` takes them), sorted."""
    return sorted(p.stem for p in worlds_dir().glob("*.yaml"))


def load_world(name_or_path: str | Path) -> World:
    """A shipped world by name (``"payment"``, ``"webshop"``...) or a world file by path."""
    text = str(name_or_path)
    if isinstance(name_or_path, str) and _NAME.match(text) and not text.endswith((".yaml", ".yml")):
        path = worlds_dir() / f"{text}.yaml"
        if not path.is_file():
            raise WorldError(f"no world called {text!r}; shipped worlds: {', '.join(builtin_worlds())}, "
                             "or give a world file's path", source=text)
    else:
        path = Path(name_or_path)
    try:
        body = path.read_text(encoding="utf-8")
    except OSError as e:
        raise WorldError(f"cannot read: {e.strerror or e}", source=str(path)) from None
    except UnicodeDecodeError:
        raise WorldError("not UTF-8 text", source=str(path)) from None
    return load_world_text(body, source=str(path), base=path.parent)


def load_world_text(text: str, source: str = "<world>", base: Path | None = None) -> World:
    """Parse and check world-file text; ``base`` is where a relative ``rules:`` path starts."""
    try:
        doc = load(text)
        return _World(doc, source, base or Path.cwd()).build()
    except LineError as e:
        raise WorldError(e.problem, e.line, source) from None


# -- checking ---------------------------------------------------------------------------
def _num(value: Any, what: str, line: int, *, low: float | None = 0.0, positive: bool = False,
         high: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise LineError(f"{what} must be a number, not {value!r}", line)
    v = float(value)
    if not math.isfinite(v):
        raise LineError(f"{what} must be a finite number", line)
    if positive and not v > 0:
        raise LineError(f"{what} must be positive, not {value!r}", line)
    if low is not None and v < low:
        raise LineError(f"{what} must be at least {low:g}, not {value!r}", line)
    if high is not None and v > high:
        raise LineError(f"{what} must be at most {high:g}, not {value!r}", line)
    return v


def _text(value: Any, what: str, line: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise LineError(f"{what} must be text", line)
    return value.strip()


def _bool(value: Any, what: str, line: int) -> bool:
    if not isinstance(value, bool):
        raise LineError(f"{what} must be true or false, not {value!r}", line)
    return value


def _map(value: Any, what: str, line: int, keys: tuple[str, ...] | None = None) -> Map:
    if not isinstance(value, Map):
        raise LineError(f"{what} must be a mapping", line)
    if keys is not None:
        for k in value:
            if str(k) not in keys:
                raise LineError(f"{what}: unknown field {k!r}; expected one of {', '.join(keys)}", value.at(k))
    return value


def _seq(value: Any, what: str, line: int) -> Seq:
    if not isinstance(value, Seq):
        raise LineError(f"{what} must be a list", line)
    return value


def _titles(value: Any, what: str, line: int) -> dict[str, str]:
    m = _map(value, what, line)
    return {str(k): _text(v, f"{what}.{k}", m.at(k)) for k, v in m.items()}


def _name(value: Any, what: str, line: int) -> str:
    if not isinstance(value, str) or not _NAME.match(value):
        raise LineError(f"{what} {value!r} is not a name (letters, digits, '-', '_', '.')", line)
    return value


def _hour(value: Any, what: str, line: int) -> float:
    m = _HHMM.match(str(value)) if isinstance(value, str) else None
    if m is None or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise LineError(f"{what} must be a local time 'HH:MM', not {value!r}", line)
    return int(m.group(1)) + int(m.group(2)) / 60.0


def _line_at(value: Any, path: tuple[str, ...], line: int) -> int:
    """The line of the deepest part of ``path`` found under ``value`` (a tree error's place)."""
    for key in path:
        if isinstance(value, Map) and key in value:
            line, value = value.at(key), value[key]
        elif isinstance(value, Seq) and key.isdigit() and int(key) < len(value):
            line, value = value.at(int(key)), value[int(key)]
        else:
            break
    return line


class _World:
    """One pass over a parsed world file, building as it checks."""

    def __init__(self, doc: Any, source: str, base: Path) -> None:
        if not isinstance(doc, Map):
            raise LineError("a world file is a mapping with 'services' and 'scenarios'", 1)
        self.doc, self.source, self.base = doc, source, base
        self.call_lines: dict[tuple[str, str], int] = {}
        self.step_conversion: dict[str, tuple[float, ...]] = {}  # funnels' usual conversions

    def build(self) -> World:
        d = self.doc
        _map(d, "the world", d.line, _TOP_KEYS)
        if d.get("version", WORLD_VERSION) != WORLD_VERSION:
            raise LineError(f"version must be {WORLD_VERSION}", d.at("version"))
        stem = Path(self.source).stem if self.source.endswith((".yaml", ".yml")) else "world"
        name = _name(d.get("name", stem), "name", d.at("name"))
        title = _text(d.get("title", name), "title", d.at("title"))
        titles = _titles(d["titles"], "titles", d.at("titles")) if "titles" in d else {}
        for key in ("source", "description"):
            if key in d:
                _text(d[key], key, d.at(key))
        for key in ("services", "scenarios"):
            if key not in d:
                raise LineError(f"missing '{key}'", d.line)
        services, profiles, edges = self._services(d["services"], d.at("services"))
        names = {s.name for s in services}
        scenarios, base_tps, paths_line = self._scenarios(d["scenarios"], d.at("scenarios"), names)
        self._check_graph(services, edges, scenarios, paths_line)
        try:
            topology = Topology(services, edges, scenarios)
        except ValueError as e:
            raise LineError(str(e), d.at("services")) from None
        if "kpi_tree" in d:
            topology.kpi_tree = self._kpi_tree(d["kpi_tree"], d.at("kpi_tree"), names)
        # What its series are: the world's declarations first (they win), then the simulator's own.
        topology.series_info = (*self._series(d["series"], d.at("series")), *SIM_SERIES) if "series" in d else SIM_SERIES
        self._check_consumers(topology)
        plans = self._plans(d.get("plans", Map()), d.at("plans"), topology, base_tps)
        platform = Platform(topology, base_tps, profiles, plans, step_conversion=self.step_conversion)
        traffic = self._traffic(d.get("traffic", Map()), d.at("traffic"))
        faults = self._faults(d.get("faults", Seq()), d.at("faults"), topology)
        rules = self._rules(d["rules"], d.at("rules")) if "rules" in d else None
        return World(name=name, title=title, platform=platform, traffic=traffic, faults=faults, rules=rules,
                     titles=titles, source=str(d.get("source", "")).strip(),
                     description=" ".join(str(d.get("description", "")).split()),
                     path=Path(self.source) if self.source.endswith((".yaml", ".yml")) else None)

    # services and calls
    def _services(self, value: Any, line: int):
        m = _map(value, "services", line)
        if not m:
            raise LineError("services must list at least one service", line)
        kinds = [k.value for k in ServiceKind]
        services, profiles, calls = [], {}, []
        self.consumes: dict[str, tuple[str, int]] = {}
        for name, spec in m.items():
            at = m.at(name)
            _name(name, "service", at)
            what = f"service {name}"
            s = _map(spec, what, at, _SERVICE_KEYS)
            kind = s.get("kind", "service")
            if kind not in kinds:
                raise LineError(f"{what}: kind must be one of {', '.join(kinds)}, not {kind!r}", s.at("kind"))
            if "capacity_rps" not in s:
                raise LineError(f"{what}: capacity_rps is missing (requests per second it can serve)", m.key_at(name))
            cap = _num(s["capacity_rps"], f"{what}: capacity_rps", s.at("capacity_rps"), positive=True)
            if ("latency_ms" in s) == ("latency_s" in s):
                raise LineError(f"{what}: give its own median latency as latency_ms or latency_s (one of them)",
                                m.key_at(name))
            lat_key = "latency_ms" if "latency_ms" in s else "latency_s"
            latency = _num(s[lat_key], f"{what}: {lat_key}", s.at(lat_key), positive=True)
            latency = latency / 1000.0 if lat_key == "latency_ms" else latency
            profile = ServiceProfile(
                latency_s=latency,
                tail=_num(s.get("tail", 3.0), f"{what}: tail", s.at("tail"), low=1.0),
                error_ratio=_num(s.get("error_ratio", 0.0005), f"{what}: error_ratio", s.at("error_ratio"),
                                 high=1.0),
                timeout_s=_num(s.get("timeout_s", 5.0), f"{what}: timeout_s", s.at("timeout_s"), positive=True),
            )
            slo: dict[str, float] = {}
            if "slo" in s:
                sm = _map(s["slo"], f"{what}: slo", s.at("slo"), SLO_KEYS)
                slo = {str(k): _num(v, f"{what}: slo.{k}", sm.at(k), positive=True) for k, v in sm.items()}
            cadence = _num(s.get("cadence_s", 0.0), f"{what}: cadence_s", s.at("cadence_s"))
            if kind == ServiceKind.JOB.value and not cadence > 0:
                raise LineError(f"{what}: a job needs cadence_s, how often it reports a success (seconds)",
                                s.at("cadence_s") if "cadence_s" in s else m.key_at(name))
            services.append(Service(
                name, ServiceKind(kind),
                _text(s.get("title", name), f"{what}: title", s.at("title")),
                _bool(s.get("core", True), f"{what}: core", s.at("core")), cap,
                group=_text(s["group"], f"{what}: group", s.at("group")) if "group" in s else "",
                entry=_bool(s.get("entry", False), f"{what}: entry", s.at("entry")),
                slo=slo, cadence_s=cadence,
                titles=_titles(s["titles"], f"{what}: titles", s.at("titles")) if "titles" in s else {},
            ))
            profiles[name] = profile
            if "calls" in s:
                cm = _map(s["calls"], f"{what}: calls", s.at("calls"))
                for callee, ratio in cm.items():
                    calls.append((name, str(callee), _num(ratio, f"{what}: calls to {callee}", cm.at(callee),
                                                          positive=True), cm.at(callee)))
            if "consumes" in s:
                cs = _seq(s["consumes"], f"{what}: consumes", s.at("consumes"))
                for i, queue in enumerate(cs):
                    calls.append((name, str(queue), 1.0, cs.at(i)))
                    self.consumes[name] = (str(queue), cs.at(i))
        names = {s.name for s in services}
        kind_of = {s.name: s.kind for s in services}
        edges = []
        for caller, callee, ratio, at in calls:
            if callee not in names:
                raise LineError(f"service {caller} calls {callee!r}, which is not a service of this world", at)
            if callee == caller:
                raise LineError(f"service {caller} cannot call itself", at)
            if (caller, callee) in self.call_lines:
                raise LineError(f"service {caller} calls {callee} twice (calls and consumes?)", at)
            if caller in self.consumes and self.consumes[caller][0] == callee and kind_of[callee] != ServiceKind.QUEUE:
                raise LineError(f"service {caller} consumes {callee}, which is not a queue (kind: queue)", at)
            self.call_lines[(caller, callee)] = at
            edges.append(CallEdge(caller, callee, ratio))
        return services, profiles, edges

    def _scenarios(self, value: Any, line: int, names: set[str]):
        m = _map(value, "scenarios", line)
        if not m:
            raise LineError("scenarios must list at least one scenario (where traffic enters)", line)
        scenarios, base_tps, paths_line = [], {}, {}
        for sid, spec in m.items():
            at = m.at(sid)
            _name(sid, "scenario", at)
            what = f"scenario {sid}"
            s = _map(spec, what, at, _SCENARIO_KEYS)
            if "peak_tps" not in s:
                raise LineError(f"{what}: peak_tps is missing (transactions per second at the daily peak)", m.key_at(sid))
            base_tps[sid] = _num(s["peak_tps"], f"{what}: peak_tps", s.at("peak_tps"))
            if "paths" not in s:
                raise LineError(f"{what}: paths is missing", m.key_at(sid))
            paths = _seq(s["paths"], f"{what}: paths", s.at("paths"))
            if not paths:
                raise LineError(f"{what}: paths must list at least one path", s.at("paths"))
            edges: dict[tuple[str, str], int] = {}
            entry = None
            for i, path in enumerate(paths):
                pl = paths.at(i)
                steps = _seq(path, f"{what}: path", pl)
                if len(steps) < 2 or not isinstance(steps[0], str):
                    raise LineError(f"{what}: a path starts with one service and has at least two steps", pl)
                for step in steps:
                    for n in ([step] if isinstance(step, str) else step if isinstance(step, list) else [step]):
                        if not isinstance(n, str) or n not in names:
                            raise LineError(f"{what}: {n!r} is not a service of this world", pl)
                sc = Scenario.from_path(sid, sid, [tuple(x) if isinstance(x, list) else x for x in steps])
                entry = entry or sc.entry
                for e in sc.edges:
                    edges.setdefault(e, pl)
            title = _text(s.get("title", sid), f"{what}: title", s.at("title"))
            titles = _titles(s["titles"], f"{what}: titles", s.at("titles")) if "titles" in s else {}
            on_path = {n for e in edges for n in e}
            steps, conversion = self._steps(s["steps"], s.at("steps"), sid, on_path) if "steps" in s else ((), ())
            if steps:
                self.step_conversion[sid] = conversion
            scenarios.append(Scenario(sid, title, entry, tuple(edges), titles=titles, steps=steps))
            paths_line[sid] = edges
        return scenarios, base_tps, paths_line

    def _steps(self, value: Any, line: int, sid: str, on_path: set[str]):
        """A scenario's funnel: ``steps: [{id, title, titles, services, conversion}]``."""
        what = f"scenario {sid}: steps"
        seq = _seq(value, what, line)
        if len(seq) < 2:
            raise LineError(f"{what}: a funnel has at least two steps (the first is where it starts)", line)
        steps, conversion = [], []
        for i, spec in enumerate(seq):
            at = seq.at(i)
            m = _map(spec, f"{what} #{i + 1}", at, _STEP_KEYS)
            if "id" not in m:
                raise LineError(f"{what} #{i + 1}: id is missing", at)
            step_id = _name(m["id"], "step", m.at("id"))
            if any(st.id == step_id for st in steps):
                raise LineError(f"{what}: step {step_id} is listed twice", m.at("id"))
            where = f"{what} {step_id}"
            services = _seq(m.get("services", Seq()), f"{where}: services", m.at("services"))
            for n in services:
                if not isinstance(n, str) or n not in on_path:
                    raise LineError(f"{where}: {n!r} is not a service on the scenario's paths", m.at("services"))
            conversion.append(_num(m.get("conversion", 1.0), f"{where}: conversion", m.at("conversion"), high=1.0))
            steps.append(FunnelStep(
                step_id, step_series(sid, step_id), _text(m.get("title", step_id), f"{where}: title", m.at("title")),
                tuple(dict.fromkeys(services)),
                _titles(m["titles"], f"{where}: titles", m.at("titles")) if "titles" in m else {}))
        return tuple(steps), tuple(conversion)

    def _check_graph(self, services, edges, scenarios, paths_line) -> None:
        for sc in scenarios:
            for e, pl in paths_line[sc.id].items():
                if e not in self.call_lines:
                    raise LineError(f"scenario {sc.id}: {e[0]} -> {e[1]} is not a call; add {e[1]} to "
                                    f"{e[0]}'s calls", pl)
        kind_of = {s.name: s.kind for s in services}
        for sc in scenarios:
            if kind_of[sc.entry] == ServiceKind.EXTERNAL:
                raise LineError(f"scenario {sc.id}: an external API cannot be where traffic enters",
                                min(paths_line[sc.id].values()))
        on_a_path = {n for sc in scenarios for n in sc.services}
        for s in services:
            if s.name not in on_a_path:
                raise LineError(f"service {s.name} is on no scenario's path, so it would carry no traffic",
                                self.doc["services"].key_at(s.name))
        # The simulator sweeps the graph by depth: a cycle cannot be simulated.
        callees: dict[str, list[str]] = {}
        for e in edges:
            callees.setdefault(e.caller, []).append(e.callee)
        state: dict[str, int] = {}

        def visit(n: str) -> None:
            state[n] = 1
            for c in callees.get(n, ()):
                if state.get(c) == 1:
                    raise LineError(f"{n} -> {c} closes a cycle; draw an asynchronous hop consumer -> queue "
                                    "(docs/worlds.md)", self.call_lines[(n, c)])
                if c not in state:
                    visit(c)
            state[n] = 2

        for s in services:
            if s.name not in state:
                visit(s.name)

    def _check_consumers(self, topology: Topology) -> None:
        found = set(F.consumers(topology))
        for name, (queue, at) in self.consumes.items():
            if name not in found:
                callers = topology.callers(name)
                why = (f"it is called by {', '.join(callers)}" if callers
                       else f"its kind ({topology.service(name).kind.value}) cannot consume")
                raise LineError(f"service {name} consumes {queue} but {why}: a consumer's work comes from its "
                                "queue, so nothing calls it", at)

    # the north-star KPI tree
    def _kpi_tree(self, value: Any, line: int, names: set[str]) -> KpiTree:
        try:
            tree = tree_from_config(value)
        except TreeError as e:
            raise LineError(e.problem if not e.path else f"kpi_tree.{'.'.join(e.path)}: {e.problem}",
                            _line_at(value, e.path, line)) from None
        for team in tree.teams:
            for svc in team.services:
                if svc not in names:
                    path = next(("lines", ln.id, "teams", team.id, "services") for ln in tree.lines
                                if team in ln.teams)
                    raise LineError(f"kpi_tree: team {team.id} lists {svc!r}, which is not a service of this world",
                                    _line_at(value, path, line))
        return tree

    # series: unit, description, owner (warroom.core.catalogue)
    def _series(self, value: Any, line: int) -> tuple[SeriesInfo, ...]:
        m = _map(value, "series", line)
        try:
            return infos_from_mapping(m)
        except ValueError as e:
            bad = next((k for k in m if f"series {k!r}" in str(e)), None)
            raise LineError(str(e), m.key_at(bad) if bad is not None else line) from None

    # plans, traffic, faults, rules
    def _plans(self, value: Any, line: int, topology: Topology, base_tps) -> tuple[Plan, ...]:
        m = _map(value, "plans", line, ("auto", "items"))
        auto = _bool(m.get("auto", True), "plans.auto", m.at("auto"))
        plans = list(build_plans(topology, base_tps)) if auto else []
        from warroom.sim.controls import Controls

        check = Controls(topology)
        known = {p.id for p in plans}
        items = _seq(m.get("items", Seq()), "plans.items", m.at("items"))
        for i, item in enumerate(items):
            at = items.at(i)
            try:
                plan = Plan.from_dict(_map(item, f"plan #{i + 1}", at))
                if plan.id in known:
                    raise ValueError(f"plan id {plan.id!r} is used twice")
                check.check(plan)
            except KeyError as e:
                raise LineError(f"plan #{i + 1}: missing field {e}", at) from None
            except (TypeError, ValueError) as e:
                raise LineError(f"plan #{i + 1}: {e}", at) from None
            known.add(plan.id)
            plans.append(plan)
        return tuple(plans)

    def _traffic(self, value: Any, line: int) -> DailyCurve:
        m = _map(value, "traffic", line, ("utc_offset_h", "points", "floor", "bumps"))
        offset = _num(m.get("utc_offset_h", 8.0), "traffic.utc_offset_h", m.at("utc_offset_h"), low=-12.0,
                      high=14.0)
        if "points" in m and ("bumps" in m or "floor" in m):
            raise LineError("traffic: give points, or floor and bumps, not both", m.at("points"))
        if "points" in m:
            pm = _map(m["points"], "traffic.points", m.at("points"))
            if not pm:
                raise LineError("traffic.points must give at least one 'HH:MM': factor", m.at("points"))
            points = tuple((_hour(k, "traffic.points key", pm.at(k)),
                            _num(v, f"traffic.points {k}", pm.at(k))) for k, v in pm.items())
            if len({h for h, _ in points}) != len(points) or not any(v > 0 for _, v in points):
                raise LineError("traffic.points need different times and some traffic", m.at("points"))
            return DailyCurve(utc_offset_h=offset, points=points)
        if "bumps" not in m and "floor" not in m:
            return DailyCurve(utc_offset_h=offset)  # the payment platform's shape
        floor = _num(m.get("floor", 0.05), "traffic.floor", m.at("floor"))
        bumps = []
        bs = _seq(m.get("bumps", Seq()), "traffic.bumps", m.at("bumps"))
        for i, b in enumerate(bs):
            bm = _map(b, "a traffic bump", bs.at(i), ("at", "width_h", "height"))
            for k in ("at", "width_h", "height"):
                if k not in bm:
                    raise LineError(f"a traffic bump needs {k}", bs.at(i))
            bumps.append((_hour(bm["at"], "bump at", bm.at("at")),
                          _num(bm["width_h"], "bump width_h", bm.at("width_h"), positive=True),
                          _num(bm["height"], "bump height", bm.at("height"))))
        try:
            return DailyCurve(utc_offset_h=offset, floor=floor, bumps=tuple(bumps))
        except ValueError as e:
            raise LineError(f"traffic: {e}", line) from None

    def _faults(self, value: Any, line: int, topology: Topology) -> tuple[F.FaultSpec, ...]:
        items = _seq(value, "faults", line)
        out = []
        for i, text in enumerate(items):
            at = items.at(i)
            if not isinstance(text, str):
                raise LineError("a fault is a spec, KIND:TARGET[@START][+DURATION][,key=value...]", at)
            try:
                spec = F.parse_fault_spec(text)
                F.validate(topology, spec.kind, spec.target, spec.severity, spec.duration_s, spec.params)
            except ValueError as e:
                raise LineError(f"fault {text!r}: {e}", at) from None
            out.append(spec)
        return tuple(out)

    def _rules(self, value: Any, line: int) -> Path:
        p = Path(_text(value, "rules", line))
        p = p if p.is_absolute() else self.base / p
        if not p.is_file():
            raise LineError(f"rules: no file {p}", line)
        return p
