"""Small widgets the alert, incident and plan panels share: desk-size buttons, the message
line that reports what an action did (or why it could not), and the "off" page shown when
the panel's data source is missing."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from warroom.ui import theme


def make_button(parent: QWidget, text: str, name: str) -> QPushButton:
    """A push button at desk size."""
    button = QPushButton(text, parent)
    button.setObjectName(name)
    button.setFont(theme.ui_font(14.0))
    return button


def off_label(parent: QWidget, text: str, name: str) -> QLabel:
    """The big, dim, centred line a panel shows when its data source is missing."""
    label = QLabel(text, parent)
    label.setObjectName(name)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setFont(theme.ui_font(18.0))
    label.setStyleSheet(f"color: {theme.current().text_dim};")
    return label


def off_or_page(panel: QWidget, off: QWidget, page: QWidget) -> QStackedWidget:
    """Fill ``panel`` with a stack of its "off" widget (index 0) and its real page (index 1)."""
    stack = QStackedWidget(panel)
    stack.addWidget(off)
    stack.addWidget(page)
    layout = QVBoxLayout(panel)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(stack)
    return stack


class MessageLine(QLabel):
    """The result of the last action: an error in red, or a quiet confirmation."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setFont(theme.ui_font(14.0, bold=True))
        self.is_error = False
        self.hide()

    def show_error(self, text: str) -> None:
        """Say what went wrong, in red."""
        self.is_error = True
        self.setStyleSheet(f"color: {theme.current().crit}; padding: 4px 8px;")
        self.setText(text)
        self.show()

    def show_info(self, text: str) -> None:
        """Say what was done, quietly."""
        self.is_error = False
        self.setStyleSheet(f"color: {theme.current().text_dim}; padding: 4px 8px;")
        self.setText(text)
        self.show()


def make_toggle(parent: QWidget, text: str, name: str) -> QPushButton:
    """A checkable button that looks pressed while on (a check box's tick is lost on a dark wall)."""
    button = make_button(parent, text, name)
    button.setCheckable(True)
    t = theme.current()
    button.setStyleSheet(f"QPushButton:checked {{ background: {t.accent}; color: {t.background};"
                         f" border-color: {t.accent}; }}")
    return button
