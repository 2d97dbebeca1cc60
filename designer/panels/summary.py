"""The Summary table, like a model summary: layer, type, output shape, params, trainable.

Rows follow the traversal order of the analysis (nodes it could not order come last) and a
totals row closes the table. Rebuilt on each `analysis_changed`; a model keeps it fast for
designs of hundreds of layers. Activating a row emits `node_activated(node_id)`.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QVBoxLayout, QWidget

from designer.editor import DocumentEditor

COLUMNS = ("Layer", "Type", "Output shape", "Params", "Trainable")


class SummaryModel(QAbstractTableModel):
    def __init__(self, editor: DocumentEditor):
        super().__init__()
        self.editor = editor
        self.rows: list[tuple] = []
        self.node_ids: list[str | None] = []

    def rebuild(self) -> None:
        self.beginResetModel()
        doc, analysis = self.editor.doc, self.editor.analysis
        order = [n for n in analysis.order if n in doc.nodes]
        order += [n for n in doc.nodes if n not in set(order)]
        self.rows, self.node_ids = [], []
        for nid in order:
            node = doc.nodes[nid]
            count = analysis.counts.get(nid)
            shape = analysis.shape_text(nid)
            self.rows.append((node.title or nid, node.type, shape, _n(count), _n(count)))
            self.node_ids.append(nid)
        total = analysis.total_params
        self.rows.append((f"Total ({len(order)} layers)", "", "", _n(total),
                          _n(analysis.trainable_params)))
        self.node_ids.append(None)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: QModelIndex, role: int = Qt.DisplayRole):
        row, col = index.row(), index.column()
        if role == Qt.DisplayRole:
            return self.rows[row][col]
        if role == Qt.TextAlignmentRole and col >= 3:
            return int(Qt.AlignRight | Qt.AlignVCenter)
        if role == Qt.FontRole and (self.node_ids[row] is None or col == 2):
            font = QFont("monospace") if col == 2 else QFont()
            font.setBold(self.node_ids[row] is None)
            return font
        return None

    def headerData(self, section: int, orientation, role: int = Qt.DisplayRole):  # noqa: N802
        if role == Qt.DisplayRole and orientation == Qt.Horizontal:
            return COLUMNS[section]
        return None


def _n(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


class SummaryPanel(QWidget):
    node_activated = Signal(str)

    def __init__(self, editor: DocumentEditor, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = SummaryModel(editor)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.setShowGrid(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.Interactive)
        header.setStretchLastSection(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        self.table.activated.connect(self._on_index)
        self.table.clicked.connect(self._on_index)
        editor.analysis_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        self.model.rebuild()
        if self.model.rowCount() < 200:
            self.table.resizeColumnsToContents()

    def row_for(self, node_id: str) -> tuple | None:
        if node_id in self.model.node_ids:
            return self.model.rows[self.model.node_ids.index(node_id)]
        return None

    def totals(self) -> tuple:
        return self.model.rows[-1]

    def _on_index(self, index: QModelIndex) -> None:
        node_id = self.model.node_ids[index.row()]
        if node_id:
            self.node_activated.emit(node_id)
