"""The funnel in replay: a recorded history (topology with its steps, the step series, the
alert events) drawn at a cursor the way it was drawn live."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from warroom.app.replay import ReplaySession  # noqa: E402
from warroom.sim.drill import record_drill  # noqa: E402
from warroom.store import HistoryReader  # noqa: E402
from warroom.store.live import LiveView  # noqa: E402
from warroom.ui import theme  # noqa: E402
from warroom.ui.panels.funnel.panel import FunnelPanel  # noqa: E402


@pytest.fixture(scope="module")
def recording(tmp_path_factory):
    """Six healthy minutes, then the ICBC gateway down (no plan: it stays down)."""
    return record_drill(tmp_path_factory.mktemp("funnel") / "icbc-down.duckdb", seconds=500,
                        fault="dependency_outage:bank-icbc", fault_at_s=360, plan="", every_s=60)


def test_a_replay_draws_the_funnel_before_and_during_the_outage(qapp, recording):
    theme.apply(theme.DARK, 14)
    reader = HistoryReader(recording.path)
    try:
        session = ReplaySession(reader, LiveView(), source="icbc-down.duckdb")
        panel = FunnelPanel(session.view)
        session.seek(recording.fault_ms - 30_000)
        panel.refresh()
        assert len(panel.rows) == 3
        assert all(not s.below for r in panel.rows for s in r.steps)
        session.seek(recording.fault_ms + 120_000)
        panel.refresh()
        top = panel.rows[0]
        assert top.steps[2].step.id == "bank_confirmed" and top.steps[2].below
        assert top.roots[2] == "ICBC gateway"  # from the alert events the history holds
        panel.grab()
    finally:
        reader.close()
