"""Blocks on the canvas, driven like a user: group and ungroup with the keyboard, double-click
into a block, edit inside it, and leave by the breadcrumb, Alt+Up or Escape."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, Qt
from test_canvas_helpers import drag, make_view, send_mouse

from backend.graph import BLOCK, Connect, Edge
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


def drop_mime(view, mime, scene_pos: QPointF) -> None:
    from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
    from PySide6.QtWidgets import QApplication

    local = view.mapFromScene(scene_pos)
    args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier)
    enter = QDragEnterEvent(local, *args)
    QApplication.sendEvent(view.viewport(), enter)
    assert enter.isAccepted()
    QApplication.sendEvent(view.viewport(), QDragMoveEvent(local, *args))
    QApplication.sendEvent(view.viewport(), QDropEvent(QPointF(local), *args))


def test_the_palette_lists_the_block_library_and_the_designs_own_blocks(qtbot):
    from designer.panels.palette import PalettePanel

    editor, view, _ = grouped(qtbot)
    palette = PalettePanel(editor)
    qtbot.addWidget(palette)
    top = palette.blocks.library
    library = [top.child(i) for i in range(top.childCount())]
    titles = [i.text(0) for i in library]
    assert "Residual basic block" in titles and "Fire module" in titles
    assert [palette.blocks.design.child(i).text(0)
            for i in range(palette.blocks.design.childCount())] == ["block"]
    residual = library[titles.index("Residual basic block")]
    count = len(editor.doc.nodes)
    drop_mime(view, palette.tree.mimeData([residual]), QPointF(300, 300))
    new = [n for n in editor.doc.nodes.values() if n.type == BLOCK and n.id != "block_1"]
    assert len(editor.doc.nodes) == count + 1 and len(new) == 1
    assert editor.undo_stack.undoText() == "Add Residual basic block"
    assert view.canvas.nodes[new[0].id].block_label == "Residual basic block"
    # the design's own block is reusable: dragging it adds a second use of one definition
    mine = palette.blocks.design.child(0)
    drop_mime(view, palette.tree.mimeData([mine]), QPointF(300, 500))
    uses = [n for n in editor.doc.nodes.values() if n.params.get("definition") == "block"]
    assert len(uses) == 2
    qtbot.keyClicks(palette.search, "fire")
    assert not palette.blocks.library.isHidden()
    assert [i.text(0) for i in library if not i.isHidden()] == ["Fire module"]


def test_the_inspector_edits_a_blocks_arguments_and_repeat(qtbot):
    from PySide6.QtWidgets import QSpinBox

    from designer.panels.inspector import InspectorPanel
    from designer.panels.palette import PalettePanel

    editor, view = make_view(qtbot)
    palette = PalettePanel(editor)
    qtbot.addWidget(palette)
    view.add_layer("library:residual_basic", QPointF(300, 300))
    block = editor.selection[0]
    inspector = InspectorPanel(editor)
    qtbot.addWidget(inspector)
    inspector.show()
    form = inspector.block_form
    assert form is not None and set(form.fields) == {"channels"}
    box = form.fields["channels"].box
    assert isinstance(box, QSpinBox) and box.value() == 64
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box, "32")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert editor.doc.nodes[block].params["args"]["channels"] == 32
    repeat = form.repeat.box
    repeat.setFocus()
    qtbot.keyClick(repeat, Qt.Key.Key_Up)
    assert editor.doc.nodes[block].params["repeat"] == 2
    assert view.canvas.nodes[block].repeated
    assert editor.undo_stack.undoText().startswith("Repeat")


def test_e_expands_a_block_in_place_without_editing_the_design(qtbot):
    editor, view, _ = grouped(qtbot)
    block = editor.selection[0]
    before, count = dumps(editor.doc), editor.undo_stack.count()
    fc = view.canvas.nodes["fc"]
    x_before = fc.pos().x()
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_E)
    item = view.canvas.nodes[block]
    assert item.content is not None
    assert {layer.title for layer in item.content.layers} >= {"conv", "flat"}
    assert item.size()[0] > st.NODE_W and fc.pos().x() > x_before  # the next layer made room
    assert dumps(editor.doc) == before and editor.undo_stack.count() == count
    # a layer moved while the block is expanded lands where it was dropped, minus the room
    drag(view, fc.sceneBoundingRect().center(), fc.sceneBoundingRect().center()
         + QPointF(0, 120))
    assert editor.doc.nodes["fc"].pos[1] == fc.pos().y() and \
        editor.doc.nodes["fc"].pos[0] == x_before
    editor.set_selection([block])
    qtbot.keyClick(view, Qt.Key.Key_E)
    assert item.content is None and fc.pos().x() == x_before


def test_a_selection_saved_as_a_named_block_is_offered_in_the_palette(qtbot, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    from designer.panels.palette import PalettePanel

    editor, view = make_view(qtbot)
    palette = PalettePanel(editor)
    qtbot.addWidget(palette)
    view.setFocus()
    select_by_rubber_band(view, "conv", "flat")
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Feature extractor", True))
    block = view.save_as_block()
    assert editor.undo_stack.undoText() == "Group 2 layers into block 'Feature extractor'"
    assert editor.doc.nodes[block].title == "Feature extractor"
    mine = [palette.blocks.design.child(i).text(0)
            for i in range(palette.blocks.design.childCount())]
    assert mine == ["Feature extractor"]


def test_fixes_apply_where_their_problem_is_inside_or_outside_the_block_shown(qtbot):
    from designer.panels.problems import ProblemsPanel

    editor, view = make_view(qtbot)  # image -> conv -> flat -> fc
    editor.set_selection(["flat"])
    view.delete_plain()  # now: conv -> nothing, fc unfed
    editor.push(Connect(Edge("conv", "fc")), "Connect")
    editor.set_selection(["conv", "fc"])
    block = view.group_selected()
    editor.reanalyse()
    assert editor.enter(block)
    qtbot.waitUntil(lambda: bool(view.canvas.problems_for("fc")))
    inner = view.canvas.problems_for("fc")[0]
    assert inner.fix.label == "Insert Flatten before 'fc'"
    assert view.apply_fix(inner)  # from the canvas: inside the block shown
    body = editor.graph
    assert any(n.type == "Flatten" for n in body.nodes.values()) and editor.scope == [block]
    editor.undo_stack.undo()
    editor.reanalyse()
    panel = ProblemsPanel(editor)  # the design's problem, fixed from the list while inside
    qtbot.addWidget(panel)
    panel.show()
    qtbot.mouseClick(panel.fix_buttons()[0], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(n.type == "Flatten" for n in body.nodes.values()))
    assert editor.undo_stack.undoText() == "Insert Flatten before 'fc'"
