"""Shared set-up for the canvas tests: small designs, a shown view, and real mouse events."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from backend.graph import Edge, GraphDocument, Node
from designer.canvas.view import CanvasView
from designer.editor import DocumentEditor


def chain_doc() -> GraphDocument:
    """Input -> Conv2d -> Flatten -> Dense, left to right."""
    doc = GraphDocument("chain")
    layers = [("image", "Input", {"shape": [1, 28, 28]}), ("conv", "Conv2d", {"filters": 4}),
              ("flat", "Flatten", {}), ("fc", "Dense", {"units": 10})]
    for i, (nid, kind, params) in enumerate(layers):
        doc.nodes[nid] = Node(nid, kind, params, nid, (i * 260.0, 0.0))
    doc.edges = [Edge("image", "conv"), Edge("conv", "flat"), Edge("flat", "fc")]
    return doc


def make_view(qtbot, doc: GraphDocument | None = None) -> tuple[DocumentEditor, CanvasView]:
    editor = DocumentEditor(doc or chain_doc())
    view = CanvasView(editor)
    # Owned by the view, the editor is deleted with it when the test ends. Left to Python,
    # it would be freed by whichever thread next runs the garbage collector (a worker
    # thread, in a later test), deleting Qt objects there and deadlocking.
    editor.setParent(view)
    qtbot.addWidget(view)
    view.resize(1000, 600)
    view.show()
    qtbot.waitExposed(view)
    view.resetTransform()
    view.centerOn(QPointF(400, 40))
    return editor, view


def analysed(qtbot, editor: DocumentEditor) -> None:
    """Wait for the debounced analysis after an edit."""
    with qtbot.waitSignal(editor.analysis_changed, timeout=2000):
        pass


def send_mouse(view: CanvasView, kind: QEvent.Type, scene_pos: QPointF,
               button=Qt.MouseButton.LeftButton, buttons=None,
               mods=Qt.KeyboardModifier.NoModifier) -> None:
    """Deliver one mouse event at a scene position (QTest cannot drag with a button held)."""
    local = view.mapFromScene(scene_pos)
    pos = QPointF(local)
    glob = QPointF(view.viewport().mapToGlobal(QPoint(local)))
    held = buttons if buttons is not None else (
        Qt.MouseButton.NoButton if kind == QEvent.Type.MouseButtonRelease else button)
    event = QMouseEvent(kind, pos, glob, button if kind != QEvent.Type.MouseMove
                        else Qt.MouseButton.NoButton, held, mods)
    QApplication.sendEvent(view.viewport(), event)


def drag(view: CanvasView, start: QPointF, end: QPointF, steps: int = 4) -> None:
    send_mouse(view, QEvent.Type.MouseButtonPress, start)
    for k in range(1, steps + 1):
        p = start + (end - start) * (k / steps)
        send_mouse(view, QEvent.Type.MouseMove, p, buttons=Qt.MouseButton.LeftButton)
    send_mouse(view, QEvent.Type.MouseButtonRelease, end)
