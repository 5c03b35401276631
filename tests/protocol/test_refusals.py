"""Refused points pinned on their series, for frames whose decoding refused some."""

from __future__ import annotations

import json

import numpy as np

from warroom.core.model import SeriesKey
from warroom.protocol import Decoder
from warroom.protocol.binary import pack_frame, pack_points
from warroom.protocol.refusals import refused_by_series

NOW = 1_767_225_600_000
A = {"name": "refund_ratio", "labels": {"service": "trade"}}
B = {"name": "refund_queue_depth", "labels": {"service": "trade"}}


def _json(series, s, t, v) -> str:
    return json.dumps({"v": 1, "type": "metrics", "series": series, "points": {"s": s, "t": t, "v": v}})


def _refused(frame, decoder=None):
    result = (decoder or Decoder()).decode(frame, NOW)
    return refused_by_series(frame, result.errors, result.message)


def test_points_refused_per_series():
    frame = _json([A, B], [0, 0, 1, 1, 1], [NOW - 2000, NOW - 1000, (NOW - 1000) // 1000, NOW - 900, NOW - 800],
                  [0.1, None, 4.0, 5.0, 6.0])
    assert _refused(frame) == {SeriesKey("refund_ratio", {"service": "trade"}): 1,
                               SeriesKey("refund_queue_depth", {"service": "trade"}): 1}


def test_a_clean_frame_or_an_unreadable_one_pins_nothing():
    assert _refused(_json([A], [0], [NOW - 1000], [0.2])) == {}
    assert _refused('{"v":1,"type":"metrics","series":[') == {}  # malformed: the feed's count only
    assert _refused(_json([{"name": "9bad", "labels": {}}], [0], [NOW], [None])) == {}


def test_duplicates_count_against_their_series():
    d = Decoder()
    frame = _json([A], [0], [NOW - 1000], [0.2])
    assert _refused(frame, d) == {}
    assert _refused(frame, d) == {SeriesKey("refund_ratio", {"service": "trade"}): 1}


def test_a_whole_batch_refused_counts_all_its_points():
    frame = json.dumps({"v": 1, "type": "metrics", "series": [A], "points": {"s": [0, 0], "t": [NOW], "v": [1.0, 2.0]}})
    assert _refused(frame) == {SeriesKey("refund_ratio", {"service": "trade"}): 2}


def test_binary_frames_with_their_own_series_list():
    header = {"v": 1, "type": "metrics", "series": [A, B]}
    frame = pack_frame(header, pack_points(np.array([0, 1, 1]), np.array([NOW - 1000, NOW - 1000, 5]),
                                           np.array([np.nan, 1.0, 2.0])))
    assert _refused(frame) == {SeriesKey("refund_ratio", {"service": "trade"}): 1,
                               SeriesKey("refund_queue_depth", {"service": "trade"}): 1}


def test_counts_are_bounded_in_series_and_in_frames_read_again():
    from warroom.protocol.refusals import RefusalCounts

    counts = RefusalCounts(max_series=2, max_frames_per_s=3)
    a, b, c = (SeriesKey("m", {"i": str(i)}) for i in range(3))
    counts.add({a: 1, b: 2})
    counts.add({c: 5, a: 1})  # c is past the bound; a still counts
    assert counts.as_dict() == {a: 2, b: 2} and list(counts.top(1)) == [a]
    assert [counts.admit(10.2) for _ in range(4)] == [True, True, True, False]
    assert counts.skipped_frames == 1
    assert counts.admit(11.0)  # a new second


async def test_a_client_reads_again_only_frames_with_refused_points():
    from warroom.io.client import FeedClient

    client = FeedClient("ws://127.0.0.1:9")
    decoder = client.decoder
    good = _json([A], [0], [NOW - 1000], [0.2])
    client._count_refused(good, decoder.decode(good, NOW))  # noqa: SLF001
    bad = _json([A, B], [0, 1], [NOW - 900, NOW - 900], [None, 1.0])
    client._count_refused(bad, decoder.decode(bad, NOW))  # noqa: SLF001
    garbage = '{"v":1,"type":"nonsense"}'
    client._count_refused(garbage, decoder.decode(garbage, NOW))  # noqa: SLF001
    assert client.refusals.as_dict() == {SeriesKey("refund_ratio", {"service": "trade"}): 1}
