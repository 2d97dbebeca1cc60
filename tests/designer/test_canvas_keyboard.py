"""Canvas: quick-add, auto-layout, keyboard connecting and selection, zoom/fit, heat colouring."""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from test_canvas_helpers import analysed, chain_doc, make_view

from backend.graph import Edge, GraphDocument, Node
from designer.canvas.layout import layered_positions
from designer.canvas.quick_add import rank


def test_quick_add_with_tab_adds_the_typed_layer(qtbot):
    editor, view = make_view(qtbot, GraphDocument("empty"))
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Tab)
    assert view.popup.isVisible()
    qtbot.keyClicks(view.popup.search, "maxpool2")
    assert view.popup.current_type() == "MaxPool2d"
    qtbot.keyClick(view.popup.search, Qt.Key.Key_Return)
    assert not view.popup.isVisible()
    assert [n.type for n in editor.doc.nodes.values()] == ["MaxPool2d"]
    assert editor.undo_stack.undoText() == "Add MaxPool2d"


def test_quick_add_connects_after_the_selected_node(qtbot):
    editor, view = make_view(qtbot)
    before = editor.doc.snapshot()
    editor.set_selection(["fc"])
    view.quick_add(QPointF(0, 400))
    qtbot.keyClicks(view.popup.search, "softmax")
    qtbot.keyClick(view.popup.search, Qt.Key.Key_Return)
    new = [n for n in editor.doc.nodes.values() if n.type == "Softmax"][0]
    assert Edge("fc", new.id) in editor.doc.edges
    assert new.pos[0] > editor.doc.nodes["fc"].pos[0]
    assert editor.selection == [new.id]
    analysed(qtbot, editor)
    assert view.canvas.nodes[new.id].shape_text == "(B, 10)"
    editor.undo_stack.undo()
    assert editor.doc.snapshot() == before


def test_quick_add_offers_first_the_layers_that_fit_the_selected_output(qtbot):
    editor, view = make_view(qtbot)
    editor.reanalyse()  # shapes known at once
    editor.set_selection(["conv"])  # outputs (B, 4, 26, 26): a 2-D map
    view.quick_add(QPointF(0, 400))
    qtbot.keyClicks(view.popup.search, "maxp")
    assert view.popup.current_type() == "MaxPool2d"
    view.popup.hide()
    editor.set_selection(["fc"])  # outputs (B, 10): no pooling fits, the name order stays
    view.quick_add(QPointF(0, 400))
    qtbot.keyClicks(view.popup.search, "dense")
    assert view.popup.current_type() == "Dense"
    view.popup.hide()


def test_double_click_on_empty_canvas_opens_quick_add(qtbot):
    editor, view = make_view(qtbot)
    local = view.mapFromScene(QPointF(300, 400))
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=local)
    assert view.popup.isVisible()
    view.popup.hide()


def test_quick_add_ranking():
    assert rank("conv", "Conv2d", "convolution", "") == 0
    assert rank("pool", "MaxPool2d", "pooling", "") == 1
    assert rank("zzz", "Dense", "core", "Fully connected") is None
    assert rank("fully connected", "Dense", "core", "Fully connected layer") is not None


def test_auto_layout_is_one_undoable_step(qtbot):
    doc = chain_doc()
    for i, node in enumerate(doc.nodes.values()):
        node.pos = (float(37 * i), float(-90 * i))
    editor, view = make_view(qtbot, doc)
    before = editor.doc.snapshot()
    assert view.auto_layout()
    assert editor.undo_stack.count() == 1
    assert editor.undo_stack.undoText() == "Auto-layout"
    xs = [n.pos[0] for n in editor.doc.nodes.values()]
    assert xs == sorted(xs) and len(set(xs)) == 4
    assert len({n.pos[1] for n in editor.doc.nodes.values()}) == 1
    editor.undo_stack.undo()
    assert editor.doc.snapshot() == before
    assert view.canvas.nodes["flat"].pos() == QPointF(74, -180)


def test_auto_layout_puts_branches_in_one_column():
    doc = GraphDocument("branch")
    for nid, kind in (("x", "Input"), ("a", "ReLU"), ("b", "Tanh"), ("sum", "Add")):
        doc.nodes[nid] = Node(nid, kind, {"shape": [4]} if kind == "Input" else {}, nid)
    doc.edges = [Edge("x", "a"), Edge("x", "b"), Edge("a", "sum"), Edge("b", "sum")]
    pos = layered_positions(doc)
    assert pos["a"][0] == pos["b"][0] and pos["a"][1] != pos["b"][1]
    assert pos["x"][0] < pos["a"][0] < pos["sum"][0]


