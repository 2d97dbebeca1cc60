"""Blocks on the canvas, driven like a user: group and ungroup with the keyboard, double-click
into a block, edit inside it, and leave by the breadcrumb, Alt+Up or Escape."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, Qt
from test_canvas_helpers import drag, make_view, send_mouse

from backend.graph import BLOCK, Edge
from backend.project import dumps
from designer.canvas import style as st


def select_by_rubber_band(view, first: str, last: str) -> None:
    a, b = view.canvas.nodes[first], view.canvas.nodes[last]
    drag(view, a.sceneBoundingRect().topLeft() + QPointF(-20, -30),
         b.sceneBoundingRect().bottomRight() + QPointF(20, 20))


def double_click(view, scene_pos: QPointF) -> None:
    send_mouse(view, QEvent.Type.MouseButtonPress, scene_pos)
    send_mouse(view, QEvent.Type.MouseButtonRelease, scene_pos)
    send_mouse(view, QEvent.Type.MouseButtonDblClick, scene_pos)
    send_mouse(view, QEvent.Type.MouseButtonRelease, scene_pos)


def grouped(qtbot):
    editor, view = make_view(qtbot)
    text = dumps(editor.doc)
    view.setFocus()
    select_by_rubber_band(view, "conv", "flat")
    qtbot.keyClick(view, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    return editor, view, text


def test_ctrl_g_groups_and_ctrl_shift_g_gives_back_the_same_design(qtbot):
    editor, view, before = grouped(qtbot)
    blocks = [n for n in editor.doc.nodes.values() if n.type == BLOCK]
    assert len(blocks) == 1 and editor.selection == [blocks[0].id]
    assert "conv" not in editor.doc.nodes and len(editor.doc.blocks) == 1
    assert editor.undo_stack.undoText() == "Group 2 layers into a block"
    item = view.canvas.nodes[blocks[0].id]
    assert item.block_label is not None and set(item.inputs) == {"in"}
    assert {Edge("image", blocks[0].id), Edge(blocks[0].id, "fc")} == set(view.canvas.wires)
    qtbot.keyClick(view, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    assert dumps(editor.doc) == before
    assert set(editor.selection) == {"conv", "flat"}
    assert set(view.canvas.nodes) == set(editor.doc.nodes)


def test_double_click_enters_a_block_edits_inside_and_the_breadcrumb_leads_out(qtbot):
    editor, view, _ = grouped(qtbot)
    block = editor.selection[0]
    item = view.canvas.nodes[block]
    double_click(view, item.mapToScene(QPointF(st.NODE_W / 2, st.NODE_H - 10)))
    qtbot.waitUntil(lambda: editor.scope == [block])
    body = editor.graph
    assert set(view.canvas.nodes) == set(body.nodes)
    assert {"BlockInput", "BlockOutput", "Conv2d", "Flatten"} == \
        {n.type for n in body.nodes.values()}
    assert view.breadcrumb.isVisible()
    assert view.breadcrumb.current.text() == "<b>block</b>"
    qtbot.waitUntil(lambda: view.canvas.nodes["conv"].shape_text == "(B, 4, 26, 26)")
    # an edit inside is one undo step of the design, applied to the definition
    count = editor.undo_stack.count()
    editor.set_selection(["flat"])
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert "flat" not in body.nodes and editor.undo_stack.count() == count + 1
    assert any(e.src == "conv" for e in body.edges)
    # out by the breadcrumb's first button
    button = view.breadcrumb._buttons[0]
    assert button.text() == "chain"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.scope == [])
    assert not view.breadcrumb.isVisible() and editor.selection == [block]
    assert set(view.canvas.nodes) == set(editor.doc.nodes)
    editor.undo_stack.undo()  # the edit inside is undone from outside too
    assert "flat" in editor.doc.blocks[editor.doc.nodes[block].params["definition"]].graph.nodes


def test_alt_up_and_escape_leave_and_undo_of_the_group_leaves_too(qtbot):
    editor, view, before = grouped(qtbot)
    block = editor.selection[0]
    qtbot.keyClick(view, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert editor.scope == [block]
    qtbot.keyClick(view, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert editor.scope == [] and editor.selection == [block]
    assert editor.enter(block)
    editor.set_selection(["conv"])
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert editor.scope == [block] and editor.selection == []
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert editor.scope == []
    assert editor.enter(block)
    editor.undo_stack.undo()  # the block goes away under us: back to the design
    assert editor.scope == [] and dumps(editor.doc) == before
    assert set(view.canvas.nodes) == set(editor.doc.nodes)
