"""The frame every Explore page shares: a heading, a one-paragraph lesson, a scrolling body.

`ExplorePage` subclasses fill `self.body` (a QVBoxLayout) and may implement
`focus_node(editor, node_id)` to take their settings from a design node. `show_error(text)`
puts one sentence under the heading (empty hides it); `apply_theme(dark)` is called when the
palette changes so plots can recolour.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QFrame, QScrollArea, QVBoxLayout, QWidget

from designer.explore.widgets import label
from designer.plots.base import is_dark
from designer.theme import SPACE


class _Body(QWidget):
    """The scrolled body: as tall as its wrapped text needs at the width it gets (a scroll
    area alone sizes word-wrapped labels for the wrong width, and widgets then overlap)."""

    def resizeEvent(self, event) -> None:  # noqa: N802  (Qt API)
        super().resizeEvent(event)
        layout = self.layout()
        if layout is not None and layout.hasHeightForWidth():
            need = layout.totalMinimumHeightForWidth(self.width())
            if need != self.minimumHeight():
                self.setMinimumHeight(need)


class ExplorePage(QWidget):
    key = ""

    def __init__(self, title: str, lesson: str, parent: QWidget | None = None):
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        inner = _Body()
        scroll.setWidget(inner)
        outer.addWidget(scroll)
        self.body = QVBoxLayout(inner)
        self.body.setContentsMargins(SPACE * 2, SPACE * 2, SPACE * 2, SPACE * 2)
        self.body.setSpacing(SPACE)
        self.heading = label(title, "heading")
        self.lesson = label(lesson, "caption")
        self.error = label("", "error")
        self.error.hide()
        for w in (self.heading, self.lesson, self.error):
            self.body.addWidget(w)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802  (Qt API)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange):
            self.apply_theme(is_dark(self))
        super().changeEvent(event)

    def showEvent(self, event) -> None:  # noqa: N802  (Qt API)
        self.apply_theme(is_dark(self))
        super().showEvent(event)

    def apply_theme(self, dark: bool) -> None:
        """Recolour plots for the theme (pages with plots override this)."""