def _chain(n: int, skip: tuple[int, int] | None = None) -> GraphDocument:
    doc = GraphDocument("long")
    for i in range(n):
        kind = "Input" if i == 0 else ("Add" if skip and i == skip[1] else "ReLU")
        doc.nodes[f"n{i}"] = Node(f"n{i}", kind, {"shape": [4]} if i == 0 else {}, f"n{i}",
                                  (i * 260.0, 0.0))
        if i:
            doc.edges.append(Edge(f"n{i - 1}", f"n{i}"))
    if skip:
        doc.edges.append(Edge(f"n{skip[0]}", f"n{skip[1]}"))
    return doc


def test_auto_layout_wraps_a_long_chain_into_rows_that_read_in_order():
    pos = layered_positions(_chain(13), aspect=1.6)
    xs, ys = {p[0] for p in pos.values()}, {p[1] for p in pos.values()}
    assert 3 <= len(xs) <= 6 and len(ys) >= 2  # several rows of a few layers each
    order = sorted(pos, key=lambda nid: (pos[nid][1], pos[nid][0]))
    assert order == [f"n{i}" for i in range(13)]  # left to right, then the next row
    assert len({p[0] for p in layered_positions(_chain(5)).values()}) == 5  # short: one row


def test_auto_layout_never_wraps_inside_a_skip_connection():
    pos = layered_positions(_chain(13, skip=(2, 6)), aspect=1.6)
    block = [pos[f"n{i}"][1] for i in range(2, 7)]
    assert len(set(block)) == 1  # the residual block stays on one row


def test_a_long_template_opens_wrapped_and_a_short_one_as_drawn():
    from backend.templates import make_template
    from designer.panels.templates import new_document

    lenet = new_document("lenet5")
    assert len({n.pos[1] for n in lenet.nodes.values()}) >= 2
    short = new_document("xor-mlp")
    assert short.snapshot() == make_template("xor-mlp").snapshot()


def test_auto_layout_survives_a_cycle():
    doc = chain_doc()
    doc.edges.append(Edge("fc", "conv"))
    assert set(layered_positions(doc)) == set(doc.nodes)


def test_c_connects_selected_nodes_in_selection_order(qtbot):
    doc = chain_doc()
    doc.edges.remove(Edge("flat", "fc"))
    editor, view = make_view(qtbot, doc)
    before = editor.doc.snapshot()
    view.canvas.nodes["flat"].setSelected(True)
    view.canvas.nodes["fc"].setSelected(True)
    assert editor.selection == ["flat", "fc"]
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_C)
    assert Edge("flat", "fc") in editor.doc.edges
    editor.undo_stack.undo()
    assert editor.doc.snapshot() == before


def test_ctrl_e_with_one_node_connects_to_the_next_on_the_right(qtbot):
    doc = chain_doc()
    doc.edges.remove(Edge("flat", "fc"))
    editor, view = make_view(qtbot, doc)
    editor.set_selection(["flat"])
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert Edge("flat", "fc") in editor.doc.edges


def test_keyboard_connect_refuses_an_occupied_input(qtbot):
    editor, view = make_view(qtbot)
    editor.set_selection(["image", "fc"])
    with qtbot.waitSignal(editor.refused) as refused:
        view.connect_selected()
    assert "takes one input" in refused.args[0]


def test_bracket_keys_cycle_the_selection(qtbot):
    editor, view = make_view(qtbot)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_BracketRight)
    assert editor.selection == ["image"]
    qtbot.keyClick(view, Qt.Key.Key_BracketRight)
    assert editor.selection == ["conv"]
    qtbot.keyClick(view, Qt.Key.Key_BracketLeft)
    qtbot.keyClick(view, Qt.Key.Key_BracketLeft)
    assert editor.selection == ["fc"]
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert editor.selection == []


def test_select_all_and_delete_key(qtbot):
    editor, view = make_view(qtbot)
    before = editor.doc.snapshot()
    view.setFocus()
    view.select_all()
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert not editor.doc.nodes and not editor.doc.edges
    assert editor.undo_stack.undoText() == "Delete 4 items"
    editor.undo_stack.undo()
    assert editor.doc.snapshot() == before


