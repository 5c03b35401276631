"""``--screen N``: which screen is chosen (fake screen lists), where the window goes on a
real screen (offscreen), and, under an Xvfb with two X screens, that ``warroom console
--screen 1`` really opens on the second one while an out-of-range N warns and opens on
the first instead of crashing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QRect, QSize  # noqa: E402
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget  # noqa: E402

from warroom.core.settings.wall import scale_for  # noqa: E402
from warroom.ui import theme  # noqa: E402
from warroom.ui.wall.screens import (  # noqa: E402
    FIRST_START_SIZE, choose_screen, describe, fitting_size, place_window, show_scaled,
)

ROOT = Path(__file__).resolve().parents[3]


class FakeScreen:
    def __init__(self, name: str, x: int, y: int, w: int, h: int) -> None:
        self._name, self._geo = name, QRect(x, y, w, h)

    def name(self) -> str:
        return self._name

    def geometry(self) -> QRect:
        return self._geo


WALL = [FakeScreen("DP-1", 0, 0, 1920, 1080), FakeScreen("DP-2", 1920, 0, 1920, 1080),
        FakeScreen("HDMI-1", 3840, 0, 1280, 720)]


# -- choosing ------------------------------------------------------------------------------
def test_an_existing_screen_is_chosen_without_a_word():
    assert choose_screen(WALL, 0) == (0, None)
    assert choose_screen(WALL, 2) == (2, None)


def test_no_screen_asked_leaves_it_to_the_window_manager():
    assert choose_screen(WALL, None) == (None, None)


@pytest.mark.parametrize("wanted", [3, 17, -1])
def test_a_screen_that_is_not_there_warns_and_falls_back_to_the_primary(wanted):
    index, warning = choose_screen(WALL, wanted, primary=1)
    assert index == 1
    assert f"--screen {wanted}" in warning and "there are 3 screens" in warning
    assert "1: DP-2 1920x1080 at 1920,0" in warning and "opening on screen 1" in warning


def test_one_screen_is_named_in_the_singular():
    _, warning = choose_screen(WALL[:1], 1)
    assert "there is 1 screen (" in warning


def test_without_any_screen_nothing_is_chosen_but_it_says_so():
    index, warning = choose_screen([], 1)
    assert index is None and "no screen" in warning


def test_describe_lists_index_name_size_and_position():
    assert describe(WALL[:2]) == "0: DP-1 1920x1080 at 0,0; 1: DP-2 1920x1080 at 1920,0"
    assert describe([]) == "none"


# -- placing (offscreen: one screen) -----------------------------------------------------------
@pytest.fixture
def window(qtbot):
    win = QMainWindow()
    qtbot.addWidget(win)
    yield win
    win.close()


def test_a_window_on_a_screen_fills_its_available_area(window):
    screen = QApplication.primaryScreen()
    place_window(window, screen)
    area = screen.availableGeometry()
    assert window.isVisible() and window.windowHandle().screen() is screen
    assert window.frameGeometry().topLeft() == area.topLeft() and window.size() == area.size()


def test_a_given_size_is_kept_on_the_chosen_screen(window):
    place_window(window, QApplication.primaryScreen(), size=(800, 500))
    assert (window.width(), window.height()) == (800, 500)


def test_first_start_size_unless_the_saved_geometry_stands(window, qtbot):
    place_window(window, None)
    area = QApplication.primaryScreen().availableGeometry()
    assert (window.width(), window.height()) == fitting_size(FIRST_START_SIZE, area.size())
    other = QMainWindow()
    qtbot.addWidget(other)
    other.resize(1000, 700)  # as restored from QSettings
    place_window(other, None, keep_geometry=True)
    assert (other.width(), other.height()) == fitting_size((1000, 700), area.size())
    other.close()


@pytest.mark.parametrize("area, wanted, fitted", [
    ((1366, 768), (1600, 900), (1366, 768)),  # the replay on a laptop opened larger than its screen
    ((1920, 1050), (1600, 900), (1600, 900)),
    ((1280, 1024), (1600, 900), (1280, 900)),
    ((0, 0), (1600, 900), (1600, 900)),  # a screen that reports no area: no better guess
])
def test_a_window_never_asks_for_more_than_its_screen(area, wanted, fitted):
    assert fitting_size(wanted, QSize(*area)) == fitted


def test_a_window_is_scaled_for_its_size_before_it_first_shows(window):
    # A desk designed at 1080p is wider than a laptop's screen; scaled for the laptop it fits.
    # Shown first and scaled after, it grew to its 1080p minimum and kept that size.
    before, font_pt = theme.current(), theme.base_point_size()
    body = QWidget()
    body.setMinimumSize(1500, 400)  # 1080p pixels
    window.setCentralWidget(body)
    theme.set_wall_scale(1.0)
    try:
        scaler = show_scaled(window, None, size=(1366, 768))
        assert scaler.window is window and window.isVisible()
        assert theme.wall_scale() == scale_for(1366, 768) < 1
        assert body.minimumWidth() == round(1500 * theme.wall_scale())
        assert (window.width(), window.height()) == (1366, 768)
    finally:
        theme.set_wall_scale(1.0)
        theme.apply(before, font_pt)


def test_a_first_start_window_fits_a_small_screen(window):
    area = QApplication.primaryScreen().availableGeometry().size()  # offscreen: 800x800
    place_window(window, None)
    assert window.width() <= area.width() and window.height() <= area.height()


# -- placing for real: two X screens under Xvfb -----------------------------------------------
def _free_display() -> int:
    for n in range(91, 160):
        if not Path(f"/tmp/.X{n}-lock").exists() and not Path(f"/tmp/.X11-unix/X{n}").exists():
            return n
    pytest.skip("no free X display number")


@pytest.fixture(scope="module")
def two_screens():
    """An Xvfb with two X screens: 1280x720 (:N.0) and 1024x768 (:N.1)."""
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb not installed (Debian: xvfb)")
    n = _free_display()
    proc = subprocess.Popen(["Xvfb", f":{n}", "-screen", "0", "1280x720x24", "-screen", "1", "1024x768x24",
                             "-nolisten", "tcp"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 15
    while not Path(f"/tmp/.X11-unix/X{n}").exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.skip(f"Xvfb :{n} did not start")
        time.sleep(0.1)
    yield f":{n}"
    proc.terminate()
    proc.wait(timeout=10)


def _probe(display: str, screen: int, tmp_path: Path) -> tuple[dict, str]:
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
    out = subprocess.run([sys.executable, "-m", "tests.ui.screen_probe", str(screen), str(tmp_path / f"s{screen}.duckdb")],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    lines = [line for line in out.stdout.splitlines() if line.startswith("{")]
    assert out.returncode == 0 and lines, out.stderr[-2000:]
    return json.loads(lines[-1]), out.stderr


@pytest.mark.slow
def test_screen_1_opens_the_console_on_the_second_x_screen(two_screens, tmp_path):
    seen, stderr = _probe(two_screens, 1, tmp_path)
    assert seen["rc"] == 0 and seen["screens"] == 2
    assert seen["on"] == 1
    # The X server itself lists the console's window under screen 1's root, not screen 0's.
    if seen["x_screens_listing_window"] is not None:
        assert seen["x_screens_listing_window"] == [1]
    x, y, w, _ = seen["window"]
    assert (x, y) == (0, 0) and w == 1024  # the second screen's width: it filled that screen
    assert "--screen" not in stderr


@pytest.mark.slow
def test_an_out_of_range_screen_warns_and_opens_on_the_first(two_screens, tmp_path):
    seen, stderr = _probe(two_screens, 5, tmp_path)
    assert seen["rc"] == 0 and seen["on"] == 0
    assert "--screen 5: there are 2 screens" in stderr and "opening on screen 0" in stderr
