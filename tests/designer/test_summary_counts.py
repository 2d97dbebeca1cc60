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
