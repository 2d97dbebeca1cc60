"""Explore's link to the Training dock: every run's teaching probes reach the pages.

`TrainingLink(window, controller)` listens to the dock: a new run (or a new design) clears the
pages' run data; each batch of events goes to `controller.receive` (output numbers, recurrent
states, kernels for the Explore pages and the inspector). The dock's Activations tab is a live
view of its own (`ActivationsView`, in designer.training.views.VIEWS).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Slot

from backend.training.events import RunStarted
from designer.explore.activation_stats_view import ActivationsView


class TrainingLink(QObject):
    def __init__(self, window, controller) -> None:
        super().__init__(window)
        self.controller = controller
        self.dock = window.training
        live = self.dock.views.view(ActivationsView)
        self.view = live.widget if live is not None else None  # the Activations tab
        self.dock.events_received.connect(self.on_events)
        window.editor.document_replaced.connect(self.on_new_design)

    @Slot(list)
    def on_events(self, batch: list) -> None:
        if any(isinstance(e, RunStarted) for e in batch):
            self.controller.forget_run()
        self.controller.receive(batch)

    @Slot()
    def on_new_design(self) -> None:
        self.controller.forget_run()
