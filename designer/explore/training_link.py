"""Explore's link to the Training dock: every run's teaching probes reach the pages.

`TrainingLink(window, controller)` listens to the dock: a new run (or a new design) clears the
pages' run data; each batch of events goes to `controller.receive` (output numbers, recurrent
states, kernels for the Explore pages and the inspector). The dock's Saturation tab is a live
view of its own (`ActivationsView`, in designer.training.views.VIEWS). Under the training
settings (where the optimiser is chosen) a button opens the optimisers page.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QPushButton

from backend.training.events import RunStarted
from designer.explore.activation_stats_view import ActivationsView


class TrainingLink(QObject):
    def __init__(self, window, controller) -> None:
        super().__init__(window)
        self.controller = controller
        self.dock = window.training
        self.view = self.optimisers_button = None  # once the dock's parts are built
        self.dock.events_received.connect(self.on_events)
        window.editor.document_replaced.connect(self.on_new_design)
        built = getattr(self.dock, "is_built", lambda: True)()
        if built:
            self.on_dock_built()
        else:  # the dock builds its panels and views after the window shows
            self.dock.built.connect(self.on_dock_built)

    @Slot()
    def on_dock_built(self) -> None:
        live = self.dock.views.view(ActivationsView)
        self.view = live.widget if live is not None else None  # the Saturation tab
        if self.optimisers_button is None:
            self.optimisers_button = self._add_optimisers_button(self.dock.settings_form)

    def _add_optimisers_button(self, form) -> QPushButton:
        button = QPushButton("Explore optimisers…")
        button.setToolTip("The nine optimisers side by side from one start point on a saddle, "
                          "a ravine, Rosenbrock's valley and a bowl, each with its settings")
        button.clicked.connect(self.open_optimisers)
        layout = form.layout()
        last = layout.itemAt(layout.count() - 1) if layout.count() else None
        at = layout.count() - 1 if last is not None and last.spacerItem() else layout.count()
        layout.insertWidget(at, button)
        return button

    @Slot()
    def open_optimisers(self) -> None:
        self.controller.open("optimisers")

    @Slot(list)
    def on_events(self, batch: list) -> None:
        if any(isinstance(e, RunStarted) for e in batch):
            self.controller.forget_run()
        self.controller.receive(batch)

    @Slot()
    def on_new_design(self) -> None:
        self.controller.forget_run()
