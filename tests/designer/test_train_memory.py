"""The Train button refuses, before any data is loaded or weights allocated, a design whose
training would not fit in memory (a cap set with NETWRIGHT_MEMORY_LIMIT stands in for a small
machine): one sentence naming the largest layer, the figures and the fix; the refusal goes
as soon as the layer is made smaller."""

from __future__ import annotations

from PySide6.QtCore import Qt
from test_training_dock import make_dock, moons_doc  # noqa: F401  (fixture)

from backend.graph import SetParams


def test_train_refuses_a_design_too_big_for_memory(qtbot, make_dock, monkeypatch):  # noqa: F811
    monkeypatch.setenv("NETWRIGHT_MEMORY_LIMIT", "200KB")
    doc = moons_doc()
    doc.nodes["hidden"].params["units"] = 20_000  # 400 KB of weights, 2.56 MB out per batch
    editor, canvas, dock = make_dock(doc)
    dock.show()
    qtbot.mouseClick(dock.start_button, Qt.LeftButton)
    assert dock.run is None  # nothing prepared, no thread started
    text = dock.message.text()
    assert text.startswith("Cannot train yet: Dense 'hidden' outputs 2.56 MB for a batch of 32")
    assert "the memory limit ($NETWRIGHT_MEMORY_LIMIT) is 200 KB" in text
    assert "reduce its units" in text and "lower the batch size" in text
    editor.push(SetParams("hidden", {**doc.nodes["hidden"].params, "units": 64}), "Units")
    qtbot.waitUntil(lambda: not [p for p in editor.analysis.problems
                                 if "MEMORY_LIMIT" in p.message], timeout=5000)
