"""One recorded incident for all report tests (written once: ~3 s), and a copy with notes added."""

from __future__ import annotations

import shutil

import pytest

from warroom.core.model import Event, EventKind
from warroom.report import Text, build_report
from warroom.store import HistoryReader, StoreWriter
from tests.app.recording import Recording, record_incident

EVIL = "<script>alert('x')</script> & \"quotes\""


@pytest.fixture(scope="session")
def recording(tmp_path_factory) -> Recording:
    """A 15-minute history: ICBC outage, incident, acknowledgement, failover verified, a note."""
    return record_incident(tmp_path_factory.mktemp("report") / "incident.duckdb")


@pytest.fixture(scope="session")
def reviewed(recording, tmp_path_factory):
    """A copy of the recording with a hostile note during the incident and a review note after it."""
    path = tmp_path_factory.mktemp("reviewed") / "reviewed.duckdb"
    shutil.copy(recording.path, path)
    during = recording.executed_ms + 5_000
    notes = [
        Event(f"note:{recording.incident_id}:90", during, EventKind.NOTE, "bank-icbc", "hostile",
              attrs={"incident": recording.incident_id, "actor": "<b>mallory</b>", "text": EVIL}),
        Event("review-1", during + 1_000, EventKind.NOTE, "bank-icbc", "review",
              attrs={"incident": recording.incident_id, "actor": "zhang.san", "review": True,
                     "text": "ICBC timeouts started 20 s before the alert: lower the for: of bank rules"}),
    ]
    w = StoreWriter(path)
    w.append_events(notes)
    w.close()
    return path


@pytest.fixture(scope="session")
def report(recording):
    """The facts of the recorded incident's report."""
    with HistoryReader(recording.path) as reader:
        return build_report(reader, recording.incident_id, source=recording.path.name)


@pytest.fixture(scope="session")
def report_zh(recording):
    """The same facts in Chinese (names and titles the feed gave per language)."""
    with HistoryReader(recording.path) as reader:
        return build_report(reader, recording.incident_id, source=recording.path.name, lang="zh_CN")


@pytest.fixture(scope="session")
def reviewed_report(reviewed, recording):
    with HistoryReader(reviewed) as reader:
        return build_report(reader, recording.incident_id, source=reviewed.name)


@pytest.fixture(params=["en", "zh_CN"])
def text(request) -> Text:
    return Text(request.param)
