"""Shared pieces of the executor tests: plans, sites, secrets, a runner per test."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from warroom.core.plan.plans import Plan
from warroom.gateway.executors import PlanRunner, check_options
from warroom.gateway.secrets import Secrets
from warroom.gateway.site_model import ExecutorSpec, Limits, Site, SitePlan

SECRET = "s3cr3t-T0KEN-value"


def site_plan(plan_id: str, type_: str, options: dict[str, Any], *, kind: str = "rate_limit",
              params: dict[str, Any] | None = None, target: str = "pay-api", timeout_s: float = 5.0) -> SitePlan:
    """A plan of the catalogue with its executor; the options must pass ``check_options``."""
    assert check_options(type_, options) == []
    plan = Plan(plan_id, kind, f"Plan {plan_id}", "service", target, params=params or {})
    return SitePlan(plan, ExecutorSpec(type_, options, timeout_s))


def make_site(*plans: SitePlan, targets: tuple[str, ...] = ("sentinel:", "istio:", "http:", "command:"),
              **limits: Any) -> Site:
    """A site with ``plans`` and an allow-list of ``targets``."""
    return Site("test-site", plans=plans, limits=Limits(targets=targets, **limits))


@pytest.fixture
def secrets() -> Secrets:
    """A secrets store with the test's secret under a few names."""
    return Secrets({"ops_token": SECRET, "kube_token": SECRET, "flag_token": SECRET})


@pytest.fixture
async def runners(tmp_path: Path, secrets: Secrets):
    """``make(site, state_dir=None) -> PlanRunner`` (default: a fresh state folder each); all
    closed at the end."""
    made: list[PlanRunner] = []

    def make(site: Site, state_dir: Path | None = None, clock=None) -> PlanRunner:
        kwargs = {} if clock is None else {"clock": clock}
        runner = PlanRunner(site, secrets, state_dir or tmp_path / f"state{len(made)}", **kwargs)
        made.append(runner)
        return runner

    yield make
    for runner in made:
        try:
            await runner.close()
        except Exception:  # already closed by the test (a restart)
            pass


def no_secret_anywhere(*things: Any, logs: str = "") -> None:
    """The secret's value appears in none of ``things`` (as JSON) nor in the logs."""
    for thing in things:
        text = json.dumps(thing, default=lambda o: getattr(o, "__dict__", str(o)))
        assert SECRET not in text, text
    assert SECRET not in logs
