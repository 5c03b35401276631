"""The plan-run ledger: every run by its idempotency key, and which plans are applied.

A DuckDB file under the gateway's state folder (``plan_runs.duckdb``), so a restarted gateway
still knows which plans it applied (their rollback needs the snapshot it read) and answers a
replayed command with the stored result instead of acting twice.

One writer: DuckDB locks the file for this process, and every change is one transaction, so
a crash mid-write leaves the previous state. A run is recorded ``running`` before anything is
written to the real system; a run still ``running`` when the ledger opens was cut short by a
crash, so it becomes ``failed`` with rollback offered (it may have written something).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import duckdb

from warroom.gateway.executors.base import ExecError

FILE_NAME = "plan_runs.duckdb"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    key TEXT PRIMARY KEY,
    plan_id TEXT NOT NULL,
    action TEXT NOT NULL,           -- execute | rollback | expire
    state TEXT NOT NULL,            -- running | succeeded | failed | rejected
    message TEXT NOT NULL,
    detail TEXT NOT NULL,           -- JSON: what the command result's detail says
    snapshot TEXT,                  -- JSON: Snapshot.to_json() of what was read
    change TEXT,                    -- JSON: the CHANGE
    actor TEXT NOT NULL,
    reason TEXT NOT NULL,
    started_ms BIGINT NOT NULL,
    finished_ms BIGINT
);
CREATE TABLE IF NOT EXISTS plans (
    plan_id TEXT PRIMARY KEY,
    status TEXT NOT NULL,           -- active (applied) | partial (a failed run may have written)
    run_key TEXT NOT NULL,          -- the execute run whose snapshot a rollback restores
    applied_ms BIGINT NOT NULL
);
"""


@dataclass(frozen=True)
class Run:
    """One row of ``runs``."""

    key: str
    plan_id: str
    action: str
    state: str
    message: str
    detail: dict[str, Any]
    snapshot: dict[str, Any] | None
    change: dict[str, Any] | None
    actor: str
    reason: str
    started_ms: int
    finished_ms: int | None


@dataclass(frozen=True)
class OpenPlan:
    """A plan that is applied (``active``) or may be partly applied (``partial``)."""

    plan_id: str
    status: str
    run_key: str
    applied_ms: int


