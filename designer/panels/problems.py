"""The Problems list: every problem of the design with its fix; clicking one shows the node.

Rows carry a severity icon and the word (never colour alone). Activating a row emits
`node_activated(node_id)`; the main window selects that node and centres the canvas on it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from designer import icons
from designer.editor import DocumentEditor

NODE_ROLE = Qt.UserRole + 1


class ProblemsPanel(QWidget):
    node_activated = Signal(str)
    count_changed = Signal(int)

    def __init__(self, editor: DocumentEditor, parent: QWidget | None = None):
        super().__init__(parent)
        self.editor = editor
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.setUniformItemSizes(False)
        self.list.setAlternatingRowColors(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        self.list.itemClicked.connect(self._on_item)
        self.list.itemActivated.connect(self._on_item)
        editor.analysis_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        self.list.clear()
        problems = self.editor.analysis.problems
        for problem in problems:
            word = "Error" if problem.severity == "error" else problem.severity.capitalize()
            item = QListWidgetItem(icons.severity_icon(problem.severity),
                                   f"{word}: {problem.message}")
            item.setData(NODE_ROLE, problem.node)
            item.setToolTip(problem.message)
            self.list.addItem(item)
        if not problems:
            item = QListWidgetItem(icons.severity_icon("ok" if self.editor.doc.nodes else "info"),
                                   "No problems: the design is valid." if self.editor.doc.nodes
                                   else "No problems yet: add a layer to start.")
            item.setFlags(Qt.ItemIsEnabled)
            self.list.addItem(item)
        self.count_changed.emit(len(problems))

    def messages(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]

    def _on_item(self, item: QListWidgetItem) -> None:
        node_id = item.data(NODE_ROLE)
        if node_id and node_id in self.editor.doc.nodes:
            self.node_activated.emit(node_id)
