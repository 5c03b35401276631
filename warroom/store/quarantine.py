"""Quarantine: what the store cannot write is set aside with its reason, never retried for ever.

A flush that fails for a reason retrying cannot fix (text that is not valid Unicode, a
timestamp outside what the store keeps, a value DuckDB cannot convert, a malformed snapshot)
would otherwise be retried for ever and block everything queued behind it. Such rows go to
the ``quarantine`` table instead (schema v3), one record per event or snapshot, and for
points one record per series and reason in a flush:

``quarantine(recorded_at, kind, reason, n_rows, payload)``
    ``kind`` is ``points``, ``event``, ``topology`` or ``plans``; ``reason`` starts with one
    of the reason classes below (``bad text: ...``); ``n_rows`` is how many rows the record
    stands for (points of one series, 1 otherwise); ``payload`` is the rows as JSON text
    with every character outside ASCII escaped, so a record can always be stored itself.

This module decides what is permanent (``is_permanent``), screens rows for the problems
known in advance (``text_problem``, ``ts_problem``: cheap, exact reasons, in the same
transaction as the good rows), and turns rows into records (``Record``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterable

import duckdb
import numpy as np
import pyarrow as pa

#: Reason classes: the start of every ``reason`` text and the keys of the counts by reason.
BAD_TEXT = "bad text"
BAD_TIME = "timestamp out of range"
BAD_VALUE = "bad value"
MALFORMED = "malformed"
UNWRITABLE = "unwritable"  # failed alone for a reason no class above names
REASONS = (BAD_TEXT, BAD_TIME, BAD_VALUE, MALFORMED, UNWRITABLE)

#: Record kinds, one per table a row was meant for.
KINDS = ("points", "event", "topology", "plans")

#: The timestamps the store keeps (epoch ms): 1970-01-01 to 9999-12-31 23:59:59.999 UTC.
#: DuckDB's TIMESTAMP reaches further, but Python's datetime (what a reader's ``fetchall``
#: makes of a TIMESTAMP) stops at year 9999, and a feed clock before 1970 is a broken clock.
MIN_TS_MS = 0
MAX_TS_MS = 253_402_300_799_999

#: A record's payload is cut here (with a note of how much was cut): a quarantined row is
#: kept to be looked at, and one hostile snapshot must not fill the disk.
MAX_PAYLOAD_CHARS = 1_000_000
#: Points of one series and reason per record, at most (longer runs make several records).
MAX_POINTS_PER_RECORD = 10_000

# Errors that say "this data cannot be written", which no retry changes. DuckDB's DataError
# covers conversion, out-of-range and type-mismatch errors, IntegrityError constraint ones;
# InvalidInputException is what a Python value DuckDB cannot take raises. ValueError covers
# UnicodeError and pyarrow's ArrowInvalid, TypeError ArrowTypeError. Everything else (I/O,
# a full disk, a lock, a transaction conflict, out of memory, a database invalidated by a
# fatal error) may pass: it is retried with back-off and the data stays queued.
_PERMANENT = (
    duckdb.DataError, duckdb.IntegrityError, duckdb.InvalidInputException, duckdb.InvalidTypeException,
    ValueError, TypeError, OverflowError, LookupError, AttributeError, RecursionError, pa.ArrowException,
)


def is_permanent(exc: BaseException) -> bool:
    """True if retrying the same rows cannot succeed (the rows are the problem, not the disk)."""
    return isinstance(exc, _PERMANENT)


def reason_class(exc: BaseException) -> str:
    """The reason class of a permanent error."""
    if isinstance(exc, UnicodeError) or "surrogate" in str(exc) or "UTF-8" in str(exc):
        return BAD_TEXT
    if isinstance(exc, (OverflowError, duckdb.OutOfRangeException)) or "Timestamp" in str(exc):
        return BAD_TIME
    if isinstance(exc, (duckdb.DataError, duckdb.IntegrityError, duckdb.InvalidInputException, pa.ArrowException)):
        return BAD_VALUE
    if isinstance(exc, (LookupError, AttributeError, TypeError, ValueError, RecursionError)):
        return MALFORMED
    return UNWRITABLE


def reason_of(exc: BaseException) -> str:
    """``"<class>: <Type>: <first line of the message>"``, safe to store."""
    first = (str(exc).strip().splitlines() or [""])[0][:300]
    return safe_text(f"{reason_class(exc)}: {type(exc).__name__}: {first}")


def safe_text(s: str) -> str:
    """``s`` with every character UTF-8 cannot encode (lone surrogates) written as ``\\udXXX``."""
    return s.encode("utf-8", "backslashreplace").decode("utf-8")


def text_problem(what: str, *values: Any) -> str | None:
    """The reason ``values`` (strings) cannot be stored as text, or None if they can."""
    for v in values:
        if not isinstance(v, str):
            return f"{MALFORMED}: {what} is {type(v).__name__}, not text"
        try:
            v.encode("utf-8")
        except UnicodeEncodeError as exc:
            ch = v[exc.start]
            return safe_text(f"{BAD_TEXT}: {what} holds U+{ord(ch):04X} ({exc.reason}) at {exc.start}: {v[:80]!r}")
    return None


def ts_problem(what: str, ts: Any) -> str | None:
    """The reason ``ts`` (epoch ms) cannot be stored, or None if it can."""
    if isinstance(ts, bool) or not isinstance(ts, (int, np.integer)):
        return f"{MALFORMED}: {what} is {type(ts).__name__}, not an integer of epoch ms"
    if not MIN_TS_MS <= ts <= MAX_TS_MS:
        return f"{BAD_TIME}: {what} {int(ts)} ms (the store keeps {MIN_TS_MS}..{MAX_TS_MS}: 1970..9999)"
    return None


def payload_text(obj: Any) -> str:
    """``obj`` as JSON with non-ASCII escaped (``repr`` for what JSON cannot hold), cut to size.

    Never raises and always returns ASCII text: a quarantine record must itself be storable.
    """
    try:
        text = json.dumps(obj, ensure_ascii=True, default=repr)
    except Exception:  # noqa: BLE001 - circular, too deep, a repr that raises: fall back
        try:
            text = ascii(obj)
        except Exception:  # noqa: BLE001 - even repr() failed
            text = f"<unprintable {type(obj).__name__}>"
    if len(text) > MAX_PAYLOAD_CHARS:
        text = text[:MAX_PAYLOAD_CHARS] + f"...[{len(text) - MAX_PAYLOAD_CHARS} more characters cut]"
    return text


@dataclass(frozen=True)
class Record:
    """One quarantine record about to be stored: ``n_rows`` rows of ``kind``, and why."""

    kind: str
    reason: str
    n_rows: int
    payload: str

    @property
    def reason_class(self) -> str:
        """The class the reason starts with (``bad text``...)."""
        return next((c for c in REASONS if self.reason.startswith(c)), UNWRITABLE)


def points_records(key_text: str, ts: np.ndarray, values: np.ndarray, reason: str) -> list[Record]:
    """Records for points of one series that share a reason (several if there are many)."""
    out = []
    for i in range(0, len(ts), MAX_POINTS_PER_RECORD):
        t, v = ts[i : i + MAX_POINTS_PER_RECORD], values[i : i + MAX_POINTS_PER_RECORD]
        body = {"series": key_text, "ts": t.tolist(), "value": v.tolist()}  # JSON escapes what it must
        out.append(Record("points", safe_text(reason), len(t), payload_text(body)))
    return out


def record(kind: str, reason: str, obj: Any) -> Record:
    """A record of one event or snapshot (its wire form)."""
    return Record(kind, safe_text(reason), 1, payload_text(obj))


def insert_records(con: Any, records: Iterable[Record], recorded_at_ms: int, register) -> int:
    """Insert records through ``con`` inside the caller's transaction; how many rows they stand for.

    ``register(name, table)`` registers an Arrow table on ``con`` (the caller unregisters).
    """
    rows = list(records)
    if not rows:
        return 0
    register("_w_quarantine", pa.table({
        "recorded_at": pa.array([recorded_at_ms] * len(rows), pa.timestamp("ms")),
        "kind": pa.array([r.kind for r in rows], pa.string()),
        "reason": pa.array([safe_text(r.reason) for r in rows], pa.string()),
        "n_rows": pa.array([r.n_rows for r in rows], pa.int64()),
        "payload": pa.array([safe_text(r.payload) for r in rows], pa.string()),
    }))
    con.execute("INSERT INTO quarantine SELECT * FROM _w_quarantine")
    return sum(r.n_rows for r in rows)


@dataclass(frozen=True)
class QuarantinedRow:
    """One stored quarantine record, as ``HistoryReader.quarantine`` returns it.

    ``payload`` is the refused rows as ASCII JSON text (``json.loads`` reads it back, lone
    surrogates as ``\\udXXX`` escapes), cut at ``MAX_PAYLOAD_CHARS``.
    """

    recorded_at_ms: int
    kind: str
    reason: str
    n_rows: int
    payload: str


def read_records(cur: Any, limit: int) -> list[QuarantinedRow]:
    """The newest ``limit`` records, newest first (``cur``: a cursor on a v3 store)."""
    rows = cur.execute(
        "SELECT epoch_ms(recorded_at), kind, reason, n_rows, payload FROM quarantine"
        " ORDER BY recorded_at DESC, rowid DESC LIMIT ?", [max(0, int(limit))]
    ).fetchall()
    return [QuarantinedRow(int(t), k, r, int(n), p) for t, k, r, n, p in rows]


def count_rows(cur: Any) -> dict[str, int]:
    """Quarantined rows by kind (records of points count their points)."""
    rows = cur.execute("SELECT kind, sum(n_rows) FROM quarantine GROUP BY kind ORDER BY kind").fetchall()
    return {k: int(n) for k, n in rows}
