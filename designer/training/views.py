"""The live views of a run: which views there are, their layout, and the routing of events.

`VIEWS` lists the view classes (see `designer.training.live_view` for the contract). To add a
view — reconstructions for autoencoders, a GAN sample grid, a latent scatter — write one
`LiveView` subclass and append it here (or `VIEWS.append(MyView)` before the dock is built).

`LiveViews` lays the "main" views (the curves) beside a tab of the others, shows only the
tabs whose `applies(run)` holds for the current run, and routes each batch of worker events
to the views that draw those event types: one `handle` call per view per batch.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QTabWidget, QVBoxLayout, QWidget

from backend.training.events import RunFinished, RunStarted
from designer.training.graph_views import GRAPH_VIEWS
from designer.training.live_view import LiveView, RunContext
from designer.training.standard_views import (
    STANDARD_VIEWS,
    BoundaryView,
    ConfusionView,
    CurvesView,
    FeaturesView,
    GradientsView,
    WeightsView,
)

# tab order: a task's own views (shown only for its runs) before the general ones
VIEWS: list[type[LiveView]] = [*STANDARD_VIEWS[:1], *GRAPH_VIEWS, *STANDARD_VIEWS[1:]]


class LiveViews(QWidget):
    def __init__(self, view_classes: list[type[LiveView]] | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.context = RunContext()
        self.live: list[LiveView] = [cls() for cls in (view_classes or VIEWS)]
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        for view in self.live:
            if view.placement == "main":
                self.splitter.addWidget(view.widget)
            else:
                self.tabs.addTab(view.widget, view.name)
        self.splitter.addWidget(self.tabs)
        for i in range(self.splitter.count()):
            self.splitter.setStretchFactor(i, 3 if i < self.splitter.count() - 1 else 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        self._show_tabs(None)

    # -- views by class (and the standard ones by name) ---------------------------------------
    def view(self, cls: type[LiveView]) -> LiveView | None:
        return next((v for v in self.live if isinstance(v, cls)), None)

    def _widget(self, cls: type[LiveView]):
        view = self.view(cls)
        return view.widget if view else None

    @property
    def curves(self):
        return self._widget(CurvesView)

    @property
    def gradients(self):
        return self._widget(GradientsView)

    @property
    def features(self):
        return self._widget(FeaturesView)

    @property
    def weights(self):
        return self._widget(WeightsView)

    @property
    def confusion(self):
        return self._widget(ConfusionView)

    @property
    def boundary(self):
        return self._widget(BoundaryView)

    # -- a run --------------------------------------------------------------------------------
    def begin(self, started: RunStarted, titles: dict[str, str]) -> None:
        """A new run: every view forgets the previous one; tabs that do not apply hide."""
        self.context = RunContext(started, dict(titles))
        for view in self.live:
            view.begin(self.context)
        self._show_tabs(started)
        front = next((v for v in self.live if getattr(v, "prominent", False)
                      and v.applies(started)), None)
        if front is not None:  # a graph run: the graph first
            self.show_view(type(front))

    def handle(self, batch: list) -> dict[str, float] | None:
        """Feed a batch of events to the views; returns new canvas node colours, if any."""
        heat = None
        for view in self.live:
            mine = [e for e in batch if isinstance(e, view.events)]
            if mine:
                colours = view.handle(mine, self.context)
                heat = colours if colours is not None else heat
        return heat

    def finish(self, finished: RunFinished) -> None:
        """The run ended: draw everything received so far."""
        for view in self.live:
            view.finish(finished, self.context)

    def flush(self) -> None:
        self.finish(RunFinished("completed", ""))

    def select(self, node_id: str, live: bool) -> str | None:
        """The user selected a node; returns the node to probe for feature maps, if any."""
        probe = None
        for view in self.live:
            wanted = view.select(node_id, self.context, live)
            probe = wanted or probe
        return probe

    def reset(self) -> None:
        """A different design: nothing of the previous run stays in any view."""
        self.context = RunContext()
        for view in self.live:
            view.reset()
        self._show_tabs(None)

    def _show_tabs(self, started: RunStarted | None) -> None:
        for view in self.live:
            index = self.tabs.indexOf(view.widget)
            if index >= 0:
                self.tabs.setTabVisible(index, view.applies(started))

    def show_view(self, cls: type[LiveView]) -> None:
        """Bring a tab view to the front."""
        view = self.view(cls)
        if view is not None and self.tabs.indexOf(view.widget) >= 0:
            self.tabs.setCurrentWidget(view.widget)
