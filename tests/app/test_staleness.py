"""Staleness: a threshold that follows the feed's own rhythm (with a floor and a ceiling), a
disconnected feed stale after a short grace, replays never stale, no data never stale."""

from __future__ import annotations

import pytest

from warroom.app.staleness import (CADENCE_FACTOR, DISCONNECT_GRACE_MS, STALE_CEILING_MS, STALE_FLOOR_MS,
                                   StaleWatch)

T0 = 1_763_605_800_000


def fed(step_ms: int, steps: int = 40, speed: float = 1.0) -> tuple[StaleWatch, int]:
    """A watch that saw the newest data time advance ``steps`` times by ``step_ms`` (feed ms)."""
    watch = StaleWatch()
    newest = T0
    for _ in range(steps):
        watch.observe(newest_ms=newest, age_ms=0, state="live", speed=speed)
        newest += step_ms
    return watch, newest - step_ms


def test_a_one_second_feed_uses_the_floor():
    watch, newest = fed(1000)
    assert watch.cadence_ms == 1000
    assert watch.threshold_ms == STALE_FLOOR_MS
    live = watch.observe(newest_ms=newest, age_ms=STALE_FLOOR_MS, state="live")
    stale = watch.observe(newest_ms=newest, age_ms=STALE_FLOOR_MS + 1, state="live")
    assert live.level == "late" and not live.stale
    assert stale.stale and stale.since_ms == newest and stale.age_ms == STALE_FLOOR_MS + 1


def test_a_slow_feed_is_not_stale_between_its_scrapes():
    """A real feed scraping every 30 s: data 40 s old is normal, 91 s old is stale."""
    watch, newest = fed(30_000)
    assert watch.threshold_ms == int(30_000 * CADENCE_FACTOR)
    assert watch.observe(newest_ms=newest, age_ms=40_000, state="live").level in ("live", "late")
    assert not watch.observe(newest_ms=newest, age_ms=40_000, state="live").stale
    assert watch.observe(newest_ms=newest, age_ms=91_000, state="live").stale


def test_a_fast_simulator_cadence_is_measured_in_wall_time():
    watch, _ = fed(1000, speed=60.0)  # a simulated second every 1/60 s
    assert watch.cadence_ms == pytest.approx(1000 / 60)
    assert watch.threshold_ms == STALE_FLOOR_MS


def test_a_feed_claiming_an_hourly_rhythm_still_goes_stale_within_the_ceiling():
    watch, newest = fed(3_600_000, steps=5)
    assert watch.threshold_ms == STALE_CEILING_MS
    assert watch.observe(newest_ms=newest, age_ms=STALE_CEILING_MS + 1, state="live").stale


def test_one_outage_gap_does_not_stretch_the_threshold():
    watch, newest = fed(1000)
    newest += 600_000  # ten minutes of outage, then the feed is back
    watch.observe(newest_ms=newest, age_ms=0, state="live")
    assert watch.threshold_ms == STALE_FLOOR_MS


def test_a_disconnected_feed_is_stale_after_the_grace_however_short_the_threshold():
    watch, newest = fed(1000)
    soon = watch.observe(newest_ms=newest, age_ms=DISCONNECT_GRACE_MS, state="disconnected", reason="refused")
    later = watch.observe(newest_ms=newest, age_ms=DISCONNECT_GRACE_MS + 1, state="disconnected", reason="refused")
    assert not soon.stale and soon.level == "late"
    assert later.stale and later.reason == "refused" and later.state == "disconnected"


def test_a_replay_is_never_stale_and_no_data_is_waiting():
    watch, newest = fed(1000)
    assert watch.observe(newest_ms=newest, age_ms=10**9, state="replay").level == "replay"
    assert StaleWatch().observe(newest_ms=None, age_ms=None, state="disconnected").level == "waiting"


def test_time_going_back_starts_the_cadence_afresh():
    watch, newest = fed(30_000)
    watch.observe(newest_ms=T0 - 10**9, age_ms=0, state="live")  # another feed, older clock
    assert watch.cadence_ms is None and watch.threshold_ms == STALE_FLOOR_MS


def test_the_level_never_gets_better_as_the_data_ages():
    watch, newest = fed(1000)
    order = {"live": 0, "late": 1, "stale": 2}
    for state in ("live", "stale", "connecting", "disconnected"):
        levels = [order[watch.observe(newest_ms=newest, age_ms=age, state=state).level]
                  for age in range(0, 60_000, 250)]
        assert levels == sorted(levels), state
