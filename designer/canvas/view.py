"""CanvasView: the node-editor widget the main window embeds.

It shows a CanvasScene for a DocumentEditor and owns viewing (zoom around the cursor, pan with
the middle button, space+drag or scroll bars, fit), keyboard editing, drops from the palette
(MIME `application/x-netwright-layer`, data = layer type) and the quick-add popup. Edits are
delegated to the scene, which pushes named commands through the editor.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QGraphicsView, QWidget

from designer.canvas import style as st
from designer.canvas.breadcrumb import HEIGHT as CRUMB_H
from designer.canvas.breadcrumb import Breadcrumb
from designer.canvas.overlay import HeatLegend, Toast
from designer.canvas.overview import Overview
from designer.canvas.quick_add import QuickAddPopup
from designer.canvas.scene import CanvasScene
from designer.canvas.scene_analysis import content_rect
from designer.canvas.view_edits import ViewEdits

LAYER_MIME = "application/x-netwright-layer"
BLOCK_MIME = "application/x-netwright-block"  # "library:NAME" or "design:ID"
MIMES = (LAYER_MIME, BLOCK_MIME)
MIN_ZOOM, MAX_ZOOM = 0.08, 3.0
ZOOM_STEP = 1.2


class CanvasView(ViewEdits, QGraphicsView):
    zoom_changed = Signal(float)
    message = Signal(str)  # hints and refusals, also shown as a toast on the canvas

    def __init__(self, editor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = editor
        self.canvas = CanvasScene(editor, self)
        self.setScene(self.canvas)
        self._configure()
        self._pan_from: QPoint | None = None
        self._space = False
        self.toast = Toast(self)
        self.legend = HeatLegend(self)
        self.popup = QuickAddPopup(self)
        self.popup.chosen.connect(self._quick_add_chosen)
        self._quick_pos = QPointF()
        editor.refused.connect(self._show_message)
        self.canvas.message.connect(self._show_message)
        self.canvas.wire_released.connect(self._wire_released)
        self.canvas.badge_clicked.connect(self._badge_clicked)
        self._badge_node = ""
        self.canvas.block_activated.connect(self._block_activated)
        self._entering = ""
        self.breadcrumb = Breadcrumb(self)
        self.breadcrumb.leave_to.connect(self.leave_block)
        editor.scope_changed.connect(self._scope_changed)
        self._quick_from: tuple[str, str, bool] | None = None
        self.menu_pos = QPointF()
        self._splice = None  # the wire highlighted while a layer is dragged over it
        self._init_overview()
        self.viewport().installEventFilter(self)
        self.set_dark(False)

    def _init_overview(self) -> None:
        self.overview = Overview(self)
        self.overview.follow(self.editor)
        self.horizontalScrollBar().valueChanged.connect(self.overview.refresh)
        self.verticalScrollBar().valueChanged.connect(self.overview.refresh)
        self.zoom_changed.connect(self.overview.refresh)
        self.overview.measure()

    def _configure(self) -> None:
        self.setRenderHints(QPainter.RenderHint.Antialiasing
                            | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setRubberBandSelectionMode(Qt.ItemSelectionMode.IntersectsItemShape)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setOptimizationFlags(QGraphicsView.OptimizationFlag.DontSavePainterState
                                  | QGraphicsView.OptimizationFlag.DontAdjustForAntialiasing)
        self.setCacheMode(QGraphicsView.CacheModeFlag.CacheBackground)
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setFrameShape(QGraphicsView.Shape.NoFrame)

    @property
    def scene_(self) -> CanvasScene:
        return self.canvas

    # -- theme and overlays ---------------------------------------------------------------------
    def set_dark(self, dark: bool) -> None:
        s = st.DARK if dark else st.LIGHT
        self.canvas.set_style(s)
        self.toast.set_style(s)
        self.breadcrumb.set_style(s)
        self.legend.set_style(s)
        self.overview.set_style(s)
        self.resetCachedContent()
        self.viewport().update()

    def set_overview(self, enabled: bool) -> None:
        """Allow or forbid the overview (it shows itself only when the design overflows)."""
        self.overview.enabled = enabled
        self.overview.refresh()

    def set_node_heat(self, values: dict[str, float] | None) -> None:
        self.canvas.set_heat(values)
        self.legend.setVisible(bool(values))
        self.legend.place()

    def _show_message(self, text: str) -> None:
        self.toast.show_text(text)
        self.message.emit(text)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802  (Qt API name)
        if obj is self.viewport() and event.type() == event.Type.Resize:
            self.legend.place()
            self.overview.refresh()
            self._place_breadcrumb()
        return super().eventFilter(obj, event)

    # -- zoom and pan ---------------------------------------------------------------------------
    @property
    def zoom(self) -> float:
        return self.transform().m11()

    def set_zoom(self, factor: float, anchor: QPoint | None = None) -> None:
        factor = min(MAX_ZOOM, max(MIN_ZOOM, factor))
        if abs(factor - self.zoom) < 1e-9:
            return
        if anchor is not None:
            before = self.mapToScene(anchor)
        scale = factor / self.zoom
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.scale(scale, scale)
        if anchor is not None:
            delta = self.mapToScene(anchor) - before
            self.translate(delta.x(), delta.y())
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.zoom_changed.emit(self.zoom)

    def zoom_in(self) -> None:
        self.set_zoom(self.zoom * ZOOM_STEP, self.viewport().rect().center())

    def zoom_out(self) -> None:
        self.set_zoom(self.zoom / ZOOM_STEP, self.viewport().rect().center())

    def wheelEvent(self, event) -> None:  # noqa: N802  (Qt API name)
        if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            super().wheelEvent(event)  # shift+wheel scrolls
            return
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.set_zoom(self.zoom * (ZOOM_STEP ** steps), event.position().toPoint())
        event.accept()

    def fit_all(self) -> None:
        rect = content_rect(self.canvas, wires=True)
        if rect.isNull():
            self.resetTransform()
            self.centerOn(0, 0)
            return
        self.fitInView(rect.adjusted(-40, -40, 40, 40), Qt.AspectRatioMode.KeepAspectRatio)
        if self.zoom > 1.25:
            self.set_zoom(1.25)
            self.centerOn(rect.center())
        elif self.zoom < MIN_ZOOM:
            self.set_zoom(MIN_ZOOM)
            self.centerOn(rect.center())
        self.zoom_changed.emit(self.zoom)

    def center_on_node(self, node_id: str) -> None:
        item = self.canvas.nodes.get(node_id) or self.canvas.comments.get(node_id)
        if item is not None:
            self.centerOn(item.sceneBoundingRect().center())

    def _pan_start(self, pos: QPoint) -> None:
        self._pan_from = pos
        self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)

    def mousePressEvent(self, event) -> None:  # noqa: N802  (Qt API name)
        middle = event.button() == Qt.MouseButton.MiddleButton
        if middle or (self._space and event.button() == Qt.MouseButton.LeftButton):
            self._pan_start(event.position().toPoint())
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:  # noqa: N802  (Qt API name)
        if self._pan_from is not None:
            delta = event.position().toPoint() - self._pan_from
            self._pan_from = event.position().toPoint()
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - delta.x())
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - delta.y())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802  (Qt API name)
        if self._pan_from is not None:
            self._pan_from = None
            self.viewport().unsetCursor()
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802  (Qt API name)
        if self.itemAt(event.position().toPoint()) is None:
            self.quick_add(self.mapToScene(event.position().toPoint()))
            return
        super().mouseDoubleClickEvent(event)

    def contextMenuEvent(self, event) -> None:  # noqa: N802  (Qt API name)
        from designer.canvas.menus import context_menu

        if self.scene().focusItem() is not None:  # an inline editor has its own menu
            super().contextMenuEvent(event)
            return
        menu = context_menu(self, self.mapToScene(event.pos()))
        menu.exec(event.globalPos())
        menu.deleteLater()

    def _badge_clicked(self, node_id: str) -> None:
        """Open the badge's menu once the click that asked for it has returned."""
        self._badge_node = node_id
        self.editor.set_selection([node_id])
        QTimer.singleShot(0, self.show_badge_menu)

    def show_badge_menu(self) -> None:
        from designer.canvas.menus import badge_menu

        item = self.canvas.nodes.get(self._badge_node)
        if item is None:
            return
        corner = item.mapToScene(item.badge_rect().bottomLeft())
        menu = badge_menu(self, self._badge_node)
        menu.exec(self.viewport().mapToGlobal(self.mapFromScene(corner)))
        menu.deleteLater()

    # -- blocks: entering and leaving -----------------------------------------------------------
    def _block_activated(self, node_id: str) -> None:
        """A block was double-clicked: enter it once the click has returned (the items
        under the cursor are replaced by the block's inside)."""
        self._entering = node_id
        QTimer.singleShot(0, self._enter_pending)

    def _enter_pending(self) -> None:
        node_id, self._entering = self._entering, ""
        if node_id:
            self.editor.enter(node_id)

    def enter_block(self) -> bool:
        """Show the inside of the selected block (also double-click)."""
        ids = [i for i in self.canvas.selection_order if i in self.canvas.nodes]
        if len(ids) != 1 or not self.editor.enter(ids[0]):
            self.editor.refused.emit("select one block to enter (blocks show a double outline)")
            return False
        return True

    def leave_block(self, depth: int = -1) -> bool:
        """Go back out (to `depth` levels in; -1: one level), selecting the block left."""
        scope = self.editor.scope
        if not scope:
            return False
        depth = len(scope) - 1 if depth < 0 else depth
        if not self.editor.leave(depth):
            return False
        self.editor.set_selection([scope[depth]])
        return True

    def _scope_changed(self) -> None:
        self.breadcrumb.set_path(self.editor.scope_titles())
        self.setViewportMargins(0, CRUMB_H if self.editor.scope else 0, 0, 0)
        self._place_breadcrumb()
        QTimer.singleShot(0, self._fit_readable)

    def _fit_readable(self) -> None:
        from designer.canvas_slot import fit_readable

        fit_readable(self)

    def _place_breadcrumb(self) -> None:
        area = self.viewport().geometry()
        self.breadcrumb.setGeometry(area.left(), area.top() - CRUMB_H, area.width(), CRUMB_H)
        self.breadcrumb.raise_()

    def export_image(self, path: str) -> Path:
        """Write the whole design as a .png or .svg picture; raises ExportError (a sentence)."""
        from designer.canvas.export import export_image

        return export_image(self.canvas, path)

    def quick_add_at_menu(self) -> None:
        self.quick_add(self.menu_pos)

    def add_comment_at_menu(self) -> None:
        self.add_comment(self.menu_pos)

    # -- drops from the palette ----------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:  # noqa: N802  (Qt API name)
        if _dropped(event.mimeData()):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event) -> None:  # noqa: N802  (Qt API name)
        if _dropped(event.mimeData()):
            event.acceptProposedAction()
            if event.mimeData().hasFormat(LAYER_MIME):  # layers splice into wires
                self._hot_wire(self.canvas.wire_at(
                    self.mapToScene(event.position().toPoint())))
        else:
            super().dragMoveEvent(event)

    def dragLeaveEvent(self, event) -> None:  # noqa: N802  (Qt API name)
        self._hot_wire(None)
        super().dragLeaveEvent(event)

    def _hot_wire(self, wire) -> None:
        """Highlight the wire a dropped layer would be spliced into."""
        if wire is not self._splice:
            if self._splice is not None and self._splice.edge in self.canvas.wires:
                self._splice.set_hot(False)
            self._splice = wire
            if wire is not None:
                wire.set_hot(True)

    def dropEvent(self, event) -> None:  # noqa: N802  (Qt API name)
        mime = event.mimeData()
        kind = _dropped(mime)
        if not kind:
            super().dropEvent(event)
            return
        layer_type = kind
        pos = self.mapToScene(event.position().toPoint())
        wire = self.canvas.wire_at(pos) if mime.hasFormat(LAYER_MIME) else None
        self._hot_wire(None)
        if wire is not None:
            self.canvas.insert_on_wire(layer_type, pos, wire.edge)
        else:
            self.add_layer(layer_type, pos)
        event.acceptProposedAction()
        self.setFocus()

    # -- keyboard -------------------------------------------------------------------------------
    def focusNextPrevChild(self, forward: bool) -> bool:  # noqa: N802  (Qt API name)
        return False  # Tab belongs to the canvas (quick-add), not to focus navigation

    def keyPressEvent(self, event) -> None:  # noqa: N802  (Qt API name)
        if self.scene().focusItem() is not None:  # an inline editor is typing
            super().keyPressEvent(event)
            return
        if not self._handle_key(event):
            super().keyPressEvent(event)

    def keyReleaseEvent(self, event) -> None:  # noqa: N802  (Qt API name)
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space = False
            self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
            self.viewport().unsetCursor()
        super().keyReleaseEvent(event)

    def _handle_key(self, event) -> bool:
        from designer.canvas.keys import handle_key

        return handle_key(self, event)

    def _begin_space_pan(self) -> None:
        self._space = True
        self.setDragMode(QGraphicsView.DragMode.NoDrag)
        self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)


def _dropped(mime) -> str:
    """What a drop carries: a layer type, "library:NAME" or "design:ID"; "" for anything else."""
    for kind in MIMES:
        if mime.hasFormat(kind):
            return bytes(mime.data(kind)).decode("utf-8", "replace").strip()
    return ""
