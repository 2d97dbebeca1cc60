"""What a graph network learns, as live views: the nodes' embeddings in 2-D, and for link
prediction the ROC curve with the network's best-scored new pairs.

`NodeEmbeddingView` plots a chosen layer's output for every node (PCA to 2-D in the training
process, the axes' signs kept from one picture to the next), coloured by true class, once per
epoch as it arrives: the communities pull apart as the network learns. `LinkPredictionView`
draws the ROC curve of the held-out edges against as many non-edges, with AUC and average
precision, and lists the pairs the network scores highest among those that are no training
edge, marking which are held-out edges.
"""

from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSplitter, QTableWidget, QTableWidgetItem, QWidget

from designer.plots.base import PALETTE, PlotPanel, qcolor, style_plot, theme_colours
from designer.plots.graph_picture import HIT, MISS, UNKNOWN, node_size

IDLE = "a layer's output for every node, in 2-D, once per epoch"


class NodeEmbeddingView(PlotPanel):
    export_name = "node-embeddings"

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Node embeddings", parent)
        self.plot_widget = pg.PlotWidget()
        self.plot = self.plot_widget.getPlotItem()
        self.plot.setMenuEnabled(False)
        self.body.addWidget(self.plot_widget, 1)
        self.scatter = pg.ScatterPlotItem(hoverable=True, tip=self._tip)
        self.plot.addItem(self.scatter)
        self.legend = QLabel("")  # the classes' colours (rich text; the status is plain)
        self.legend.setWordWrap(True)
        self.body.addWidget(self.legend)
        self.event = None
        self.names: tuple[str, ...] = ()
        self.set_status(IDLE)

    def set_names(self, names: tuple[str, ...]) -> None:
        self.names = tuple(names)

    def set_embeddings(self, event, title: str) -> None:
        self.event = event
        labels = event.labels
        n = len(event.points)
        pens = pg.mkPen(theme_colours(self._dark())[1], width=0.5)
        self.scatter.setData(pos=event.points, size=max(node_size(n) - 4, 5), pen=pens,
                             data=np.arange(n),
                             brush=[pg.mkBrush(PALETTE[c % len(PALETTE)] if c >= 0 else UNKNOWN)
                                    for c in labels])
        self.plot.autoRange(padding=0.08)
        pca = ""
        if event.explained:
            pca = (f", PCA: {event.explained[0]:.0%} + {event.explained[1]:.0%} of the "
                   "variance")
        dots = " &nbsp;".join(f"<span style='color:{PALETTE[i % len(PALETTE)]}'>●</span> "
                              f"{html.escape(c)}" for i, c in enumerate(event.class_names))
        self.legend.setText(f"{dots} &nbsp;— colour: true class")
        self.set_status(f"epoch {event.epoch}: '{title}' ({event.width} features{pca})")

    def _tip(self, x, y, data) -> str:
        if self.event is None:
            return ""
        i = int(data)
        label = self.event.labels[i]
        cls = self.event.class_names[label] if 0 <= label < len(self.event.class_names) \
            else "unknown"
        return f"node {self.names[i] if i < len(self.names) else i}\ntrue class: {cls}"

    def _dark(self) -> bool:
        from designer.plots.base import is_dark

        return is_dark(self)

    def clear(self) -> None:
        self.event = None
        self.scatter.clear()
        self.legend.setText("")
        self.set_status(IDLE)

    def apply_theme(self, dark: bool) -> None:
        style_plot(self.plot_widget, dark)

    def table(self) -> tuple[list[str], list[list]]:
        if self.event is None:
            return [], []
        return ["node", "x", "y", "true_class"], [
            [i, float(p[0]), float(p[1]), int(c)]
            for i, (p, c) in enumerate(zip(self.event.points, self.event.labels, strict=True))]


class LinkPredictionView(PlotPanel):
    export_name = "link-prediction"

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Link prediction", parent)
        split = QSplitter(Qt.Orientation.Horizontal)
        self.plot_widget = pg.PlotWidget()
        self.plot = self.plot_widget.getPlotItem()
        self.plot.setMenuEnabled(False)
        self.plot.setLabel("bottom", "false-positive rate")
        self.plot.setLabel("left", "true-positive rate")
        self.plot_widget.setToolTip("ROC curve: at each threshold, the share of held-out edges "
                                    "scored above it (true-positive rate) against the share "
                                    "of non-edges scored above it (false-positive rate)")
        self.plot.setXRange(0, 1, padding=0.02)
        self.plot.setYRange(0, 1, padding=0.02)
        self.plot.setLimits(xMin=-0.05, xMax=1.05, yMin=-0.05, yMax=1.05)
        self.chance = pg.PlotDataItem([0, 1], [0, 1])
        self.curve = pg.PlotDataItem(pen=pg.mkPen(PALETTE[0], width=2.5))
        self.plot.addItem(self.chance)
        self.plot.addItem(self.curve)
        self.pairs = QTableWidget(0, 3)
        self.pairs.setHorizontalHeaderLabels(["new pair", "score", "edge?"])
        self.pairs.setToolTip("The pairs the network scores highest among those that are no "
                              "training edge; 'held out' ones are real edges it never saw.")
        self.pairs.setMinimumWidth(200)
        self.pairs.verticalHeader().setVisible(False)
        self.pairs.verticalHeader().setDefaultSectionSize(22)
        self.pairs.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.pairs.horizontalHeader().setStretchLastSection(True)
        split.addWidget(self.plot_widget)
        split.addWidget(self.pairs)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        split.setSizes([500, 300])
        self.body.addWidget(split, 1)
        self.event = None
        self.set_status("ROC of held-out edges against as many non-edges, once per epoch")

    def set_scores(self, event) -> None:
        self.event = event
        self.curve.setData(event.fpr, event.tpr)
        self.set_status(f"epoch {event.epoch}: ROC AUC {event.auc:.3f}, average precision "
                        f"{event.ap:.3f} (chance: AUC 0.5)")
        names = event.names
        self.pairs.setRowCount(len(event.top_pairs))
        for row, ((i, j), score, held) in enumerate(zip(event.top_pairs, event.top_scores,
                                                        event.top_hidden, strict=True)):
            a = names[i] if i < len(names) else str(i)
            b = names[j] if j < len(names) else str(j)
            cells = (f"{a} — {b}", f"{float(score):.3f}", "held out" if held else "no")
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col == 2:
                    item.setForeground(qcolor(HIT if held else MISS))
                self.pairs.setItem(row, col, item)
        self.pairs.resizeColumnsToContents()

    def clear(self) -> None:
        self.event = None
        self.curve.setData([], [])
        self.pairs.setRowCount(0)

    def apply_theme(self, dark: bool) -> None:
        style_plot(self.plot_widget, dark)
        self.chance.setPen(pg.mkPen(qcolor(theme_colours(dark)[1], 110), width=1,
                                    style=Qt.PenStyle.DashLine))

    def table(self) -> tuple[list[str], list[list]]:
        if self.event is None:
            return [], []
        return ["false_positive_rate", "true_positive_rate"], [
            [float(f), float(t)] for f, t in zip(self.event.fpr, self.event.tpr, strict=True)]
