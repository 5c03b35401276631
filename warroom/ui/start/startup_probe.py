"""A start-up probe for ``bench/startup.py``: report when the main window first painted.

``WARROOM_STARTUP_PROBE=1`` makes the console print one line to stdout once the first frame
of its main window has been painted::

    WARROOM_FIRST_PAINT monotonic=12345.678901

(``time.monotonic()``: CLOCK_MONOTONIC on Linux, the same clock in every process, so the
benchmark subtracts the moment it launched the process). ``WARROOM_STARTUP_PROBE=quit``
then closes the window, which shuts the console down in order. Unset, nothing is installed.
"""

from __future__ import annotations

import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer

ENV = "WARROOM_STARTUP_PROBE"
MARK = "WARROOM_FIRST_PAINT"


class FirstPaintProbe(QObject):
    """Watches the application's paint events until one reaches ``window`` or a child of it.

    The paint events of one frame are delivered together; a zero-time timer started by the
    first one fires after the whole frame is painted, and that moment is reported."""

    def __init__(self, app, window, quit: bool = False) -> None:
        super().__init__(window)
        self._app = app
        self._window = window
        self._quit = quit
        self._seen = False
        app.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt's name)
        if (not self._seen and event.type() == QEvent.Type.Paint and obj.isWidgetType()
                and obj.window() is self._window):
            self._seen = True
            self._app.removeEventFilter(self)
            QTimer.singleShot(0, self._report)
        return False

    def _report(self) -> None:
        print(f"{MARK} monotonic={time.monotonic():.6f}", flush=True)
        if self._quit:
            self._window.close()


def install(app, window, mode: str) -> FirstPaintProbe | None:
    """Install the probe for ``mode`` (the ``WARROOM_STARTUP_PROBE`` value); None if empty."""
    if not mode:
        return None
    if mode not in ("1", "quit"):
        print(f"warroom: {ENV}={mode!r}: expected 1 or quit", file=sys.stderr)
    return FirstPaintProbe(app, window, quit=mode == "quit")
