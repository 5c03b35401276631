"""Start the console on a recorded history or an incident bundle: ``warroom replay FILE``.

The window is the live console's (same layout, same panels) over a ``LiveView`` that a
``ReplaySession`` fills at the cursor, with the time bar at the bottom, the frame around the
panels in the accent colour and every dock titled as a replay's ("Charts (replay)"): nobody
should mistake a replay for the live wall.
No feed, no network, no asyncio loop: everything comes from the one file.
"""

from __future__ import annotations

import logging
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from warroom.core.settings.layouts import Layout

log = logging.getLogger(__name__)


@dataclass
class ReplayOptions:
    """Everything a replay needs to start."""

    path: Path
    layout: str = "command-centre"
    screen: int | None = None
    fullscreen: bool = False
    lang: str | None = None
    theme: str | None = None
    size: tuple[int, int] | None = None
    scale: float | None = None  # the wall scale; None: from the window's size
    wall: bool = False  # ``ui.app._place`` reads it: a replay is a desk tool, never wall mode
    at: str | None = None  # where the cursor starts (see ``warroom.app.replay.parse_cursor``)
    incident: str | None = None  # start at this incident
    speed: float = 10.0
    play: bool = False
    user: str = ""
    read_only: bool = False  # never write to the file (no review notes)
    snapshot_out: Path | None = None  # save the window at the cursor as PNG and quit
    settings: bool = True


class ReplayOpenError(RuntimeError):
    """The file cannot be replayed (missing, corrupt, not a Warroom history); the message says why."""


def chart_span_ms(layout: Layout, default_ms: int) -> int:
    """The widest time window the layout's charts draw: what a jump must load behind the cursor."""
    spans = [default_ms]
    for spec in (layout.central, *layout.docks):
        window = (spec.state or {}).get("window_s")
        if isinstance(window, (int, float)) and window > 0:
            spans.append(int(window * 1000))
    return max(spans)


def open_history(path: Path, read_only: bool, progress=None):
    """``(reader, writer or None, why_read_only)`` for a store or bundle; ``ReplayOpenError`` if unusable.

    Every file gets the cheap header checks; a bundle is validated whole (checksummed
    blocks, counts against its manifest) — a long history is not, and damage found while
    replaying it is reported when it is met. The file
    is opened for writing when it can be, so review notes are kept with it; a file in use
    elsewhere or on a read-only disk is replayed read-only instead.
    """
    import duckdb

    from warroom.store import HistoryReader, StoreWriter
    from warroom.store.writer import READ_MEMORY_LIMIT_MB
    from warroom.store.bundle import BundleError
    from warroom.store.bundle.check import check_file, is_bundle, validate_bundle
    from warroom.store.schema import SchemaError

    if not path.is_file():
        raise ReplayOpenError(f"{path}: no such file")
    try:
        check_file(path)  # any file: empty, not DuckDB, shorter than its header says
        if is_bundle(path):
            validate_bundle(path, progress=progress)
    except BundleError as exc:
        raise ReplayOpenError(str(exc)) from None
    why = "opened read-only (--read-only)" if read_only else ""
    if not read_only:
        try:
            writer = StoreWriter(path, memory_limit_mb=READ_MEMORY_LIMIT_MB)  # a replay reads: a bigger cache
            return writer.reader(), writer, ""
        except SchemaError as exc:
            raise ReplayOpenError(f"{path}: {exc}") from None
        except (duckdb.Error, OSError) as exc:
            why = f"read-only: {_short(exc)}"
    try:
        return HistoryReader(path), None, why
    except SchemaError as exc:
        raise ReplayOpenError(f"{path}: {exc}") from None
    except duckdb.Error as exc:
        if "lock" in str(exc).lower():
            raise ReplayOpenError(f"{path} is in use by a running console or recorder: stop it, or replay a copy "
                                  "of the file") from None
        raise ReplayOpenError(f"{path}: not a readable Warroom history ({_short(exc)})") from None