def test_zoom_and_fit(qtbot):
    editor, view = make_view(qtbot)
    start = view.zoom
    view.zoom_in()
    assert view.zoom > start
    view.zoom_out()
    view.zoom_out()
    assert view.zoom < start
    view.fit_all()
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    for item in view.canvas.nodes.values():
        assert visible.contains(item.sceneBoundingRect())


def test_center_on_node(qtbot):
    editor, view = make_view(qtbot)
    view.center_on_node("fc")
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    assert visible.contains(view.canvas.nodes["fc"].sceneBoundingRect().center())


def test_heat_colours_nodes_and_shows_legend(qtbot):
    editor, view = make_view(qtbot)
    view.set_node_heat({"conv": 0.05, "fc": 0.95})
    assert view.canvas.nodes["conv"].heat == 0.05
    assert view.legend.isVisible()
    assert "vanishing" in view.canvas.node_tooltip("conv")
    assert "exploding" in view.canvas.node_tooltip("fc")
    view.set_node_heat(None)
    assert view.canvas.nodes["conv"].heat is None and not view.legend.isVisible()


def test_dark_theme_switches_the_canvas_palette(qtbot):
    editor, view = make_view(qtbot)
    light = view.grab().toImage().pixelColor(5, 5).lightness()
    view.set_dark(True)
    dark = view.grab().toImage().pixelColor(5, 5).lightness()
    assert dark < 80 < light


def test_open_another_design_rebuilds_the_canvas(qtbot):
    editor, view = make_view(qtbot)
    other = GraphDocument("other")
    other.nodes["x"] = Node("x", "Input", {"shape": [3]}, "x")
    editor.replace_document(other)
    assert list(view.canvas.nodes) == ["x"] and not view.canvas.wires


def test_wire_dropped_on_empty_canvas_offers_a_layer_wired_in(qtbot):
    from test_canvas_helpers import drag

    editor, view = make_view(qtbot)
    before = editor.doc.snapshot()
    start = view.canvas.nodes["fc"].outputs["out"].scenePos()
    drag(view, start, start + QPointF(200, 60))
    assert view.popup.isVisible()
    qtbot.keyClicks(view.popup.search, "softmax")
    qtbot.keyClick(view.popup.search, Qt.Key.Key_Return)
    new = next(n for n in editor.doc.nodes.values() if n.type == "Softmax")
    assert Edge("fc", new.id) in editor.doc.edges
    assert view.canvas.nodes[new.id].sceneBoundingRect().contains(start + QPointF(200, 60))
    assert editor.undo_stack.count() == 1
    editor.undo_stack.undo()
    assert editor.doc.snapshot() == before


def test_wire_dropped_from_an_input_inserts_a_layer_before_it(qtbot):
    from test_canvas_helpers import drag

    editor, view = make_view(qtbot)
    start = view.canvas.nodes["fc"].inputs["in"].scenePos()
    drag(view, start, start + QPointF(-60, 220))
    qtbot.keyClicks(view.popup.search, "dropout")
    qtbot.keyClick(view.popup.search, Qt.Key.Key_Return)
    new = next(n for n in editor.doc.nodes.values() if n.type == "Dropout")
    assert Edge(new.id, "fc") in editor.doc.edges
    assert Edge("flat", "fc") not in editor.doc.edges  # the single input was replaced


def test_context_menu_offers_the_actions_for_what_is_under_the_cursor(qtbot):
    from designer.canvas.menus import context_menu

    editor, view = make_view(qtbot)
    node_menu = context_menu(view, view.canvas.nodes["conv"].sceneBoundingRect().center())
    texts = [a.text() for a in node_menu.actions() if a.text()]
    assert "Rename" in texts and "Delete and Reconnect" in texts
    assert editor.selection == ["conv"]
    empty_menu = context_menu(view, QPointF(300, 500))
    texts = [a.text() for a in empty_menu.actions() if a.text()]
    assert "Add Layer…" in texts and "Paste" in texts
    next(a for a in empty_menu.actions() if a.text() == "Add Comment").trigger()
    assert len(editor.doc.comments) == 1
    for menu in (node_menu, empty_menu):
        menu.deleteLater()


