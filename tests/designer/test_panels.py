"""Palette, inspector, problems and summary panels, driven through the real main window."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel

from backend.graph import GraphDocument, Node
from backend.layers import all_specs, layer_types
from backend.templates import make_template
from designer.files import DISCARD
from designer.main_window import MainWindow
from designer.panels.palette import LAYER_MIME


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("NETWRIGHT_SETTINGS", str(tmp_path / "settings.ini"))
    win = MainWindow()
    qtbot.addWidget(win)
    win.files.ask_save_changes = lambda: DISCARD
    win.show()
    return win


def open_doc(window, qtbot, doc: GraphDocument) -> None:
    with qtbot.waitSignal(window.editor.analysis_changed):
        window.editor.replace_document(doc, "")


def select(window, node_id: str) -> None:
    window.editor.set_selection([node_id])


def type_number(qtbot, box, text: str) -> None:
    """Select the number box's text, type `text` and press Enter, as a user does."""
    box.setFocus()
    box.lineEdit().selectAll()
    qtbot.keyClicks(box, text)
    qtbot.keyClick(box, Qt.Key_Return)


def settle(window, qtbot) -> None:
    """Wait for the debounced re-analysis after an edit."""
    with qtbot.waitSignal(window.editor.analysis_changed, timeout=2000):
        pass


# -- palette --------------------------------------------------------------------------------------
def test_palette_lists_every_registered_layer(window):
    """Every layer; a block's ports (BlockInput, BlockOutput) only inside a block."""
    ports = {"BlockInput", "BlockOutput"}
    assert sorted(window.palette.visible_layers()) == sorted(set(layer_types()) - ports)


def test_palette_search_filters_and_clearing_shows_all_again(window, qtbot):
    qtbot.keyClicks(window.palette.search, "pool")
    shown = window.palette.visible_layers()
    assert "MaxPool2d" in shown and "GlobalAvgPool" in shown
    assert "Dense" not in shown and "Conv2d" not in shown
    window.palette.search.clear()
    assert len(window.palette.visible_layers()) == len(layer_types()) - 2  # but block ports


def test_palette_is_usable_from_the_keyboard(window, qtbot):
    open_doc(window, qtbot, GraphDocument())
    window.palette.search.setFocus()
    qtbot.keyClicks(window.palette.search, "relu")
    qtbot.keyClick(window.palette.search, Qt.Key_Down)
    tree = window.palette.tree
    assert tree.currentItem().text(0) in ("LeakyReLU", "ReLU")
    qtbot.keyClick(tree, Qt.Key_Return)
    assert [n.type for n in window.editor.doc.nodes.values()] == [tree.currentItem().text(0)]
    qtbot.keyClick(window.palette.search, Qt.Key_Escape)
    assert window.palette.search.text() == ""


def test_palette_search_with_no_match_hides_everything(window, qtbot):
    qtbot.keyClicks(window.palette.search, "zzzz")
    assert window.palette.visible_layers() == []


def test_palette_drag_data_names_the_layer_type(window):
    item = next(i for i in window.palette.layer_items() if i.text(0) == "Conv2d")
    data = window.palette.tree.mimeData([item])
    assert bytes(data.data(LAYER_MIME)).decode("utf-8") == "Conv2d"


def test_palette_tooltips_describe_layer_and_parameters(window):
    spec = next(s for s in all_specs() if s.type == "Conv2d")
    item = next(i for i in window.palette.layer_items() if i.text(0) == "Conv2d")
    tip = item.toolTip(0)
    assert "kernel size" in tip and "filters" in tip
    assert spec.description.split()[0] in tip


def test_palette_enter_adds_the_layer_to_the_design(window, qtbot):
    open_doc(window, qtbot, GraphDocument())
    qtbot.keyClicks(window.palette.search, "Dropout2d")
    qtbot.keyClick(window.palette.search, Qt.Key_Return)
    types = [n.type for n in window.editor.doc.nodes.values()]
    assert types == ["Dropout2d"]
    assert window.editor.undo_stack.count() == 1


