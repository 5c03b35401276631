"""FlowLayout, WrapRow and WrapLabel (warroom/ui/panels/wrapping.py): controls and text that
wrap to their width, and are never given less height than their rows or lines need."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication, QPushButton, QSplitter, QTextEdit  # noqa: E402

from warroom.ui.panels.wrapping import WrapLabel, WrapRow  # noqa: E402

WORDS = ("Acknowledge", "Set owner…", "Add note…", "Action item…")


def row_of_buttons(qtbot, width: int) -> tuple[WrapRow, list[QPushButton]]:
    row = WrapRow(spacing=6)
    qtbot.addWidget(row)
    found = []
    for word in WORDS:
        button = QPushButton(word, row)
        row.add(button)
        found.append(button)
    row.resize(width, 40)
    row.show()
    qtbot.waitExposed(row)
    return row, found


def test_a_flow_takes_one_row_when_it_fits_and_more_when_it_does_not(qtbot):
    row, found = row_of_buttons(qtbot, 2000)
    one = row.flow.sizeHint()
    assert row.rows() == 1 and row.flow.heightForWidth(one.width()) == one.height()
    assert row.flow.minimumSize().width() == max(b.sizeHint().width() for b in found)
    assert row.flow.rows_for(one.width() - 1) == 2
    narrowest = row.flow.minimumSize().width()
    assert row.flow.rows_for(narrowest) == len(WORDS)  # one a row at the narrowest
    heights = [row.flow.heightForWidth(w) for w in (one.width(), one.width() // 2, narrowest)]
    assert heights == sorted(heights) and heights[0] < heights[-1]


def test_a_hidden_control_takes_no_room(qtbot):
    row, found = row_of_buttons(qtbot, 2000)
    width = row.flow.sizeHint().width()
    found[1].hide()
    assert row.flow.sizeHint().width() == width - found[1].sizeHint().width() - 6


def test_a_wrapped_row_holds_the_height_of_its_rows(qtbot):
    row, found = row_of_buttons(qtbot, 2000)
    one = row.minimumHeight()
    row.resize(row.flow.minimumSize().width(), row.height())
    QApplication.processEvents()
    assert row.rows() == len(WORDS) and row.minimumHeight() == row.flow.heightForWidth(row.width()) > 3 * one
    assert not any(a.geometry().intersects(b.geometry()) for i, a in enumerate(found) for b in found[i + 1:])
    assert all(row.rect().contains(b.geometry()) for b in found)


def test_a_wrapped_label_is_not_squeezed_by_a_splitter(qtbot):
    split = QSplitter(Qt.Orientation.Vertical)
    qtbot.addWidget(split)
    label = WrapLabel(split)
    label.setText("<b>ICBC gateway down</b> — " + "QR-code payment at 64.8 %, started 10:31:00 · " * 4)
    filler = QTextEdit(split)
    filler.setMinimumHeight(200)
    split.resize(220, 260)
    split.show()
    qtbot.waitExposed(split)
    QApplication.processEvents()
    need = label.height_for(label.width())
    assert need > 4 * label.fontMetrics().height() and label.height() >= need
    split.setSizes([10, 1000])  # dragged as small as it goes: still the whole text
    assert label.height() >= need
    hidden = WrapLabel()  # never shown: no made-up width may become its minimum height
    qtbot.addWidget(hidden)
    hidden.setText("a long text " * 30)
    assert hidden.minimumHeight() == 0
