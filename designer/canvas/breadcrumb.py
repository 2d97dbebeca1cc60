"""The breadcrumb bar over the canvas while a block's inside is shown: the way back out.

"Design › layer1 › block" — every part but the last is a button that goes back out to that
level (Alt+Up goes out one level). The bar sits in the view's top margin, so it never covers
the graph, and is hidden at the top level. Buttons are updated in place and a click acts
once the click has returned, so no button is deleted inside its own event.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget

from designer.canvas import style as st

HEIGHT = 34


class Breadcrumb(QFrame):
    leave_to = Signal(int)  # the depth to go out to (0: the design)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("Breadcrumb")
        self.setFixedHeight(HEIGHT)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(10, 2, 10, 2)
        self._layout.setSpacing(2)
        self._buttons: list[QToolButton] = []
        self._arrows: list[QLabel] = []
        self.current = QLabel()
        self.hint = QLabel("Alt+Up or Escape twice goes out · double-click a block to enter")
        self._layout.addWidget(self.current)
        self._layout.addStretch(1)
        self._layout.addWidget(self.hint)
        self._pending = -1
        self.hide()

    def set_style(self, s: st.CanvasStyle) -> None:
        self.setStyleSheet(
            f"QFrame#Breadcrumb {{ background: {s.node_fill.name()};"
            f" border-bottom: 1px solid {s.node_border.name()}; }}"
            f" QLabel {{ color: {s.text.name()}; }}"
            f" QToolButton {{ color: {s.selection.name()}; border: none; padding: 2px 4px; }}"
            f" QToolButton:hover {{ text-decoration: underline; }}")
        self.hint.setStyleSheet(f"color: {s.text_muted.name()};")

    def set_path(self, titles: list[str]) -> None:
        """Show `titles` (the design's name first); hidden when only the design is left."""
        levels = titles[:-1]
        while len(self._buttons) < len(levels):
            self._add_level()
        for k, (button, arrow) in enumerate(zip(self._buttons, self._arrows, strict=True)):
            shown = k < len(levels)
            button.setVisible(shown)
            arrow.setVisible(shown)
            if shown:
                button.setText(levels[k])
                button.setToolTip(f"Go out to {levels[k]}")
        self.current.setText(f"<b>{titles[-1]}</b>" if titles else "")
        self.setVisible(len(titles) > 1)

    def _add_level(self) -> None:
        k = len(self._buttons)
        button = QToolButton(self)
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        button.setProperty("depth", k)
        button.clicked.connect(self._clicked)
        arrow = QLabel("›", self)
        index = 2 * k
        self._layout.insertWidget(index, button)
        self._layout.insertWidget(index + 1, arrow)
        self._buttons.append(button)
        self._arrows.append(arrow)

    def _clicked(self) -> None:
        button = self.sender()
        self._pending = int(button.property("depth")) if button is not None else -1
        QTimer.singleShot(0, self._go)

    def _go(self) -> None:
        depth, self._pending = self._pending, -1
        if depth >= 0:
            self.leave_to.emit(depth)
