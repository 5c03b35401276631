"""Action items in the report and exported by ``warroom report --actions-csv/--actions-json``."""

from __future__ import annotations

import csv
import json
import shutil

import pytest

from warroom.cli import main
from warroom.core.incident.action_items import item_attrs
from warroom.core.model import Event, EventKind
from warroom.report import Text, build_report, render_html
from warroom.store import HistoryReader, StoreWriter
from tests.report.conftest import EVIL


@pytest.fixture(scope="module")
def with_items(recording, tmp_path_factory):
    path = tmp_path_factory.mktemp("items") / "items.duckdb"
    shutil.copy(recording.path, path)
    at = recording.executed_ms + 3_000
    iid = recording.incident_id
    w = StoreWriter(path)
    w.append_events([
        Event(f"note:{iid}:80", at, EventKind.NOTE, "bank-icbc", "timeouts",
              attrs=item_attrs(iid, "li.wei", "Lower the ICBC client timeout to 2 s", "zhang.san", "2024-11-20")),
        Event(f"note:{iid}:81", at + 1_000, EventKind.NOTE, "bank-icbc", "evil",
              attrs=item_attrs(iid, "li.wei", EVIL, "=cmd|' /C calc'!A0")),
    ])
    w.close()
    return path


def test_items_are_listed_with_owners_and_not_as_notes(with_items, recording, text):
    with HistoryReader(with_items) as reader:
        report = build_report(reader, recording.incident_id)
    assert [i.owner for i in report.action_items] == ["zhang.san", "=cmd|' /C calc'!A0"]
    assert all(n.text != "Lower the ICBC client timeout to 2 s" for n in report.notes)
    assert any(r.what == "ev_action_item" and r.subject == "zhang.san" for r in report.timeline)
    page = render_html(report, text)
    section = page[page.index('id="actions"'):page.index('id="notes"')]
    for fact in (text("actions"), "Lower the ICBC client timeout to 2 s", "zhang.san", "2024-11-20"):
        assert fact in section
    assert EVIL not in page and "&lt;script&gt;" in section


def test_no_items_says_so(report):
    page = render_html(report, Text("zh_CN"))
    assert "没有记录改进措施。" in page


def test_cli_exports_csv_and_json(with_items, recording, tmp_path):
    out, csv_path, json_path = tmp_path / "r.html", tmp_path / "items.csv", tmp_path / "items.json"
    assert main(["report", "--incident", recording.incident_id, "--db", str(with_items), "--out", str(out),
                 "--actions-csv", str(csv_path), "--actions-json", str(json_path)]) == 0
    rows = list(csv.DictReader(csv_path.open(encoding="utf-8")))
    assert [r["owner"] for r in rows] == ["zhang.san", "'=cmd|' /C calc'!A0"]  # a formula stays text
    assert rows[0]["due"] == "2024-11-20" and rows[0]["added_at"].endswith("UTC+8")
    assert [d["text"] for d in json.loads(json_path.read_text(encoding="utf-8"))][1] == EVIL


def test_cli_says_when_the_export_cannot_be_written(with_items, recording, tmp_path, capsys):
    code = main(["report", "--incident", recording.incident_id, "--db", str(with_items), "--out",
                 str(tmp_path / "r.html"), "--actions-csv", str(tmp_path / "no" / "such" / "dir.csv")])
    assert code != 0 and "cannot write" in capsys.readouterr().err
