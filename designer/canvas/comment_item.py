"""CommentItem: a note on the canvas (movable, resizable from its corner, editable text).

Moves and resizes are shown live and reported as one EditComment when the gesture ends
(`pending_edit`, collected by the scene on mouse release); text edits commit when editing
ends. The document stays the source of truth: `sync` takes its values back.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsTextItem

from backend.graph import Comment, EditComment
from designer.canvas import style as st
from designer.canvas.port_item import make_flags

GRIP = 12.0
MIN_W, MIN_H = 120.0, 60.0


class _CommentText(QGraphicsTextItem):
    def focusOutEvent(self, event) -> None:  # noqa: N802  (Qt API name)
        super().focusOutEvent(event)
        self.parentItem().finish_editing()

    def keyPressEvent(self, event) -> None:  # noqa: N802  (Qt API name)
        if event.key() == Qt.Key.Key_Escape:
            self.clearFocus()
            event.accept()
            return
        super().keyPressEvent(event)


class CommentItem(QGraphicsItem):
    def __init__(self, comment: Comment, style: st.CanvasStyle) -> None:
        super().__init__()
        self.comment_id = comment.id
        self.style = style
        self.size = tuple(comment.size)
        self.saved = comment.copy()
        self._resizing = False
        make_flags(self)
        self.setZValue(-1)
        self.text_item = _CommentText(self)
        self.text_item.setPos(6, 4)
        self.text_item.setDefaultTextColor(style.text)
        self.sync(comment)

    def sync(self, comment: Comment) -> None:
        self.prepareGeometryChange()
        self.saved = comment.copy()
        self.size = tuple(comment.size)
        self.setPos(QPointF(*comment.pos))
        if self.text_item.toPlainText() != comment.text:
            self.text_item.setPlainText(comment.text)
        self.text_item.setTextWidth(self.size[0] - 12)
        self.update()

    def set_style(self, style: st.CanvasStyle) -> None:
        self.style = style
        self.text_item.setDefaultTextColor(style.text)
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802  (Qt API name)
        return QRectF(0, 0, *self.size).adjusted(-2, -2, 2, 2)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        s = self.style
        rect = QRectF(0, 0, *self.size)
        painter.setPen(QPen(s.selection if self.isSelected() else s.comment_border,
                            2 if self.isSelected() else 1, Qt.PenStyle.SolidLine))
        painter.setBrush(s.comment_fill)
        painter.drawRoundedRect(rect, 4, 4)
        painter.setPen(QPen(s.comment_border, 1))
        for k in (4, 8):
            painter.drawLine(QPointF(rect.right() - k, rect.bottom() - 2),
                             QPointF(rect.right() - 2, rect.bottom() - k))

    # -- gestures ------------------------------------------------------------------------------
    def _in_grip(self, pos: QPointF) -> bool:
        return pos.x() > self.size[0] - GRIP and pos.y() > self.size[1] - GRIP

    def hoverMoveEvent(self, event) -> None:  # noqa: N802  (Qt API name)
        self.setCursor(Qt.CursorShape.SizeFDiagCursor if self._in_grip(event.pos())
                       else Qt.CursorShape.ArrowCursor)
        super().hoverMoveEvent(event)

    def mousePressEvent(self, event) -> None:  # noqa: N802  (Qt API name)
        self._resizing = event.button() == Qt.MouseButton.LeftButton and \
            self._in_grip(event.pos())
        if self._resizing:
            event.accept()
        else:
            super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:  # noqa: N802  (Qt API name)
        if self._resizing:
            self.resize_to(max(MIN_W, event.pos().x()), max(MIN_H, event.pos().y()))
        else:
            super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802  (Qt API name)
        self._resizing = False
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802  (Qt API name)
        self.start_editing()

    def resize_to(self, w: float, h: float) -> None:
        self.prepareGeometryChange()
        self.size = (round(w / st.GRID) * st.GRID, round(h / st.GRID) * st.GRID)
        self.text_item.setTextWidth(self.size[0] - 12)
        self.update()

    def start_editing(self) -> None:
        self.text_item.setTextInteractionFlags(Qt.TextInteractionFlag.TextEditorInteraction)
        self.text_item.setFocus(Qt.FocusReason.MouseFocusReason)

    def finish_editing(self) -> None:
        self.text_item.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        scene = self.scene()
        op = self.pending_edit()
        if scene is not None and op is not None:
            scene.push_ops([op], "Edit comment")

    def pending_edit(self) -> EditComment | None:
        """The edit that makes the document match what is shown, or None."""
        pos = (self.x(), self.y())
        text = self.text_item.toPlainText()
        if (text, pos, self.size) == (self.saved.text, tuple(self.saved.pos),
                                      tuple(self.saved.size)):
            return None
        return EditComment(self.comment_id, text, pos, self.size)
