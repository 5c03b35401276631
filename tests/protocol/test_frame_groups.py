"""Binary frames that arrive together are decoded as one batch when every one is clean and
they share a layout. It is a shortcut only: whatever it declines is decoded frame by frame,
and what is accepted, refused and counted is the same either way."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from warroom.protocol import Decoder, ErrorCode
from warroom.protocol.binary import pack_frame, pack_points

from .strategies import NOW
from .test_frame_layouts import DEFS, KEYS, SETTINGS, T, frames, totals
from .test_garbage import check

HEAD = {"v": 1, "type": "metrics"}


def frame(s, t, v, **header) -> bytes:
    return pack_frame({**HEAD, **header}, pack_points(np.asarray(s), np.asarray(t), np.asarray(v, dtype=float)))


def ready() -> Decoder:
    d = Decoder()
    check(d, frame([], [], [], defs=DEFS))
    return d


def in_groups(d: Decoder, data: list[bytes], size: int):
    """Decode as the client does: groups of ``size``, one by one when the group is declined."""
    points, codes, batches = [], {}, 0
    for i in range(0, len(data), size):
        group = data[i:i + size]
        result = d.decode_frames(group, NOW)
        results = [result] if result is not None else [check(d, f) for f in group]
        for r in results:
            batches += 1
            if r.message is not None:
                points += r.message.points()
            for code, n in totals(r).items():
                codes[code] = codes.get(code, 0) + n
    return points, codes, batches


@SETTINGS
@given(frames(), st.integers(2, 5))
def test_groups_accept_and_refuse_exactly_what_frames_one_by_one_do(frames_, size):
    grouped, single = ready(), ready()
    data = [frame(s, [base + x for x in t], v, seq=i)
            for i, (base, (s, t, v)) in enumerate((b, f) for b in (T, T + 100_000, T + 200_000) for f in frames_)]
    got = in_groups(grouped, data, size)
    want = in_groups(single, data, 1)
    assert got[:2] == want[:2]
    assert grouped.stats.as_dict() == single.stats.as_dict()


def scrapes(k: int, t0: int, s=(0, 1, 2)) -> bytes:
    """One frame of two scrapes of the series ``s`` at ``t0`` and ``t0 + 1``."""
    t = [t0] * len(s) + [t0 + 1] * len(s)
    return frame(list(s) * 2, t, [float(k)] * len(t), seq=k, sent_at=T + k)


def test_clean_frames_of_one_layout_become_one_batch():
    d = ready()
    for k in range(2):  # the layout is cached from the second sight
        assert check(d, scrapes(k, T + 10 * k)).errors == []
    group = [scrapes(k, T + 10 * k) for k in range(2, 6)]
    r = d.decode_frames(group, NOW)
    assert r is not None and r.errors == [] and r.seq == 5
    assert len(r.message) == 24 and r.message.series == tuple(KEYS[:3])
    assert r.message.sent_at == T + 2  # the earliest frame's: latency is never understated
    assert r.message.newest_ts == T + 51
    assert r.message.points()[:3] == [(KEYS[0], T + 20, 2.0), (KEYS[1], T + 20, 2.0), (KEYS[2], T + 20, 2.0)]
    assert not r.message.index.flags.writeable
    assert d.decode_frames([scrapes(k, T + 10 * k) for k in range(6, 10)], NOW).message.index is r.message.index
    # The marks moved: older points are declined as a group and said frame by frame.
    assert d.decode_frames(group, NOW) is None
    assert totals(check(d, group[0])) == {ErrorCode.OUT_OF_ORDER: 6}


def test_a_group_with_anything_to_say_is_declined_without_changing_anything():
    d = ready()
    for k in range(2):
        check(d, scrapes(k, T + 10 * k))
    nan = frame([0, 1, 2] * 2, [T + 30] * 3 + [T + 31] * 3, [1.0, math.nan, 1.0, 1.0, 1.0, 1.0], seq=3)
    declined = {
        "a seq gap": [scrapes(2, T + 20), scrapes(4, T + 40)],
        "a NaN": [scrapes(2, T + 20), nan],
        "another layout": [scrapes(2, T + 20), scrapes(3, T + 30, s=(2, 1, 0))],
        "a JSON frame": [scrapes(2, T + 20), b'{"v":1,"type":"heartbeat","server_time":1}'],
        "definitions": [scrapes(2, T + 20), frame([], [], [], defs=DEFS, seq=3)],
        "a bad sent_at": [scrapes(2, T + 20), frame([0, 1, 2] * 2, [T + 30] * 3 + [T + 31] * 3, [1.0] * 6, seq=3, sent_at=5)],
        "one frame": [scrapes(2, T + 20)],
    }
    for why, group in declined.items():
        assert d.decode_frames(group, NOW) is None, why
    # Nothing moved: the first frame is still new, in sequence, and every point is taken.
    r = check(d, scrapes(2, T + 20))
    assert r.errors == [] and len(r.message) == 6