class Ledger:
    """See the module docstring."""

    def __init__(self, state_dir: Path, clock_ms) -> None:
        state_dir = Path(state_dir)
        try:
            state_dir.mkdir(parents=True, exist_ok=True)
            self.path = state_dir / FILE_NAME
            self._db = duckdb.connect(str(self.path))
        except (OSError, duckdb.Error) as exc:
            raise ExecError(f"plan ledger {state_dir / FILE_NAME}: cannot open: {exc}") from exc
        self._clock_ms = clock_ms
        with self._tx():
            for stmt in filter(str.strip, _SCHEMA.split(";")):
                self._db.execute(stmt)
        self._recover()

    def close(self) -> None:
        """Close the file (another ledger may then open it)."""
        self._db.close()

    def _tx(self):
        return _Transaction(self._db)

    def _recover(self) -> None:
        """Runs cut short by a crash: failed, and their plan possibly partly applied."""
        rows = self._db.execute("SELECT key, plan_id, action, detail, snapshot IS NOT NULL FROM runs "
                                "WHERE state = 'running'").fetchall()
        for key, plan_id, action, detail, read in rows:
            # An execute keeps its snapshot just before it writes: without one, nothing was written.
            wrote = read or action != "execute"
            message = f"{action} of {plan_id} was interrupted (the gateway stopped during the run)" + (
                "" if wrote else "; nothing was written")
            d = {**json.loads(detail), "plan_id": plan_id, "error": message, "rollback_available": wrote}
            with self._tx():
                self._db.execute("UPDATE runs SET state = 'failed', message = ?, detail = ?, finished_ms = ? "
                                 "WHERE key = ?", [message, json.dumps(d), self._clock_ms(), key])
                if action == "execute" and wrote:
                    self._set_plan(plan_id, "partial", key)

    def run(self, key: str) -> Run | None:
        """The run of ``key``, or None."""
        row = self._db.execute("SELECT key, plan_id, action, state, message, detail, snapshot, change, actor, "
                               "reason, started_ms, finished_ms FROM runs WHERE key = ?", [key]).fetchone()
        if row is None:
            return None
        return Run(row[0], row[1], row[2], row[3], row[4], json.loads(row[5]),
                   None if row[6] is None else json.loads(row[6]), None if row[7] is None else json.loads(row[7]),
                   row[8], row[9], row[10], row[11])

    def open_plan(self, plan_id: str) -> OpenPlan | None:
        """The plan's open entry (applied or partly applied), or None."""
        row = self._db.execute("SELECT plan_id, status, run_key, applied_ms FROM plans WHERE plan_id = ?",
                               [plan_id]).fetchone()
        return None if row is None else OpenPlan(*row)

    def active(self) -> tuple[str, ...]:
        """Ids of plans applied and not rolled back, oldest first."""
        rows = self._db.execute("SELECT plan_id FROM plans WHERE status = 'active' ORDER BY applied_ms, plan_id")
        return tuple(r[0] for r in rows.fetchall())

    def start(self, key: str, plan_id: str, action: str, actor: str, reason: str) -> None:
        """Record a run before it writes anything to the real system."""
        try:
            with self._tx():
                self._db.execute("INSERT INTO runs VALUES (?, ?, ?, 'running', '', '{}', NULL, NULL, ?, ?, ?, NULL)",
                                 [key, plan_id, action, actor, reason, self._clock_ms()])
        except duckdb.ConstraintException:  # the same key, for another plan, at the same moment
            raise ExecError(f"idempotency key {key!r} is already in use") from None

    def snapshot(self, key: str, snapshot: Mapping[str, Any], change: Mapping[str, Any] | None) -> None:
        """Keep what a running execute read (and the change it will make) before it writes."""
        with self._tx():
            self._db.execute("UPDATE runs SET snapshot = ?, change = ? WHERE key = ?",
                             [json.dumps(snapshot), None if change is None else json.dumps(change), key])

    def finish(self, key: str, state: str, message: str, detail: Mapping[str, Any], *,
               plan_status: str | None = None, close_plan: bool = False) -> None:
        """Record a run's result and, in the same transaction, the plan's new status:
        ``plan_status`` (``active``/``partial``) opens it with this run, ``close_plan`` closes it."""
        with self._tx():
            self._db.execute("UPDATE runs SET state = ?, message = ?, detail = ?, finished_ms = ? WHERE key = ?",
                             [state, message, json.dumps(detail), self._clock_ms(), key])
            plan_id = self._db.execute("SELECT plan_id FROM runs WHERE key = ?", [key]).fetchone()[0]
            if plan_status:
                self._set_plan(plan_id, plan_status, key)
            elif close_plan:
                self._db.execute("DELETE FROM plans WHERE plan_id = ?", [plan_id])

    def restage(self, key: str, after: Any) -> None:
        """A staged shift's later stage took: the opening run's CHANGE now ends at ``after``
        (its ``before`` and snapshot stay: what a rollback restores)."""
        with self._tx():
            row = self._db.execute("SELECT change FROM runs WHERE key = ?", [key]).fetchone()
            change = json.loads(row[0]) if row is not None and row[0] is not None else {}
            change["after"] = after
            self._db.execute("UPDATE runs SET change = ? WHERE key = ?", [json.dumps(change), key])

    def record(self, key: str, plan_id: str, action: str, actor: str, reason: str, state: str, message: str,
               detail: Mapping[str, Any]) -> None:
        """A run refused before it started (kept so the same key replays the same answer)."""
        self.start(key, plan_id, action, actor, reason)
        self.finish(key, state, message, detail)

    def _set_plan(self, plan_id: str, status: str, key: str) -> None:
        self._db.execute("DELETE FROM plans WHERE plan_id = ?", [plan_id])
        self._db.execute("INSERT INTO plans VALUES (?, ?, ?, ?)", [plan_id, status, key, self._clock_ms()])


class _Transaction:
    """``with``: BEGIN ... COMMIT, or ROLLBACK when the block raises."""

    def __init__(self, db: duckdb.DuckDBPyConnection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN TRANSACTION")

    def __exit__(self, kind, exc, tb) -> None:
        self._db.execute("ROLLBACK" if kind else "COMMIT")
