"""Conversion per funnel step: the derived series the alert engine watches, and the funnel as
the panel reads it (rates, conversions, usual conversions, below-usual steps)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from warroom.core.funnel.conversion import (
    CONVERSION_METRIC,
    MIN_RATE,
    WINDOW_MS,
    FunnelTracker,
    conversion,
    conversion_series,
    split_subject,
    step_subject,
)
from warroom.core.funnel.reading import (
    DROP_REL,
    USUAL_LAG_MS,
    read_funnel,
    usual_conversions,
)
from warroom.core.model import FunnelStep, Scenario, SeriesKey, step_series

T0 = 1_731_292_200_000  # a whole minute


def funnel(sid: str = "shop", steps=("basket", "order", "paid")) -> Scenario:
    return Scenario(sid, sid, "web", (("web", "cart"),),
                    steps=tuple(FunnelStep(s, step_series(sid, s), s.title(), ("cart",)) for s in steps))


def batch(points: list[tuple[SeriesKey, int, float]]):
    """``observe`` arguments for these points (series named once, in first-seen order)."""
    series = tuple(dict.fromkeys(k for k, _, _ in points))
    pos = {k: i for i, k in enumerate(series)}
    return (series, np.array([pos[k] for k, _, _ in points], dtype=np.int32),
            np.array([t for _, t, _ in points], dtype=np.int64), np.array([v for _, _, v in points]))


def second(sc: Scenario, ts: int, rates: list[float]) -> list[tuple[SeriesKey, int, float]]:
    return [(st.series, ts, r) for st, r in zip(sc.steps, rates)]


def test_conversion_is_capped_at_one_and_unknown_without_traffic_before():
    assert conversion(100.0, 80.0) == 0.8
    assert conversion(100.0, 130.0) == 1.0  # a lagging series never reads above 100 %
    assert conversion(0.0, 5.0) is None and conversion(math.nan, 1.0) is None
    assert conversion(MIN_RATE / 2, MIN_RATE / 2) is None  # next to nothing: too few to judge
    assert conversion(MIN_RATE, MIN_RATE / 2) == 0.5
    assert step_subject("qr_pay", "pay") == "qr_pay/pay" and split_subject("qr_pay/pay") == ("qr_pay", "pay")
    assert split_subject("qr_pay") == ("qr_pay", "")


def test_the_tracker_emits_one_conversion_per_later_step_per_second():
    sc = funnel()
    tracker = FunnelTracker()
    assert not tracker.active
    tracker.set_topology([sc])
    assert tracker.active
    keys, ts, values = tracker.observe(*batch(second(sc, T0, [100.0, 50.0, 45.0])))
    assert keys == [conversion_series("shop", "order"), conversion_series("shop", "paid")]
    assert ts == [T0, T0] and values == pytest.approx([0.5, 0.9])
    assert keys[0].name == CONVERSION_METRIC and keys[0].labels["step"] == "order"


def test_rates_are_averaged_over_the_window_before_they_are_divided():
    sc = funnel(steps=("a", "b"))
    tracker = FunnelTracker()
    tracker.set_topology([sc])
    tracker.observe(*batch(second(sc, T0, [100.0, 90.0])))
    # One bad second halves "b": the window's mean moves a little, not to 0.45.
    _, _, v = tracker.observe(*batch(second(sc, T0 + 1000, [100.0, 0.0])))
    assert v == pytest.approx([0.45])  # (90 + 0) / 2 over (100 + 100) / 2
    # Points older than the window are forgotten.
    _, _, v = tracker.observe(*batch(second(sc, T0 + WINDOW_MS + 1000, [100.0, 80.0])))
    assert v == pytest.approx([0.8])


def test_a_batch_of_many_seconds_gives_what_one_batch_a_second_gives():
    sc = funnel()
    rng = np.random.default_rng(4)
    seconds = [second(sc, T0 + i * 1000, list(rng.uniform(10, 100, 3))) for i in range(50)]
    one = FunnelTracker()
    one.set_topology([sc])
    each = [one.observe(*batch(s)) for s in seconds]
    whole = FunnelTracker()
    whole.set_topology([sc])
    shuffled = [p for s in seconds for p in s]
    rng.shuffle(shuffled)  # any order within the batch
    keys, ts, values = whole.observe(*batch(shuffled))
    assert keys == [k for e in each for k in e[0]] and ts == [t for e in each for t in e[1]]
    assert values == pytest.approx([v for e in each for v in e[2]])


def test_old_duplicate_and_bad_points_are_ignored_and_a_quiet_step_before_is_no_data():
    sc = funnel(steps=("a", "b"))
    tracker = FunnelTracker()
    tracker.set_topology([sc])
    tracker.observe(*batch(second(sc, T0 + 5000, [100.0, 50.0])))
    assert tracker.observe(*batch(second(sc, T0, [100.0, 99.0]))) == ([], [], [])  # older: ignored
    assert tracker.observe(*batch(second(sc, T0 + 5000, [100.0, 99.0]))) == ([], [], [])  # same second again
    keys, _, _ = tracker.observe(*batch([(sc.steps[1].series, T0 + 6000, math.nan)]))
    assert keys == []
    quiet = FunnelTracker()
    quiet.set_topology([sc])
    assert quiet.observe(*batch(second(sc, T0, [0.0, 0.0]))) == ([], [], [])  # a quiet night: no drop


def test_other_series_cost_nothing_and_a_feed_without_funnels_is_left_alone():
    sc = funnel(steps=("a", "b"))
    other = SeriesKey("service_error_ratio", {"service": "cart"})
    tracker = FunnelTracker()
    tracker.set_topology([sc])
    assert tracker.observe(*batch([(other, T0, 0.5)])) == ([], [], [])
    tracker.set_topology([Scenario("plain", "plain", "web", (("web", "cart"),))])
    assert not tracker.active
    assert tracker.observe(*batch(second(sc, T0, [1.0, 1.0]))) == ([], [], [])


def test_a_series_tuple_seen_again_reuses_its_positions_and_a_new_graph_forgets_them():
    sc = funnel(steps=("a", "b"))
    tracker = FunnelTracker()
    tracker.set_topology([sc])
    args = batch(second(sc, T0, [10.0, 5.0]))
    tracker.observe(*args)
    assert tracker._pick(args[0]) is tracker._pick(args[0])
    renamed = Scenario("shop", "shop", "web", (("web", "cart"),), steps=(
        FunnelStep("a", SeriesKey("orders_rate"), "A"), FunnelStep("b", SeriesKey("paid_rate"), "B")))
    tracker.set_topology([renamed])  # the feed names its own series now
    keys, _, values = tracker.observe(*batch([(SeriesKey("orders_rate"), T0, 10.0), (SeriesKey("paid_rate"), T0, 4.0)]))
    assert keys == [conversion_series("shop", "b")] and values == pytest.approx([0.4])


class Held:
    """A ``window(key, span)`` over fixed arrays ending at ``now``."""

    def __init__(self, now: int) -> None:
        self.now = now
        self.data: dict[SeriesKey, tuple[np.ndarray, np.ndarray]] = {}

    def put(self, key: SeriesKey, ts: np.ndarray, values: np.ndarray) -> None:
        self.data[key] = (ts, values)

    def __call__(self, key: SeriesKey, span: int):
        ts, v = self.data.get(key, (np.zeros(0, np.int64), np.zeros(0)))
        sel = (ts > self.now - span) & (ts <= self.now)
        return ts[sel], v[sel]


def test_the_panel_reading_has_rates_conversions_the_usual_and_flags_a_drop():
    sc = funnel()
    now = T0 + 3_600_000
    ts = np.arange(T0, now + 1, 1000, dtype=np.int64)
    drop_from = now - 60_000
    held = Held(now)
    first = np.full(len(ts), 200.0)
    second_ = first * 0.8
    third = second_ * np.where(ts >= drop_from, 0.5, 0.95)  # the last minute: half pay
    for st, v in zip(sc.steps, (first, second_, third)):
        held.put(st.series, ts, v)
    readings = read_funnel(sc, held, now)
    assert [r.step.id for r in readings] == ["basket", "order", "paid"]
    assert readings[0].rate == pytest.approx(200.0) and readings[0].conversion is None and readings[0].overall == 1.0
    assert readings[1].conversion == pytest.approx(0.8) and readings[1].usual == pytest.approx(0.8)
    assert not readings[1].below
    assert readings[2].conversion == pytest.approx(0.5) and readings[2].usual == pytest.approx(0.95)
    assert readings[2].overall == pytest.approx(0.4) and readings[2].below
    # The usual conversion leaves out the last minutes: the drop is not its own normal.
    assert usual_conversions(sc, held, now)["paid"] == pytest.approx(0.95)
    assert 0.5 < 0.95 * (1 - DROP_REL)


def test_no_data_reads_none_and_too_little_history_has_no_usual():
    sc = funnel()
    held = Held(T0 + 600_000)
    assert [r.rate for r in read_funnel(sc, held, held.now)] == [None, None, None]
    ts = np.arange(held.now - USUAL_LAG_MS - 120_000, held.now + 1, 1000, dtype=np.int64)
    for st in sc.steps:
        held.put(st.series, ts, np.full(len(ts), 10.0))
    readings = read_funnel(sc, held, held.now)
    assert readings[1].conversion == 1.0 and readings[1].usual is None and not readings[1].below
    assert read_funnel(Scenario("x", "x", "a", ()), held, held.now) == []


def test_a_long_drop_is_not_learned_as_usual_while_its_alert_is_active():
    """Forty minutes into a drop, the hour's median is the drop itself; with the alert's start
    the usual is read from before it, as a person remembers the funnel."""
    sc = funnel()
    now = T0 + 3_600_000
    drop_from = now - 40 * 60_000
    ts = np.arange(T0, now + 1, 1000, dtype=np.int64)
    held = Held(now)
    first = np.full(len(ts), 200.0)
    second_ = first * 0.8
    third = second_ * np.where(ts >= drop_from, 0.5, 0.95)
    for st, v in zip(sc.steps, (first, second_, third)):
        held.put(st.series, ts, v)
    assert usual_conversions(sc, held, now)["paid"] == pytest.approx(0.5)  # learned the drop
    frozen = usual_conversions(sc, held, now, {"paid": drop_from})
    assert frozen["paid"] == pytest.approx(0.95) and frozen["order"] == pytest.approx(0.8)
    assert read_funnel(sc, held, now, frozen)[2].below
    # A drop that began before the hour held here leaves too few minutes: unknown, not the drop.
    assert usual_conversions(sc, held, now, {"paid": T0 - 60_000})["paid"] is None
