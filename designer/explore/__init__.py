"""Explore: the course's concepts as interactive pages, reachable where each concept lives.

`install(window)` adds Help ▸ Explore (one entry per page), the "Explore …" entries of a
layer's context menu (a Conv/Pool layer opens the convolution explorer with its settings, an
activation layer its function, a recurrent layer its unrolling, the output layer the softmax
numbers), the activation plot in the inspector, and the link to the Training dock (its
Saturation tab; the run's probes reach the pages). The Explore window itself is created on
first use (`window.explore.open(key, node_id)`).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from designer.explore.window import PAGES

ACTIVATIONS = {"Step", "ReLU", "LeakyReLU", "Sigmoid", "Tanh", "ELU", "GELU", "SiLU",
               "Softmax", "LogSoftmax", "ReLU6", "Hardsigmoid", "Hardswish", "Mish", "Softplus",
               "PReLU"}
RECURRENT = {"SimpleRNN", "LSTM", "GRU"}
POOLING = {"Conv2d", "Conv1d", "MaxPool2d", "MaxPool1d", "AvgPool2d", "AvgPool1d"}


class Notifier(QObject):
    changed = Signal()  # the run's teaching-probe data changed (or was forgotten)


class ExploreController:
    """Opens the Explore window (created once) on a page, optionally for a node."""

    def __init__(self, window) -> None:
        from designer.explore.run_data import RunData

        self.window = window
        self._explore = None
        self.data = RunData()  # the current run's teaching probes, for the pages
        self.notifier = Notifier(window)
        closed = getattr(window, "closed", None)
        if closed is not None:
            closed.connect(self.dispose)

    def dispose(self) -> None:
        """Delete the Explore window now (the main window closed for good): its plots must
        not outlive the application, or tearing them down at interpreter exit crashes."""
        explore, self._explore = self._explore, None
        if explore is not None:
            import shiboken6

            explore.close()
            if shiboken6.isValid(explore):
                shiboken6.delete(explore)

    @property
    def explore_window(self):
        if self._explore is None:
            from designer.explore.window import ExploreWindow

            self._explore = ExploreWindow(self.window)
            self._explore.run_data = self.data
        return self._explore

    def receive(self, events: list) -> None:
        """Teaching-probe events of the current run (from the Training dock)."""
        if self.data.add(events):
            self.notifier.changed.emit()
            if self._explore is not None:
                self._explore.update_run_data()

    def forget_run(self) -> None:
        """A new run or a new design: the pages stop showing the previous run's numbers."""
        self.data.clear()
        self.notifier.changed.emit()
        if self._explore is not None:
            self._explore.update_run_data()

    def open(self, key: str, node_id: str | None = None):
        return self.explore_window.show_page(key, node_id)


def pages_for_node(node_type: str) -> list[tuple[str, str]]:
    """(page key, menu text) of the Explore pages that teach what this layer does."""
    entries = []
    if node_type in POOLING:
        entries.append(("convolution", "Explore Convolution…"))
    if node_type in ACTIVATIONS:
        entries.append(("activations", f"Explore {node_type}…"))
    if node_type == "Step":
        entries.append(("perceptron", "Explore the Perceptron Rule…"))
    if node_type in ("Softmax", "LogSoftmax", "Dense"):
        entries.append(("softmax", "Explore Softmax and Cross-Entropy…"))
    if node_type in RECURRENT:
        entries.append(("recurrent", f"Explore {node_type} Unrolled…"))
    return entries


def install(window) -> ExploreController:
    controller = ExploreController(window)
    window.explore = controller
    help_menu = window.menus["help"]
    first = help_menu.actions()[0] if help_menu.actions() else None
    menu = QMenu("&Explore", help_menu)
    help_menu.insertMenu(first, menu)
    help_menu.insertSeparator(first)
    window.menus["explore"] = menu
    for key, title, *_ in PAGES:
        action = QAction(f"{title}…", window)
        action.setData(key)
        action.triggered.connect(controller_slot(controller, key))
        menu.addAction(action)
    from designer.explore import hooks

    hooks.install()
    if getattr(window, "training", None) is not None:
        from designer.explore.training_link import TrainingLink

        controller.link = TrainingLink(window, controller)
    return controller


def controller_slot(controller: ExploreController, key: str):
    def open_page() -> None:
        controller.open(key)
    return open_page
