"""The series catalogue of a history: statistics in SQL, quarantined points per series,
declarations recorded with the topology, decoder refusals from the feed events."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from warroom.core.catalogue import Flag, infos_from_mapping, stats_of
from warroom.core.graph.topology import Topology
from warroom.core.model import Event, EventKind, SeriesKey, Service
from warroom.protocol.messages import MetricBatch, TopologySnapshot
from warroom.store.catalogue import decoder_refusals, history_catalogue, history_source, history_stats

T0 = 1_767_225_600_000
OK = SeriesKey("service_error_ratio", {"service": "trade"})
BAD = SeriesKey("service_error_ratio", {"service": "coupon"})
QUIET = SeriesKey("job_last_success_timestamp_seconds", {"service": "settle"})


def _batch(key: SeriesKey, ts, values) -> MetricBatch:
    ts = np.asarray(ts, dtype=np.int64)
    return MetricBatch((key,), np.zeros(len(ts), dtype=np.int32), ts, np.asarray(values, dtype=np.float64))


def _write(open_writer):
    w = open_writer(flush_interval_s=60)
    topo = Topology([Service("trade", group="core-team"), Service("coupon"), Service("settle")])
    topo.series_info = infos_from_mapping({"service_error_ratio": {"description": "Failed share", "owner": "sre"},
                                           "job_last_success_timestamp_seconds": {"owner": "finance"}})
    w.append_topology(TopologySnapshot(T0, topo))
    ts = T0 + np.arange(600, dtype=np.int64) * 1000
    w.append_metrics(_batch(OK, ts, np.full(600, 0.01)))
    w.append_metrics(_batch(BAD, ts, np.where(np.arange(600) % 100 == 0, 1.5, 0.02)))
    w.append_metrics(_batch(QUIET, T0 + np.arange(3, dtype=np.int64) * 60_000, [1.0, 2.0, 3.0]))
    w.append_metrics(_batch(BAD, [T0 + 700_000, 2**62], [0.1, 0.1]))  # the second: quarantined (year > 9999)
    w.append_events([
        Event("f1", T0, EventKind.FEED, "ws://gw:8765", "feed live", attrs={"what": "state", "server_id": "gw-7",
                                                                              "client": "c1"}),
        Event("f2", T0 + 1000, EventKind.FEED, "ws://gw:8765", "errors", attrs={"what": "errors", "client": "c1",
                                                                                  "errors": {"non_finite": 4}}),
        Event("f3", T0 + 2000, EventKind.FEED, "ws://gw:8765", "errors", attrs={"what": "errors", "client": "c1",
                                                                                  "errors": {"non_finite": 6},
                                                                                  "by_series": {OK.text: 2,
                                                                                                "bad{": 9}}),
        Event("f4", T0 + 2000, EventKind.FEED, "ws://gw:8765", "errors", attrs={"what": "errors", "client": "c2",
                                                                                  "errors": {"bad_timestamp": 1}}),
    ])
    assert w.flush(timeout=10)
    return w


def test_statistics_match_the_points(open_writer):
    w = _write(open_writer)
    stats = history_stats(w.reader())
    ts = T0 + np.arange(600, dtype=np.int64) * 1000
    want = stats_of(ts, np.full(600, 0.01))
    assert abs(stats[OK].mean - want.mean) < 1e-12
    assert replace(stats[OK], mean=want.mean, refused=0) == want
    assert stats[OK].refused == 2  # the recording console's decoder refused two of its points
    bad = stats[BAD]
    assert (bad.points, bad.above_one, bad.refused, bad.last_ms) == (601, 6, 1, T0 + 700_000)
    assert stats[QUIET].interval_ms == 60_000.0


def test_the_catalogue_of_a_history(open_writer):
    w = _write(open_writer)
    reader = w.reader()
    cat = history_catalogue(reader, source=history_source(reader, "h.duckdb"))
    assert cat.source == "gw-7" and cat.now_ms == T0 + 700_000
    ok, bad, quiet = cat.get(OK), cat.get(BAD), cat.get(QUIET)
    assert (ok.unit, ok.description, ok.owner) == ("ratio", "Failed share", "sre")
    assert ok.flags == {Flag.SILENT, Flag.REFUSED}  # ended 100 s before the newest point of the file
    assert ok.stats.refused == 2  # the decoder's, from the recording console's errors event
    assert bad.flags == {Flag.INVALID, Flag.REFUSED} and bad.invalid == 6 and bad.stats.refused == 1
    assert quiet.owner == "finance" and quiet.unit == "unix s" and Flag.SILENT in quiet.flags
    # declarations given by the caller (a world or site file) win over the recorded ones
    mine = history_catalogue(reader, infos=infos_from_mapping({"service_error_ratio": {"owner": "payments"}}))
    assert mine.get(OK).owner == "payments"


def test_decoder_refusals_are_the_last_totals_of_each_console(open_writer):
    w = _write(open_writer)
    assert decoder_refusals(w.reader()) == {"bad_timestamp": 1, "non_finite": 6}


def test_an_empty_history(open_writer):
    w = open_writer()
    assert w.flush(timeout=10)
    reader = w.reader()
    cat = history_catalogue(reader)
    assert len(cat) == 0 and cat.now_ms is None
    assert history_source(reader, "x.duckdb") == "x.duckdb" and decoder_refusals(reader) == {}
