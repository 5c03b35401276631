"""The series catalogue of a recorded history: per-series statistics read in a few queries.

``history_stats(reader)`` computes, inside DuckDB, for every stored series: its points, first
and last timestamps, the median interval between points, min/max/mean and the counts of values
outside the bounds units use (``warroom.core.catalogue.SeriesStats``), plus the refused points per
series: those the recording console's decoder refused (its ``errors`` feed events) and those the
store quarantined (a value or timestamp it could not keep). ``history_catalogue``
judges them with the series declarations and call graph the history recorded (the newest
topology snapshot). Blocking: run it off the UI thread.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Iterable

from warroom.core.catalogue import Catalogue, SeriesInfo, SeriesStats, build_catalogue
from warroom.core.catalogue.standard import STANDARD_SERIES
from warroom.core.model import SeriesKey
from warroom.protocol.parse import parse_topology
from warroom.store.quarantine import MAX_TS_MS
from warroom.store.query import HistoryReader

_STATS = """
WITH p AS (
    SELECT series_id, epoch_ms(ts) AS t, value FROM points
),
gaps AS (
    SELECT series_id, t - lag(t) OVER (PARTITION BY series_id ORDER BY t) AS gap FROM p
),
intervals AS (
    SELECT series_id, median(gap) FILTER (WHERE gap > 0) AS interval_ms FROM gaps GROUP BY series_id
),
agg AS (
    SELECT series_id, count(*) AS n, min(t) AS first_ms, max(t) AS last_ms,
           min(value) FILTER (WHERE isfinite(value)) AS vmin,
           max(value) FILTER (WHERE isfinite(value)) AS vmax,
           avg(value) FILTER (WHERE isfinite(value)) AS vmean,
           count(*) FILTER (WHERE value < 0) AS below_zero,
           count(*) FILTER (WHERE value > 1 AND isfinite(value)) AS above_one,
           count(*) FILTER (WHERE value > 100 AND isfinite(value)) AS above_hundred,
           count(*) FILTER (WHERE isfinite(value)) AS finite
    FROM p GROUP BY series_id
)
SELECT s.key, agg.n, agg.first_ms, agg.last_ms, coalesce(intervals.interval_ms, 0),
       agg.vmin, agg.vmax, agg.vmean, agg.below_zero, agg.above_one, agg.above_hundred, agg.finite
