"""Editing in one step, driven like a user: replace type on a selection, delete and
reconnect, apply a fix from the Problems list or a node's badge, drop a layer on a wire."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMenu
from test_canvas_edits import drop
from test_canvas_helpers import analysed, chain_doc, drag, make_view, send_mouse

from backend.graph import Edge, GraphDocument, Node
from backend.templates import make_template
from designer.canvas import style as st
from designer.panels.problems import ProblemsPanel


def click_node(view, node_id: str, mods=Qt.KeyboardModifier.NoModifier) -> None:
    item = view.canvas.nodes[node_id]
    if not view._visible(node_id):
        view.center_on_node(node_id)
    centre = item.mapToScene(QPointF(st.NODE_W / 2, st.NODE_H - 12))
    send_mouse(view, QEvent.Type.MouseButtonPress, centre, mods=mods)
    send_mouse(view, QEvent.Type.MouseButtonRelease, centre, mods=mods)


def choose_in_popup(qtbot, view, text: str) -> None:
    popup = view.popup
    qtbot.waitUntil(popup.isVisible)
    qtbot.keyClicks(popup.search, text)
    qtbot.keyClick(popup.search, Qt.Key.Key_Return)


def test_replace_all_sigmoids_with_relu_is_one_action_and_one_undo(qtbot):
    editor, view = make_view(qtbot, make_template("deep-sigmoid-mlp"))
    before, count = editor.doc.snapshot(), editor.undo_stack.count()
    view.setFocus()
    click_node(view, "sigmoid3_1")
    assert editor.selection == ["sigmoid3_1"]
    qtbot.keyClick(view, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    assert len(editor.selection) == 8
    qtbot.keyClick(view, Qt.Key.Key_R)
    assert "Replace 8 Sigmoid layers with" in view.popup.heading.text()
    choose_in_popup(qtbot, view, "relu")
    types = [n.type for n in editor.doc.nodes.values()]
    assert types.count("ReLU") == 8 and "Sigmoid" not in types
    assert editor.undo_stack.count() == count + 1
    assert editor.undo_stack.undoText() == "Replace 8 Sigmoid layers with ReLU"
    assert len(editor.selection) == 8  # still selected, as new ReLUs
    analysed(qtbot, editor)
    assert view.canvas.nodes["sigmoid3_1"].layer_type == "ReLU"
    assert view.canvas.nodes["sigmoid3_1"].title == "relu3"
    assert len(view.canvas.wires) == len(editor.doc.edges) == len(before["edges"])
    editor.undo_stack.undo()
    assert editor.doc.snapshot() == before
    assert view.canvas.nodes["sigmoid3_1"].layer_type == "Sigmoid"


def test_replace_a_rubber_band_selection(qtbot):
    editor, view = make_view(qtbot)
    view.setFocus()
    flat, fc = view.canvas.nodes["flat"], view.canvas.nodes["fc"]
    start = flat.sceneBoundingRect().topLeft() + QPointF(-20, -30)
    end = fc.sceneBoundingRect().bottomRight() + QPointF(20, 20)
    drag(view, start, end)
    assert set(editor.selection) == {"flat", "fc"}
    qtbot.keyClick(view, Qt.Key.Key_R)
    choose_in_popup(qtbot, view, "Identity")
    assert [editor.doc.nodes[n].type for n in ("flat", "fc")] == ["Identity", "Identity"]
    assert editor.undo_stack.undoText() == "Replace 2 layers with Identity"


def test_the_node_menu_offers_to_replace_every_layer_of_its_type(qtbot):
    from designer.canvas.menus import context_menu

    editor, view = make_view(qtbot, make_template("deep-sigmoid-mlp"))
    menu = context_menu(view, view.canvas.nodes["sigmoid1_1"].sceneBoundingRect().center())
    texts = [a.text() for a in menu.actions()]
    assert "Replace All 8 Sigmoid Layers With…" in texts
    assert "Select All 8 Sigmoid Layers" in texts
    assert "Delete Without Reconnecting" in texts
    menu.deleteLater()


def test_delete_reconnects_the_chain_and_ctrl_delete_does_not(qtbot):
    doc = chain_doc()
    editor, view = make_view(qtbot, doc)
    before = editor.doc.snapshot()
    view.setFocus()
    click_node(view, "flat")
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert "flat" not in editor.doc.nodes
    assert Edge("conv", "fc") in editor.doc.edges
    assert Edge("conv", "fc") in view.canvas.wires
    assert editor.undo_stack.undoText() == "Delete 'flat' and reconnect"
    editor.undo_stack.undo()
    assert editor.doc.snapshot() == before
    click_node(view, "flat")
    qtbot.keyClick(view, Qt.Key.Key_Delete, Qt.KeyboardModifier.ControlModifier)
    assert "flat" not in editor.doc.nodes and Edge("conv", "fc") not in editor.doc.edges


def broken_doc() -> GraphDocument:
    """Input -> Conv2d -> Dense: the Dense needs a Flatten before it."""
    doc = chain_doc()
    del doc.nodes["flat"]
    doc.edges = [Edge("image", "conv"), Edge("conv", "fc")]
    return doc


def test_apply_a_fix_from_the_problems_list_with_one_click(qtbot):
    editor, view = make_view(qtbot, broken_doc())
    panel = ProblemsPanel(editor)
    qtbot.addWidget(panel)
    panel.resize(900, 200)
    panel.show()
    qtbot.waitExposed(panel)
    buttons = panel.fix_buttons()
    assert [b.text() for b in buttons] == ["Insert Flatten before 'fc'"]
    count = editor.undo_stack.count()
    qtbot.mouseClick(buttons[0], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(n.type == "Flatten" for n in editor.doc.nodes.values()))
    assert editor.undo_stack.count() == count + 1
    assert editor.undo_stack.undoText() == "Insert Flatten before 'fc'"
    qtbot.waitUntil(lambda: editor.analysis.ok)
    assert not panel.fix_buttons()
    assert panel.messages() == ["No problems: the design is valid."]
    flatten = next(n for n in editor.doc.nodes.values() if n.type == "Flatten")
    assert view.canvas.nodes[flatten.id].shape_text == "(B, 2704)"


def test_ctrl_enter_on_a_problem_row_applies_its_fix(qtbot):
    doc = broken_doc()
    doc.nodes["conv"].params["kernel_size"] = 40  # larger than the 28x28 input
    editor, view = make_view(qtbot, doc)
    panel = ProblemsPanel(editor)
    qtbot.addWidget(panel)
    panel.show()
    panel.list.setFocus()
    panel.list.setCurrentRow(0)
    assert "larger than its input" in panel.messages()[0]
    qtbot.keyClick(panel.list, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: editor.doc.nodes["conv"].params.get("padding") == "same")
    assert editor.undo_stack.undoText() == "Set padding to 'same'"


def test_the_problem_badge_opens_its_fixes(qtbot):
    editor, view = make_view(qtbot, broken_doc())
    view.center_on_node("fc")
    item = view.canvas.nodes["fc"]
    assert item.problems and item.problems[0].fix is not None
    seen, tries = [], []

    def pick() -> None:
        menus = [w for w in QApplication.topLevelWidgets()
                 if isinstance(w, QMenu) and w.isVisible()]
        if not menus:
            tries.append(1)
            if len(tries) < 200:  # never leave a test waiting on a menu that did not open
                QTimer.singleShot(20, pick)
            return
        seen.extend(a.text() for a in menus[0].actions())
        fix = [a for a in menus[0].actions() if a.text().startswith("Fix:")]
        menus[0].close()
        if fix:
            fix[0].trigger()
    QTimer.singleShot(50, pick)
    badge = item.mapToScene(item.badge_rect().center() + QPointF(0, 4))
    send_mouse(view, QEvent.Type.MouseButtonPress, badge)
    send_mouse(view, QEvent.Type.MouseButtonRelease, badge)
    qtbot.waitUntil(lambda: any(n.type == "Flatten" for n in editor.doc.nodes.values()))
    assert "Fix: Insert Flatten before 'fc'" in seen
    assert editor.undo_stack.undoText() == "Insert Flatten before 'fc'"


def test_a_layer_dropped_on_a_wire_makes_room_instead_of_overlapping(qtbot):
    doc = GraphDocument("row")
    kinds = [("x", "Input", {"shape": [8]}), ("a", "Dense", {}), ("b", "ReLU", {}),
             ("c", "Dense", {"units": 2})]
    for i, (nid, kind, params) in enumerate(kinds):
        doc.nodes[nid] = Node(nid, kind, params, nid, (i * st.COL_STEP, 0.0))
    doc.edges = [Edge("x", "a"), Edge("a", "b"), Edge("b", "c")]
    editor, view = make_view(qtbot, doc)
    before = {n: item.pos() for n, item in view.canvas.nodes.items()}
    wire = view.canvas.wires[Edge("a", "b")]
    drop(view, "Dropout", wire.path().pointAtPercent(0.5))
    new = next(n.id for n in editor.doc.nodes.values() if n.type == "Dropout")
    assert editor.undo_stack.count() == 1
    for nid in ("b", "c"):
        assert view.canvas.nodes[nid].pos() == before[nid] + QPointF(st.COL_STEP, 0)
    rects = {n: i.sceneBoundingRect().adjusted(12, 12, -22, -6)
             for n, i in view.canvas.nodes.items()}
    assert not [(a, b) for a in rects for b in rects if a < b and rects[a].intersects(rects[b])]
    assert view.canvas.nodes[new].pos() == before["b"]
