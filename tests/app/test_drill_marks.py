"""A drill in a replay: the time bar can jump to a drill window's start and end."""

from __future__ import annotations

from warroom.app.replay_marks import markers_of
from warroom.core.incident.drills import drill_event

T0 = 1_731_292_200_000


def test_a_replay_can_jump_to_a_drills_start_and_end():
    marks = markers_of([drill_event("d1", T0, "start", name="game day"),
                        drill_event("d1", T0 + 60_000, "end", name="game day")])
    assert [(m.kind, m.action, m.label) for m in marks] == [
        ("note", "start", "Drill started: game day"), ("note", "end", "Drill ended: game day")]
