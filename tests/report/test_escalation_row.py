"""A missed response target in the post-incident report's timeline, in both languages."""

from __future__ import annotations

from tests.core.incident.test_incidents import T0, M, alert
from warroom.core.incident.escalation import Escalator
from warroom.core.incident.incidents import IncidentBook
from warroom.report.text import CATALOGUES
from warroom.report.timeline import timeline_rows


def test_the_escalation_is_a_red_row_of_its_incident_only():
    book, log = IncidentBook(), []
    for ev in (alert("icbc", "firing", T0), alert("ccb", "firing", T0 + 20 * M)):
        log += [ev, *book.on_event(ev)]
    icbc, ccb = sorted(book.incidents(), key=lambda i: i.detected_ms)
    log += Escalator().evaluate([icbc], T0 + 16 * M)
    rows = timeline_rows(log, icbc, [], [], T0, T0 + 60 * M)
    [row] = [r for r in rows if r.what == "ev_response_missed"]
    assert row.ts == T0 + 16 * M and row.tone == "crit" and row.what_args == {"tier": "P1", "minutes": 15}
    assert CATALOGUES["en"]["ev_response_missed"].format(**row.what_args) == \
        "P1 response target missed (15 min unacknowledged): escalated"
    assert "15 分钟" in CATALOGUES["zh_CN"]["ev_response_missed"].format(**row.what_args)
    assert not [r for r in timeline_rows(log, ccb, [], [], T0, T0 + 60 * M) if r.what == "ev_response_missed"]
