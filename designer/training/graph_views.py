"""Live views of the graph recipes: the graph itself, the nodes' embeddings, and link
prediction's ROC curve with the best-scored new pairs.

Each is a `LiveView` (designer/training/live_view.py) shown only for runs of the graph tasks
(`RunStarted.task`). The graph's layout (`GraphLayout`) arrives once per run, before any
prediction; `handle` keeps the newest predictions, embeddings or scores, and `draw` (called
while the view is visible) puts them on screen.
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
        self.layout = self.predictions = self.scores = self.kept = None
        return GraphPictureView()

    def applies(self, run: RunStarted | None) -> bool:
        return _task(run) in GRAPH_TASKS

    def handle(self, events: list, context: RunContext) -> None:
        self.layout = _newest(events, GraphLayout) or self.layout
        self.predictions = _newest(events, NodePredictions) or self.predictions
        self.scores = _newest(events, LinkScores) or self.scores

    def draw(self, context: RunContext) -> None:
        if self.layout is not None:  # once per run, before any colour
            self.widget.set_graph(self.layout)
            self.layout = None
        if self.predictions is not None:
            self.widget.set_predictions(self.predictions)
            self.predictions = None
        if self.scores is not None:
            self.widget.set_links(self.scores.top_pairs, self.scores.top_hidden)
            self.scores = None
        if self.kept is not None:
            self.widget.set_kept(*self.kept)
            self.kept = None

    def finish(self, finished: RunFinished, context: RunContext) -> None:
        if finished.reason == "error":
            return
        self.kept = (finished.best_epoch, finished.test_accuracy)
        if self.predictions is None:  # the last picture is on screen: say it now
            self.widget.set_kept(*self.kept)
            self.kept = None

    def reset(self) -> None:
        self.layout = self.predictions = self.scores = self.kept = None
        super().reset()


class EmbeddingsView(LiveView):
    name = "Embeddings"
    events = (GraphLayout, NodeEmbeddings)

    def make_widget(self) -> NodeEmbeddingView:
        self.pending = None
        return NodeEmbeddingView()

    def applies(self, run: RunStarted | None) -> bool:
        return _task(run) in GRAPH_TASKS

    def handle(self, events: list, context: RunContext) -> None:
        layout = _newest(events, GraphLayout)
        if layout is not None:  # node names for the hover text (cheap)
            self.widget.set_names(layout.names)
        self.pending = _newest(events, NodeEmbeddings) or self.pending

    def draw(self, context: RunContext) -> None:
        if self.pending is not None:
            self.widget.set_embeddings(self.pending, context.title(self.pending.node))
            self.pending = None

    def reset(self) -> None:
        self.pending = None
        super().reset()


class LinksView(LiveView):
    name = "Links"
    events = (LinkScores,)

    def make_widget(self) -> LinkPredictionView:
        self.pending = None
        return LinkPredictionView()

    def applies(self, run: RunStarted | None) -> bool:
        return _task(run) == "link_prediction"

    def handle(self, events: list, context: RunContext) -> None:
        self.pending = events[-1]

    def draw(self, context: RunContext) -> None:
        if self.pending is not None:
            self.widget.set_scores(self.pending)
            self.pending = None

    def reset(self) -> None:
        self.pending = None
        super().reset()


GRAPH_VIEWS: list[type[LiveView]] = [GraphView, EmbeddingsView, LinksView]
