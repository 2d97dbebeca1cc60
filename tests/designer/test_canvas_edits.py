"""Canvas edits: palette drops, wires, refusals, delete, clipboard, rename, moves, undo/redo."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication
from test_canvas_helpers import analysed, chain_doc, drag, make_view

from backend.graph import Edge, GraphDocument, Node
from designer.canvas import style as st
from designer.canvas.view import LAYER_MIME


def undo_redo_restores(editor, before: dict) -> None:
    after = editor.doc.snapshot()
    editor.undo_stack.undo()
    assert editor.doc.snapshot() == before
    editor.undo_stack.redo()
    assert editor.doc.snapshot() == after


def drop(view, layer_type: str, scene_pos: QPointF) -> None:
    mime = QMimeData()
    mime.setData(LAYER_MIME, layer_type.encode("utf-8"))
    local = view.mapFromScene(scene_pos)  # QPoint: what drag enter/move events take
    args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier)
    enter = QDragEnterEvent(local, *args)
    QApplication.sendEvent(view.viewport(), enter)
    assert enter.isAccepted()
    QApplication.sendEvent(view.viewport(), QDragMoveEvent(local, *args))
    QApplication.sendEvent(view.viewport(), QDropEvent(QPointF(local), *args))


def test_drop_from_palette_creates_node_at_drop_point(qtbot):
    editor, view = make_view(qtbot)
    before = editor.doc.snapshot()
    target = QPointF(300, 300)
    drop(view, "Dropout", target)
    added = [n for n in editor.doc.nodes.values() if n.type == "Dropout"]
    assert len(added) == 1
    item = view.canvas.nodes[added[0].id]
    assert item.sceneBoundingRect().contains(target)
    assert editor.undo_stack.undoText() == "Add Dropout"
    assert editor.selection == [added[0].id]
    undo_redo_restores(editor, before)


def test_drop_of_unknown_layer_is_refused_and_changes_nothing(qtbot):
    editor, view = make_view(qtbot)
    before = editor.doc.snapshot()
    with qtbot.waitSignal(editor.refused) as refused:
        drop(view, "NoSuchLayer", QPointF(0, 300))
    assert "NoSuchLayer" in refused.args[0]
    assert editor.doc.snapshot() == before


def test_dragging_between_ports_connects_and_labels_the_wire(qtbot):
    doc = chain_doc()
    doc.edges.remove(Edge("conv", "flat"))
    editor, view = make_view(qtbot, doc)
    before = editor.doc.snapshot()
    out_port = view.canvas.nodes["conv"].outputs["out"]
    in_port = view.canvas.nodes["flat"].inputs["in"]
    drag(view, out_port.scenePos(), in_port.scenePos())
    assert Edge("conv", "flat") in editor.doc.edges
    analysed(qtbot, editor)
    wire = view.canvas.wires[Edge("conv", "flat")]
    assert wire.label == "4×26×26"
    qtbot.mouseMove(view.viewport(), view.mapFromScene(wire.path().pointAtPercent(0.5)))
    assert "(B, 4, 26, 26)" in wire.toolTip()  # written when the wire is first hovered
    undo_redo_restores(editor, before)


def test_dragging_from_an_input_port_to_an_output_connects_too(qtbot):
    doc = chain_doc()
    doc.edges.remove(Edge("flat", "fc"))
    editor, view = make_view(qtbot, doc)
    drag(view, view.canvas.nodes["fc"].inputs["in"].scenePos(),
         view.canvas.nodes["flat"].outputs["out"].scenePos())
    assert Edge("flat", "fc") in editor.doc.edges


def test_wire_into_an_input_is_refused_with_a_hint(qtbot):
    editor, view = make_view(qtbot)
    before = editor.doc.snapshot()
    with qtbot.waitSignal(editor.refused) as refused:
        assert not view.canvas.connect_ports("fc", "image")
    assert "takes no wires in" in refused.args[0]
    assert editor.doc.snapshot() == before
    assert view.toast.isVisible() and "no wires in" in view.toast.text()


def test_cycle_is_refused(qtbot):
    editor, view = make_view(qtbot)
    before = editor.doc.snapshot()
    with qtbot.waitSignal(editor.refused) as refused:
        assert not view.canvas.connect_ports("fc", "conv")
    assert "loop" in refused.args[0]
    assert editor.doc.snapshot() == before


def test_second_wire_into_single_input_port(qtbot):
    editor, view = make_view(qtbot)
    before = editor.doc.snapshot()
    with qtbot.waitSignal(editor.refused) as refused:
        assert not view.canvas.connect_ports("image", "flat")
    assert "takes one input" in refused.args[0] and "remove the existing wire" in refused.args[0]
    assert editor.doc.snapshot() == before
    # dropping a drawn wire onto the occupied port replaces the old wire, as one command
    drag(view, view.canvas.nodes["image"].outputs["out"].scenePos(),
         view.canvas.nodes["flat"].inputs["in"].scenePos())
    assert Edge("image", "flat") in editor.doc.edges
    assert Edge("conv", "flat") not in editor.doc.edges
    undo_redo_restores(editor, before)


def test_shape_mismatch_is_allowed_and_badged(qtbot):
    doc = chain_doc()
    doc.edges.remove(Edge("flat", "fc"))
    editor, view = make_view(qtbot, doc)
    assert view.canvas.connect_ports("conv", "fc")
    analysed(qtbot, editor)
    item = view.canvas.nodes["fc"]
    assert item.has_error()
    assert "Flatten" in view.canvas.node_tooltip("fc")
    assert view.canvas.wires[Edge("conv", "fc")].bad
    assert not view.canvas.wires[Edge("image", "conv")].bad


def test_wire_into_a_merge_missing_a_branch_is_not_marked_bad(qtbot):
    doc = chain_doc()
    doc.nodes["sum"] = Node("sum", "Add", {}, "sum", (800.0, 200.0))
    doc.edges.append(Edge("fc", "sum"))
    editor, view = make_view(qtbot, doc)
    assert view.canvas.nodes["sum"].has_error()  # needs a second branch
    assert not view.canvas.wires[Edge("fc", "sum")].bad


def test_delete_without_reconnecting_removes_its_wires_and_undo_brings_them_back(qtbot):
    editor, view = make_view(qtbot)
    before = editor.doc.snapshot()
    editor.set_selection(["conv"])
    qtbot.keyClick(view, Qt.Key.Key_Delete, Qt.KeyboardModifier.ControlModifier)
    assert "conv" not in editor.doc.nodes and "conv" not in view.canvas.nodes
    assert not [e for e in editor.doc.edges if "conv" in (e.src, e.dst)]
    assert len(view.canvas.wires) == 1
    assert editor.undo_stack.undoText() == "Delete 'conv'"
    editor.undo_stack.undo()
    assert editor.doc.snapshot() == before
    assert set(view.canvas.wires) == set(editor.doc.edges)
    editor.undo_stack.redo()
    assert len(view.canvas.wires) == 1


def test_delete_a_selected_wire(qtbot):
    editor, view = make_view(qtbot)
    before = editor.doc.snapshot()
    view.canvas.wires[Edge("conv", "flat")].setSelected(True)
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert Edge("conv", "flat") not in editor.doc.edges
    assert editor.undo_stack.undoText() == "Delete wire"
    undo_redo_restores(editor, before)


def test_copy_paste_gives_new_ids_offset_and_inner_wires(qtbot):
    editor, view = make_view(qtbot)
    before = editor.doc.snapshot()
    editor.set_selection(["conv", "flat"])
    assert view.copy()
    assert '"format": "netwright-nodes"' in QApplication.clipboard().text()
    new_ids = view.paste()
    assert len(new_ids) == 2 and not set(new_ids) & {"conv", "flat"}
    a, b = (editor.doc.nodes[i] for i in new_ids)
    assert a.type == "Conv2d" and b.type == "Flatten"
    assert a.pos == (0 + 260.0 + st.PASTE_OFFSET, st.PASTE_OFFSET)
    assert Edge(new_ids[0], new_ids[1]) in editor.doc.edges
    assert len(editor.doc.edges) == 4  # the wire from 'image' is not copied
    assert editor.selection == new_ids
    assert a.title not in ("conv",)
    undo_redo_restores(editor, before)


def test_paste_works_in_another_window(qtbot):
    editor, view = make_view(qtbot)
    editor.set_selection(["conv"])
    view.copy()
    other_editor, other_view = make_view(qtbot, GraphDocument("other"))
    ids = other_view.paste()
    assert [other_editor.doc.nodes[i].type for i in ids] == ["Conv2d"]
    assert other_editor.doc.nodes[ids[0]].params == {"filters": 4}


def test_paste_of_foreign_text_is_refused(qtbot):
    editor, view = make_view(qtbot)
    before = editor.doc.snapshot()
    QApplication.clipboard().setText('{"format": "something else"}')
    with qtbot.waitSignal(editor.refused):
        assert view.paste() == []
    assert editor.doc.snapshot() == before


def test_duplicate_and_cut(qtbot):
    editor, view = make_view(qtbot)
    before = editor.doc.snapshot()
    editor.set_selection(["fc"])
    ids = view.duplicate()
    assert editor.doc.nodes[ids[0]].params == {"units": 10}
    undo_redo_restores(editor, before)
    editor.undo_stack.undo()
    editor.set_selection(["fc"])
    assert view.cut()
    assert "fc" not in editor.doc.nodes
    assert editor.undo_stack.undoText() == "Cut 'fc'"
    assert view.paste()


def test_rename_with_f2_commits_one_command(qtbot):
    editor, view = make_view(qtbot)
    before = editor.doc.snapshot()
    editor.set_selection(["conv"])
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_F2)
    title_editor = view.canvas.nodes["conv"].editor
    assert title_editor is not None
    qtbot.keyClicks(view, "features")
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert editor.doc.nodes["conv"].title == "features"
    assert view.canvas.nodes["conv"].title == "features"
    assert editor.undo_stack.count() == 1
    undo_redo_restores(editor, before)


def test_rename_escape_cancels(qtbot):
    editor, view = make_view(qtbot)
    editor.set_selection(["conv"])
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_F2)
    qtbot.keyClicks(view, "zzz")
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert editor.doc.nodes["conv"].title == "conv"
    assert editor.undo_stack.count() == 0


def test_mouse_drag_moves_selection_as_one_snapped_command(qtbot):
    editor, view = make_view(qtbot)
    before = editor.doc.snapshot()
    editor.set_selection(["conv", "flat"])
    start = view.canvas.nodes["conv"].scenePos() + QPointF(60, 50)
    drag(view, start, start + QPointF(47, 33))
    assert editor.undo_stack.count() == 1
    assert editor.undo_stack.undoText() == "Move 2 nodes"
    x, y = editor.doc.nodes["conv"].pos
    assert x % st.GRID == 0 and y % st.GRID == 0 and (x, y) != (260.0, 0.0)
    assert editor.doc.nodes["flat"].pos[0] - x == 260.0
    undo_redo_restores(editor, before)
    editor.undo_stack.undo()
    assert view.canvas.nodes["conv"].pos() == QPointF(260, 0)


def test_arrow_keys_move_selection_and_repeats_merge(qtbot):
    editor, view = make_view(qtbot)
    before = editor.doc.snapshot()
    editor.set_selection(["conv"])
    view.setFocus()
    for _ in range(3):
        qtbot.keyClick(view, Qt.Key.Key_Right)
    qtbot.keyClick(view, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    assert editor.doc.nodes["conv"].pos == (260.0 + 3 * st.GRID, 5 * st.GRID)
    assert view.canvas.nodes["conv"].pos() == QPointF(260.0 + 3 * st.GRID, 5 * st.GRID)
    assert editor.undo_stack.count() == 1
    editor.undo_stack.undo()
    assert editor.doc.snapshot() == before


def test_selection_syncs_both_ways(qtbot):
    editor, view = make_view(qtbot)
    view.canvas.nodes["flat"].setSelected(True)
    assert editor.selection == ["flat"]
    editor.set_selection(["fc", "conv"])
    assert {i.node_id for i in view.canvas.selectedItems()} == {"fc", "conv"}


def test_comment_add_move_and_edit(qtbot):
    editor, view = make_view(qtbot)
    before = editor.doc.snapshot()
    cid = view.add_comment(QPointF(0, 200))
    assert editor.doc.comments[cid].text == "Note"
    undo_redo_restores(editor, before)
    item = view.canvas.comments[cid]
    mid = editor.doc.snapshot()
    drag(view, item.scenePos() + QPointF(60, 60), item.scenePos() + QPointF(160, 100))
    assert editor.doc.comments[cid].pos == (100.0, 240.0)
    assert editor.undo_stack.undoText() == "Move comment"
    undo_redo_restores(editor, mid)
    item.text_item.setPlainText("Feature extractor")
    item.finish_editing()
    assert editor.doc.comments[cid].text == "Feature extractor"
    assert editor.undo_stack.undoText() == "Edit comment"


def test_document_events_update_items_without_rebuild(qtbot):
    editor, view = make_view(qtbot)
    conv_item = view.canvas.nodes["conv"]
    from backend.graph import AddNode

    editor.push(AddNode(Node("drop", "Dropout", {}, "drop", (0.0, 200.0))), "Add Dropout")
    assert view.canvas.nodes["conv"] is conv_item
    assert "drop" in view.canvas.nodes


def test_window_delete_shortcut_does_not_delete_while_typing_in_a_comment(qtbot):
    from PySide6.QtGui import QAction, QKeySequence
    from PySide6.QtWidgets import QMainWindow

    from designer.canvas.view import CanvasView
    from designer.editor import DocumentEditor

    editor = DocumentEditor(chain_doc())

    window = QMainWindow()
    qtbot.addWidget(window)
    view = CanvasView(editor)
    editor.setParent(view)  # deleted with the view, in this thread (see make_view)
    window.setCentralWidget(view)
    action = QAction("Delete", window)
    action.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
    action.triggered.connect(view.delete_selection)
    window.addAction(action)
    window.show()
    window.activateWindow()
    qtbot.waitActive(window)
    cid = view.add_comment(QPointF(0, 200))
    item = view.canvas.comments[cid]
    view.setFocus()
    qtbot.waitUntil(view.canvas.isActive)
    item.start_editing()
    assert view.canvas.focusItem() is item.text_item
    qtbot.keyClick(view, Qt.Key.Key_End)
    qtbot.keyClick(view, Qt.Key.Key_Backspace)
    action.trigger()  # even when the menu entry is used while typing
    assert cid in editor.doc.comments
    item.text_item.clearFocus()
    assert editor.doc.comments[cid].text == "Not"
    assert editor.undo_stack.undoText() == "Edit comment"


def test_dropping_a_layer_onto_a_wire_splices_it_in(qtbot):
    editor, view = make_view(qtbot)
    before = editor.doc.snapshot()
    wire = view.canvas.wires[Edge("conv", "flat")]
    drop(view, "ReLU", wire.path().pointAtPercent(0.3))
    relu = next(n.id for n in editor.doc.nodes.values() if n.type == "ReLU")
    assert Edge("conv", relu) in editor.doc.edges and Edge(relu, "flat") in editor.doc.edges
    assert Edge("conv", "flat") not in editor.doc.edges
    assert editor.doc.edges.index(Edge(relu, "flat")) == 1  # wire order kept
    assert editor.undo_stack.undoText() == "Insert ReLU" and editor.undo_stack.count() == 1
    analysed(qtbot, editor)
    assert view.canvas.nodes[relu].shape_text == "(B, 4, 26, 26)"
    undo_redo_restores(editor, before)


def test_adding_twice_at_one_place_never_hides_a_layer(qtbot):
    editor, view = make_view(qtbot)
    first = view.add_layer("ReLU", QPointF(300, 400))
    second = view.add_layer("ReLU", QPointF(300, 400))
    a, b = view.canvas.nodes[first], view.canvas.nodes[second]
    assert not a.sceneBoundingRect().adjusted(12, 12, -12, -12).intersects(
        b.sceneBoundingRect().adjusted(12, 12, -12, -12))


def test_comment_resize_from_its_corner_is_one_command(qtbot):
    editor, view = make_view(qtbot)
    cid = view.add_comment(QPointF(0, 200))
    before = editor.doc.snapshot()
    item = view.canvas.comments[cid]
    corner = item.scenePos() + QPointF(item.size[0] - 4, item.size[1] - 4)
    drag(view, corner, corner + QPointF(100, 60))
    assert editor.doc.comments[cid].size == (340.0, 160.0)
    assert editor.doc.comments[cid].pos == (0.0, 200.0)
    assert editor.undo_stack.undoText() == "Resize comment"
    undo_redo_restores(editor, before)
    assert view.canvas.comments[cid].size == (340.0, 160.0)


def test_double_click_on_the_title_starts_rename(qtbot):
    editor, view = make_view(qtbot)
    item = view.canvas.nodes["flat"]
    title = item.mapToScene(item.title_rect().center())
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.mapFromScene(title))
    assert item.editor is not None
    qtbot.keyClicks(view, "unroll")
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert editor.doc.nodes["flat"].title == "unroll"
    assert editor.undo_stack.undoText() == "Rename 'flat' to 'unroll'"


def test_space_drag_pans_without_moving_nodes(qtbot):
    from PySide6.QtCore import QEvent
    from test_canvas_helpers import send_mouse

    editor, view = make_view(qtbot)
    before = editor.doc.snapshot()
    view.setFocus()
    qtbot.keyPress(view, Qt.Key.Key_Space)
    start = view.canvas.nodes["conv"].sceneBoundingRect().center()
    centre = view.mapToScene(view.viewport().rect().center())
    send_mouse(view, QEvent.Type.MouseButtonPress, start)
    send_mouse(view, QEvent.Type.MouseMove, start + QPointF(0, -80),
               buttons=Qt.MouseButton.LeftButton)
    send_mouse(view, QEvent.Type.MouseButtonRelease, start + QPointF(0, -80))
    qtbot.keyRelease(view, Qt.Key.Key_Space)
    assert view.mapToScene(view.viewport().rect().center()).y() - centre.y() > 40
    assert editor.doc.snapshot() == before


def test_after_an_edit_the_layers_downstream_show_new_shapes_and_badges(qtbot):
    from backend.graph import SetParams

    editor, view = make_view(qtbot)
    scene = view.canvas
    editor.push(SetParams("conv", {"filters": 8}), "Filters")
    analysed(qtbot, editor)
    assert scene.nodes["conv"].shape_text == "(B, 8, 26, 26)"
    assert scene.nodes["flat"].shape_text == "(B, 5408)"
    assert scene.nodes["fc"].count == 5408 * 10 + 10
    assert scene.wires[Edge("conv", "flat")].label == "8×26×26"
    assert scene.nodes["image"].shape_text == "(B, 1, 28, 28)"  # upstream: as it was

    editor.set_selection(["flat"])
    view.setFocus()
    qtbot.keyClick(view.viewport(), Qt.Key.Key_Delete)  # deletes and reconnects conv -> fc
    analysed(qtbot, editor)
    assert "flat" not in scene.nodes
    assert scene.nodes["fc"].has_error()  # a Dense fed a feature map
    editor.undo_stack.undo()
    analysed(qtbot, editor)
    assert not scene.nodes["fc"].has_error()
    assert scene.nodes["flat"].shape_text == "(B, 5408)"
