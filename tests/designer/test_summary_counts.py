"""The Summary panel with blocks: inner layers by module path, and the counts a course prints
(trainable, non-trainable, BatchNorm running statistics), driven through the main window."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "backend"))

from block_designs import resnet18  # noqa: E402
from test_panels import open_doc, window  # noqa: E402, F401  (the fixture)


def test_summary_lists_layers_inside_blocks_and_the_running_statistics(window, qtbot):  # noqa: F811
    open_doc(window, qtbot, resnet18(width=8, classes=5, size=32))
    window.summary_dock.raise_()  # the Summary tab, as a user opens it
    panel = window.summary
    qtbot.waitUntil(panel.isVisible)
    names = [row[0].strip() for row in panel.model.rows]
    assert "layer2.0.downsample.0" in names and "layer1.1.conv2" in names
    assert panel.row_for("layer2_1")[1] == "Block ResNetStage"
    bn = next(row for row in panel.model.rows if row[0].strip() == "layer1.0.bn1")
    assert bn[3] == "16" and bn[5] == "16"  # 8 weights + 8 biases; 8 means + 8 variances
    text = panel.counts.text()
    assert "Non-trainable: 0" in text and "running means and variances" in text
    assert "num_batches_tracked" in text and "Keras counts" in text
    row = names.index("layer2.0.downsample.0")
    rect = panel.table.visualRect(panel.model.index(row, 0))
    qtbot.mouseClick(panel.table.viewport(), Qt.LeftButton, pos=rect.center())
    assert window.editor.selection == ["layer2_1"]  # the block the layer is inside


def chain(n: int):
    from backend.graph import Edge, GraphDocument, Node

    doc = GraphDocument("chain")
    doc.nodes["in"] = Node("in", "Input", {"shape": [16]}, "in", (0.0, 0.0))
    prev = "in"
    for i in range(n):
        nid = f"n{i}"
        kind, params = ("Dense", {"units": 16}) if i % 2 == 0 else ("ReLU", {})
        doc.nodes[nid] = Node(nid, kind, params, nid, (200.0 * (i + 1), 0.0))
        doc.edges.append(Edge(prev, nid))
        prev = nid
    return doc


def assert_summary_is_fresh(win) -> None:
    """The Summary after edits (rows built again only for the layers they changed) reads as
    one built from scratch for the design as it is now."""
    from designer.panels.summary import SummaryModel

    fresh = SummaryModel(win.editor)
    fresh.rebuild()
    assert win.summary.model.rows == fresh.rows
    assert win.summary.model.node_ids == fresh.node_ids


def test_the_summary_follows_edits_and_undo_row_by_row(window, qtbot):  # noqa: F811
    from test_panels import settle, type_number

    open_doc(window, qtbot, chain(40))
    window.summary_dock.raise_()
    panel = window.summary
    qtbot.waitUntil(panel.isVisible)
    window.editor.set_selection(["n10"])
    type_number(qtbot, window.inspector.fields["units"].widget, "24")
    settle(window, qtbot)
    assert panel.row_for("n10")[2:4] == ("(B, 24)", "408")  # 16·24 + 24
    assert panel.row_for("n12")[3] == "400"  # the next Dense reads 24 inputs
    assert_summary_is_fresh(window)
    view = window.canvas
    window.editor.set_selection(["n11"])
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Delete)  # n10 -> n12 reconnected
    settle(window, qtbot)
    assert panel.row_for("n11") is None
    assert_summary_is_fresh(window)
    assert "Total (40 layers)" in panel.totals()[0]
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    settle(window, qtbot)
    assert panel.row_for("n11")[1] == "ReLU"
    assert_summary_is_fresh(window)
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # the units edit
    settle(window, qtbot)
    assert panel.row_for("n10")[2:4] == ("(B, 16)", "272")
    assert_summary_is_fresh(window)
    window.summary_dock.toggleViewAction().trigger()  # edits while the Summary is closed
    qtbot.waitUntil(lambda: not panel.isVisible())
    qtbot.keyClick(view, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)  # redo twice
    settle(window, qtbot)
    qtbot.keyClick(view, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    settle(window, qtbot)
    window.summary_dock.toggleViewAction().trigger()
    qtbot.waitUntil(panel.isVisible)
    assert panel.row_for("n11") is None and panel.row_for("n10")[3] == "408"
    assert_summary_is_fresh(window)
