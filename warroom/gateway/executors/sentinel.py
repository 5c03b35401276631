"""Sentinel flow and degrade rules, pushed to every client's transport port.

Each Sentinel client runs a small command server (``csp.sentinel.api.port``, default 8719).
``GET /getRules?type=flow`` answers the client's current list as a JSON array;
``setRules`` with ``type`` and ``data`` (the URL-encoded JSON array) calls
``FlowRuleManager.loadRules(list)``, which REPLACES the whole list, and answers ``success``
(or ``partial success (write data source failed)``). So this executor reads first, merges
Warroom's rules in by ``(resource, limitApp)`` keeping every other rule as it was, and writes
the whole list back; rollback writes back exactly what was read.

Warroom's rules get a stable ``id`` derived from the plan id, the rule type, resource and
limitApp, so running a plan again replaces its own rule instead of adding a second one.

Options::

    clients: ["10.0.0.5:8719", "10.0.0.6"]          # port 8719 when left out
    flow:    [{resource: pay-api, count: "{params.count}"}]      # FlowRule fields
    degrade: [{resource: bank-gw, grade: 2, count: 5, timeWindow: 30}]   # DegradeRule fields
"""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any, Mapping

from warroom.gateway.executors.base import (
    Context, Draft, ExecError, GuardrailError, PreconditionFailed, Progress, Snapshot, change_doc,
    check_template, content_hash, opt_list, parse_json, send, short)

DEFAULT_PORT = 8719
RULE_TYPES = ("flow", "degrade")
#: FlowRule / DegradeRule fields (sentinel-core FlowRule.java, DegradeRule.java) and the
#: defaults Sentinel gives them.
FLOW_DEFAULTS: dict[str, Any] = {"limitApp": "default", "grade": 1, "strategy": 0, "controlBehavior": 0,
                                 "warmUpPeriodSec": 10, "maxQueueingTimeMs": 500, "clusterMode": False}
FLOW_FIELDS = ("resource", "count", "refResource", "clusterConfig", *FLOW_DEFAULTS)
DEGRADE_DEFAULTS: dict[str, Any] = {"limitApp": "default", "grade": 0, "minRequestAmount": 5,
                                    "slowRatioThreshold": 1.0, "statIntervalMs": 1000}
DEGRADE_FIELDS = ("resource", "count", "timeWindow", *DEGRADE_DEFAULTS)
_FIELDS = {"flow": FLOW_FIELDS, "degrade": DEGRADE_FIELDS}
_DEFAULTS = {"flow": FLOW_DEFAULTS, "degrade": DEGRADE_DEFAULTS}
_REQUIRED = {"flow": ("resource", "count"), "degrade": ("resource", "count", "timeWindow")}
_NUMERIC = ("count", "grade", "strategy", "controlBehavior", "warmUpPeriodSec", "maxQueueingTimeMs",
            "timeWindow", "minRequestAmount", "slowRatioThreshold", "statIntervalMs")
_UNITS = {("flow", 1): "QPS", ("flow", 0): "threads", ("degrade", 0): "ms RT",
          ("degrade", 1): "error ratio", ("degrade", 2): "errors"}


def client_address(text: str) -> str:
    """``host:port`` of a client entry (port 8719 when left out)."""
    text = str(text).strip()
    _, sep, port = text.rpartition(":")
    if sep and port.isdigit():
        return text
    return f"{text}:{DEFAULT_PORT}"


def rule_id(plan_id: str, rule_type: str, resource: str, limit_app: str) -> int:
    """A stable id for one of Warroom's rules (a positive Java ``long`` below 2**52)."""
    digest = hashlib.sha256(f"warroom|{plan_id}|{rule_type}|{resource}|{limit_app}".encode()).hexdigest()
    return int(digest[:13], 16)


