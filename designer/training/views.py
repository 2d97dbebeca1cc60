"""The live views of a run: which views there are, their layout, and the routing of events.

`VIEWS` lists the view classes (see `designer.training.live_view` for the contract). To add a
view — reconstructions for autoencoders, a GAN sample grid, a latent scatter — write one
`LiveView` subclass and append it here (or `VIEWS.append(MyView)` before the dock is built).

`LiveViews` lays the "main" views (the curves) beside a tab of the others, shows only the
tabs whose `applies(run)` holds for the current run, and routes each batch of worker events
to the views that draw those event types: one `handle` call per view per batch. Drawing is
scheduled apart from handling: a view that got new data is drawn when it is visible, at most
every DRAW_MS, and only one view per turn of the event loop (painting pyqtgraph plots is what
costs; a view in a hidden tab costs nothing until it is shown).
"""

from __future__ import annotations

import logging
import time

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QMenu, QSplitter, QTabWidget, QToolButton, QVBoxLayout, QWidget

from backend.training.events import RunFinished, RunStarted
from designer.explore.activation_stats_view import ActivationsView
from designer.training.generative_views import GENERATIVE_VIEWS
from designer.training.graph_views import GRAPH_VIEWS
from designer.training.live_view import LiveView, RunContext, RunPlan
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
VIEWS: list[type[LiveView]] = [*STANDARD_VIEWS[:1], *GRAPH_VIEWS, *GENERATIVE_VIEWS,
                               *STANDARD_VIEWS[1:], ActivationsView]
DRAW_MS = 250  # each view is drawn at most 4 times a second
log = logging.getLogger(__name__)


class LiveViews(QWidget):
    def __init__(self, view_classes: list[type[LiveView]] | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.context = RunContext()
        self.live: list[LiveView] = []
        self._dirty: list[LiveView] = []  # have data they have not drawn yet
        self._drawn: dict[int, float] = {}  # id(view) -> when it was last drawn
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self._draw_next)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.currentChanged.connect(lambda _i: self._schedule())
        self.tabs.setCornerWidget(self._tab_list(), Qt.Corner.TopRightCorner)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.tabs)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)
        for cls in VIEWS if view_classes is None else view_classes:
            self.add_view(cls)

    def _tab_list(self) -> QToolButton:
        """A button listing every view of this run, for when their tabs do not all fit."""
        button = QToolButton(self)
        button.setText("▾")
        button.setAccessibleName("All views")
        button.setToolTip("All views of this run (tabs that do not fit scroll with the arrows)")
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        button.setStyleSheet("QToolButton::menu-indicator { image: none; width: 0px; }")
        menu = QMenu(button)
        menu.aboutToShow.connect(self._fill_tab_list)
        menu.triggered.connect(self._tab_chosen)
        button.setMenu(menu)
        self._tab_menu = menu
        return button

    def _fill_tab_list(self) -> None:
        self._tab_menu.clear()
        for i in range(self.tabs.count()):
            if self.tabs.isTabVisible(i):
                action = self._tab_menu.addAction(self.tabs.tabText(i))
                action.setData(i)
                action.setCheckable(True)
                action.setChecked(i == self.tabs.currentIndex())

    def _tab_chosen(self, action) -> None:
        self.tabs.setCurrentIndex(action.data())

    def add_view(self, cls: type[LiveView]) -> LiveView:
        """Create a view of class `cls` and place it (the dock adds them one at a time)."""
        view = cls()
        self.live.append(view)
        if view.placement == "main":
            self.splitter.insertWidget(self.splitter.count() - 1, view.widget)
            for i in range(self.splitter.count()):
                self.splitter.setStretchFactor(i, 1)
            self.splitter.setSizes([650] * (self.splitter.count() - 1) + [560])
        else:
            self.tabs.setTabVisible(self.tabs.addTab(view.widget, view.name),
                                    view.applies(self.context.started))
        return view

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
        self._dirty.clear()
        for view in self.live:
            view.begin(self.context)
        self._show_tabs(started)
        front = next((v for v in self.live if getattr(v, "prominent", False)
                      and v.applies(started)), None)
        if front is not None:  # a graph or generative run: its own view first
            self.show_view(type(front))

    def prepare(self, plan: RunPlan) -> None:
        """A run like `plan` is coming: the views set their axes for it now."""
        for view in self.live:
            try:
                view.prepare(plan)
            except Exception:  # a view must never break the others
                log.exception("the %s view could not prepare for the run", view.name)

    def handle(self, batch: list) -> dict[str, float] | None:
        """Feed a batch of events to the views; returns new canvas node colours, if any."""
        heat = None
        for view in self.live:
            mine = [e for e in batch if isinstance(e, view.events)]
            if mine:
                colours = view.handle(mine, self.context)
                heat = colours if colours is not None else heat
                self.mark(view)
        return heat

    def mark(self, view: LiveView) -> None:
        """`view` has something new to draw."""
        if view not in self._dirty:
            self._dirty.append(view)
        self._schedule()

    def _schedule(self, delay_ms: int = 0) -> None:
        if self._dirty and (not self._timer.isActive() or delay_ms == 0):
            self._timer.start(delay_ms)

    def _draw_next(self) -> None:
        """Draw the first visible view that is due (one per turn); come back for the rest."""
        now, wait = time.monotonic(), None
        for view in list(self._dirty):
            if not view.widget.isVisible():
                continue  # drawn when shown
            due = self._drawn.get(id(view), 0.0) + DRAW_MS / 1000 - now
            if due > 0:
                wait = due if wait is None else min(wait, due)
                continue
            self._dirty.remove(view)
            try:
                more = view.draw(self.context)
            except Exception:  # a view must never break the others
                log.exception("the %s view could not draw", view.name)
                more = False
            if more:  # drawn in parts: the next part at the next turn
                self._dirty.append(view)
            else:
                self._drawn[id(view)] = now
            self._timer.start(0)
            return
        if wait is not None:
            self._timer.start(int(wait * 1000) + 1)

    def draw_now(self) -> None:
        """Draw every view with new data at once, visible or not (tests, exports)."""
        while self._dirty:
            view = self._dirty.pop(0)
            while view.draw(self.context):
                pass

    def finish(self, finished: RunFinished) -> None:
        """The run ended: what is left is drawn as the views become visible."""
        for view in self.live:
            view.finish(finished, self.context)
        self._drawn.clear()  # no waiting for the last points
        self._schedule()

    def flush(self) -> None:
        self.finish(RunFinished("completed", ""))

    def showEvent(self, event) -> None:  # noqa: N802  (Qt API name)
        super().showEvent(event)
        self._schedule()

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
        self._dirty.clear()
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
