"""The wall check: every layout, rendered offscreen from a simulator at each wall size,
shows every KPI number, cuts no text, keeps type in proportion to the screen and never asks
for more room than the screen has (issue 13). One window per layout, resized through the sizes.

The wall (command-centre in wall mode, as it runs full screen) may elide nothing; the desks
(commander, engineer, and command-centre in a window) may elide what a tooltip holds whole,
and may scroll; no layout may cut text."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QSize  # noqa: E402
from PySide6.QtGui import QStandardItem, QStandardItemModel  # noqa: E402
from PySide6.QtWidgets import QApplication, QLabel, QTableView, QVBoxLayout, QWidget  # noqa: E402

from tests.app.drill import Drill  # noqa: E402
from tests.ui.wall.wall_check import cut_text, smallest_text_px, too_big, unpainted_tiles  # noqa: E402
from warroom.core.settings.layouts import load_layout  # noqa: E402
from warroom.protocol import TopologySnapshot  # noqa: E402
from warroom.store.live import LiveView  # noqa: E402
from warroom.ui import theme  # noqa: E402
from warroom.ui.wall import wall_scale  # noqa: E402
from warroom.ui.main_window import WALL_LAYOUTS, MainWindow  # noqa: E402
from warroom.ui.wall.screens import show_scaled  # noqa: E402

LAYOUTS = ("command-centre", "commander", "engineer", "business")
REFERENCE = (1920, 1080)  # the size the panels are designed at: first, the others are compared to it
SIZES = (REFERENCE, (1366, 768), (1600, 900), (2560, 1440), (3840, 2160), (7680, 2160))
#: The smallest text may be this much smaller, against the window's height, than at 1080p
#: (the scale is rounded to 1/20, and fonts to whole pixels).
PROPORTION_SLACK = 0.85


@pytest.fixture(scope="module")
def feed() -> Drill:
    """Busy-hour traffic, then a bank outage watched by the alert rules: alerts, an open
    incident (its detail, with its buttons, is the widest thing on a desk) and red numbers."""
    view = LiveView()
    drill = Drill(view=view)
    view.apply(TopologySnapshot(drill.now_ms, drill.sim.topology))
    view.apply(drill.sim.catalogue())
    drill.run(60)
    drill.sim.inject_fault("dependency_outage", "bank-icbc")
    drill.run(90)
    assert drill.watch.book.incidents(live_only=True), "the outage opens an incident"
    view.set_feed("live", "live from the simulator", "ws://127.0.0.1:8765", now_ms=view.newest_ms, speed=1)
    return drill


@pytest.fixture
def open_window(qtbot):
    """Opens a layout's window with a wall scaler; restores the 1080p scale afterwards."""
    opened: list[MainWindow] = []

    def make(name: str, fixed: float | None = None,
             direct: tuple[int, int] | None = None) -> tuple[MainWindow, wall_scale.WallScaler]:
        """``direct``: open at that size as the console does (``show_scaled``), not at 1080p."""
        layout = load_layout(name)
        theme.set_wall_scale(1.0)
        theme.apply(theme.THEMES.get(layout.theme, theme.DARK), layout.font_pt)
        win = MainWindow(feed_view[0], layout)
        qtbot.addWidget(win)
        opened.append(win)
        if direct is not None:
            with qtbot.waitExposed(win):
                scaler = show_scaled(win, None, size=direct, scale=fixed)
            return win, scaler
        win.resize(*REFERENCE)
        with qtbot.waitExposed(win):
            win.show()
        return win, wall_scale.attach(win, fixed)

    feed_view: list = []
    yield make, feed_view
    for win in opened:
        win._timer.stop()
        win.close()
    theme.set_wall_scale(1.0)
    theme.apply(theme.DARK, 11.0)


def show_at(win: MainWindow, scaler: wall_scale.WallScaler, size: tuple[int, int]) -> None:
    win.resize(*size)
    QApplication.processEvents()
    scaler.update_now()  # what the scaler's timer does once the window stops changing size
    # The old scale's minimum sizes may have held the window bigger than asked; with the new
    # scale's it fits, and a window manager asks again (a maximised window, a new screen).
    for _ in range(3):
        if (win.width(), win.height()) == size:
            break
        win.resize(*size)
        QApplication.processEvents()
    for _ in range(3):  # panels re-measure on resize, which may move the docks once more
        win.refresh_now()
        QApplication.processEvents()


def wall_problems(win: MainWindow, scaler: wall_scale.WallScaler, sizes=SIZES, wall: bool = True) -> list[str]:
    """Everything wrong with the window at each size, each line prefixed with the size.

    ``wall``: no text may be elided and every row of the wall's lists must show (a desk's may
    scroll, and elide what its tooltips hold). No text may be cut on either."""
    problems, reference = [], None
    for w, h in sizes:
        show_at(win, scaler, (w, h))
        found = [] if (win.width(), win.height()) == (w, h) else [f"window is {win.width()}x{win.height()}"]
        found += unpainted_tiles(win) + too_big(win, QSize(w, h))
        found += cut_text(win, all_rows=wall, desk=not wall)
        px, where = smallest_text_px(win)
        if reference is None:
            reference = px / h
        elif px / h < reference * PROPORTION_SLACK:
            found.append(f"smallest text ({where}) is {px:.0f} px, {px / h:.2%} of the height; "
                         f"{reference:.2%} at 1080p")
        problems += [f"{w}x{h}: {p}" for p in found]
    return problems


