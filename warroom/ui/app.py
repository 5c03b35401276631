"""Start the console: Qt application, theme, translation, window, feed session, qasync loop.

``run_console(options)`` is what ``warroom console``, ``warroom demo`` and ``warroom
snapshot`` call. The asyncio loop runs inside Qt through qasync: networking, decoding and
store writes never block the UI thread (decoding is cheap per frame; DuckDB writes happen
on the store's own thread), and panels repaint on the window's frame timer.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Awaitable, Callable

from warroom.core.settings.paths import APP_ID, resource_dir

log = logging.getLogger(__name__)

I18N_DIR = resource_dir() / "i18n"


@dataclass
class ConsoleOptions:
    """Everything the console needs to start."""

    url: str | None = None  # None: start the simulator in-process (demo)
    layout: str = "command-centre"
    screen: int | None = None
    fullscreen: bool = False
    lang: str | None = None  # "en", "zh_CN"; None: the system locale
    theme: str | None = None  # "dark", "light"; None: the layout's
    db: Path | None = None
    size: tuple[int, int] | None = None
    scale: float | None = None  # the wall scale; None: from the window's size (warroom.ui.wall.wall_scale)
    sim_feed: Any = None  # a SimFeed to serve in-process (demo, snapshot)
    sim_port: int = 0  # the loopback port to serve it on (0: a free one)
    on_served: Callable[[str], None] | None = None  # told the simulator feed's address (demo prints it)
    snapshot_after_ms: int | None = None  # snapshot: simulated time to wait before the grab
    snapshot_out: Path | None = None
    snapshot_timeout_s: float = 120.0
    on_ready: Callable[[Any], Awaitable[None] | None] | None = None  # tests: called with the window
    settings: bool = True  # restore/save window state with QSettings
    rules: Path | None = None  # alert rules (None: the shipped default rules)
    notify: Path | None = None  # notification channels (None: no notifications)
    user: str = ""  # who acts from this console (acknowledge, notes); default: the login name
    store: dict = field(default_factory=dict)  # StoreWriter options: memory_limit_mb, retention_days, retention_max_mb
    wall: bool = False  # wall mode (full screen unless a size is given): no dock bars, no desk controls
    rotate: str | None = None  # kiosk playlist, "command-centre:60s,commander:30s" (warroom.app.kiosk)
    follow_incident: str | None = None  # the layout an open incident brings to the wall (None: stay)
    patrol_every_h: float = 0.0  # robot patrol every so many hours (0: off; warroom.ui.patrol)
    extra: dict = field(default_factory=dict)


def choose_language(lang: str | None) -> str:
    """``en`` or ``zh_CN``: the one asked for, else the system locale's."""
    if lang:
        return "zh_CN" if lang.lower().replace("-", "_") in ("zh", "zh_cn", "zh_hans", "cn") else "en"
    from PySide6.QtCore import QLocale

    return "zh_CN" if QLocale.system().name().startswith("zh") else "en"


