"""What a new user meets first: an empty canvas is a start (a hint, not an error) until Train
is pressed or layers without an Input are drawn."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout

from designer.panels.problems import EMPTY_HINT

INPUT_ERROR = "training needs exactly one Input node"


def shown(window) -> list[str]:
    window.editor.reanalyse()
    return window.problems.messages()


def quick_add(qtbot, window, layer: str) -> None:
    """Tab on the canvas, type the layer's name, Enter: as a user adds a layer."""
    view = window.canvas
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Tab)
    qtbot.keyClicks(view.popup.search, layer)
    qtbot.keyClick(view.popup.search, Qt.Key.Key_Return)


def test_an_empty_design_shows_what_to_do_first_not_an_error(qtbot, window):
    window.files.new_design("")
    window.training.ensure_built()  # the data checks are in place, as after start-up
    assert shown(window) == [EMPTY_HINT]
    assert window.status.state.text() == "Empty design"
    assert window.problems.list.item(0).text().startswith("Nothing to check yet")


def test_train_on_an_empty_design_says_why_and_layers_without_input_keep_it(qtbot, window):
    window.files.new_design("")
    window.training.ensure_built()
    qtbot.mouseClick(window.training.start_button, Qt.MouseButton.LeftButton)
    assert window.training.state == "idle"
    assert INPUT_ERROR in window.training.message.text()
    assert any(INPUT_ERROR in m for m in shown(window))
    quick_add(qtbot, window, "Dense")
    assert [n.type for n in window.editor.doc.nodes.values()] == ["Dense"]
    assert "Error: the design has no Input layer: add an Input and set the shape of one " \
        "sample" in shown(window)  # layers but no Input: an error again
    assert "problem" in window.status.state.text()
    window.editor.undo_stack.undo()  # empty again: the hint again
    assert shown(window) == [EMPTY_HINT]


def test_data_and_settings_tabs_name_their_fields_in_words(qtbot, window):
    window.files.new_design("mlp")
    form = window.training.data_panel.form
    names = [form.itemAt(row, QFormLayout.ItemRole.LabelRole).widget().text()
             for row in range(form.rowCount())]
    assert "corruption level" in names  # written as the Settings tab writes its names
    assert not [name for name in names if "_" in name]
