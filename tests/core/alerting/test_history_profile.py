"""Baselines that know the time of day from the first second: a new baseline series waits in
``take_unlearned`` for its history (``learn_history``), and then judges 03:00 by 03:00's normal,
not by the busy hours nor by nothing at all (issue 14, item 1)."""

from __future__ import annotations

import numpy as np

from tests.core.alerting.helpers14 import T0, engine, feed, p99, transitions

NIGHT = T0 - 7 * 3_600_000 - 1_800_000  # 03:00 local, the same day
DAY_MS = 86_400_000


def history(days: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """``report``'s p99 every 90 s for ``days`` days before the night: 0.5 s in the day
    (09:00-21:00 local), 50 ms at night, with a little noise."""
    ts = np.arange(NIGHT - days * DAY_MS, NIGHT, 90_000, dtype=np.int64)
    hour = ((ts // 1000 + 8 * 3600) % 86_400) / 3600.0
    rng = np.random.default_rng(1)
    base = np.where((hour >= 9) & (hour < 21), 0.5, 0.05)
    return ts, base * np.exp(rng.normal(0, 0.05, ts.size))


def test_a_restarted_console_judges_the_night_by_the_nights_normal():
    e = engine()
    e.wants_history = True
    feed(e, 1, NIGHT, {p99("report"): 0.4})
    wanted = e.take_unlearned()
    assert (p99("report"), NIGHT) in wanted and e.take_unlearned() == []
    e.learn_history(p99("report"), *history())
    ev = feed(e, 60, NIGHT + 1000, {p99("report"): 0.4})  # a daytime value, 8x the night's
    assert ("firing", "service-latency", "report") in transitions(ev)
    alert = next(a for a in e.alerts() if a.subject == "report" and a.rule == "service-latency")
    assert "usual 50" in alert.title and "03:0" in alert.title, alert.title


def test_the_same_value_in_the_day_is_normal():
    e = engine()
    e.wants_history = True
    day = NIGHT + 7 * 3_600_000 + 1_800_000  # 10:30
    feed(e, 1, day, {p99("report"): 0.4})
    for key, _ in e.take_unlearned():
        if key == p99("report"):
            e.learn_history(key, *history())
    assert transitions(feed(e, 60, day + 1000, {p99("report"): 0.4})) == []


def test_without_history_a_fresh_console_cannot_tell_and_says_nothing():
    """The control: with no history, 0.4 s at 03:00 is under the cold-start limit (2 s) and
    becomes the learned normal; nothing fires. History is what makes the difference."""
    e = engine()
    assert e.take_unlearned() == []  # nobody asked for history: nothing waits
    assert transitions(feed(e, 60, NIGHT, {p99("report"): 0.4})) == []
