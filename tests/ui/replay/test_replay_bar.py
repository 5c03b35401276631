"""The replay window: the time bar drives the cursor, the live panels follow it, and
nothing but review notes can be done."""

from __future__ import annotations

import os
import subprocess
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QImage  # noqa: E402

from tests.app.recording import record_incident  # noqa: E402
from warroom.core.settings.layouts import load_layout  # noqa: E402
from warroom.app.replay import ReplaySession  # noqa: E402
from warroom.store import HistoryReader  # noqa: E402
from warroom.store.live import LiveView  # noqa: E402
from warroom.ui import theme  # noqa: E402
from warroom.ui.main_window import MainWindow  # noqa: E402
from warroom.ui.progress import ProgressWindow  # noqa: E402
from warroom.ui.replay.replay_app import chart_span_ms  # noqa: E402
from warroom.app.replay_marks import Marker  # noqa: E402
from warroom.core.model import Severity  # noqa: E402
from warroom.ui.replay.replay_bar import (STEP_MS, ReplayBar, format_cursor, marker_tooltip, place_labels,  # noqa: E402
                                   ruler_ticks)


@pytest.fixture(scope="module")
def recording(tmp_path_factory):
    return record_incident(tmp_path_factory.mktemp("replay-ui") / "incident.duckdb", seconds=600)


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def window(qapp, recording):
    theme.apply(theme.DARK)
    reader = HistoryReader(recording.path)
    view = LiveView()
    layout = load_layout("commander")
    session = ReplaySession(reader, view, source="incident.duckdb", span_ms=chart_span_ms(layout, 900_000))
    clock = FakeClock()
    holder = []
    win = MainWindow(view, layout, before_frame=lambda: holder[0].on_frame() if holder else None)
    bar = ReplayBar(session, win, clock=clock)
    holder.append(bar)
    win.resize(1600, 900)
    win.show()
    yield win, bar, session, clock
    win.close()
    reader.close()


def test_playing_moves_the_cursor_by_wall_time_times_speed(window):
    win, bar, session, clock = window
    session.seek(session.start_ms)
    bar.speed_box.setCurrentIndex(bar.speed_box.findData(30.0))
    bar.toggle_play()
    assert session.playing and "Pause" in bar.play_button.text()
    for _ in range(10):
        clock.now += 0.1
        win.refresh_now()  # the frame calls bar.on_frame() first
    assert session.cursor_ms == session.start_ms + 30_000
    clock.now += 60  # a stalled UI does not leap half an hour ahead
    bar.on_frame()
    assert session.cursor_ms == session.start_ms + 45_000
    bar.toggle_play()
    clock.now += 1
    bar.on_frame()
    assert session.cursor_ms == session.start_ms + 45_000 and "Play" in bar.play_button.text()


def test_scrubbing_coalesces_into_one_seek_per_frame(window, monkeypatch):
    win, bar, session, clock = window
    seeks = []
    real = session.seek
    monkeypatch.setattr(session, "seek", lambda ms: seeks.append(ms) or real(ms))
    track = bar.track
    for x in (50, 120, 200, 260):
        track.sig_scrubbed.emit(track.ms_at(x))
    assert seeks == []  # nothing loaded while the mouse is still moving
    bar.on_frame()
    assert seeks == [track.ms_at(260)] and session.cursor_ms == track.ms_at(260)
    assert bar.time_label.toolTip().endswith("UTC+8")


def test_steps_markers_and_keys(window, qtbot):
    win, bar, session, clock = window
    session.seek(session.start_ms + 60_000)
    bar.step(STEP_MS)
    assert session.cursor_ms == session.start_ms + 70_000
    bar.next_marker()
    # The next marker after the cursor (the recording is a drill: its start is a marker at start_ms).
    first = next(m for m in session.markers if m.ts > session.start_ms + 70_000)
    assert session.cursor_ms == first.ts
    bar.seek(session.end_ms)
    bar.previous_marker()
    assert session.cursor_ms == max(m.ts for m in session.markers if m.ts < session.end_ms)  # the drill ends at end_ms
    menu = bar.marker_menu()
    titles = [a.text() for a in menu.actions()]
    assert any(t.startswith("Alerts") for t in titles) and any(t.startswith("Plans") for t in titles)
    win.activateWindow()
    here = session.cursor_ms
    qtbot.keyClick(win, Qt.Key.Key_Left)
    assert session.cursor_ms == here - STEP_MS
    qtbot.keyClick(win, Qt.Key.Key_Home)
    assert session.cursor_ms == session.start_ms