def check(options: Mapping[str, Any]) -> list[str]:
    """Problems with a sentinel executor's options."""
    problems = []
    for key in options:
        if key not in ("clients", *RULE_TYPES):
            problems.append(f"{key}: unknown key (sentinel takes clients, flow, degrade)")
    clients = options.get("clients")
    if not isinstance(clients, (list, tuple)) or not clients:
        problems.append("clients: a list of host:port (the transport port, default 8719) is required")
    else:
        for i, c in enumerate(clients):
            _, sep, port = str(c).rpartition(":")
            if not isinstance(c, str) or not c.strip() or (sep and not port.isdigit()) or "/" in c:
                problems.append(f"clients[{i}]: {c!r} is not host:port")
    if not any(options.get(t) for t in RULE_TYPES):
        problems.append("flow or degrade: at least one rule is required")
    for rule_type in RULE_TYPES:
        if rule_type in options and not isinstance(options[rule_type], (list, tuple)):
            problems.append(f"{rule_type}: a list of rules is required")
            continue
        for i, rule in enumerate(opt_list(options, rule_type)):
            where = f"{rule_type}[{i}]"
            if not isinstance(rule, Mapping):
                problems.append(f"{where}: a mapping of {rule_type} rule fields is required")
                continue
            for k in rule:
                if k not in _FIELDS[rule_type]:
                    problems.append(f"{where}.{k}: not a {rule_type.capitalize()}Rule field "
                                    f"({', '.join(_FIELDS[rule_type])})")
            for k in _REQUIRED[rule_type]:
                if k not in rule:
                    problems.append(f"{where}.{k}: required")
            for k in _NUMERIC:
                v = rule.get(k)
                if v is not None and not isinstance(v, str) and (isinstance(v, bool) or not isinstance(v, (int, float))):
                    problems.append(f"{where}.{k}: a number or a template is required (got {v!r})")
            problems += check_template(rule, where)
    return problems


