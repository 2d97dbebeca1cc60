"""The graph views: the graph with predicted and true classes, node embeddings, link
prediction's ROC curve and best pairs, fed with the events of real (short) runs."""

import numpy as np
import pytest

from backend.templates import make_template
from backend.training import Trainer
from backend.training.events import Probes
from backend.training.graph_events import (
    GraphLayout,
    LinkScores,
    NodeEmbeddings,
    NodePredictions,
)
from designer.plots.graph_learning import LinkPredictionView, NodeEmbeddingView
from designer.plots.graph_picture import GraphPictureView


@pytest.fixture(scope="module")
def runs():
    out = {}
    for name in ("gcn-karate", "graph-autoencoder"):
        doc = make_template(name)
        doc.sections["training"].update(epochs=20, device="cpu")
        events = []
        Trainer(doc, probes=Probes(samples_every_s=0.01)).run(events.append)
        out[name] = events
    return out


def last(events, kind):
    return [e for e in events if isinstance(e, kind)][-1]


def colours(scatter, attr: str) -> list[str]:
    return [getattr(p, attr)().color().name().upper() for p in scatter.points()]


def test_graph_view_fills_predictions_and_rings_true_classes(qtbot, runs):
    view = GraphPictureView()
    qtbot.addWidget(view)
    events = runs["gcn-karate"]
    layout, preds = last(events, GraphLayout), last(events, NodePredictions)
    view.set_graph(layout)
    assert len(view.nodes.points()) == 34 and "34 nodes, 78 edges" in view.status_label.text()
    view.set_predictions(preds)
    fills, rings = colours(view.nodes, "brush"), colours(view.nodes, "pen")
    palette = ["#0072B2", "#E69F00"]
    assert fills == [palette[c] for c in preds.predicted]
    assert rings == [palette[c] for c in layout.labels]
    symbols = [p.symbol() for p in view.nodes.points()]
    assert symbols.count("s") == 8  # the 4 labelled members of each faction
    assert "epoch 20: train" in view.status_label.text()
    tip = view._tip(0, 0, 33)
    assert "node 33" in tip and "true class: Officer" in tip and "predicted:" in tip
    header, rows = view.table()
    assert header[:4] == ["node", "name", "true_class", "predicted_class"] and len(rows) == 34
    view.set_kept(preds.epoch, 0.5)  # the drawn epoch's weights were kept: nothing to add
    assert "kept" not in view.status_label.text()
    drawn_test = preds.accuracy["test"]
    view.set_kept(3, drawn_test)  # another epoch kept, same test accuracy: no contradiction
    assert "kept" not in view.status_label.text()
    view.set_kept(3, 1.0 if drawn_test < 1 else 0.5)
    assert "kept: epoch 3" in view.status_label.text()
    assert "keeps the weights of epoch 3" in view.status_label.toolTip()


def test_embedding_view_plots_every_node_by_true_class(qtbot, runs):
    view = NodeEmbeddingView()
    qtbot.addWidget(view)
    event = last(runs["gcn-karate"], NodeEmbeddings)
    view.set_embeddings(event, "relu")
    assert len(view.scatter.points()) == 34
    assert "'relu' (16 features, PCA:" in view.status_label.text()
    assert "<" not in view.status_label.text()  # the status is painted as plain text
    assert "Mr. Hi" in view.legend.text() and "Officer" in view.legend.text()
    header, rows = view.table()
    assert len(rows) == 34 and np.allclose([r[1:3] for r in rows], event.points)


def test_link_views_draw_the_roc_curve_and_the_best_new_pairs(qtbot, runs):
    events = runs["graph-autoencoder"]
    scores = last(events, LinkScores)
    view = LinkPredictionView()
    qtbot.addWidget(view)
    view.set_scores(scores)
    x, y = view.curve.getData()
    assert x[0] == 0 and y[-1] == 1 and f"ROC AUC {scores.auc:.3f}" in view.status_label.text()
    assert view.pairs.rowCount() == 10
    held = [view.pairs.item(r, 2).text() == "held out" for r in range(10)]
    assert held == scores.top_hidden.tolist()
    picture = GraphPictureView()
    qtbot.addWidget(picture)
    picture.set_graph(last(events, GraphLayout))
    picture.set_links(scores.top_pairs, scores.top_hidden)
    drawn = sum(len(item.getData()[0]) for item in (picture.hits, picture.misses))
    assert drawn == 2 * 10  # two ends per pair
    assert "best new pairs" in picture.legend.text()
    assert "held-out edges" in picture.legend.toolTip()