def _short(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__


def run_replay(opts: ReplayOptions) -> int:
    """Run the replay window until it closes (or the snapshot is saved). Returns an exit status."""
    import os

    if opts.snapshot_out is not None and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import duckdb
    from PySide6.QtCore import QCoreApplication, QSettings, Qt
    from PySide6.QtWidgets import QToolBar

    from warroom.core.settings.layouts import load_layout
    from warroom.app.replay import DEFAULT_SPAN_MS, ReplaySession
    from warroom.app.replay_marks import parse_cursor
    from warroom.store.live import LiveView
    from warroom.ui.app import _place, choose_language, init_app
    from warroom.ui.main_window import MainWindow
    from warroom.ui.replay.replay_bar import ReplayBar

    layout = load_layout(opts.layout)  # LayoutError is the caller's to print
    app = init_app(opts.lang, opts.theme, layout)
    if opts.snapshot_out is not None:
        from warroom.store.bundle.text import TextProgress

        # A bar on a terminal; nothing on a pipe, where the lines would only precede the result.
        progress = TextProgress(sys.stderr, "checking bundle") if sys.stderr.isatty() else None
        try:
            reader, writer, why = open_history(opts.path, True, progress=progress)
        finally:
            if progress is not None:
                progress.close()
    else:
        from warroom.ui.progress import ProgressWindow

        with ProgressWindow(QCoreApplication.translate("ReplayBar", "Checking the bundle")) as progress:
            reader, writer, why = open_history(opts.path, opts.read_only, progress=progress)
    if why and opts.snapshot_out is None:
        print(f"warroom replay: {why}; review notes are off", file=sys.stderr)
    try:
        view = LiveView()
        try:
            session = ReplaySession(reader, view, path=opts.path, user=opts.user,
                                    record=writer.append_events if writer is not None else None,
                                    span_ms=chart_span_ms(layout, DEFAULT_SPAN_MS))
        except duckdb.Error as exc:  # a damaged history (not a bundle: those are checked whole first)
            raise ReplayOpenError(f"{opts.path}: cannot be read, the file is damaged ({_short(exc)})") from None
        session.speed = opts.speed
        session.seek(parse_cursor(opts.at, session, incident=opts.incident, worst=_worst_of(session)))
        settings = QSettings("warroom", "warroom-replay") if opts.settings and opts.snapshot_out is None else None
        bar_holder: list[ReplayBar] = []
        win = MainWindow(view, layout, before_frame=lambda: bar_holder[0].on_frame() if bar_holder else None,
                         settings=settings)
        win.setWindowTitle(QCoreApplication.translate("MainWindow", "Warroom") + " — "
                           + QCoreApplication.translate("ReplayBar", "REPLAY") + f" — {opts.path.name}")
        name_as_replay(win)
        bar = ReplayBar(session, win)
        bar.report_lang = choose_language(opts.lang)
        bar_holder.append(bar)
        toolbar = QToolBar(QCoreApplication.translate("ReplayBar", "Replay"), win)
        toolbar.setObjectName("replay_toolbar")
        toolbar.setMovable(False)
        toolbar.addWidget(bar)
        win.addToolBar(Qt.ToolBarArea.BottomToolBarArea, toolbar)
        _place(app, win, opts)  # type: ignore[arg-type] - the same size/screen/fullscreen fields
        session.playing = opts.play
        if opts.snapshot_out is not None:
            return _snapshot(app, win, opts.snapshot_out)
        app.setQuitOnLastWindowClosed(True)
        app.exec()
        win.save_settings()
        return 0
    finally:
        if writer is not None:
            writer.close()
        else:
            reader.close()


def name_as_replay(win) -> None:
    """Title every dock of ``win`` as a replay's ("Charts (replay)", not "Live charts")."""
    from warroom.ui.panels.registry import replay_title

    for panel_id, dock in win.docks.items():
        dock.setWindowTitle(replay_title(win.panels[panel_id]))


def _worst_of(session):
    """``incident id -> worst moment`` over the session's history (the report's definition)."""

    def worst(incident_id: str) -> int:
        from warroom.core.incident.incidents import IncidentBook
        from warroom.report.worst import worst_moment

        events = session.events()
        return worst_moment(session.reader, IncidentBook.replay(events).incident(incident_id), events)

    return worst


def _snapshot(app, win, out: Path) -> int:
    """Refresh every panel at the cursor, let Qt lay out and paint, save the window as PNG."""
    win.refresh_now()
    deadline = time.monotonic() + 0.4
    while time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.02)
    win.refresh_now()
    app.processEvents()
    pixmap = win.grab()
    out.parent.mkdir(parents=True, exist_ok=True)
    if not pixmap.save(str(out)):
        print(f"warroom replay: cannot write {out}", file=sys.stderr)
        return 1
    print(f"saved {out} ({pixmap.width()}x{pixmap.height()})")
    win.close()
    return 0
