"""The Summary table, like a model summary: layer, type, output shape, params, trainable,
running statistics.

Rows come from `backend.summary.rows`: the traversal order of the analysis (nodes it could
not order come last), each block followed by the layers of its copies, indented and named by
their module path (`layer2.1.conv1`). A totals row closes the table, and a line under it
separates trainable parameters, non-trainable parameters and BatchNorm running statistics
(which Keras counts as non-trainable parameters). Rebuilt on each `analysis_changed`; a model
keeps it fast for designs of hundreds of layers, and columns are sized from the texts' font
metrics (Qt's resize-to-contents asks the model for every role of every cell: a quarter of a
second for a 70-layer design). Activating a row emits `node_activated(node_id)` with the
design node the row belongs to.
"""

from __future__ import annotations

import heapq
from functools import lru_cache

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from backend.graph.definition import BLOCK
from backend.summary import layer_row, memory_summary_lines, rows, totals_lines
from designer.editor import DocumentEditor

COLUMNS = ("Layer", "Type", "Output shape", "Params", "Trainable", "Running stats")
SHAPE_COLUMN = 2
CELL_PADDING = 24  # the item's margins plus a little air
MEASURED = 200  # texts measured per column in long tables
TIPS = {5: "Non-trainable state: BatchNorm running means and variances. Keras lists them "
           "among its non-trainable params; PyTorch keeps them as buffers."}


class SummaryModel(QAbstractTableModel):
    """The rows of the analysis. After an edit of a design without blocks only the rows of
    the layers inferred again are built again (`Analysis.changed`), and when the layers keep
    their order only those rows are reported changed to the view."""

    def __init__(self, editor: DocumentEditor):
        super().__init__()
        self.editor = editor
        self.rows: list[tuple] = []
        self.node_ids: list[str | None] = []
        self.depths: list[int] = []
        self._by_node: dict[str, tuple] | None = None  # rows of a design without blocks
        self._pending: set[str] | None = None  # layers inferred again since the last build
        editor.analysis_changed.connect(self._note_changes)

    def _note_changes(self) -> None:
        """Collect what each analysis changed, also while the panel is hidden."""
        changed = self.editor.analysis.changed
        if changed is None or self._pending is None or self._by_node is None:
            self._pending = None  # a full analysis: every row is built again
        else:
            self._pending |= changed

    def rebuild(self) -> list[int] | None:
        """Build the rows of the current analysis; the rows built again, or None when all
        of them were."""
        doc, analysis = self.editor.doc, self.editor.analysis
        pending, self._pending = self._pending, set()
        blocks = doc.blocks or any(n.type == BLOCK for n in doc.nodes.values())
        if pending is None or blocks or self._by_node is None:
            self._full(doc, analysis, blocks)
            return None
        order = [n for n in analysis.order if n in doc.nodes]
        if len(order) < len(doc.nodes):  # layers left out of the order (a cycle): built each time
            listed = set(order)
            pending |= {n for n in doc.nodes if n not in listed}
            order += [n for n in doc.nodes if n not in listed]
        old, fresh = self._by_node, {}
        for nid in order:
            row = old.get(nid) if nid not in pending else None
            fresh[nid] = row if row is not None else _top_row(doc, analysis, nid)
        self._by_node = fresh
        cells = [*fresh.values(), _total_row(analysis, len(order))]
        if order != self.node_ids[:-1]:
            self.beginResetModel()
            self.rows, self.node_ids, self.depths = cells, [*order, None], [0] * len(cells)
            self.endResetModel()
            return None
        self.rows = cells
        built = [i for i, nid in enumerate(order) if nid in pending] + [len(order)]
        for i in built:
            self.dataChanged.emit(self.index(i, 0), self.index(i, len(COLUMNS) - 1))
        return built

    def _full(self, doc, analysis, blocks: bool) -> None:
        self.beginResetModel()
        self.rows, self.node_ids, self.depths = [], [], []
        for r in rows(doc, analysis, expand=True):
            self.rows.append(_cells(r))
            self.node_ids.append(r.node)
            self.depths.append(r.depth)
        self._by_node = None if blocks else dict(zip(self.node_ids, self.rows, strict=True))
        layers = sum(1 for d in self.depths if d == 0)
        self.rows.append(_total_row(analysis, layers))
        self.node_ids.append(None)
        self.depths.append(0)
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
        if role == Qt.FontRole and (self.node_ids[row] is None or col == SHAPE_COLUMN):
            return cell_font(col, self.node_ids[row] is None)
        return None

    def headerData(self, section: int, orientation, role: int = Qt.DisplayRole):  # noqa: N802
        if orientation != Qt.Horizontal:
            return None
        if role == Qt.DisplayRole:
            return COLUMNS[section]
        if role == Qt.ToolTipRole:
            return TIPS.get(section)
        return None