def install_translation(app, lang: str) -> bool:
    """Load our translation (and Qt's own) for ``lang``; True if ours was found."""
    from PySide6.QtCore import QLibraryInfo, QTranslator

    from warroom.core.language.lang import set_language

    set_language(lang)  # the feed's names (titles per language) follow the UI's language
    if lang == "en":
        return True
    if getattr(app, "_warroom_lang", None) == lang:
        return True  # installed already (the start dialog came first): twice would only cost time
    ours = QTranslator(app)
    found = ours.load(str(I18N_DIR / f"warroom_{lang}.qm"))
    if found:
        app.installTranslator(ours)
    else:
        log.warning("no translation for %s in %s", lang, I18N_DIR)
    qt = QTranslator(app)
    if qt.load(f"qtbase_{lang}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt)
    app._warroom_translators = (ours, qt)  # keep them alive
    app._warroom_lang = lang
    return found


def set_app_icon(app) -> bool:
    """Give every window the Warroom icon (``resources/icons``); False if none was found."""
    from PySide6.QtGui import QIcon

    icon = QIcon()
    icons = resource_dir() / "icons"
    for png in sorted(icons.glob("hicolor/*/apps/*.png")):
        icon.addFile(str(png))
    if icon.isNull():
        log.warning("no application icon in %s", icons)
        return False
    app.setWindowIcon(icon)
    return True


def init_app(lang: str | None, theme_name: str | None, layout):
    """The QApplication, named, with icon, translation and theme (the layout's unless ``theme_name``)."""
    from PySide6.QtWidgets import QApplication

    from warroom.ui import theme

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Warroom")
    app.setOrganizationName("warroom")
    app.setDesktopFileName(APP_ID)  # Wayland/X11 match the window to packaging/linux/*.desktop
    set_app_icon(app)
    install_translation(app, choose_language(lang))
    theme.apply(theme.THEMES.get(theme_name or layout.theme, theme.DARK), layout.font_pt)
    collect_garbage_on_gui_thread(app)
    return app


def collect_garbage_on_gui_thread(app) -> None:
    """Collect Python's cyclic garbage on the GUI thread only (once per app).

    The console runs threads (the history writer, history reads, notifiers): an automatic
    collection starts in whichever thread allocates at the wrong moment, and a Qt object
    freed there crashes the process (a segfault "Garbage-collecting" in the writer thread).
    pyqtgraph's ``GarbageCollector`` turns automatic collection off and collects on a timer
    of the GUI thread instead, with the same generation thresholds."""
    if getattr(app, "_warroom_gc", None) is None:
        from pyqtgraph.util.garbage_collector import GarbageCollector

        app._warroom_gc = GarbageCollector(interval=1.0)


def ask_start(url: str = "", problem=None, lang: str | None = None, theme_name: str | None = None,
              config_path: Path | None = None):
    """First start: show the start dialog (``warroom.ui.start.start_dialog``) and return the
    ``StartChoice`` made, or None when it was closed. ``url``/``problem``: an address given
    that cannot work, shown with its reason."""
    from types import SimpleNamespace

    from warroom.ui.start.start_dialog import StartDialog

    app = init_app(lang, theme_name, SimpleNamespace(theme="dark", font_pt=11.0))
    app.setQuitOnLastWindowClosed(False)  # closing the dialog must not end the console that follows
    dialog = StartDialog(url, problem, config_path)
    dialog.exec()
    choice = dialog.choice
    dialog.deleteLater()
    return choice


def run_console(opts: ConsoleOptions) -> int:
    """Run the console until its window closes (or the snapshot is taken). Returns an exit status."""
    if opts.snapshot_out is not None and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import qasync
    from PySide6.QtCore import QSettings
    from warroom.core.settings.layouts import load_layout
    from warroom.core.settings.paths import new_recording_path
    from warroom.app.session import FeedSession
    from warroom.app.watch import build_watch
    from warroom.store import StoreWriter
    from warroom.store.live import LiveView

    kiosk = kiosk_plan(opts)  # a bad playlist or layout: LayoutError, before anything opens
    layout = load_layout(kiosk[0][0].layout if kiosk else opts.layout)  # LayoutError is the caller's to print
    app = init_app(opts.lang, opts.theme, layout)

    db = opts.db or new_recording_path("console")
    db.parent.mkdir(parents=True, exist_ok=True)
    writer = StoreWriter(db, **opts.store)  # opened before the loop runs: opening a file may take a while
    view = LiveView()
    exit_code = 0

    async def main() -> None:
        nonlocal exit_code
        sim_thread = None
        url = opts.url
        if opts.sim_feed is not None:
            from warroom.sim.thread import SimFeedThread

            sim_thread = SimFeedThread(opts.sim_feed, port=opts.sim_port)  # off the UI thread: ticking costs ms
            try:
                url = await asyncio.to_thread(sim_thread.start)
            except OSError as exc:  # --port taken: say so before any window opens
                import errno

                why = ("the port is in use (choose another with --port, or 0 for a free one)"
                       if exc.errno == errno.EADDRINUSE else exc.strerror or str(exc))
                print(f"warroom: cannot serve the demo feed on 127.0.0.1:{opts.sim_port}: {why}", file=sys.stderr)
                exit_code = 2
                return
            if opts.on_served is not None:
                opts.on_served(url)
        watch, notifier = build_watch(opts.rules, opts.notify, opts.user)
        if watch.rules_error:
            print(f"warroom: {watch.rules_error}", file=sys.stderr)
        session = FeedSession(url, view, writer, watch=watch)
        settings = QSettings("warroom", "warroom") if opts.settings and opts.snapshot_out is None else None
        win = _make_window(view, layout, opts, kiosk, before_frame=session.sync_clock, settings=settings)
        _place(app, win, opts)
        if os.environ.get("WARROOM_STARTUP_PROBE"):  # bench/startup.py: report the first painted frame
            from warroom.ui.start import startup_probe

            startup_probe.install(app, win, os.environ["WARROOM_STARTUP_PROBE"])
        # What exists now lives as long as the console: out of the collector's sight, a full
        # collection (tens of ms on the UI thread, at a moment of its choosing) stays short.
        gc.collect()
        gc.freeze()
        session_task = asyncio.create_task(session.run(), name="feed-session")
        patrol_task = None
        if opts.patrol_every_h > 0:
            from warroom.ui.patrol import console_patrols

            patrol_task = asyncio.create_task(console_patrols(view, session, writer, opts).run(), name="patrol")
        closed = asyncio.Event()
        # Closing the window (or Ctrl+C) ends main() while the loop still runs, so the
        # session, the simulator and the store are shut down in order, not abandoned.
        win.sig_window_closed.connect(closed.set)
        app.aboutToQuit.connect(closed.set)
        previous_sigint = signal.signal(signal.SIGINT, lambda *_: win.close())
        try:
            if opts.on_ready is not None:
                res = opts.on_ready(win)
                if asyncio.iscoroutine(res):
                    await res
            if opts.snapshot_out is not None:
                exit_code = await _snapshot(win, view, opts)
            else:
                await closed.wait()
        finally:
            signal.signal(signal.SIGINT, previous_sigint)
            win.save_settings()
            await session.stop()
            session_task.cancel()
            if patrol_task is not None:
                patrol_task.cancel()
            if notifier is not None:
                await notifier.close(timeout=5)
            if sim_thread is not None:
                await asyncio.to_thread(sim_thread.stop)
            await asyncio.to_thread(writer.close)
            win.close()
            gc.unfreeze()  # the window's objects may be collected again (tests run consoles in turn)

    app.setQuitOnLastWindowClosed(False)  # main() ends the loop, after cleaning up
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        with contextlib.suppress(asyncio.CancelledError):
            loop.run_until_complete(main())
    return exit_code


def kiosk_plan(opts: ConsoleOptions):
    """``(stops, follow)`` when the options ask for a rotation (``--rotate``) or for following
    incidents (``--follow-incident``), else None. Every layout named is loaded once here, so a
    typo stops the start with ``LayoutError`` naming it, before any window opens."""
    if not (opts.rotate or opts.follow_incident):
        return None
    from warroom.app.kiosk import Stop, parse_rotation
    from warroom.core.settings.layouts import LayoutError, load_layout

    try:
        stops = parse_rotation(opts.rotate) if opts.rotate else (Stop(opts.layout),)
    except ValueError as exc:
        raise LayoutError(f"--rotate: {exc}") from None
    follow = opts.follow_incident or None
    for name in dict.fromkeys([*(s.layout for s in stops), *([follow] if follow else [])]):
        load_layout(name)
    return stops, follow


def _make_window(view, layout, opts: ConsoleOptions, kiosk=None, **kw):
    """A ``MainWindow`` on ``layout``, or a ``KioskWindow`` for a ``kiosk_plan``; in wall mode if asked."""
    if kiosk:
        from warroom.ui.wall.kiosk import KioskWindow

        win = KioskWindow(view, kiosk[0], kiosk[1], **kw)
    else:
        from warroom.ui.main_window import MainWindow

        win = MainWindow(view, layout, **kw)
    win.set_wall_mode(opts.wall)
    return win


def _place(app, win, opts: ConsoleOptions) -> None:
    """Size the window and put it on the chosen screen (see ``warroom.ui.wall.screens``)."""
    from warroom.ui.wall.screens import choose_screen, show_scaled

    screens = app.screens()
    primary = screens.index(app.primaryScreen()) if app.primaryScreen() in screens else 0
    index, warning = choose_screen(screens, opts.screen, primary)
    if warning:
        print(warning, file=sys.stderr)
    # Type and spacing follow the window, from before it first shows (see show_scaled).
    win._wall_scaler = show_scaled(win, screens[index] if index is not None else None, size=opts.size,
                                   fullscreen=opts.fullscreen or (opts.wall and opts.size is None),
                                   keep_geometry=win.geometry_restored, scale=getattr(opts, "scale", None))


async def _snapshot(win, view, opts: ConsoleOptions) -> int:
    """Wait until ``snapshot_after_ms`` of simulated data arrived, then save the window as PNG."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + opts.snapshot_timeout_s
    first: int | None = None
    while True:
        if view.newest_ms is not None:
            first = first if first is not None else view.newest_ms
            if view.newest_ms - first >= (opts.snapshot_after_ms or 0):
                break
        if loop.time() > deadline:
            print(f"warroom snapshot: no data after {opts.snapshot_timeout_s:.0f} s", file=sys.stderr)
            return 1
        await asyncio.sleep(0.05)
    win.refresh_now()
    await asyncio.sleep(0.2)  # let Qt lay out and paint what the refresh changed
    win.refresh_now()
    pixmap = win.grab()
    opts.snapshot_out.parent.mkdir(parents=True, exist_ok=True)
    if not pixmap.save(str(opts.snapshot_out)):
        print(f"warroom snapshot: cannot write {opts.snapshot_out}", file=sys.stderr)
        return 1
    print(f"saved {opts.snapshot_out} ({pixmap.width()}x{pixmap.height()})")
    return 0
