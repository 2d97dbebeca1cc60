"""Finds the node-editor canvas for the main window, with a stand-in while it is missing.

The real canvas is `designer.canvas.view.CanvasView(editor, parent)`. If it cannot be
imported, `PlaceholderCanvas` offers the same methods so the window, menus and panels still
work: it adds layers through the editor and explains that the canvas is not available.
"""

from __future__ import annotations

import importlib
import logging

from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from backend.graph import AddNode, Node
from designer.editor import DocumentEditor

log = logging.getLogger(__name__)
READABLE_ZOOM = 0.75  # above the canvas's DETAIL_LOD, so layers show their shapes

CANVAS_METHODS = (
    "zoom_in", "zoom_out", "auto_layout", "copy", "cut", "paste", "duplicate",
    "delete_selection", "select_all", "quick_add", "add_comment", "delete_plain",
    "replace_selected", "replace_all_like", "select_same_type", "group_selected",
    "ungroup_selected", "enter_block", "leave_block", "toggle_expand", "save_as_block",
)


def create_canvas(editor: DocumentEditor, parent: QWidget | None = None) -> QWidget:
    """The real canvas when it can be imported, otherwise the placeholder."""
    try:
        module = importlib.import_module("designer.canvas.view")
        view_class = module.CanvasView
    except Exception as exc:  # a missing or half-finished canvas must not stop the window
        log.info("canvas not available (%s); using the placeholder", exc)
        return PlaceholderCanvas(editor, parent)
    return view_class(editor, parent)


def fit_readable(view: QWidget) -> None:
    """Fit the design in view, but never so small that layer names become unreadable.

    A long design opens at a readable zoom showing its start (the inputs, on the left);
    View > Fit still shows the whole design.
    """
    view.fit_all()
    zoom = getattr(view, "zoom", None)
    if not isinstance(zoom, float) or zoom >= READABLE_ZOOM or not hasattr(view, "set_zoom"):
        return
    from designer.canvas.scene_analysis import content_rect

    bounds = content_rect(view.scene()) if hasattr(view.scene(), "nodes") \
        else view.scene().itemsBoundingRect()
    view.set_zoom(READABLE_ZOOM)
    half_width = view.viewport().width() / 2 / READABLE_ZOOM
    view.centerOn(bounds.left() + half_width - 24, bounds.center().y())


class PlaceholderCanvas(QWidget):
    """Stands in for the canvas: same API, adds layers through the editor."""

    def __init__(self, editor: DocumentEditor, parent: QWidget | None = None):
        super().__init__(parent)
        self.editor = editor
        self.setAcceptDrops(True)
        label = QLabel("The canvas is not available in this build.\n"
                       "Layers added from the palette still appear in the Summary below.")
        label.setAlignment(Qt.AlignCenter)
        label.setProperty("role", "caption")
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        for name in CANVAS_METHODS:
            setattr(self, name, _no_op)

    def add_layer(self, layer_type: str, scene_pos: QPointF | None = None) -> str:
        doc = self.editor.doc
        node_id = doc.new_id(layer_type)
        pos = (scene_pos.x(), scene_pos.y()) if scene_pos is not None else (0.0, 0.0)
        node = Node(node_id, layer_type, {}, doc.unique_title(layer_type.lower()), pos)
        self.editor.push(AddNode(node), f"Add {layer_type}")
        self.editor.set_selection([node_id])
        return node_id

    def mapToScene(self, point):  # noqa: N802  (mirrors QGraphicsView)
        return QPointF(point)

    def fit_all(self) -> None:
        pass

    def set_dark(self, dark: bool) -> None:
        pass

    def set_node_heat(self, heat: dict | None) -> None:
        pass

    def center_on_node(self, node_id: str) -> None:
        pass


def _no_op(*_args, **_kwargs) -> None:
    return None
