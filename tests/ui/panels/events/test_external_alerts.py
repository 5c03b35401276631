"""An Alertmanager alert in the event feed: the console's alert is one row that fired once, and
the feed's own event stays visible, apart, as what Alertmanager said (issue 15)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402

from tests.core.alerting.external_history import ENDS, FINGERPRINT, STARTS, history  # noqa: E402
from tests.core.alerting.helpers14 import T0, series  # noqa: E402
from warroom.core.model import EventKind  # noqa: E402
from warroom.protocol import Events, MetricBatch  # noqa: E402
from warroom.store.live import LiveView  # noqa: E402
from warroom.ui import theme  # noqa: E402
from warroom.ui.panels.events.panel import COL_KIND, COL_TITLE, EventFeedPanel  # noqa: E402
from warroom.ui.panels.events.rows import fold, state_word  # noqa: E402


@pytest.fixture(autouse=True)
def dark(qapp):
    theme.apply(theme.DARK, 14)


def test_the_console_row_of_an_external_alert_fired_once_and_the_feed_events_fold_into_nothing():
    h = history()
    rows = [r for r in fold(h.events) if r.event.attrs.get("fingerprint") == FINGERPRINT]
    mine = [r for r in rows if r.event.attrs.get("external") is not True]
    theirs = [r for r in rows if r.event.attrs.get("external") is True]
    # Before: the feed's firing at startsAt and the engine's folded into one row "fired ×2".
    [row] = mine
    fired = next(e for e in h.engine if e.attrs["state"] == "firing")
    assert row.count == 1 and row.first_ts == fired.ts and row.event.attrs["state"] == "resolved"
    assert sorted((r.event.ts, r.count) for r in theirs) == [(STARTS, 1), (ENDS, 1)]
    assert all(state_word(r.event) == "" for r in theirs)  # never a second "FIRING"


def test_the_feed_shows_the_alert_firing_once_and_what_alertmanager_said_beside_it(qtbot):
    h = history()
    view = LiveView()
    view.apply(MetricBatch.from_points([(series("service_error_ratio", service="cart"), T0 + 30_000, 0.001)]))
    view.apply(Events(tuple(e for e in h.events if e.ts <= T0 + 30_000)))
    panel = EventFeedPanel(view)
    qtbot.addWidget(panel)
    panel.resize(900, 600)
    panel.show()

    def alert_rows() -> list[tuple[str, str]]:
        return [(panel.model.index(r, COL_KIND).data(), panel.model.index(r, COL_TITLE).data())
                for r, e in enumerate(panel.model.rows) if e.kind is EventKind.ALERT]

    title = "Cart error rate above 5 %"
    assert alert_rows() == [("FIRING P1", title), ("ALERT P1", f"Alertmanager says firing: {title}")]
    raw_row = next(r for r, e in enumerate(panel.model.rows) if e.attrs.get("external") is True)
    assert panel.model.index(raw_row, COL_KIND).data(Qt.ItemDataRole.ForegroundRole) == theme.DARK.color("text_dim")
    # Live: the resolves arrive (a rebuild folds the console's transitions, never the feed's).
    view.apply(MetricBatch.from_points([(series("service_error_ratio", service="cart"), T0 + 400_000, 0.001)]))
    view.apply(Events(tuple(e for e in h.events if e.ts > T0 + 30_000)))
    panel.refresh()
    assert alert_rows() == [("RESOLVED P1", title), ("ALERT P1", f"Alertmanager says resolved: {title}"),
                            ("ALERT P1", f"Alertmanager says firing: {title}")]
