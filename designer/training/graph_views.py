"""Live views of the graph recipes: the graph itself, the nodes' embeddings, and link
prediction's ROC curve with the best-scored new pairs.

Each is a `LiveView` (designer/training/live_view.py) shown only for runs of the graph tasks
(`RunStarted.task`). The graph's layout (`GraphLayout`) arrives once per run, before any
prediction; after it, each batch draws only its newest predictions, embeddings or scores.
The Graph view is `prominent`: it comes to the front when a graph run starts.
"""

from __future__ import annotations

from backend.training.events import RunFinished, RunStarted
from backend.training.graph_events import GraphLayout, LinkScores, NodeEmbeddings, NodePredictions
from designer.plots.graph_learning import LinkPredictionView, NodeEmbeddingView
from designer.plots.graph_picture import GraphPictureView
from designer.training.live_view import LiveView, RunContext

GRAPH_TASKS = ("node_classification", "link_prediction")


def _task(run: RunStarted | None) -> str | None:
    return run.task if run is not None else None


def _newest(events: list, kind: type):
    return next((e for e in reversed(events) if isinstance(e, kind)), None)


class GraphView(LiveView):
    name = "Graph"
    events = (GraphLayout, NodePredictions, LinkScores)
    prominent = True

    def make_widget(self) -> GraphPictureView:
        return GraphPictureView()

    def applies(self, run: RunStarted | None) -> bool:
        return _task(run) in GRAPH_TASKS

    def handle(self, events: list, context: RunContext) -> None:
        layout = _newest(events, GraphLayout)
        if layout is not None:
            self.widget.set_graph(layout)
        predictions = _newest(events, NodePredictions)
        if predictions is not None:
            self.widget.set_predictions(predictions)
        scores = _newest(events, LinkScores)
        if scores is not None:
            self.widget.set_links(scores.top_pairs, scores.top_hidden)

    def finish(self, finished: RunFinished, context: RunContext) -> None:
        if finished.reason != "error":
            self.widget.set_kept(finished.best_epoch, finished.test_accuracy)


class EmbeddingsView(LiveView):
    name = "Embeddings"
    events = (GraphLayout, NodeEmbeddings)

    def make_widget(self) -> NodeEmbeddingView:
        return NodeEmbeddingView()

    def applies(self, run: RunStarted | None) -> bool:
        return _task(run) in GRAPH_TASKS

    def handle(self, events: list, context: RunContext) -> None:
        layout = _newest(events, GraphLayout)
        if layout is not None:
            self.widget.set_names(layout.names)
        embeddings = _newest(events, NodeEmbeddings)
        if embeddings is not None:
            self.widget.set_embeddings(embeddings, context.title(embeddings.node))


class LinksView(LiveView):
    name = "Links"
    events = (LinkScores,)

    def make_widget(self) -> LinkPredictionView:
        return LinkPredictionView()

    def applies(self, run: RunStarted | None) -> bool:
        return _task(run) == "link_prediction"

    def handle(self, events: list, context: RunContext) -> None:
        self.widget.set_scores(events[-1])


GRAPH_VIEWS: list[type[LiveView]] = [GraphView, EmbeddingsView, LinksView]
