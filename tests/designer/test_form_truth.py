"""The form is the truth: settings are shown as the design holds them, refused values are
refused with a sentence (never clamped), and a design that does not fit its data is a problem
in the Problems list and the status bar, with a one-click fix, before Train is pressed."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from backend.templates import make_template


def open_design(window, qtbot, doc) -> None:
    with qtbot.waitSignal(window.editor.analysis_changed, timeout=5000):
        window.editor.replace_document(doc, "")


def type_into(qtbot, box, text: str, key=Qt.Key_Return) -> None:
    box.setFocus()
    box.lineEdit().selectAll()
    qtbot.keyClicks(box, text)
    qtbot.keyClick(box, key)


def shown(label) -> str:
    return "" if label.isHidden() else label.text()


def test_settings_from_a_file_are_shown_as_they_are_and_flagged(window, qtbot):
    doc = make_template("mlp")
    doc.sections["training"].update(batch_size=0, lr=1e6)
    open_design(window, qtbot, doc)
    form = window.training.settings_form
    assert form.fields["batch_size"].text() == "0"
    assert form.fields["batch_size"].property("invalid")
    assert "at least 1" in shown(form.errors["batch_size"])
    assert form.fields["lr"].text() == "1000000"
    assert "far above" in shown(form.errors["lr"])
    messages = " ".join(window.problems.messages())
    assert "batch_size" in messages and "reset it to 32" in messages
    assert window.status.state.text().startswith("1 problem")


def test_train_refuses_invalid_settings_at_once_and_the_fix_is_one_click(window, qtbot):
    doc = make_template("mlp")
    doc.sections["training"]["batch_size"] = 0
    open_design(window, qtbot, doc)
    dock = window.training
    assert not dock.start()
    assert dock.run is None and "batch_size" in dock.message.text()
    assert dock.fix_button.text() == "Reset batch size to 32"
    qtbot.mouseClick(dock.fix_button, Qt.LeftButton)
    assert "batch_size" not in window.editor.doc.sections["training"]
    assert window.training.settings_form.fields["batch_size"].text() == "32"
    assert not window.training.settings_form.fields["batch_size"].property("invalid")


def test_typed_values_out_of_range_are_refused_with_a_sentence_not_clamped(window, qtbot):
    open_design(window, qtbot, make_template("mlp"))
    form = window.training.settings_form
    lr = form.fields["lr"]
    type_into(qtbot, lr, "0")
    assert window.editor.doc.sections["training"]["lr"] == 0.003  # unchanged
    assert lr.text() == "0" and lr.property("invalid")  # what was typed, flagged
    assert "Learning rate must be a number above 0" in shown(form.errors["lr"])
    form.fields["epochs"].setFocus()  # leaving the field
    QApplication.processEvents()
    if lr.hasFocus():  # offscreen focus changes can be lazy
        lr.clearFocus()
    assert lr.text() == "0.003"  # the value in effect again; the sentence stays
    assert "above 0" in shown(form.errors["lr"])
    type_into(qtbot, lr, "1e6")
    assert window.editor.doc.sections["training"]["lr"] == 1e6  # legal, if unwise: kept
    assert "far above" in shown(form.errors["lr"])
    batch = form.fields["batch_size"]
    type_into(qtbot, batch, "1")
    qtbot.keyClick(batch, Qt.Key_Down)  # arrows never step onto a refused value
    assert window.editor.doc.sections["training"]["batch_size"] == 1 and batch.text() == "1"


def test_a_design_data_mismatch_is_a_problem_with_a_one_click_fix(window, qtbot):
    doc = make_template("lenet5")
    doc.sections["dataset"] = {"name": "digits"}  # 8x8 images; LeNet-5 wants 32x32
    open_design(window, qtbot, doc)
    messages = window.problems.messages()
    assert any("Input 'image' has shape (1, 32, 32) but dataset 'digits' gives (1, 8, 8)" in m
               for m in messages)
    assert window.status.state.text() == "1 problem"
    panel = window.training.data_panel
    window.training_dock.raise_()
    window.training.side.setCurrentIndex(0)
    qtbot.waitUntil(lambda: panel.fix_button.isVisible())
    assert panel.fix_button.text() == "Set the dataset's resize to 32"
    with qtbot.waitSignal(window.editor.analysis_changed, timeout=5000):
        qtbot.mouseClick(panel.fix_button, Qt.LeftButton)
    assert window.editor.doc.sections["dataset"]["resize"] == 32
    assert panel.options["resize"].text() == "32"
    assert window.status.state.text() == "Valid"
    assert not panel.fix_button.isVisible()
    window.editor.undo_stack.undo()
    assert "resize" not in window.editor.doc.sections["dataset"]


def test_a_refused_dataset_option_keeps_the_design_and_says_why(window, qtbot):
    open_design(window, qtbot, make_template("mlp"))
    panel = window.training.data_panel
    window.training_dock.raise_()
    window.training.side.setCurrentIndex(0)
    resize = panel.options["resize"]
    type_into(qtbot, resize, "2")
    QApplication.processEvents()
    assert "resize" not in window.editor.doc.sections["dataset"]
    assert "from 4 to 512" in shown(panel.errors["resize"])
    type_into(qtbot, resize, "28", Qt.Key_Tab)
    assert window.editor.doc.sections["dataset"]["resize"] == 28
    assert shown(panel.errors["resize"]) == ""