@pytest.fixture
def graph_dock(qtbot):
    from designer.canvas.view import CanvasView
    from designer.editor import DocumentEditor
    from designer.training.dock import TrainingDock

    docks = []

    def make(template: str, epochs: int):
        doc = make_template(template)
        doc.sections["training"].update(epochs=epochs, device="cpu")
        editor = DocumentEditor(doc)
        canvas = CanvasView(editor)
        dock = TrainingDock(editor, canvas)
        qtbot.addWidget(canvas)
        qtbot.addWidget(dock)
        dock.resize(1400, 460)
        dock.show()  # views draw while they are visible
        docks.append(dock)
        return dock

    yield make
    for dock in docks:
        dock.shutdown()


def train_by_click(qtbot, dock):
    from PySide6.QtCore import Qt

    with qtbot.waitSignal(dock.run_finished, timeout=120_000) as blocker:
        qtbot.mouseClick(dock.start_button, Qt.MouseButton.LeftButton)
    assert blocker.args[0].reason == "completed", blocker.args[0].message


def open_tab(qtbot, tabs, widget) -> None:
    """Click the tab of `widget`, as a user does."""
    from PySide6.QtCore import Qt

    bar = tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton,
                     pos=bar.tabRect(tabs.indexOf(widget)).center())
    assert tabs.currentWidget() is widget


def shown_tabs(dock) -> list[str]:
    tabs = dock.views.tabs
    return [tabs.tabText(i) for i in range(tabs.count()) if tabs.isTabVisible(i)]


def test_training_the_karate_club_from_the_dock_shows_the_graph_first(qtbot, graph_dock):
    from designer.training.graph_views import EmbeddingsView, GraphView

    dock = graph_dock("gcn-karate", 30)
    train_by_click(qtbot, dock)
    graph = dock.views.view(GraphView).widget
    assert dock.views.tabs.currentWidget() is graph
    tabs = shown_tabs(dock)
    assert "Graph" in tabs and "Embeddings" in tabs
    assert "Links" not in tabs and "Confusion" not in tabs and "Boundary" not in tabs
    qtbot.waitUntil(lambda: "epoch 30: train" in graph.status_label.text())
    assert len(graph.nodes.points()) == 34 and graph.predicted is not None
    embeddings = dock.views.view(EmbeddingsView).widget
    assert embeddings.event is None  # a hidden tab draws nothing while the run trains...
    open_tab(qtbot, dock.views.tabs, embeddings)
    qtbot.waitUntil(lambda: "epoch 30" in embeddings.status_label.text())  # ...until opened
    assert len(embeddings.scatter.points()) == 34
    curves = dock.views.curves  # node classification reports accuracy, not a regression MAE
    assert curves.point_count("val_metric") == 30 and curves.point_count("train_metric") == 30


def test_training_the_graph_autoencoder_from_the_dock_plots_its_auc(qtbot, graph_dock):
    from designer.training.graph_views import LinksView

    dock = graph_dock("graph-autoencoder", 15)
    train_by_click(qtbot, dock)
    assert "Links" in shown_tabs(dock) and "Loss terms" not in shown_tabs(dock)
    links = dock.views.view(LinksView).widget
    open_tab(qtbot, dock.views.tabs, links)
    qtbot.waitUntil(lambda: links.pairs.rowCount() == 10)
    assert "ROC AUC" in links.status_label.text()
    curves = dock.views.curves
    qtbot.waitUntil(lambda: len(curves.items["val_metric"].getData()[0]) == 15)
    xs, auc = curves.items["val_metric"].getData()
    assert list(xs) == [float(e) for e in range(1, 16)]
    assert 0.5 < auc[-1] <= 1.0  # better than chance after 15 epochs
    assert "test ROC AUC 0." in dock.progress_label.text()  # not the pairs' "accuracy"
    assert "test accuracy" not in dock.progress_label.text()


def test_data_preview_shows_a_graphs_adjacency_with_communities_as_blocks(qtbot):
    import pyqtgraph as pg

    from backend.data.sources import DataConfig
    from designer.training.data_preview import DataPreview

    preview = DataPreview()
    qtbot.addWidget(preview)
    data = DataConfig.from_section({"name": "sbm", "sizes": [30, 30], "p_in": 0.5,
                                    "p_out": 0.02, "seed": 1}).load()
    preview.show_data(data)
    assert "adjacency" in preview.samples.titleLabel.text
    image = next(i for i in preview.samples.items if isinstance(i, pg.ImageItem)).image
    assert image.shape == (60, 60) and (image > 0).sum() == 2 * data.num_edges
    inside = (image[:30, :30] > 0).sum() + (image[30:, 30:] > 0).sum()
    assert inside > 0.8 * (image > 0).sum()  # nodes sorted by class: the blocks on the diagonal
    bars = next(i for i in preview.balance.items if isinstance(i, pg.BarGraphItem))
    assert list(bars.opts["height"]) == [30, 30]