def test_overview_shows_only_when_the_design_does_not_fit(qtbot):
    editor, view = make_view(qtbot)
    view.fit_all()
    assert not view.overview.isVisible()
    view.set_zoom(2.0)
    view.center_on_node("image")
    assert view.overview.isVisible()
    view.set_overview(False)
    assert not view.overview.isVisible()
    view.set_overview(True)
    target = view.canvas.nodes["fc"].sceneBoundingRect().center()
    from PySide6.QtCore import QEvent, QRectF
    from PySide6.QtGui import QMouseEvent

    local = view.overview.to_widget(QRectF(target, target)).topLeft()
    view.overview.mousePressEvent(QMouseEvent(QEvent.Type.MouseButtonPress, local, local,
                                              Qt.MouseButton.LeftButton,
                                              Qt.MouseButton.LeftButton,
                                              Qt.KeyboardModifier.NoModifier))
    visible = view.mapToScene(view.viewport().rect()).boundingRect()
    assert visible.contains(target)


def test_wheel_zooms_around_the_cursor(qtbot):
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    editor, view = make_view(qtbot)
    local = QPoint(200, 150)
    under = view.mapToScene(local)
    zoom = view.zoom
    event = QWheelEvent(QPointF(local), QPointF(view.viewport().mapToGlobal(local)), QPoint(),
                        QPoint(0, 240), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(view.viewport(), event)
    assert view.zoom > zoom
    after = view.mapToScene(local)
    assert abs(after.x() - under.x()) < 2 and abs(after.y() - under.y()) < 2


def test_middle_button_pans(qtbot):
    from PySide6.QtCore import QEvent
    from test_canvas_helpers import send_mouse

    editor, view = make_view(qtbot)
    before = editor.doc.snapshot()
    centre = view.mapToScene(view.viewport().rect().center())
    start = view.canvas.nodes["conv"].sceneBoundingRect().center()  # panning over a node
    middle = Qt.MouseButton.MiddleButton
    send_mouse(view, QEvent.Type.MouseButtonPress, start, middle)
    send_mouse(view, QEvent.Type.MouseMove, start + QPointF(-100, 0), middle, buttons=middle)
    send_mouse(view, QEvent.Type.MouseButtonRelease, start + QPointF(-100, 0), middle)
    moved = view.mapToScene(view.viewport().rect().center())
    assert moved.x() - centre.x() > 50
    assert editor.doc.snapshot() == before  # panning never moves nodes


def test_hovering_a_conv_explains_the_output_size(qtbot):
    editor, view = make_view(qtbot)
    tip = view.canvas.node_tooltip("conv")
    assert "(B, 4, 26, 26)" in tip
    assert "26" in tip and ("⌊" in tip or "kernel" in tip)


def test_export_picture_png_and_svg(qtbot, tmp_path):
    import pytest
    from PySide6.QtGui import QImage

    from designer.canvas.export import ExportError

    editor, view = make_view(qtbot)
    editor.set_selection(["conv"])
    png = view.export_image(str(tmp_path / "design.png"))
    image = QImage(str(png))
    assert image.width() > 4 * 260 and image.height() > 74  # the whole design, at 2x
    svg = (tmp_path / "design.svg")
    view.export_image(str(svg))
    text = svg.read_text(encoding="utf-8")
    assert "<svg" in text and "conv" in text  # vector text, not a bitmap
    assert editor.selection == ["conv"] and view.canvas.nodes["conv"].isSelected()
    with pytest.raises(ExportError):
        view.export_image(str(tmp_path / "design.jpg"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["design.png", "design.svg"]


def test_a_problem_found_after_the_overview_drew_still_shows_on_the_canvas(qtbot):
    from PySide6.QtCore import QRectF

    from backend.graph import AddNode

    editor, view = make_view(qtbot, chain_doc())
    view.set_zoom(2.0)
    view.center_on_node("image")
    editor.push(AddNode(Node("lone", "Conv2d", {}, "lone", (0.0, 120.0))), "Add Conv2d")
    view.grab()  # the canvas draws the new layer before its analysis arrives
    editor.reanalyse()  # now it has a problem: no input
    view.overview.measure()
    assert view.overview.isVisible()
    view.overview.grab()  # the overview draws the design
    item = view.canvas.nodes["lone"]
    corner = item.badge_rect().bottomLeft() + QPointF(5, -3)  # on the triangle, beside the "!"
    badge = view.mapFromScene(item.mapToScene(corner))
    image = view.viewport().grab().toImage()
    colour = image.pixelColor(badge.x(), badge.y())
    assert colour.name() == view.canvas.style.problem.name()
    assert QRectF(view.overview.rect()).contains(view.overview.to_widget(item.sceneBoundingRect()))