FROM agg JOIN series s USING (series_id) LEFT JOIN intervals USING (series_id)
"""

# A quarantined points record's payload starts ``{"series": "<key text as JSON>", ...``; it may be
# cut short (MAX_PAYLOAD_CHARS), so the key is read with a pattern, not a JSON parser.
_QUARANTINED_KEY = re.compile(r'^\{\s*"series"\s*:\s*("(?:[^"\\]|\\.)*")')


def _nan(value: float | None) -> float:
    return float("nan") if value is None else float(value)


def _query(reader: HistoryReader, sql: str) -> list[tuple]:
    cur = reader.cursor()  # its own cursor: read to the end and closed, no transaction left open
    try:
        return cur.execute(sql).fetchall()
    finally:
        cur.close()


def quarantined_points(reader: HistoryReader) -> dict[SeriesKey, int]:
    """Points the store quarantined, per series (none in a file older than schema v3)."""
    if not reader.quarantine_counts().get("points"):
        return {}
    rows = _query(reader, "SELECT payload, n_rows FROM quarantine WHERE kind = 'points'")
    out: dict[SeriesKey, int] = {}
    for payload, n in rows:
        m = _QUARANTINED_KEY.match(payload or "")
        if m is None:
            continue
        try:
            key = SeriesKey.parse(json.loads(m.group(1)))
        except ValueError:
            continue  # quarantined because its key was unusable: no series to count it on
        out[key] = out.get(key, 0) + int(n)
    return out


def history_stats(reader: HistoryReader) -> dict[SeriesKey, SeriesStats]:
    """Statistics of every series the history holds points of, and of series only quarantined."""
    out: dict[SeriesKey, SeriesStats] = {}
    for key_text, n, first, last, interval, vmin, vmax, vmean, below, above1, above100, finite in (
        _query(reader, _STATS)
    ):
        try:
            key = SeriesKey.parse(key_text)
        except ValueError:
            continue  # the store only keeps valid keys; an edited file is not ours to judge
        out[key] = SeriesStats(
            points=int(n), first_ms=int(first), last_ms=int(last), interval_ms=float(interval or 0.0),
            min=_nan(vmin), max=_nan(vmax), mean=_nan(vmean), below_zero=int(below),
            above_one=int(above1), above_hundred=int(above100), finite=int(finite),
        )
    refusals = quarantined_points(reader)
    for key, n in decoder_refusals_by_series(reader).items():
        refusals[key] = refusals.get(key, 0) + n
    for key, refused in refusals.items():
        s = out.get(key)
        out[key] = SeriesStats(0, 0, 0, refused=refused) if s is None else replace(s, refused=s.refused + refused)
    return out


def _feed_events(reader: HistoryReader) -> list:
    return reader.events(0, MAX_TS_MS + 1, kinds=["feed"])


def history_source(reader: HistoryReader, path: str | Path | None = None) -> str:
    """A name for the history as a source: the feed server it recorded last (``server_id`` of
    its feed events), else the feed's address, else the file's name."""
    events = _feed_events(reader)
    for event in reversed(events):
        server = event.attrs.get("server_id")
        if isinstance(server, str) and server:
            return server
    if events and events[-1].subject:
        return events[-1].subject
    return Path(path).name if path is not None else "history"


def decoder_refusals_by_series(reader: HistoryReader) -> dict[SeriesKey, int]:
    """Points the recording consoles' decoders refused, per series (``by_series`` of their last
    ``errors`` feed events, summed over the consoles that recorded into the file)."""
    last: dict[str, dict] = {}
    for event in _feed_events(reader):
        by_series = event.attrs.get("by_series")
        if isinstance(by_series, dict):
            last[str(event.attrs.get("client", ""))] = by_series
    out: dict[SeriesKey, int] = {}
    for by_series in last.values():
        for text, n in by_series.items():
            if not isinstance(n, int) or isinstance(n, bool) or n <= 0:
                continue
            try:
                key = SeriesKey.parse(str(text))
            except ValueError:
                continue  # an event edited by hand: not a series
            out[key] = out.get(key, 0) + n
    return out


def decoder_refusals(reader: HistoryReader) -> dict[str, int]:
    """Protocol errors the recording consoles counted, by code (their last running totals,
    summed over the consoles that recorded into the file): refusals the decoder could not
    pin on one series."""
    last: dict[str, dict] = {}
    for event in _feed_events(reader):
        totals = event.attrs.get("errors")
        if isinstance(totals, dict):
            last[str(event.attrs.get("client", ""))] = totals
    out: dict[str, int] = {}
    for totals in last.values():
        for code, n in totals.items():
            if isinstance(n, int) and not isinstance(n, bool):
                out[str(code)] = out.get(str(code), 0) + n
    return dict(sorted(out.items()))


def history_catalogue(reader: HistoryReader, *, source: str = "", infos: Iterable[SeriesInfo] = (),
                      now_ms: int | None = None) -> Catalogue:
    """The catalogue of a history: its series judged at ``now_ms`` (default: its newest point).

    ``infos`` (a world or site file's declarations) come before those the history recorded
    with its topology, and those before the standard series' (``STANDARD_SERIES``), so the
    first win at equal specificity.
    """
    topology = None
    snapshots = reader.snapshots("topology_snapshots")
    if snapshots:
        ts, wire = snapshots[-1]
        topology, _errors = parse_topology(wire, int(wire.get("ts", ts)), 10**15)
        topology = topology.topology
    recorded = tuple(getattr(topology, "series_info", ())) if topology is not None else ()
    return build_catalogue(history_stats(reader), source=source, infos=(*infos, *recorded, *STANDARD_SERIES),
                           topology=topology, now_ms=now_ms)