def test_panels_show_the_state_at_the_cursor_and_refuse_actions(window, recording):
    win, bar, session, clock = window
    bar.seek(recording.executed_ms + 30_000)
    win.refresh_now()
    alerts, incidents, plans = (win.panels[k] for k in ("alerts", "incidents", "plans"))
    assert incidents.selected_incident().id == recording.incident_id
    assert not incidents.ack_button.isEnabled() and not incidents.owner_button.isEnabled()
    assert not incidents.note_button.isEnabled(), "this replay has no file to keep notes in"
    assert not plans.execute_button.isEnabled()
    assert "replay" in plans.execute_button.toolTip()
    assert alerts.model.rowCount() >= 0 and not alerts.ack_button.isEnabled()
    assert not bar.note_button.isEnabled(), "a read-only replay cannot keep notes"
    assert win.frame_level == "replay"
    bar.seek(recording.start_ms)
    win.refresh_now()
    assert incidents.selected_incident() is None, "before the outage there was no incident"


def test_replay_command_saves_a_snapshot_at_the_worst_moment(recording, tmp_path):
    out = tmp_path / "replay.png"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    proc = subprocess.run([sys.executable, "-m", "warroom.cli", "replay", str(recording.path), "--layout", "commander",
                           "--at", "worst", "--snapshot", str(out), "--size", "1600x900"],
                          capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1600, 900)
    colours = {image.pixel(x, y) for x in range(0, 1600, 16) for y in range(0, 900, 16)}
    assert len(colours) > 50, "a window with panels, not a blank picture"


def test_replay_command_errors_are_clear(tmp_path):
    bad = tmp_path / "notes.txt"
    bad.write_text("not a history")
    for path, words in ((tmp_path / "missing.duckdb", "no such file"), (bad, "not")):
        proc = subprocess.run([sys.executable, "-m", "warroom.cli", "replay", str(path), "--snapshot",
                               str(tmp_path / "x.png")], capture_output=True, text=True, timeout=60)
        assert proc.returncode == 2 and words in proc.stderr and "Traceback" not in proc.stderr, proc.stderr


def test_export_report_of_the_incident_at_the_cursor(window, recording, tmp_path):
    win, bar, session, clock = window
    bar.seek(recording.start_ms)
    assert bar.export("html", tmp_path / "none.html") is None and "No incident" in bar.last_message
    bar.seek(recording.executed_ms)
    assert session.incident_at_cursor() == recording.incident_id
    html = bar.export("html", tmp_path / "r.html")
    assert html is not None and recording.incident_id in html.read_text(encoding="utf-8")
    assert "Report written" in bar.last_message
    pdf = bar.export("pdf", tmp_path / "r.pdf")
    assert pdf is not None and pdf.read_bytes()[:5] == b"%PDF-"
    assert bar.export("html", tmp_path / "missing-folder" / "r.html") is None
    assert "Export failed" in bar.last_message, "an error is said, the replay goes on"


def test_an_unreadable_stretch_is_reported_and_playback_stops(window, monkeypatch):
    win, bar, session, clock = window

    def broken(start_ms, end_ms):
        raise OSError("Could not read enough bytes from file")

    monkeypatch.setattr(session.reader, "batch", broken)
    bar.toggle_play()
    clock.now += 0.1
    bar.on_frame()
    assert not session.playing and "Could not read enough bytes" in bar.last_message
    bar.seek(session.end_ms)  # a jump there fails too, and says so, without raising
    assert "Cannot read this part" in bar.last_message


def test_export_a_bundle_from_the_open_file_with_progress(qapp, recording, tmp_path, monkeypatch):
    import shutil

    from warroom.store import StoreWriter
    from warroom.store.bundle.check import validate_bundle

    copy = tmp_path / "history.duckdb"
    shutil.copy(recording.path, copy)
    writer = StoreWriter(copy)  # as the replay window holds a writable file: DuckDB allows no second open
    session = ReplaySession(writer.reader(), LiveView(), path=copy, record=writer.append_events)
    bar = ReplayBar(session)
    stages = []
    real_call = ProgressWindow.__call__
    monkeypatch.setattr(ProgressWindow, "__call__", lambda self, stage, f: (stages.append(stage),
                                                                           real_call(self, stage, f)))
    bar.seek(recording.executed_ms)
    out = bar.export("bundle", tmp_path / "incident.duckdb")
    assert out is not None and "Bundle written" in bar.last_message
    assert len(stages) >= 3, stages
    writer.close()
    info = validate_bundle(out)
    assert info.incident_id == recording.incident_id


# -- the time ruler, marker labels and replay titles ----------------------------------------------
def _advance(text: str) -> float:
    return 9.0 * len(text)  # a stand-in font: 9 px a character


