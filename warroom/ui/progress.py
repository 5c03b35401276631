"""A progress window for the long file jobs the console runs on its own thread (opening and
checking a bundle, exporting one): ``progress(stage, fraction)`` callbacks, as the store's
bundle functions call them, shown in a dialog that appears only if the job takes a while."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QProgressDialog, QWidget

SHOW_AFTER_MS = 400  # a job shorter than this shows no window at all


class ProgressWindow:
    """``with ProgressWindow(title) as report: job(progress=report)``."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        self.dialog = QProgressDialog(title, "", 0, 100, parent)
        self.dialog.setWindowTitle(title)
        self.dialog.setCancelButton(None)  # the jobs cannot stop halfway without losing their work
        self.dialog.setMinimumDuration(SHOW_AFTER_MS)
        self.dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.dialog.setAutoClose(False)
        self.dialog.setValue(0)
        self.stages: list[str] = []

    def __call__(self, stage: str, fraction: float) -> None:
        if not self.stages or self.stages[-1] != stage:
            self.stages.append(stage)
            self.dialog.setLabelText(f"{stage}…")  # the store's words for its stages
        self.dialog.setValue(max(0, min(100, int(fraction * 100))))
        QApplication.processEvents()  # the job runs on the UI thread: let the dialog paint

    def __enter__(self) -> Callable[[str, float], None]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.dialog.close()
        self.dialog.deleteLater()
