"""The "New from template" dialog: an empty design or one of the built-in templates."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from backend.graph import GraphDocument, Move
from backend.templates import TEMPLATES, make_template
from designer import icons
from designer.theme import SPACE

EMPTY = ""


class TemplateDialog(QDialog):
    """Lists "Empty design" and every template with its one-line description."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("New design")
        self.setMinimumSize(720, 480)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACE * 2, SPACE * 2, SPACE * 2, SPACE * 2)
        layout.setSpacing(SPACE)
        layout.addWidget(QLabel("Start from an empty canvas or one of the course's networks:"))
        self.list = QListWidget()
        self.list.setIconSize(QSize(24, 24))
        self.list.setSpacing(2)
        self.list.setWordWrap(True)
        self.list.setTextElideMode(Qt.ElideNone)
        self._add(EMPTY, "Empty design", "A blank canvas: add layers from the palette.")
        for name, (factory, description) in TEMPLATES.items():
            self._add(name, factory().doc.name or name, description)  # "LeNet-5", not "lenet5"
        self.list.setCurrentRow(0)
        self.list.itemDoubleClicked.connect(self.accept)
        layout.addWidget(self.list)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText("Create")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _add(self, key: str, title: str, description: str) -> None:
        item = QListWidgetItem(icons.icon("new" if key == EMPTY else "template"),
                               f"{title}\n{description}")
        item.setData(Qt.UserRole, key)
        item.setToolTip(description + (f"\nOn the command line: netwright new --template {key}"
                                       if key != EMPTY else ""))
        self.list.addItem(item)

    def chosen(self) -> str:
        item = self.list.currentItem()
        return item.data(Qt.UserRole) if item is not None else EMPTY


def new_document(template: str) -> GraphDocument:
    """A fresh document: empty for "", otherwise the named template; a long one is wrapped
    into rows to fit a canvas, so its layers read at full size."""
    if template == EMPTY:
        return GraphDocument("Untitled")
    doc = make_template(template)
    from designer.canvas.layout import wrapped_positions  # networkx: only when asked

    positions = wrapped_positions(doc)
    if positions is not None:  # a long design; short or branching ones keep their drawing
        doc.apply(Move(tuple(positions.items())))
    return doc
