"""Retention: keeping a history within an age and a file size. Events are never deleted.

By age (``max_age_days``): points older than the newest stored point minus that many days
are deleted, every ``check_s`` seconds.

By size (``max_mb``): DuckDB never shrinks its file, but it reuses the blocks that deleted
rows free once a checkpoint has run. So when the data in use (used blocks plus the
write-ahead log) passes 90 % of the budget, the oldest points are deleted in whole minutes
of feed time, oldest first, until it is at most 80 %, and a ``CHECKPOINT`` frees their
blocks; new data then fills those instead of growing the file. The file therefore levels
off within the budget; the size is looked at after every flush once the file is near it,
so only one flush's data and DuckDB's checkpoint (it writes new blocks before it frees old
ones) can pass it for a moment: a few MB, which matters only for budgets of tens of MB.
The write-ahead log is a second file (up to DuckDB's ``checkpoint_threshold``, 16 MiB by
default); it counts as in use. Deleted blocks are freed only when no open transaction can
still see them, which is why every one-row query on a shared database reads its result to
the end (``schema.first_row``).

Points are the rows deleted: events, series and snapshots stay, so a budget smaller than
those cannot be met (that is logged), nor one smaller than the newest instant of points.
Quarantine records may fill free room, but when the file is over budget the oldest beyond
``QUARANTINE_SHARE`` of it (their text) go first, so a feed sending nothing but garbage
cannot push the history out of the file.

Rows land in time order, so a deleted time prefix covers whole row groups and the blocks
come back; the deletion is one transaction per chunk, on the writer's thread.
"""

from __future__ import annotations

import logging
import math
import os
from pathlib import Path
from typing import Any

from warroom.core.clock import monotonic
from warroom.store.schema import first_row

log = logging.getLogger(__name__)

DAY_MS = 86_400_000
#: Size retention deletes whole minutes of feed time.
CHUNK_MS = 60_000
#: Deletion starts above this share of the size budget and goes down to ``LOW_WATER``.
HIGH_WATER, LOW_WATER = 0.9, 0.8
_MAX_ROUNDS = 8  # deletions per check: the estimate is refined each round
#: The share of the size budget quarantine records may take (their payload and reason text).
QUARANTINE_SHARE = 0.1


def delete_points_before(con: Any, cutoff_ms: int) -> int:
    """Delete points older than ``cutoff_ms`` in one transaction; return how many."""
    con.execute("BEGIN")
    try:
        row = first_row(con.execute("DELETE FROM points WHERE ts < epoch_ms(?::BIGINT)", [int(cutoff_ms)]))
        con.execute("COMMIT")
    except BaseException:
        try:
            con.execute("ROLLBACK")
        except Exception:  # noqa: BLE001 - already aborted
            pass
        raise
    return int(row[0]) if row else 0


def used_bytes(con: Any, path: Path) -> int:
    """Bytes of the file's blocks in use plus its write-ahead log."""
    row = first_row(con.execute(
        "SELECT block_size, used_blocks FROM pragma_database_size() WHERE database_name = current_database()"
    ))
    try:
        wal = os.path.getsize(f"{path}.wal")
    except OSError:
        wal = 0
    return (int(row[0]) * int(row[1]) if row else 0) + wal


def trim_quarantine(con: Any, max_bytes: int) -> int:
    """Delete the oldest quarantine records beyond ``max_bytes`` of text; return how many."""
    row = first_row(con.execute("SELECT sum(strlen(payload) + strlen(reason)) FROM quarantine"))
    if not row or not row[0] or row[0] <= max_bytes:
        return 0
    row = first_row(con.execute(
        "DELETE FROM quarantine WHERE rowid IN (SELECT rowid FROM (SELECT rowid, sum(strlen(payload)"
        " + strlen(reason)) OVER (ORDER BY recorded_at DESC, rowid DESC) AS newer FROM quarantine)"
        " WHERE newer > ?)", [int(max_bytes)]))
    return int(row[0]) if row else 0


class Retention:
    """The writer's retention policy; ``apply`` runs after a commit, on the writer thread."""

    def __init__(self, path: Path, max_age_days: float | None, max_mb: float | None, check_s: float) -> None:
        if max_mb is not None and max_mb <= 0:
            raise ValueError("retention_max_mb must be positive")
        self.path = Path(path)
        self.max_age_days = max_age_days
        self.max_bytes = None if max_mb is None else int(max_mb * 1024 * 1024)
        self.check_s = float(check_s)
        self._last_age_check = monotonic()
        self._warned = False

    def apply(self, con: Any, newest_ts: int | None) -> int:
        """Delete what the policy says is too old or too much; return how many points."""
        deleted = 0
        if self.max_age_days is not None and newest_ts is not None and monotonic() - self._last_age_check >= self.check_s:
            self._last_age_check = monotonic()
            deleted += delete_points_before(con, newest_ts - int(self.max_age_days * DAY_MS))
        if self.max_bytes is not None and self._near_budget():
            deleted += self._shrink(con)
        return deleted

    def _near_budget(self) -> bool:
        """Cheap first look (a stat): the file cannot hold more than its own size in use."""
        try:
            size = os.path.getsize(self.path) + (os.path.getsize(f"{self.path}.wal")
                                                 if os.path.exists(f"{self.path}.wal") else 0)
        except OSError:
            return False
        return size > HIGH_WATER * self.max_bytes  # type: ignore[operator]

    def _shrink(self, con: Any) -> int:
        budget = self.max_bytes
        assert budget is not None
        used = used_bytes(con, self.path)
        if used <= HIGH_WATER * budget:
            return 0
        if trim_quarantine(con, int(QUARANTINE_SHARE * budget)):
            con.execute("CHECKPOINT")
            used = used_bytes(con, self.path)
            if used <= HIGH_WATER * budget:
                return 0
        deleted = 0
        for _ in range(_MAX_ROUNDS):
            n, lo, hi = first_row(con.execute(
                "SELECT count(*), epoch_ms(min(ts)), epoch_ms(max(ts)) FROM points"))
            if not n or lo >= hi:
                break  # nothing (or only the newest instant) left to delete
            # Points are about evenly spread in time: delete the share of the span that is over.
            share = min(1.0, (used - LOW_WATER * budget) / used)
            cutoff = math.ceil((lo + share * (hi - lo + 1)) / CHUNK_MS) * CHUNK_MS
            deleted += delete_points_before(con, min(cutoff, hi))
            con.execute("CHECKPOINT")  # frees the deleted row groups' blocks for reuse
            used = used_bytes(con, self.path)
            if used <= LOW_WATER * budget:
                return deleted
        if used > HIGH_WATER * budget and not self._warned:
            self._warned = True
            log.warning("history %s: %.0f MB in use is over the %.0f MB budget, and only the newest points, "
                        "events and snapshots are left (never deleted)", self.path, used / 2**20, budget / 2**20)
        return deleted
