"""The first-start dialog: what should this console show, when no feed is configured?

Started from the applications menu (``warroom console`` with the default configuration), the
console has no feed address. Instead of exiting with an error nobody sees, it asks:

* **connect to a feed**: an address, a "Test connection" button that really connects (the
  feed's hello within a timeout, ``warroom.io.probe``) and says what it found, in words;
* **open a recording**: a history or incident bundle, replayed;
* **start the demo**: the built-in simulated payment platform.

"Remember" keeps the address (or the demo) in the configuration file, so the next start goes
straight there. The dialog is also shown, with the reason, when the address given cannot work
(``127.0.0.1:18949`` without ``ws://``).

The connection test runs on a worker thread with its own asyncio loop, so it works before the
console's qasync loop exists; its result comes back to the dialog as a queued signal.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from warroom.io.feed_problem import FeedProblem, check_url
from warroom.io.probe import DEFAULT_TIMEOUT_S, ProbeResult, probe
from warroom.ui import theme
from warroom.ui.start.feed_reason import problem_text

CONNECT, REPLAY, DEMO = "connect", "replay", "demo"


@dataclass(frozen=True)
class StartChoice:
    """What the person chose: ``kind`` is ``connect`` (with ``url``), ``replay`` (with ``path``) or
    ``demo``; ``remember``: keep it in the configuration for the next start."""

    kind: str
    url: str = ""
    path: Path | None = None
    remember: bool = False


class StartDialog(QDialog):
    """Choose a feed, a recording or the demo (see the module docstring).

    ``url``/``problem``: an address given that cannot work, shown with its reason.
    ``config_path``: where "Remember" writes (named in the dialog). After ``exec()``,
    ``choice`` holds the ``StartChoice`` (None when the dialog was closed).
    """

    #: A connection test's result, from the worker thread (queued to the dialog's thread).
    sig_probed = Signal(object)

    def __init__(self, url: str = "", problem: FeedProblem | None = None, config_path: Path | None = None,
                 parent: QWidget | None = None, probe_timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        super().__init__(parent)
        self.setObjectName("start_dialog")
        self.setWindowTitle(self.tr("Warroom — start"))
        self.choice: StartChoice | None = None
        self.last_probe: ProbeResult | None = None
        self.probe_timeout_s = probe_timeout_s
        self._probing = False
        self.sig_probed.connect(self._on_probed)
        self.setMinimumWidth(theme.px(760))
        # Text on a card sits on the card's colour, not on a box of the window's; the check box
        # gets a visible square (the dark style's default draws it dark on dark).
        t = theme.current()
        self.setStyleSheet(
            "QFrame#card QLabel { background: transparent; }"
            f"QCheckBox::indicator {{ width: {theme.px(16)}px; height: {theme.px(16)}px; border-radius: {theme.px(3)}px;"
            f" border: {theme.px(2)}px solid {t.text_dim}; background: {t.surface}; }}"
            f"QCheckBox::indicator:checked {{ background: {t.accent}; border-color: {t.accent}; }}")

        root = QVBoxLayout(self)
        root.setContentsMargins(theme.px(28), theme.px(24), theme.px(28), theme.px(20))
        root.setSpacing(theme.px(14))
        heading = QLabel(self.tr("What should this console show?"), self)
        heading.setFont(theme.ui_font(20, bold=True))
        root.addWidget(heading)
        why = self.tr("No feed address is configured yet.")
        if config_path is not None:
            why += " " + self.tr("Set feed_url in %1, or choose here.").replace("%1", str(config_path))
        intro = self._dim(why)
        root.addWidget(intro)

        # -- a live feed ------------------------------------------------------------------
        feed = self._card(root, self.tr("Connect to a live feed"),
                          self.tr("The address of your platform's Warroom feed, e.g. ws://feed.example.com:8765"))
        row = QHBoxLayout()
        self.url_edit = QLineEdit(url, self)
        self.url_edit.setObjectName("start_url")
        self.url_edit.setPlaceholderText("ws://HOST:PORT")
        self.url_edit.setMinimumWidth(theme.px(420))
        self.url_edit.textEdited.connect(self._on_edited)
        self.url_edit.returnPressed.connect(self._connect)
        row.addWidget(self.url_edit, 1)
        self.test_button = QPushButton(self.tr("Test connection"), self)
        self.test_button.setObjectName("start_test")
        self.test_button.clicked.connect(self.test_connection)
        row.addWidget(self.test_button)
        self.connect_button = QPushButton(self.tr("Connect"), self)
        self.connect_button.setObjectName("start_connect")
        self.connect_button.setDefault(True)
        self.connect_button.clicked.connect(self._connect)
        row.addWidget(self.connect_button)
        feed.addLayout(row)
        self.result_label = QLabel("", self)
        self.result_label.setObjectName("start_result")
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_label.setFont(theme.ui_font(12, bold=True))
        feed.addWidget(self.result_label)

        # -- a recording ------------------------------------------------------------------
        rec = self._card(root, self.tr("Review a recording"),
                         self.tr("A history a console, recorder or drill wrote, or an incident bundle (.duckdb)."))
        self.open_button = QPushButton(self.tr("Open recording…"), self)
        self.open_button.setObjectName("start_open")
        self.open_button.clicked.connect(self._open_recording)
        rec.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignLeft)

        # -- the demo ---------------------------------------------------------------------
        demo = self._card(root, self.tr("Try the demo"),
                          self.tr("The built-in simulated payment platform, with a bank-gateway outage after 3 simulated minutes."))
        self.demo_button = QPushButton(self.tr("Start the demo"), self)
        self.demo_button.setObjectName("start_demo")
        self.demo_button.clicked.connect(self._demo)
        demo.addWidget(self.demo_button, 0, Qt.AlignmentFlag.AlignLeft)

        bottom = QHBoxLayout()
        self.remember_box = QCheckBox(self.tr("Remember the address or the demo for the next start"), self)
        self.remember_box.setObjectName("start_remember")
        bottom.addWidget(self.remember_box, 1)
        quit_button = QPushButton(self.tr("Quit"), self)
        quit_button.clicked.connect(self.reject)
        bottom.addWidget(quit_button)
        root.addLayout(bottom)

        if problem is not None:
            self.show_problem(problem)
        self.url_edit.setFocus()

    # -- building blocks -------------------------------------------------------------------
    def _dim(self, text: str) -> QLabel:
        label = QLabel(text, self)
        label.setObjectName("dim")
        label.setWordWrap(True)
        return label

    def _card(self, root: QVBoxLayout, title: str, text: str) -> QVBoxLayout:
        frame = QFrame(self)
        frame.setObjectName("card")
        box = QVBoxLayout(frame)
        box.setContentsMargins(theme.px(16), theme.px(12), theme.px(16), theme.px(14))
        box.setSpacing(theme.px(8))
        head = QLabel(title, frame)
        head.setFont(theme.ui_font(14, bold=True))
        box.addWidget(head)
        box.addWidget(self._dim(text))
        root.addWidget(frame)
        return box

    # -- the result line ---------------------------------------------------------------------
    def show_problem(self, problem: FeedProblem) -> None:
        """Show why the address cannot be used (in the UI language), in the critical colour."""
        self._show(problem_text(problem, with_retry=False), "crit", problem.detail)

    def _show(self, text: str, level: str, tooltip: str = "") -> None:
        colour = theme.current().color(level if level in ("ok", "warn", "crit") else "text_dim").name()
        self.result_label.setStyleSheet(f"color: {colour};")
        self.result_label.setText(text)
        self.result_label.setToolTip(tooltip)
        self.result_label.setProperty("level", level)

    @property
    def result_text(self) -> str:
        """What the result line says now."""
        return self.result_label.text()

    def _on_edited(self, _text: str) -> None:
        self.last_probe = None
        if not self._probing:
            self._show("", "dim")

    # -- actions -----------------------------------------------------------------------------
    def test_connection(self) -> None:
        """Connect to the address on a worker thread; the result line says what came of it."""
        url = self.url_edit.text().strip()
        bad = check_url(url)
        if bad is not None:
            self.show_problem(bad)
            return
        if self._probing:
            return
        self._probing = True
        self.test_button.setEnabled(False)
        self._show(self.tr("Testing the connection to %1…").replace("%1", url), "dim")
        timeout = self.probe_timeout_s

        def work() -> None:
            try:
                result = asyncio.run(probe(url, timeout))
            except Exception as exc:  # noqa: BLE001 - probe() answers problems itself; this is a bug
                from warroom.io.feed_problem import classify_exception

                result = ProbeResult(url, False, classify_exception(exc, url))
            try:
                self.sig_probed.emit(result)
            except RuntimeError:  # the dialog is gone: nobody to tell
                pass

        threading.Thread(target=work, name="warroom-probe", daemon=True).start()

    def _on_probed(self, result: ProbeResult) -> None:
        self._probing = False
        self.test_button.setEnabled(True)
        if result.url != self.url_edit.text().strip():
            return  # the address changed while testing: this answer is about another one
        self.last_probe = result
        if result.ok:
            text = self.tr("Connected: %1 answered (protocol %2).").replace("%1", result.server_id or result.url)
            text = text.replace("%2", ", ".join(str(v) for v in result.versions))
            if result.role:
                text += " " + self.tr("Your role: %1.").replace("%1", result.role)
            self._show(text, "ok")
        elif result.problem is not None:
            self.show_problem(result.problem)

    def _connect(self) -> None:
        url = self.url_edit.text().strip()
        bad = check_url(url)
        if bad is not None:
            self.show_problem(bad)
            self.url_edit.setFocus()
            return
        self._finish(StartChoice(CONNECT, url=url, remember=self.remember_box.isChecked()))

    def _open_recording(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Open a recording"), "",
            self.tr("Recordings and bundles (*.duckdb *.db);;All files (*)"))
        if path:
            self.open_recording(Path(path))

    def open_recording(self, path: Path) -> None:
        """Choose the recording at ``path`` (what the file picker does)."""
        self._finish(StartChoice(REPLAY, path=Path(path)))

    def _demo(self) -> None:
        self._finish(StartChoice(DEMO, remember=self.remember_box.isChecked()))

    def _finish(self, choice: StartChoice) -> None:
        self.choice = choice
        self.accept()


__all__ = ["CONNECT", "DEMO", "REPLAY", "StartChoice", "StartDialog"]