# -- inspector ------------------------------------------------------------------------------------
def test_inspector_edit_changes_shapes_and_params_downstream(window, qtbot):
    open_doc(window, qtbot, make_template("lenet5"))
    select(window, "c1_1")
    assert window.summary.row_for("c3_1")[3] == "2,416"
    with qtbot.waitSignal(window.editor.analysis_changed):
        type_number(qtbot, window.inspector.fields["filters"].widget, "8")
    assert window.editor.doc.nodes["c1_1"].params["filters"] == 8
    assert window.summary.row_for("c1_1")[2] == "(B, 8, 28, 28)"
    assert window.summary.row_for("c3_1")[3] == f"{16 * 8 * 25 + 16:,}"
    assert window.inspector.facts.texts()[1] == "(B, 8, 28, 28)"
    assert "8 filters" in window.inspector.how.text()


def test_repeated_edits_of_one_field_are_one_undo_step(window, qtbot):
    open_doc(window, qtbot, make_template("lenet5"))
    select(window, "c1_1")
    box = window.inspector.fields["filters"].widget
    type_number(qtbot, box, "7")
    for _ in range(2):
        qtbot.keyClick(box, Qt.Key_Up)
    stack = window.editor.undo_stack
    assert stack.count() == 1
    assert "filters" in window.actions["undo"].text()
    stack.undo()
    assert window.editor.doc.nodes["c1_1"].params["filters"] == 6
    assert box.value() == 6


def test_invalid_text_shows_the_reason_and_pushes_nothing(window, qtbot):
    open_doc(window, qtbot, make_template("lenet5"))
    select(window, "c1_1")
    field = window.inspector.fields["kernel_size"]
    field.widget.clear()
    qtbot.keyClicks(field.widget, "0")
    assert "at least 1" in field.error_label.text()
    assert field.error_label.isVisibleTo(window.inspector)
    field.widget.clear()
    qtbot.keyClicks(field.widget, "five")
    assert "whole number" in field.error_label.text()
    assert window.editor.undo_stack.count() == 0
    assert window.editor.doc.nodes["c1_1"].params["kernel_size"] == 5


def test_a_number_out_of_range_is_refused_with_the_range_not_clamped(window, qtbot):
    open_doc(window, qtbot, make_template("lenet5"))
    select(window, "c1_1")
    field = window.inspector.fields["filters"]
    type_number(qtbot, field.widget, "100000")
    assert "at most 65536" in field.error_label.text()
    assert field.widget.text() == "100000"  # what was typed stays, flagged, until it is fixed
    assert window.editor.doc.nodes["c1_1"].params["filters"] == 6
    assert window.editor.undo_stack.count() == 0
    type_number(qtbot, field.widget, "12")
    assert window.editor.doc.nodes["c1_1"].params["filters"] == 12
    assert not field.error_label.isVisibleTo(window.inspector)


def test_text_field_accepts_a_pair(window, qtbot):
    open_doc(window, qtbot, make_template("lenet5"))
    select(window, "c1_1")
    field = window.inspector.fields["kernel_size"]
    field.widget.clear()
    with qtbot.waitSignal(window.editor.analysis_changed):
        qtbot.keyClicks(field.widget, "5, 3")
    assert window.editor.doc.nodes["c1_1"].params["kernel_size"] == [5, 3]
    assert not field.error_label.isVisibleTo(window.inspector)
    assert window.summary.row_for("c1_1")[2] == "(B, 6, 28, 30)"


def test_inspector_renames_and_shows_node_problems(window, qtbot):
    doc = GraphDocument()
    doc.nodes["conv2d_1"] = Node("conv2d_1", "Conv2d", {}, "conv")
    open_doc(window, qtbot, doc)
    select(window, "conv2d_1")
    assert any("needs an input" in m for m in window.inspector.problems.messages)
    window.inspector.title_edit.setText("features")
    window.inspector.title_edit.editingFinished.emit()
    assert window.editor.doc.nodes["conv2d_1"].title == "features"


