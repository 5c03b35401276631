"""Plan executors: how a plan of the site file acts on a real system.

Types (``warroom.gateway.site_model.EXECUTOR_TYPES``): ``http`` (a templated request),
``sentinel`` (flow/degrade rules on every client's transport port), ``istio`` (VirtualService
route weights through the Kubernetes API) and ``command`` (a local program, no shell). The
``PlanRunner`` drives them all the same way (``runner.py``): allow-list, read, change,
guardrails, precondition, apply under a timeout, the ledger (``ledger.py``: idempotency and
the applied plans, across restarts) and audit events. ``check_options`` is the site loader's
check of each type's keys.
"""

from __future__ import annotations

from typing import Any, Mapping

from warroom.gateway.executors import command, http, istio, sentinel
from warroom.gateway.executors.base import ExecError, GuardrailError, PreconditionFailed, Snapshot
from warroom.gateway.executors.runner import EXECUTORS, PlanRunner, RunResult

_CHECKS = {"http": http.check, "sentinel": sentinel.check, "istio": istio.check, "command": command.check}
#: Keys of an ``executor:`` mapping that belong to every type (``ExecutorSpec``), not to ``options``.
_COMMON = ("type", "timeout_s")


def check_options(type: str, options: Mapping[str, Any]) -> list[str]:
    """Problems with an executor's type keys (``[]``: fine), one line each, naming the key.

    The site loader adds the file and line. Templates are checked for syntax and for
    secrets outside headers/env; secret names are not looked up here."""
    check = _CHECKS.get(type)
    if check is None:
        return [f"type: unknown executor type {type!r} (one of {', '.join(_CHECKS)})"]
    if not isinstance(options, Mapping):
        return ["executor: a mapping of options is required"]
    return check({k: v for k, v in options.items() if k not in _COMMON})


__all__ = ["EXECUTORS", "ExecError", "GuardrailError", "PlanRunner", "PreconditionFailed", "RunResult", "Snapshot",
           "check_options"]
