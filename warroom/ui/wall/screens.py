"""Which screen the console opens on (``--screen N``), and putting the window there.

A wall is several screens driven by one machine, one console per screen. Qt lists the
screens of every virtual desktop (monitors of one X display side by side, or separate X
screens such as ``:0.0`` and ``:0.1``); ``--screen N`` is an index into that list. A
screen that is not there (a monitor unplugged, or not yet detected when the wall boots)
is not worth a crash: the console says which screens it found and opens on the primary
one, where somebody will see it.
"""

from __future__ import annotations

from typing import Callable, Protocol, Sequence

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QWidget

from warroom.ui.wall import wall_scale

FIRST_START_SIZE = (1600, 900)  # a window with no saved geometry and no screen asked for,
# on a screen that has room for it (a smaller one gets its whole available area)


class ScreenLike(Protocol):
    """What ``choose_screen`` needs of a screen (``QScreen`` has it; tests pass fakes)."""

    def name(self) -> str: ...

    def geometry(self) -> QRect: ...


def describe(screens: Sequence[ScreenLike]) -> str:
    """``0: DP-1 1920x1080 at 0,0; 1: DP-2 1920x1080 at 1920,0``."""
    parts = []
    for i, screen in enumerate(screens):
        g = screen.geometry()
        parts.append(f"{i}: {screen.name() or '?'} {g.width()}x{g.height()} at {g.x()},{g.y()}")
    return "; ".join(parts) or "none"


def choose_screen(screens: Sequence[ScreenLike], wanted: int | None,
                  primary: int = 0) -> tuple[int | None, str | None]:
    """The index of the screen to open on, and a warning to print if ``wanted`` is not there.

    ``None`` asked, ``None`` chosen: the window manager (or the saved geometry) decides. An
    index out of range, negative included, falls back to ``primary``.
    """
    if wanted is None:
        return None, None
    if 0 <= wanted < len(screens):
        return wanted, None
    if not screens:
        return None, f"warroom: --screen {wanted}: no screen found; the window manager decides"
    fallback = primary if 0 <= primary < len(screens) else 0
    count = len(screens)
    return fallback, (f"warroom: --screen {wanted}: there {'is' if count == 1 else 'are'} {count} "
                      f"screen{'' if count == 1 else 's'} ({describe(screens)}); opening on screen {fallback}")


def fitting_size(wanted: tuple[int, int], area: QSize) -> tuple[int, int]:
    """``wanted``, no larger than ``area`` (a screen's available geometry) in either direction.

    A window that asks for more than its screen opens with its title bar or its edges off
    screen (the replay at 1366x768 did), where nobody can reach them to move it back.
    """
    if area.isEmpty():
        return wanted
    return min(wanted[0], area.width()), min(wanted[1], area.height())


def place_window(win: QWidget, screen: QScreen | None, *, size: tuple[int, int] | None = None,
                 fullscreen: bool = False, keep_geometry: bool = False,
                 before_show: Callable[[], object] | None = None) -> None:
    """Size ``win``, put it on ``screen`` (filling its available area unless ``size`` is
    given), show it, full screen if asked.

    The screen is set before the window is first shown, so the native window is created
    there (on a second X screen it could not be moved across afterwards), and its top-left
    corner goes to the screen's, for monitors that share one virtual desktop.
    ``keep_geometry``: the size restored from the user's settings stands when no screen
    and no size are asked for. Without ``size`` the window never asks for more than the
    screen's available area (a size asked for is kept: a snapshot may be larger than the screen).
    ``before_show`` runs once the window has its size, before it is shown (``show_scaled``).
    """
    if size is not None:
        win.resize(*size)
    if screen is not None:
        area = screen.availableGeometry()
        win.setScreen(screen)
        if size is None:
            win.resize(area.size())
        win.move(area.topLeft())
    elif size is None:
        primary = QGuiApplication.primaryScreen()
        area = primary.availableGeometry().size() if primary is not None else QSize()
        current = (win.width(), win.height()) if keep_geometry else FIRST_START_SIZE
        win.resize(*fitting_size(current, area))
    if before_show is not None:
        wanted = win.size()
        before_show()
        win.resize(wanted)  # minimums made before (for another scale) may have held it bigger
    win.show()
    handle = win.windowHandle()
    if screen is not None and handle is not None and handle.screen() is not screen:
        handle.setScreen(screen)  # a platform that ignored the request before show
    if fullscreen:
        win.showFullScreen()


def show_scaled(win: QWidget, screen: QScreen | None, *, size: tuple[int, int] | None = None,
                fullscreen: bool = False, keep_geometry: bool = False,
                scale: float | None = None) -> wall_scale.WallScaler:
    """``place_window``, with the wall scale for the window's size (``scale``: that one)
    applied before the window first shows; returns the window's ``WallScaler``.

    Scaled only after showing, a window built at 1080p sizes and opened at 1366x768 grew to
    its 1080p minimum (1383 px wide) and kept that size once the scale had shrunk the
    minimum: a window does not shrink back by itself.
    """
    scalers = []
    place_window(win, screen, size=size, fullscreen=fullscreen, keep_geometry=keep_geometry,
                 before_show=lambda: scalers.append(wall_scale.attach(win, scale)))
    return scalers[0]
