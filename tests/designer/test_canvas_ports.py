"""Layers and ports under the mouse. Ports are painted and hit-tested by their layer: they
still show the cross cursor and what they take when hovered, and a press on one (or just
beside it) draws a wire rather than moving or selecting the layer. Dragged layers snap to the
grid and their wires follow them before the move is committed."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, Qt
from test_canvas_helpers import drag, make_view, send_mouse

from backend.graph import Edge
from designer.canvas import style as st

MOVE = QEvent.Type.MouseMove
NONE = Qt.MouseButton.NoButton


def hover(view, scene_pos: QPointF) -> None:
    send_mouse(view, MOVE, scene_pos, buttons=NONE)


def test_hovering_a_port_shows_the_cross_and_the_port_the_body_shows_the_layer(qtbot):
    editor, view = make_view(qtbot)
    conv = view.canvas.nodes["conv"]
    hover(view, conv.sceneBoundingRect().center() + QPointF(0, 200))  # from empty canvas
    hover(view, conv.outputs["out"].scenePos())
    assert conv.cursor().shape() == Qt.CursorShape.CrossCursor
    assert conv.toolTip().startswith("output 'out'") and "drag to another" in conv.toolTip()
    hover(view, conv.inputs["in"].scenePos() + QPointF(-8, 3))  # the grab area is wider
    assert conv.toolTip().startswith("input 'in'")
    hover(view, conv.mapToScene(QPointF(90, 50)))
    assert conv.cursor().shape() != Qt.CursorShape.CrossCursor
    assert "<b>conv</b>" in conv.toolTip() and "drag a port to connect" in conv.toolTip()
    assert conv.hovered


def test_a_wire_drawn_from_beside_a_port_connects_without_moving_the_layer(qtbot):
    editor, view = make_view(qtbot)
    conv, fc = view.canvas.nodes["conv"], view.canvas.nodes["fc"]
    where = conv.pos()
    start = conv.outputs["out"].scenePos() + QPointF(9, 0)  # outside the card, on the port
    drag(view, start, fc.inputs["in"].scenePos() + QPointF(0, 6))
    assert Edge("conv", "fc") in editor.doc.edges  # it replaced the wire from flat
    assert Edge("flat", "fc") not in editor.doc.edges
    assert conv.pos() == where and not conv.isSelected() and editor.undo_stack.count() == 1
    assert conv.outputs["out"].connected == 2  # the port is drawn filled
    assert view.canvas.nodes["flat"].outputs["out"].connected == 0
    editor.undo_stack.undo()
    assert Edge("flat", "fc") in editor.doc.edges
    assert view.canvas.nodes["flat"].outputs["out"].connected == 1


def test_the_port_under_a_dragged_wire_is_ringed_and_cleared_after(qtbot):
    editor, view = make_view(qtbot)
    conv, fc = view.canvas.nodes["conv"], view.canvas.nodes["fc"]
    start = conv.outputs["out"].scenePos()
    send_mouse(view, QEvent.Type.MouseButtonPress, start)
    send_mouse(view, MOVE, fc.inputs["in"].scenePos(), buttons=Qt.MouseButton.LeftButton)
    assert fc.inputs["in"].highlight == "ok"
    send_mouse(view, MOVE, start + QPointF(0, 300), buttons=Qt.MouseButton.LeftButton)
    assert fc.inputs["in"].highlight == ""
    qtbot.keyClick(view.viewport(), Qt.Key.Key_Escape)
    send_mouse(view, QEvent.Type.MouseButtonRelease, start + QPointF(0, 300))
    assert not view.popup.isVisible() and editor.undo_stack.count() == 0
    assert conv.pos() == QPointF(260, 0)


def test_dragged_layers_snap_and_their_wires_follow_before_the_release(qtbot):
    editor, view = make_view(qtbot)
    editor.set_selection(["conv", "flat"])
    conv, flat = view.canvas.nodes["conv"], view.canvas.nodes["flat"]
    into, out = view.canvas.wires[Edge("image", "conv")], view.canvas.wires[Edge("flat", "fc")]
    start = conv.scenePos() + QPointF(60, 50)
    send_mouse(view, QEvent.Type.MouseButtonPress, start)
    for step in (QPointF(20, 20), QPointF(47, 93)):
        send_mouse(view, MOVE, start + step, buttons=Qt.MouseButton.LeftButton)
    assert conv.y() > 0 and conv.x() % st.GRID == 0 and conv.y() % st.GRID == 0
    assert flat.pos() - conv.pos() == QPointF(260, 0)  # moved together
    assert into.ends()[1] == conv.inputs["in"].scenePos()
    assert out.ends()[0] == flat.outputs["out"].scenePos()
    assert editor.undo_stack.count() == 0  # nothing is committed while dragging
    send_mouse(view, QEvent.Type.MouseButtonRelease, start + QPointF(47, 93))
    assert editor.undo_stack.undoText() == "Move 2 nodes"
    assert editor.doc.nodes["conv"].pos == (conv.x(), conv.y())
