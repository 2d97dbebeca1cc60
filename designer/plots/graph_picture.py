"""The graph itself as a live view: nodes where the spring layout put them, filled with the
class the network predicts and ringed with their true class.

The layout arrives once per run (`GraphLayout`, computed in the training process with
networkx); after that only the fill colours change (`NodePredictions`), so a student watches
the predictions spread from the few labelled nodes through the edges. Training nodes (whose
labels the loss sees) are squares, the others circles. For link prediction the view draws
the edges the network sees, the held-out edges dashed, and the network's best-scored new
pairs: green when they are held-out edges, orange when they are not. Hovering a node names
it with its true and predicted class.
"""

from __future__ import annotations

import html

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QWidget

from designer.plots.base import PALETTE, PlotPanel, qcolor, style_plot, theme_colours

UNKNOWN = "#999999"  # a node without a true label, or not predicted yet
HIT, MISS = "#009E73", "#D55E00"  # a predicted link that is (is not) a held-out edge
SPLITS = ("training", "validation", "test")
SHORT = ("train", "val", "test")
IDLE = "the graph appears when a graph network starts training"
MAX_DASHED = 120  # more held-out edges than this are not drawn (they would hide the rest)


def node_size(n: int) -> float:
    """A marker's size in pixels (for plots whose axes are not the layout's)."""
    return 16.0 if n <= 60 else 11.0 if n <= 400 else 7.0 if n <= 1500 else 5.0


def node_extent(n: int) -> float:
    """A node's diameter in the layout's units (it spans [-1, 1]): the drawing scales with
    the view, so a small dock does not turn the graph into overlapping discs."""
    return float(min(0.1, 0.9 / np.sqrt(max(n, 1))))