def test_nothing_selected_shows_the_design_summary(window, qtbot):
    open_doc(window, qtbot, make_template("lenet5"))
    select(window, "c1_1")
    window.editor.set_selection([])
    page = window.inspector.summary_page
    assert window.inspector.stack.currentWidget() is page
    assert "61,706 parameters" in page.totals.text()


# -- problems and summary -------------------------------------------------------------------------
def test_problems_list_click_selects_the_node(window, qtbot):
    doc = make_template("lenet5")
    doc.nodes["stray"] = Node("stray", "Dense", {}, "stray")
    open_doc(window, qtbot, doc)
    lst = window.problems.list
    row = next(i for i in range(lst.count()) if "stray" in lst.item(i).text())
    item = lst.item(row)
    assert item.text().startswith("Error:")
    rect = lst.visualItemRect(item)
    qtbot.mouseClick(lst.viewport(), Qt.LeftButton, pos=rect.center())
    assert window.editor.selection == ["stray"]
    assert window.problems_dock.windowTitle() == "Problems (1)"


def test_summary_table_has_a_row_per_layer_and_a_totals_row(window, qtbot):
    open_doc(window, qtbot, make_template("lenet5"))
    window.summary_dock.raise_()  # the Summary tab, as a user opens it
    qtbot.waitUntil(window.summary.isVisible)
    model = window.summary.model
    assert model.rowCount() == 13 + 1
    assert window.summary.totals()[3] == "61,706"
    assert window.summary.row_for("c5_1") == ("c5", "Dense", "(B, 120)", "48,120", "48,120", "—")


def test_dropping_a_palette_layer_on_the_canvas_adds_it_at_the_drop_point(window, qtbot):
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
    from PySide6.QtWidgets import QApplication

    canvas = window.canvas
    if not hasattr(canvas, "mapToScene") or not hasattr(canvas, "viewport"):
        pytest.skip("the canvas is not available")
    open_doc(window, qtbot, GraphDocument())
    item = next(i for i in window.palette.layer_items() if i.text(0) == "Conv2d")
    data = window.palette.tree.mimeData([item])
    point = QPoint(200, 150)
    args = (Qt.CopyAction, data, Qt.LeftButton, Qt.NoModifier)
    for event in (QDragEnterEvent(point, *args), QDragMoveEvent(point, *args),
                  QDropEvent(QPointF(point), *args)):
        QApplication.sendEvent(canvas.viewport(), event)
    (node,) = window.editor.doc.nodes.values()
    assert node.type == "Conv2d"
    drop = canvas.mapToScene(point)
    assert abs(node.pos[0] - drop.x()) < 200 and abs(node.pos[1] - drop.y()) < 200
    window.editor.undo_stack.undo()
    assert window.editor.doc.nodes == {}


def test_leaving_a_field_with_refused_text_shows_the_value_in_effect(window, qtbot):
    open_doc(window, qtbot, make_template("lenet5"))
    select(window, "c1_1")
    field = window.inspector.fields["kernel_size"]
    field.widget.setFocus()
    field.widget.clear()
    qtbot.keyClicks(field.widget, "abc")
    assert "Kernel size must be a whole number" in field.error_label.text()
    window.inspector.fields["filters"].widget.setFocus()
    field.widget.editingFinished.emit()  # what losing the focus sends (offscreen focus is lazy)
    assert field.widget.text() == "5"
    assert not field.error_label.isVisibleTo(window.inspector)
    assert window.editor.doc.nodes["c1_1"].params["kernel_size"] == 5


def test_inspector_replaces_no_problems_at_once_when_a_problem_appears(window, qtbot):
    """Rows of the old list must not linger under the new ones (e.g. during a drag)."""
    from backend.graph.problems import Problem
    from designer.panels.inspector import ProblemList

    panel = ProblemList()
    qtbot.addWidget(panel)
    panel.show()
    panel.set_problems([])
    panel.set_problems([Problem("n", "needs an input: connect it", "error")])
    QApplication.processEvents()  # shows the new rows; old ones wait for the outer loop
    shown = [w.text() for w in panel.findChildren(QLabel) if w.isVisibleTo(panel) and w.text()]
    assert shown == ["needs an input: connect it"]
