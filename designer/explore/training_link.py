"""Explore's link to the Training dock: every run's teaching probes reach the pages, and the
dock gets an Activations tab.

`TrainingLink(window, controller)` adds the `ActivationStatsView` as a tab of the dock's views
and listens to the dock: a new run (or a new design) clears the view and the pages' run data;
each batch of events goes to the view (`ActivationStats`, placed on the epoch axis) and to
`controller.receive` (output numbers, recurrent states, kernels for the Explore pages).
Selecting an activation layer on the canvas selects it in the view.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Slot

from backend.training.events import RunStarted
from backend.training.teaching_events import ActivationStats
from designer.explore.activation_stats_view import ActivationStatsView


class TrainingLink(QObject):
    def __init__(self, window, controller) -> None:
        super().__init__(window)
        self.controller = controller
        self.dock = window.training
        self.steps_per_epoch = 1
        self.view = ActivationStatsView()
        self.dock.views.tabs.addTab(self.view, "Activations")
        self.dock.events_received.connect(self.on_events)
        window.editor.selection_changed.connect(self.on_selection)
        window.editor.document_replaced.connect(self.on_new_design)

    @Slot(list)
    def on_events(self, batch: list) -> None:
        for event in batch:
            if isinstance(event, RunStarted):
                self.steps_per_epoch = max(1, event.steps_per_epoch)
                self.view.clear()
                self.controller.forget_run()
        stats = [e for e in batch if isinstance(e, ActivationStats)]
        for e in stats[-1:]:  # the newest of a batch is enough to draw
            self.view.add(e, e.step / self.steps_per_epoch)
        self.controller.receive(batch)

    @Slot(list)
    def on_selection(self, ids: list) -> None:
        if len(ids) == 1:
            self.view.select_node(ids[0])

    @Slot()
    def on_new_design(self) -> None:
        self.view.clear()
        self.controller.forget_run()
