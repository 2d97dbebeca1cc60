"""The Explore window: the course's concepts as pages, listed on the left.

One page per concept, each in its own module; a page is created the first time it is shown.
`ExploreWindow.show_page(key, node_id)` opens a page and, when a design node is given, lets the
page take its settings from that node (a Conv2d's kernel size, stride and padding; an
activation layer's type) and the run's probe data for it. The window belongs to the main
window (it closes with it) but is a separate top-level window, so it can sit beside the
canvas.
"""

from __future__ import annotations

import importlib

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QWidget,
)

from designer.explore.run_data import RunData
from designer.theme import SPACE

# key, list title, module, class
PAGES = (
    ("convolution", "Convolution", "designer.explore.conv_page", "ConvolutionPage"),
    ("backprop", "Backprop on a graph", "designer.explore.backprop_page",
     "BackpropPage"),
    ("activations", "Activation functions", "designer.explore.activations_page",
     "ActivationsPage"),
    ("perceptron", "Perceptron", "designer.explore.perceptron_page", "PerceptronPage"),
    ("softmax", "Softmax and cross-entropy", "designer.explore.softmax_page", "SoftmaxPage"),
    ("recurrent", "Recurrent networks", "designer.explore.recurrent_page", "RecurrentPage"),
    ("optimisers", "Optimisers on a surface", "designer.explore.optimisers_page",
     "OptimisersPage"),
)
TITLES = {key: title for key, title, *_ in PAGES}


class ExploreWindow(QMainWindow):
    def __init__(self, main_window: QWidget | None = None):
        super().__init__(main_window)
        self.setWindowFlag(Qt.WindowType.Window, True)
        self.setWindowTitle("Explore — Netwright")
        self.main_window = main_window
        self.pages: dict[str, QWidget] = {}
        self.run_data = RunData()  # the controller shares its own
        self.list = QListWidget()
        self.list.setFixedWidth(210)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for key, title, *_ in PAGES:
            item = QListWidgetItem(title)
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.list.addItem(item)
        self.stack = QStackedWidget()
        body = QWidget()
        layout = QHBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(SPACE)
        layout.addWidget(self.list)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(body)
        self.list.currentItemChanged.connect(self._on_current)
        screen = self.screen().availableGeometry() if self.screen() else None
        width = min(1400, screen.width() - 20) if screen else 1400
        height = min(860, screen.height() - 40) if screen else 860
        self.resize(width, height)

    @property
    def editor(self):
        return getattr(self.main_window, "editor", None)

    def page(self, key: str) -> QWidget:
        """The page `key`, created on first use."""
        if key not in self.pages:
            _, _, module, cls = next(p for p in PAGES if p[0] == key)
            page = getattr(importlib.import_module(module), cls)(self)
            self.pages[key] = page
            self.stack.addWidget(page)
            if hasattr(page, "run_data_changed"):
                page.run_data_changed(self.run_data)
        return self.pages[key]

    def update_run_data(self) -> None:
        """The run sent new probe data: pages that show it refresh."""
        for page in self.pages.values():
            if hasattr(page, "run_data_changed"):
                page.run_data_changed(self.run_data)

    def current_key(self) -> str | None:
        item = self.list.currentItem()
        return None if item is None else item.data(Qt.ItemDataRole.UserRole)

    def show_page(self, key: str, node_id: str | None = None) -> QWidget:
        page = self.page(key)
        if node_id is not None and hasattr(page, "focus_node") and self.editor is not None:
            page.focus_node(self.editor, node_id)
        row = next(i for i, p in enumerate(PAGES) if p[0] == key)
        self.list.blockSignals(True)
        self.list.setCurrentRow(row)
        self.list.blockSignals(False)
        self.stack.setCurrentWidget(page)
        self.setWindowTitle(f"{TITLES[key]} — Explore — Netwright")
        self.show()
        self.raise_()
        self.activateWindow()
        return page

    def _on_current(self, item: QListWidgetItem | None, _previous=None) -> None:
        if item is not None:
            self.show_page(item.data(Qt.ItemDataRole.UserRole))