@pytest.mark.parametrize("name", LAYOUTS)
def test_the_wall_reads_at_every_size(open_window, feed, name):
    make, feed_view = open_window
    feed_view.append(feed.view)
    win, scaler = make(name)
    wall = name in WALL_LAYOUTS
    win.set_wall_mode(wall)  # the command centre runs full screen: wall mode
    problems = wall_problems(win, scaler, wall=wall)
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("name", LAYOUTS)
def test_each_layout_opened_directly_at_the_smallest_size_fits_its_screen(open_window, feed, name):
    # Opened at 1366x768 (``warroom console --size 1366x768``), not shrunk from 1080p: the
    # engineer desk opened 1383 px wide, held there by the incident's row of buttons at
    # 1080p sizes, its chart squeezed until the legend overlapped.
    make, feed_view = open_window
    feed_view.append(feed.view)
    smallest = SIZES[1]
    win, _ = make(name, direct=smallest)
    for _ in range(3):  # panels re-measure on their first frames
        win.refresh_now()
        QApplication.processEvents()
    hint = win.minimumSizeHint()
    assert (win.width(), win.height()) == smallest
    assert hint.width() <= smallest[0] and hint.height() <= smallest[1], hint
    assert too_big(win, QSize(*smallest)) == []
    assert cut_text(win, all_rows=False, desk=True) == []
    assert unpainted_tiles(win) == []


def test_the_command_centre_in_a_window_cuts_nothing(open_window, feed):
    # The demo's window: dock titles, filters and counters back, at the laptop sizes.
    make, feed_view = open_window
    feed_view.append(feed.view)
    win, scaler = make("command-centre")
    assert not win.wall_mode
    assert wall_problems(win, scaler, sizes=(REFERENCE, (1366, 768), (1600, 900)), wall=False) == []


def test_the_check_tells_eliding_from_cutting(qtbot):
    """A desk may elide what its tooltip holds; a wall may not; nobody may cut text."""
    root = QWidget()
    qtbot.addWidget(root)
    box = QVBoxLayout(root)
    elided = QLabel("QR-code pa…", root)
    elided.setProperty("full_text", "QR-code payment")
    elided.setToolTip("QR-code payment")
    wrapped = QLabel("a feed reason long enough to wrap over several lines of a narrow dock", root)
    wrapped.setWordWrap(True)
    wrapped.setFixedSize(120, wrapped.fontMetrics().height())  # one line shown, half the text cut
    model = QStandardItemModel(2, 1, root)
    tipped, bare = QStandardItem("Fault injected: dependency_outage on bank-icbc"), QStandardItem("x" * 80)
    tipped.setToolTip(tipped.text())
    model.setItem(0, 0, tipped)
    model.setItem(1, 0, bare)
    table = QTableView(root)
    table.setModel(model)
    table.setColumnWidth(0, 60)
    for w in (elided, wrapped, table):
        box.addWidget(w)
    root.resize(400, 300)
    root.show()
    qtbot.waitExposed(root)
    wall, desk = cut_text(root), cut_text(root, all_rows=False, desk=True)
    assert any("elided 'QR-code pa…'" in p for p in wall) and not any("QR-code" in p for p in desk)
    assert all(any("feed reason" in p and "needs" in p for p in found) for found in (wall, desk))
    assert all(any("cell 1,0" in p for p in found) for found in (wall, desk))  # no tooltip: cut
    assert any("cell 0,0" in p for p in wall) and not any("cell 0,0" in p for p in desk)


def test_the_check_catches_a_wall_that_does_not_scale(open_window, feed):
    # The walls, drawn at 1080p sizes whatever the window (--scale 1): at 4K
    # everything but the map and the tiles half as big; at 1600x900 names that do not fit.
    make, feed_view = open_window
    feed_view.append(feed.view)
    win, scaler = make("command-centre", fixed=1.0)
    problems = wall_problems(win, scaler, sizes=(REFERENCE, (1600, 900), (3840, 2160)))
    assert any(p.startswith("3840x2160: smallest text") for p in problems), problems
    assert any(p.startswith("1600x900: dock_scenarios") and "does not fit" in p for p in problems), problems


@pytest.mark.parametrize("name", ("commander", "engineer"))
def test_the_desk_tools_opened_on_a_laptop_screen_keep_the_window_on_it(open_window, feed, name):
    # The live inspector and the series catalogue open as docks of their own (Ctrl+Shift+I/L):
    # their tables and panes must squeeze into the desk's right side, never grow the window past
    # the screen (the inspector's first picture came out 1600x994 on a 1600x900 screen).
    make, feed_view = open_window
    feed_view.append(feed.view)
    smallest = SIZES[1]
    win, _ = make(name, direct=smallest)
    for kind in ("inspector", "catalogue"):
        assert win.open_panel(kind) is not None
    for _ in range(3):
        win.refresh_now()
        QApplication.processEvents()
    hint = win.minimumSizeHint()
    assert hint.width() <= smallest[0] and hint.height() <= smallest[1], hint
    assert (win.width(), win.height()) == smallest
    assert too_big(win, QSize(*smallest)) == []