class SentinelExecutor:
    """See the module docstring."""

    type = "sentinel"

    def can_rollback(self, options: Mapping[str, Any]) -> bool:
        """Always: rollback writes back what was read."""
        return True

    def clients(self, ctx: Context) -> list[str]:
        """The clients' ``host:port``, in site order."""
        return [client_address(c) for c in opt_list(ctx.options, "clients")]

    def targets(self, ctx: Context, snapshot: Snapshot | None = None) -> list[str]:
        """``sentinel:host:port`` for every client."""
        return [f"sentinel:{c}" for c in self.clients(ctx)]

    def types(self, ctx: Context) -> list[str]:
        """The rule types this plan touches."""
        return [t for t in RULE_TYPES if opt_list(ctx.options, t)]

    async def read(self, ctx: Context) -> Snapshot:
        """Every client's current lists of the touched types."""
        state = await self._read_all(ctx)
        return Snapshot({"clients": state}, content_hash(state))

    async def _read_all(self, ctx: Context) -> dict[str, dict[str, list]]:
        state: dict[str, dict[str, list]] = {}
        for client in self.clients(ctx):
            state[client] = {}
            for rule_type in self.types(ctx):
                url = f"http://{client}/getRules?type={rule_type}"
                status, text = await send(ctx.session, "GET", url)
                if status != 200:
                    raise ExecError(f"GET {url}: HTTP {status}: {short(text)}")
                rules = parse_json(text, f"GET {url}")
                if not isinstance(rules, list) or not all(isinstance(r, dict) for r in rules):
                    raise ExecError(f"GET {url}: expected a JSON array of rules, got {short(text, 80)!r}")
                state[client][rule_type] = rules
        return state

    def rules(self, ctx: Context) -> dict[str, list[dict[str, Any]]]:
        """Warroom's rules per type: templates filled, Sentinel's defaults added, stable ids."""
        out: dict[str, list[dict[str, Any]]] = {}
        for rule_type in self.types(ctx):
            made = []
            for i, raw in enumerate(opt_list(ctx.options, rule_type)):
                rule = {**_DEFAULTS[rule_type], **ctx.render(raw, where=f"{rule_type}[{i}]")}
                for k in _NUMERIC:
                    if k in rule:
                        rule[k] = _number(rule[k], f"{rule_type}[{i}].{k}")
                rule["resource"] = str(rule["resource"])
                rule["limitApp"] = str(rule.get("limitApp") or "default")
                rule["id"] = rule_id(ctx.plan.id, rule_type, rule["resource"], rule["limitApp"])
                made.append(dict(sorted(rule.items())))
            out[rule_type] = made
        return out

    def draft(self, ctx: Context, snapshot: Snapshot) -> Draft:
        """Merge Warroom's rules into every client's lists; one ``setRules`` per client and type."""
        ours = self.rules(ctx)
        state = snapshot.state["clients"]
        payload: dict[str, dict[str, list]] = {}
        requests, before = [], {}
        for client, lists in state.items():
            payload[client], before[client] = {}, {}
            for rule_type, old in lists.items():
                new = merge(old, ours[rule_type])
                payload[client][rule_type] = new
                keys = {_key(r) for r in ours[rule_type]}
                before[client][rule_type] = [r for r in old if _key(r) in keys]
                requests.append({"method": "POST", "url": f"http://{client}/setRules?type={rule_type}",
                                 "body": json.dumps(new, separators=(",", ":"))})
        n = len(state)
        parts = []
        for rule_type, rules in ours.items():
            for rule in rules:
                olds = [r.get("count") for lists in state.values() for r in lists.get(rule_type, ())
                        if _key(r) == _key(rule)]
                unit = _UNITS.get((rule_type, int(rule.get("grade", -1))), "")
                old = f"count {_fmt(olds[0])} -> " if olds else "new, count "
                parts.append(f"{rule_type} rule {rule['resource']}: {old}{_fmt(rule['count'])} {unit}".rstrip())
        summary = "; ".join(parts) + f" on {n} client{'s' if n != 1 else ''}"
        change = change_doc("sentinel", summary, "sentinel:" + ",".join(state), requests, before, ours)
        return Draft(change, payload)

    def guard(self, ctx: Context, draft: Draft, limits: Any) -> None:
        """A QPS flow rule may not go below ``limits.min_rate_limit_qps``."""
        for rule in draft.change["after"].get("flow", ()):
            if int(rule.get("grade", 1)) == 1 and float(rule["count"]) < limits.min_rate_limit_qps:
                raise GuardrailError(f"flow rule {rule['resource']}: count {_fmt(rule['count'])} QPS is below the "
                                     f"site's lowest rate limit ({_fmt(limits.min_rate_limit_qps)} QPS)")

    async def apply(self, ctx: Context, draft: Draft, snapshot: Snapshot, progress: Progress) -> dict[str, Any]:
        """Re-read every client (precondition), then write every client's merged lists."""
        now = await self._read_all(ctx)
        if content_hash(now) != snapshot.version:
            moved = [f"{c} {t}" for c, lists in now.items() for t, rules in lists.items()
                     if snapshot.state["clients"].get(c, {}).get(t) != rules]
            raise PreconditionFailed("Sentinel rules changed since they were read (" + ", ".join(moved)
                                     + "): nothing written; preview again")
        await self._write(ctx, draft.payload, progress)
        return {"written": list(progress.written)}

    async def rollback(self, ctx: Context, snapshot: Snapshot, change: Mapping[str, Any],
                       progress: Progress) -> dict[str, Any]:
        """Write back exactly what was read, on every client (also those a failed run never
        reached: writing their unchanged list is harmless). Tries every client, then reports."""
        await self._write(ctx, snapshot.state["clients"], progress, keep_going=True)
        return {"written": list(progress.written)}

    async def _write(self, ctx: Context, lists_by_client: Mapping[str, Mapping[str, list]], progress: Progress,
                     keep_going: bool = False) -> None:
        errors = []
        for client, lists in lists_by_client.items():
            for rule_type, rules in lists.items():
                url = f"http://{client}/setRules?type={rule_type}"
                progress.before_write()
                try:
                    status, text = await send(ctx.session, "POST", url,
                                              data={"data": json.dumps(rules, separators=(",", ":"))})
                    answer = text.strip()
                    if status != 200 or not answer.lower().startswith(("success", "partial success")):
                        raise ExecError(f"POST {url}: HTTP {status}: {short(answer)}")
                except ExecError as exc:
                    if not keep_going:
                        raise
                    errors.append(str(exc))
                    continue
                if answer.lower().startswith("partial success"):
                    progress.warnings.append(f"{client} {rule_type}: {answer}")
                progress.wrote(f"{client} {rule_type}")
        if errors:
            raise ExecError("; ".join(errors))


def merge(old: list[dict[str, Any]], ours: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``old`` with each of ``ours`` in place of the rule(s) with its (resource, limitApp);
    every other rule untouched and in order, new ones at the end."""
    mine = {_key(r): r for r in ours}
    out, placed = [], set()
    for rule in old:
        k = _key(rule)
        if k in mine:
            if k not in placed:
                out.append(mine[k])
                placed.add(k)
            continue
        out.append(rule)
    out += [r for k, r in mine.items() if k not in placed]
    return out


def _key(rule: Mapping[str, Any]) -> tuple[str, str]:
    return str(rule.get("resource", "")), str(rule.get("limitApp") or "default")


def _number(value: Any, where: str) -> int | float:
    if isinstance(value, bool):
        raise ExecError(f"{where}: a number is required (got {value!r})")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ExecError(f"{where}: a number is required (got {value!r})") from None
    if not math.isfinite(number):
        raise ExecError(f"{where}: a finite number is required (got {value!r})")
    return int(number) if number.is_integer() else number


def _fmt(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


__all__ = ["SentinelExecutor", "check", "client_address", "merge", "rule_id"]
