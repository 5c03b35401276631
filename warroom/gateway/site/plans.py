"""The site file's sections about acting on real systems: ``limits``, ``plans`` (target, guard)
and each plan's ``executor`` (its own keys checked by ``warroom.gateway.executors``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from yaml.nodes import MappingNode

from warroom.core.model import SeriesKey
from warroom.core.plan.plans import Plan
from warroom.gateway.site.reading import _join, _line, _Map
from warroom.gateway.site.values import _ID, _LANG, _MISSING, _Values
from warroom.gateway.site_model import EXECUTOR_TYPES, ExecutorSpec, Limits, SitePlan

#: Prefixes a ``limits.targets`` entry may start with, one per executor type.
TARGET_PREFIXES = tuple(f"{t}:" for t in EXECUTOR_TYPES)

_LIMIT_KEYS = ("targets", "min_rate_limit_qps", "max_weight_shift")
_PLAN_KEYS = ("id", "kind", "title", "titles", "target", "params", "steps", "rollback", "expiry_s", "guard",
              "critical", "description", "texts", "executor")
_TARGET_KEYS = ("kind", "name")
_GUARD_KEYS = ("series", "op", "threshold", "within_s")


class _Plans(_Values):
    """The sections that say how the gateway may act."""

    def limits(self, top: _Map) -> Limits:
        default = Limits()
        if not top.has("limits"):
            return default
        m = self.mapping(top.value("limits"), "limits", _LIMIT_KEYS, head=top.line("limits"))
        if m is None:
            return default
        targets = self.texts(m, "targets")
        for i, target in enumerate(targets):
            if not target.startswith(TARGET_PREFIXES) or target in TARGET_PREFIXES:
                nodes = self.sequence(m, "targets") or []
                line = _line(nodes[i]) if i < len(nodes) else m.line("targets")
                self.err(line, f"limits.targets[{i}]", "must start with one of "
                         f"{', '.join(TARGET_PREFIXES)} and say what follows (got {target!r})")
        qps = self.number(m, "min_rate_limit_qps", default.min_rate_limit_qps, gt=0)
        shift = self.number(m, "max_weight_shift", default.max_weight_shift, ge=0, le=100, integer=True)
        return Limits(targets=targets, min_rate_limit_qps=qps, max_weight_shift=shift)

    def _staged_ok(self, m: _Map, plan: Plan) -> bool:
        """A staged shift's ladder (``params.stages``) and guard KPIs, checked when the file is
        read rather than half-way through a shift (``warroom.core.plan.stages``)."""
        from warroom.core.plan.stages import guards_of, ladder_of

        where = m.line("params") if m.has("params") else m.line()
        try:
            if ladder_of(plan) is None:
                return True
            if not guards_of(plan):
                raise ValueError("a staged shift needs a guard (or params.guards) to verify each stage")
        except ValueError as exc:
            self.err(where, _join(m.path, "params"), str(exc))
            return False
        return True

    def plans(self, top: _Map, limits: Limits) -> tuple[SitePlan, ...]:
        out: list[SitePlan] = []
        seen: dict[str, int] = {}
        for m in self.each(top, "plans", _PLAN_KEYS, self.id_label):
            before = len(self.problems)
            data: dict[str, Any] = {}
            for key, (_, node) in m.items.items():
                if key in ("executor", "target", "guard"):
                    continue
                value = self.plain(node, _join(m.path, key))
                if value is not _MISSING:
                    data[key] = value
            pid = self.text(m, "id", required=True, pattern=_ID, what="must be a name of letters, digits, _ . : -")
            if isinstance(pid, str):
                if pid in seen:
                    self.err(m.line("id"), _join(m.path, "id"), f"plan {pid!r} is already defined at line {seen[pid]}")
                else:
                    seen[pid] = m.line("id")
            self.text(m, "kind", required=True, pattern=_ID, what="must be a plan kind such as rate_limit")
            self.text(m, "title")
            self.titles(m)
            for key in ("steps", "rollback"):
                self.texts(m, key, unique=False)
            self.number(m, "expiry_s", None, gt=0)
            self.get(m, "critical", "bool")
            self.text(m, "description")
            if m.has("params") and not isinstance(m.value("params"), MappingNode):
                self.err(m.line("params"), _join(m.path, "params"), "must be a mapping")
            if m.has("texts"):
                texts = self.mapping(m.value("texts"), _join(m.path, "texts"), None, head=m.line("texts"))
                for lang in (texts.items if texts else {}):
                    if not _LANG.fullmatch(lang):
                        self.err(texts.line(lang), _join(texts.path, lang), "texts are keyed by language code "
                                 f"like zh_CN (got {lang!r})")
            target = self.plan_target(m)
            if target is not None:
                data["target"] = target
            guard = self.plan_guard(m)
            if guard is not None:
                data["guard"] = guard
            executor = self.executor(m)
            if len(self.problems) > before or executor is None:
                continue
            try:
                plan = Plan.from_dict(data)
            except KeyError as exc:
                self.err(m.line(), m.path, f"missing `{exc.args[0]}:`")
                continue
            except (TypeError, ValueError) as exc:
                self.err(m.line(), m.path, str(exc))
                continue
            if not self._staged_ok(m, plan):
                continue
            out.append(SitePlan(plan=plan, executor=executor, where=m.where(self.src)))
        if out and not limits.targets:
            self.warn(top.line("plans"), "limits.targets", "is empty: every plan's executor will refuse to act "
                      "(list the targets plans may touch)")
        return tuple(out)

    def plan_target(self, plan: _Map) -> dict[str, str] | None:
        if not plan.has("target"):
            self.err(plan.line("target"), _join(plan.path, "target") if "target" in plan.items else plan.path,
                     "missing `target: {kind: ..., name: ...}`")
            return None
        m = self.mapping(plan.value("target"), _join(plan.path, "target"), _TARGET_KEYS, head=plan.line("target"))
        if m is None:
            return None
        from warroom.core.plan.plans import TARGET_KINDS

        kind = self.text(m, "kind", required=True, choices=TARGET_KINDS)
        name = self.text(m, "name", required=True)
        if isinstance(kind, str) and isinstance(name, str):
            return {"kind": kind, "name": name}
        return None

    def plan_guard(self, plan: _Map) -> dict[str, Any] | None:
        if not plan.has("guard"):
            return None
        m = self.mapping(plan.value("guard"), _join(plan.path, "guard"), _GUARD_KEYS, head=plan.line("guard"))
        if m is None:
            return None
        series = self.text(m, "series", required=True)
        if isinstance(series, str):
            try:
                series = SeriesKey.parse(series).text
            except ValueError as exc:
                self.err(m.line("series"), _join(m.path, "series"), f"not a series key: {exc}")
        op = self.text(m, "op", required=True, choices=("<", "<=", ">", ">="))
        threshold = self.number(m, "threshold", None, required=True)
        within = self.number(m, "within_s", None, required=True, gt=0)
        return {"series": series, "op": op, "threshold": threshold, "within_s": within}

    def executor(self, plan: _Map) -> ExecutorSpec | None:
        if not plan.has("executor"):
            self.err(plan.line("executor"), _join(plan.path, "executor") if "executor" in plan.items else plan.path,
                     "missing `executor:` (how the plan acts: type " + ", ".join(EXECUTOR_TYPES) + ")")
            return None
        path = _join(plan.path, "executor")
        m = self.mapping(plan.value("executor"), path, None, head=plan.line("executor"))
        if m is None:
            return None
        kind = self.text(m, "type", required=True, choices=EXECUTOR_TYPES)
        timeout = self.number(m, "timeout_s", 10.0, gt=0, le=3600)
        options: dict[str, Any] = {}
        for key, (_, node) in m.items.items():
            if key in ("type", "timeout_s"):
                continue
            value = self.plain(node, _join(path, key))
            if value is not _MISSING:
                options[key] = value
        if not isinstance(kind, str):
            return None
        for problem in _check_options(kind, options):
            # "url: must be ..." or "read.url: ..." points at that key's line and joins the path.
            head = re.match(r"([A-Za-z_][A-Za-z0-9_]*)((?:[.\[][A-Za-z0-9_\-\]]*)*): (.+)", problem, re.DOTALL)
            if head:
                self.err(m.line(head.group(1)), f"{path}.{head.group(1)}{head.group(2)}", head.group(3))
            else:
                self.err(m.line(), path, problem)
        return ExecutorSpec(type=kind, options=options, timeout_s=timeout, where=plan.where(self.src, "executor"))


def _check_options(kind: str, options: Mapping[str, Any]) -> list[str]:
    """The executors package's check of a type's own keys, when it is there (written beside
    this module; imported here, not at the top, so the site loads without it)."""
    try:
        from warroom.gateway.executors import check_options
    except ImportError:
        return []
    try:
        return [str(p) for p in check_options(kind, options)]
    except Exception as exc:  # noqa: BLE001 - a checker bug is a problem to show, not a traceback
        return [f"cannot check the {kind} options: {exc}"]
