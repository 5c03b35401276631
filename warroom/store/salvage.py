"""Salvaging a flush that failed for good: split it until only the bad rows are left.

When a flush fails with an error retrying cannot fix (``quarantine.is_permanent``) and the
screening in ``Appender.write`` did not foresee it, ``salvage`` bisects it: the metric
batches by halves, then a single failing batch by rows; the events, then the snapshots, by
halves down to one. Every part that writes is committed at once (its own transaction); a
single row, event or snapshot that still fails goes to the quarantine table with the error
as its reason. Each failing row costs about two transactions per halving, so a flush of
``n`` rows with ``k`` bad ones takes about ``2 k log2(n)`` small transactions, and the good
rows are all stored.

Parts are resolved in queue order, so what is done is always a prefix of each list (plus a
prefix of the rows of the batch being split): ``Done``. A transient error in the middle
(the disk filled up meanwhile) stops the salvage with ``Interrupted``, whose ``done`` tells
the writer what is already committed; the rest stays queued and is retried.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from warroom.core.clock import wall_ms
from warroom.core.model import Event
from warroom.protocol.messages import MetricBatch
from warroom.store.appender import PLAN_CATALOGUE, Appender, FlushCounts, event_payload, rollback_quietly
from warroom.store.quarantine import (
    Record, insert_records, is_permanent, points_records, reason_of, record, safe_text,
)

log = logging.getLogger(__name__)


@dataclass
class Done:
    """How much of a flush is resolved (stored or quarantined), from the front of each list."""

    batches: int = 0  # whole batches
    head_rows: int = 0  # rows of batch number ``batches`` (the one being split)
    events: int = 0
    snapshots: int = 0
    counts: FlushCounts = field(default_factory=FlushCounts)


class Interrupted(Exception):
    """A transient error stopped the salvage; ``done`` is what was committed before it."""

    def __init__(self, cause: BaseException, done: Done) -> None:
        super().__init__(f"{type(cause).__name__}: {cause}")
        self.cause = cause
        self.done = done


def salvage(app: Appender, batches: list[MetricBatch], events: list[Event],
            snapshots: list[dict[str, Any]]) -> Done:
    """Store every part of the flush that can be stored and quarantine the rest; see the module."""
    done = Done()

    def attempt(**parts: list[Any]) -> BaseException | None:
        """Write one part: None once committed, the error if it failed for good (transient ones raise)."""
        try:
            counts = app.write(parts.get("batches", []), parts.get("events", []), parts.get("snapshots", []))
        except Exception as exc:  # noqa: BLE001 - classified right here
            if is_permanent(exc):
                return exc
            raise
        done.counts.add(counts)
        return None

    def aside() -> int:
        return sum(done.counts.quarantined.values()) + sum(done.counts.lost.values())

    def split(write, leaf, lo: int, hi: int, known_bad: bool) -> None:
        """Resolve items ``lo..hi`` in order: ``write(lo, hi)`` a range, ``leaf(i, error)`` one that fails."""
        if lo >= hi:
            return
        error = None if known_bad and hi - lo > 1 else write(lo, hi)
        if error is None and not (known_bad and hi - lo > 1):
            return
        if hi - lo == 1:
            leaf(lo, error)
            return
        mid = (lo + hi) // 2
        before = aside()
        split(write, leaf, lo, mid, False)
        # The first half went in without setting anything aside: the error is in the second.
        split(write, leaf, mid, hi, aside() == before)

    def write_batches(lo: int, hi: int) -> BaseException | None:
        error = attempt(batches=batches[lo:hi])
        if error is None:
            done.batches, done.head_rows = hi, 0
        return error

    def split_batch(i: int, error: BaseException | None) -> None:
        b = batches[i]

        def write_rows(lo: int, hi: int) -> BaseException | None:
            error = attempt(batches=[_slice(b, lo, hi)])
            if error is None:
                done.head_rows = hi
            return error

        def bad_row(j: int, error: BaseException | None) -> None:
            key = b.series[int(b.index[j])]
            _quarantine(app, done, points_records(key.text, b.ts[j:j + 1], b.values[j:j + 1], reason_of(error)))
            done.head_rows = j + 1

        split(write_rows, bad_row, 0, len(b), True)
        done.batches, done.head_rows = i + 1, 0

    def units(what: str, items: list[Any]):
        def write_units(lo: int, hi: int) -> BaseException | None:
            error = attempt(**{what: items[lo:hi]})
            if error is None:
                setattr(done, what, hi)
            return error

        def bad_unit(i: int, error: BaseException | None) -> None:
            item = items[i]
            if what == "events":
                rec = record("event", reason_of(error), event_payload(item))
            elif PLAN_CATALOGUE in item:
                rec = record("plans", reason_of(error), item[PLAN_CATALOGUE])
            else:
                rec = record("topology", reason_of(error), item)
            _quarantine(app, done, [rec])
            setattr(done, what, i + 1)

        return write_units, bad_unit

    try:
        split(write_batches, split_batch, 0, len(batches), False)
        split(*units("events", events), 0, len(events), False)
        split(*units("snapshots", snapshots), 0, len(snapshots), False)
    except Exception as exc:  # noqa: BLE001 - permanent errors never get here; this one may pass
        raise Interrupted(exc, done) from exc
    return done


def _quarantine(app: Appender, done: Done, records: list[Record]) -> None:
    """Store records in a transaction of their own; transient errors raise (the rows stay queued)."""
    con = app.con
    registered: list[str] = []

    def register(name: str, table: Any) -> None:
        con.register(name, table)
        registered.append(name)

    con.execute("BEGIN")
    try:
        insert_records(con, records, wall_ms(), register)
        con.execute("COMMIT")
    except Exception as exc:  # noqa: BLE001 - classified right here
        rollback_quietly(con)
        if not is_permanent(exc):
            raise
        # Records are ASCII text and counts: this cannot happen unless the table is broken.
        # Dropping the rows (counted as not saved) is then the only way not to block the writer.
        for r in records:
            log.error("cannot quarantine %d %s rows, dropped: %s", r.n_rows, r.kind, safe_text(str(exc)))
            done.counts.lost[r.kind] += r.n_rows
        return
    finally:
        for name in registered:
            con.unregister(name)
    done.counts.count_records(records)


def _slice(b: MetricBatch, lo: int, hi: int) -> MetricBatch:
    return MetricBatch(b.series, b.index[lo:hi], b.ts[lo:hi], b.values[lo:hi], b.sent_at)