def test_ruler_ticks_are_round_clock_times_as_many_as_fit():
    start = 1_731_292_200_000 + 7_000  # 10:30:07 UTC+8: the ruler starts at the next round time
    end = start + 15 * 60_000
    ticks = ruler_ticks(start, end, 800.0, _advance, gap_px=24.0)
    labelled = [t for t in ticks if t.label]
    assert [t.ms for t in ticks] == sorted(t.ms for t in ticks) and all(start <= t.ms <= end for t in ticks)
    step = labelled[1].ms - labelled[0].ms
    assert step in (60_000, 120_000), "15 minutes over 800 px: a label every minute or two"
    assert all((t.ms + 8 * 3_600_000) % step == 0 for t in labelled), "on round wall-clock times"
    assert all(len(t.label) == 5 and t.label[2] == ":" for t in labelled), "HH:MM"
    assert any(not t.label for t in ticks), "minor ticks between the labels"
    # Labels never crowd: the space between two is at least a label and the gap.
    px_per_ms = 800.0 / (end - start)
    assert step * px_per_ms >= _advance("88:88") + 24.0
    narrow = [t for t in ruler_ticks(start, end, 200.0, _advance) if t.label]
    assert 1 <= len(narrow) < len(labelled), "a narrower bar: fewer, wider-spaced labels"
    day = [t for t in ruler_ticks(start, start + 86_400_000, 800.0, _advance) if t.label]
    assert day[1].ms - day[0].ms >= 3_600_000 and len(day) <= 800 // (_advance("88:88") + 24)
    assert any(t.label == "11-12" for t in day), "midnight on an hours ruler shows the day"
    short = [t for t in ruler_ticks(start, start + 60_000, 800.0, _advance) if t.label]
    assert all(t.label.count(":") == 2 for t in short), "a minute's span shows seconds"


def test_marker_labels_are_short_and_never_overlap(window):
    win, bar, session, clock = window
    bar.resize(1600, bar.sizeHint().height())  # as wide as the window's bottom toolbar would make it
    win.refresh_now()
    labels = bar.track.labels()
    texts = [text for _, _, text in labels]
    # The drill's failover restores what users feel while ICBC itself still fails: mitigated.
    assert "P1 opened" in texts and "Mitigated" in texts, texts
    assert any(m.kind == "plan" for m, _, _ in labels), "the plan run is labelled"
    width = bar.track.width()
    for i, (_, a, _) in enumerate(labels):
        assert 0 <= a.left() and a.right() <= width
        for _, b, _ in labels[i + 1:]:
            assert not a.intersects(b), "labels must not overlap"
    # Hovering a label reads the marker in full.
    m, box, text = labels[0]
    assert bar.track.marker_at(box.center()) is m
    tip = marker_tooltip(m)
    assert m.label in tip and format_cursor(m.ts) in tip


def test_crowded_markers_keep_the_incident_turning_points():
    base = 1_731_292_200_000
    marks = [Marker(base + i * 1_000, "alert", f"alert {i}", Severity.P3, f"svc-{i}") for i in range(40)]
    marks += [Marker(base + 20_500, "incident", "ICBC gateway down", Severity.P1, "INC-1", "opened"),
              Marker(base + 21_000, "plan", "Plan effective: Fail over ICBC gateway", subject="p", action="effective"),
              Marker(base + 21_000, "plan", "Plan in force: Fail over ICBC gateway", subject="p", action="executed"),
              Marker(base + 39_000, "incident", "ICBC gateway down", Severity.P1, "INC-1", "mitigated")]
    placed = place_labels(marks, lambda ms: (ms - base) * 0.01, _advance, 0.0, 400.0, gap_px=8.0)
    texts = [text for *_, text, _row in placed]
    assert {"P1 opened", "Mitigated", "Plan effective"} <= set(texts)
    assert "Plan in force" not in texts, "the outcome wins over a step at the same moment"
    for i, (_, a0, a1, _, ra) in enumerate(placed):
        assert 0.0 <= a0 and a1 <= 400.0
        for _, b0, b1, _, rb in placed[i + 1:]:
            assert ra != rb or a1 + 8.0 <= b0 or b1 + 8.0 <= a0, "same row, no overlap"
    assert len(placed) < len(marks), "what does not fit is left to the tooltip"


def test_replay_names_its_panels_as_replay(recording, monkeypatch):
    from warroom.ui import app as ui_app
    from warroom.ui.replay import replay_app
    from warroom.ui.replay.replay_app import ReplayOptions, run_replay

    seen: dict[str, str] = {}

    def grab(app, win, out):
        seen.update({pid: dock.windowTitle() for pid, dock in win.docks.items()})
        win.close()
        return 0

    monkeypatch.setattr(replay_app, "_snapshot", grab)
    # Placement (screens, wall scale) is not what this is about: a plain size, no window-wide filters.
    monkeypatch.setattr(ui_app, "_place", lambda app, win, opts: win.resize(*opts.size))
    assert run_replay(ReplayOptions(recording.path, layout="engineer", size=(1600, 900), read_only=True,
                                    snapshot_out=recording.path.with_suffix(".png"), settings=False)) == 0
    assert seen and all("(replay)" in title for title in seen.values()), seen
    assert not any("Live" in title for title in seen.values()), seen
    charts = [title for pid, title in seen.items() if pid.startswith("chart")]
    assert charts and all(title == "Charts (replay)" for title in charts)