def cell_font(col: int, total: bool, base: QFont | None = None) -> QFont:
    font = QFont(base) if base is not None else QFont()
    if col == SHAPE_COLUMN:
        font.setFamily("monospace")
    font.setBold(total)
    return font


def _cells(r) -> tuple:
    return ("    " * r.depth + r.name, r.type, r.shape, _n(r.params), _n(r.params),
            _n(r.state) if r.state else "—")


def _top_row(doc, analysis, nid: str) -> tuple:
    """The cells of a design's own layer (a design without blocks)."""
    return _cells(layer_row(doc, analysis, nid))


def _total_row(analysis, layers: int) -> tuple:
    return (f"Total ({layers} layers)", "", "", _n(analysis.total_params),
            _n(analysis.trainable_params), _n(analysis.running_stats))


@lru_cache(maxsize=4096)  # the same few counts repeat over thousands of layers
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
        header.setStretchLastSection(False)  # numbers stay beside their names
        self.counts = QLabel()
        self.counts.setWordWrap(True)
        self.counts.setProperty("role", "caption")
        self.counts.setContentsMargins(6, 4, 6, 4)
        self.counts.setTextInteractionFlags(Qt.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addWidget(self.counts)
        self.table.activated.connect(self._on_index)
        self.table.clicked.connect(self._on_index)
        self._stale = True
        editor.analysis_changed.connect(self.refresh)
        self.refresh()

    def showEvent(self, event) -> None:  # noqa: N802  (Qt API name)
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def _fresh(self) -> None:
        """Rebuild now if an analysis came while the panel was hidden."""
        if self._stale:
            self._stale = False
            self.model.rebuild()
            self.counts.setText(self.counts_text())

    def refresh(self) -> None:
        if not self.isVisible():  # behind another tab: rebuilt when shown (or read)
            self._stale = True
            return
        self._stale = False
        built = self.model.rebuild()
        self.counts.setText(self.counts_text())
        self.fit_columns(built)

    def counts_text(self) -> str:
        editor = self.model.editor
        return "\n".join(totals_lines(editor.analysis)
                         + memory_summary_lines(editor.doc, editor.analysis))

    def fit_columns(self, built: list[int] | None = None) -> None:
        """Each column as wide as its widest text (header included), measured directly; in
        long tables only the longest texts of a column are measured (the widest is among
        them), so thousands of rows cost no more than a few hundred. With `built` (the rows
        an edit changed) a column only widens to fit those."""
        texts = self.model.rows
        header = QFontMetrics(self.table.horizontalHeader().font())
        base = self.table.font()
        for col, title in enumerate(COLUMNS):
            plain = QFontMetrics(cell_font(col, False, base))
            bold = QFontMetrics(cell_font(col, True, base))
            width = max(header.horizontalAdvance(title),
                        bold.horizontalAdvance(texts[-1][col]) if texts else 0)
            if built is None:
                body = {row[col] for row in texts[:-1]}
            else:
                width = max(width, self.table.columnWidth(col) - CELL_PADDING)
                body = {texts[i][col] for i in built[:-1]}
            for text in _longest(body):
                width = max(width, plain.horizontalAdvance(text))
            self.table.setColumnWidth(col, width + CELL_PADDING)

    def row_for(self, node_id: str) -> tuple | None:
        """The row of a design node (not of the layers inside it)."""
        self._fresh()
        for row, nid, depth in zip(self.model.rows, self.model.node_ids, self.model.depths,
                                   strict=True):
            if nid == node_id and depth == 0:
                return row
        return None

    def totals(self) -> tuple:
        self._fresh()
        return self.model.rows[-1]

    def _on_index(self, index: QModelIndex) -> None:
        node_id = self.model.node_ids[index.row()]
        if node_id:
            self.node_activated.emit(node_id)


def _longest(texts: set[str], keep: int = MEASURED) -> list[str]:
    """The texts that can be the widest: all of a short list, else the `keep` longest (a
    text of fewer characters is narrower unless its letters are much wider: the margin of
    `keep` covers that)."""
    if len(texts) <= keep:
        return list(texts)
    return heapq.nlargest(keep, texts, key=len)
