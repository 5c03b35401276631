"""Contingency plans from local YAML files, for rehearsal.

A plan file lists plans in the same shape as the feed's ``plan_catalogue`` (see
``Plan.to_dict`` and docs/protocol.md): Sentinel field names for rate limits and degrades,
ordered steps, a rollback, an optional expiry and a guard. ``warroom sim --plans FILE``
adds them to the simulator's catalogue, so a team rehearses its own plans end to end.

    version: 1
    plans:
      - id: ratelimit-cashier-drill
        kind: rate_limit
        title: Rate-limit the cashier at 3,000 QPS
        target: {kind: service, name: cashier}
        params: {resource: cashier, grade: 1, count: 3000, controlBehavior: 0}
        steps: [Push FlowRule for cashier]
        rollback: [Remove FlowRule for cashier]
        expiry_s: 900
        guard: {series: 'service_error_ratio{service="cashier"}', op: "<", threshold: 0.01, within_s: 60}
        critical: true
"""

from __future__ import annotations

from pathlib import Path

import yaml

from warroom.core.plan.plans import Plan

PLANS_VERSION = 1


class PlanFileError(ValueError):
    """A plan file that cannot be used: the message names the file, the plan and the problem."""


def load_plans(text: str, source: str = "<plans>") -> tuple[Plan, ...]:
    """Parse plan-file text; ``PlanFileError`` for any problem (nothing half-loaded)."""
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark is not None else source
        raise PlanFileError(f"{where}: not valid YAML: {getattr(e, 'problem', None) or e}") from None
    if not isinstance(doc, dict) or doc.get("version") != PLANS_VERSION:
        raise PlanFileError(f"{source}: expected a mapping with 'version: {PLANS_VERSION}' and 'plans'")
    items = doc.get("plans")
    if not isinstance(items, list) or not items:
        raise PlanFileError(f"{source}: 'plans' must be a non-empty list")
    plans: list[Plan] = []
    for i, d in enumerate(items, 1):
        name = d.get("id") if isinstance(d, dict) else None
        try:
            if not isinstance(d, dict):
                raise ValueError("a plan is a mapping")
            plans.append(Plan.from_dict(d))
        except (KeyError, TypeError, ValueError) as e:
            what = f"missing field {e}" if isinstance(e, KeyError) else str(e)
            raise PlanFileError(f"{source}: plan #{i}{f' ({name})' if name else ''}: {what}") from None
    ids = [p.id for p in plans]
    dup = sorted({x for x in ids if ids.count(x) > 1})
    if dup:
        raise PlanFileError(f"{source}: plan ids used twice: {', '.join(dup)}")
    return tuple(plans)


def load_plans_file(path: str | Path) -> tuple[Plan, ...]:
    """Read and check a plan file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise PlanFileError(f"{p}: cannot read: {e}") from None
    return load_plans(text, str(p))