def _pairs(positions: np.ndarray, edges: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x and y arrays of line segments (connect="pairs") for edges (E, 2)."""
    if edges is None or not len(edges):
        return np.zeros(0), np.zeros(0)
    pts = positions[np.asarray(edges).reshape(-1)]
    return pts[:, 0], pts[:, 1]


class GraphPictureView(PlotPanel):
    export_name = "graph"

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Graph", parent)
        self.plot_widget = pg.PlotWidget()
        self.plot = self.plot_widget.getPlotItem()
        self.plot.setAspectLocked(True)
        self.plot.hideAxis("left")
        self.plot.hideAxis("bottom")
        self.plot.setMenuEnabled(False)
        self.body.addWidget(self.plot_widget, 1)
        self.legend = QLabel("")
        self.legend.setWordWrap(True)
        self.body.addWidget(self.legend)
        self.edges = pg.PlotDataItem(connect="pairs")
        self.hidden = pg.PlotDataItem(connect="pairs")
        self.hits = pg.PlotDataItem(connect="pairs", pen=pg.mkPen(HIT, width=3.5))
        self.misses = pg.PlotDataItem(connect="pairs", pen=pg.mkPen(MISS, width=3.5))
        self.nodes = pg.ScatterPlotItem(hoverable=True, tip=self._tip, pxMode=False)
        for item in (self.edges, self.hidden, self.nodes, self.hits, self.misses):
            self.plot.addItem(item)  # the predicted pairs over the nodes they join
        self.layout_event = None
        self.predicted: np.ndarray | None = None
        self.confidence: np.ndarray | None = None
        self.shown = None  # the NodePredictions drawn
        self._dark = False
        self.set_status(IDLE)

    # -- data -----------------------------------------------------------------------------------
    def set_graph(self, layout) -> None:
        """A run's graph (a GraphLayout event): positions, edges, labels and splits."""
        self.layout_event, self.predicted, self.confidence = layout, None, None
        self.shown = None
        pos = layout.positions
        self.edges.setData(*_pairs(pos, layout.edges))
        few = layout.hidden_edges is not None and len(layout.hidden_edges) <= MAX_DASHED
        self.hidden.setData(*_pairs(pos, layout.hidden_edges if few else None))
        self.hits.setData([], [])
        self.misses.setData([], [])
        self._draw_nodes()
        self.plot.autoRange(padding=0.08)
        self._legend()
        task = "link prediction" if layout.hidden_edges is not None else "node classification"
        self.set_status(f"{len(pos):,} nodes, {len(layout.edges):,} edges ({task})")

    def set_predictions(self, event) -> None:
        """Every node's predicted class (a NodePredictions event): the fill colours."""
        if self.layout_event is None:
            return
        self.predicted, self.confidence = event.predicted, event.confidence
        self.shown = event
        self._draw_nodes()
        words = [f"{name} {event.accuracy[key]:.0%}" for key, name in
                 zip(("train", "val", "test"), SHORT, strict=True) if key in event.accuracy]
        self.set_status(f"epoch {event.epoch}: " + ", ".join(words))
        self.status_label.setToolTip(f"Epoch {event.epoch}: accuracy of the predicted classes "
                                     "on the training, validation and test nodes")

    def set_kept(self, best_epoch: int | None, test_accuracy: float | None) -> None:
        """The run ended keeping the weights of `best_epoch` (lowest validation loss): when
        that is not the epoch drawn, say so, so its test accuracy does not contradict ours."""
        shown = self.shown
        if shown is None or best_epoch is None or best_epoch == shown.epoch:
            return
        drawn = shown.accuracy.get("test")
        if test_accuracy is None or drawn is None or abs(drawn - test_accuracy) < 1e-6:
            return  # the last weights were kept, or they agree: nothing to explain
        self.set_status(f"{self.status_label.text()}; kept: epoch {best_epoch}, test "
                        f"{test_accuracy:.0%}")
        self.status_label.setToolTip(
            f"The drawing shows epoch {shown.epoch}. The run keeps the weights of epoch "
            f"{best_epoch} (lowest validation loss); with them the test accuracy is "
            f"{test_accuracy:.1%}. Those are the weights saved and exported.")

    def set_links(self, pairs: np.ndarray, hidden: np.ndarray) -> None:
        """The best-scored pairs that are no training edge: green when held out, else orange."""
        if self.layout_event is None:
            return
        pos, hidden = self.layout_event.positions, np.asarray(hidden, bool)
        self.hits.setData(*_pairs(pos, pairs[hidden]))
        self.misses.setData(*_pairs(pos, pairs[~hidden]))

    def clear(self) -> None:
        self.layout_event = self.predicted = self.confidence = self.shown = None
        for item in (self.edges, self.hidden, self.hits, self.misses):
            item.setData([], [])
        self.nodes.clear()
        self.legend.setText("")
        self.set_status(IDLE)
        self.status_label.setToolTip("")

    # -- drawing --------------------------------------------------------------------------------
    def _draw_nodes(self) -> None:
        ev = self.layout_event
        n = len(ev.positions)
        rings = [PALETTE[int(c) % len(PALETTE)] if c >= 0 else UNKNOWN for c in ev.labels]
        if self.predicted is not None:
            brushes = [pg.mkBrush(PALETTE[int(c) % len(PALETTE)]) for c in self.predicted]
        elif ev.hidden_edges is not None:  # link prediction: the true classes, pale
            brushes = [pg.mkBrush(qcolor(r, 110)) for r in rings]
        else:  # not predicted yet
            brushes = [pg.mkBrush(theme_colours(self._dark)[0])] * n
        width = 2.5 if n <= 60 else 1.8 if n <= 400 else 1.2
        self.nodes.setData(pos=ev.positions, size=node_extent(n), data=np.arange(n),
                           symbol=["s" if s == 0 else "o" for s in ev.split], brush=brushes,
                           pen=[pg.mkPen(r, width=width) for r in rings])

    def _legend(self) -> None:
        """One short line (it wraps in a narrow dock); the full wording in its tooltip."""
        ev = self.layout_event
        many = len(ev.class_names) > 4  # name the classes in the tooltip only
        dots = "".join(f"<span style='color:{PALETTE[i % len(PALETTE)]}'>●</span>"
                       + ("" if many else f" {html.escape(name)} ")
                       for i, name in enumerate(ev.class_names))
        if ev.hidden_edges is None:
            text = f"{dots} — fill: predicted · ring: true class · ■ training node"
            tip = ("Each node is filled with the class the network predicts and ringed with "
                   "its true class; squares are the training nodes, whose labels the loss "
                   "sees.")
        else:
            text = (f"{dots} true class — best new pairs: <span style='color:{HIT}'>▬</span> "
                    f"held-out edge, <span style='color:{MISS}'>▬</span> not an edge")
            dashed = ("; dashed: the held-out edges it never sees"
                      if len(ev.hidden_edges) <= MAX_DASHED else "")
            tip = (f"Grey lines are the edges the network sees{dashed}. The ten pairs it "
                   "scores highest among those that are no training edge are drawn in green "
                   "when they are held-out edges, in orange when they are not.")
        names = ", ".join(ev.class_names)
        self.legend.setText(text)
        self.legend.setToolTip(f"{tip}\nClasses: {names}.")

    def _tip(self, x, y, data) -> str:
        ev = self.layout_event
        if ev is None:
            return ""
        i = int(data)
        names = ev.class_names
        true = names[ev.labels[i]] if 0 <= ev.labels[i] < len(names) else "unknown"
        lines = [f"node {ev.names[i] if i < len(ev.names) else i}", f"true class: {true}"]
        if self.predicted is not None:
            k = int(self.predicted[i])
            lines.append(f"predicted: {names[k] if k < len(names) else k} "
                         f"({float(self.confidence[i]):.0%})")
        if ev.split[i] >= 0:
            lines.append(f"{SPLITS[ev.split[i]]} node")
        return "\n".join(lines)

    def apply_theme(self, dark: bool) -> None:
        self._dark = dark
        style_plot(self.plot_widget, dark)
        fg = theme_colours(dark)[1]
        self.edges.setPen(pg.mkPen(qcolor(fg, 90), width=1))
        self.hidden.setPen(pg.mkPen(qcolor(fg, 140), width=1.2, style=pg.QtCore.Qt.DashLine))
        if self.layout_event is not None:
            self._draw_nodes()

    def table(self) -> tuple[list[str], list[list]]:
        ev = self.layout_event
        if ev is None:
            return [], []
        rows = []
        for i in range(len(ev.positions)):
            pred = "" if self.predicted is None else int(self.predicted[i])
            rows.append([i, ev.names[i] if i < len(ev.names) else i, int(ev.labels[i]), pred,
                         "" if self.confidence is None else float(self.confidence[i]),
                         SPLITS[ev.split[i]] if ev.split[i] >= 0 else "",
                         float(ev.positions[i, 0]), float(ev.positions[i, 1])])
        return ["node", "name", "true_class", "predicted_class", "confidence", "split", "x",
                "y"], rows
