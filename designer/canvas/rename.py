"""TitleEditor: the inline, single-line title editor shown over a node (F2 / double-click).

Enter or focus loss commits, Escape cancels; the node turns the result into one Rename
command through the scene.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QTextCursor
from PySide6.QtWidgets import QGraphicsItem, QGraphicsTextItem


class TitleEditor(QGraphicsTextItem):
    def __init__(self, node_item: QGraphicsItem, text: str, font: QFont, colour: QColor) -> None:
        super().__init__(text, node_item)
        self.node_item = node_item
        self._done = False
        self.setFont(font)
        self.setDefaultTextColor(colour)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextEditorInteraction)
        self.setZValue(5)
        self.setTextWidth(140)
        self.setFocus(Qt.FocusReason.OtherFocusReason)
        cursor = self.textCursor()
        cursor.select(QTextCursor.SelectionType.Document)
        self.setTextCursor(cursor)

    def paint(self, painter, option, widget=None) -> None:
        s = self.node_item.style
        painter.setPen(s.selection)
        painter.setBrush(s.node_fill)
        painter.drawRoundedRect(self.boundingRect(), 3, 3)
        super().paint(painter, option, widget)

    def keyPressEvent(self, event) -> None:  # noqa: N802  (Qt API name)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._finish(self.toPlainText())
        elif event.key() == Qt.Key.Key_Escape:
            self._finish(None)
        else:
            super().keyPressEvent(event)
        event.accept()

    def focusOutEvent(self, event) -> None:  # noqa: N802  (Qt API name)
        super().focusOutEvent(event)
        self._finish(self.toPlainText())

    def commit(self) -> None:
        self._finish(self.toPlainText())

    def _finish(self, text: str | None) -> None:
        if not self._done:
            self._done = True
            self.node_item.finish_rename(text.replace("\n", " ") if text is not None else None)
