"""The template dialog: groups, a preview and note per template, and sizes for full-size ones."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from backend.shapes import analyse
from backend.templates import template_info
from designer.files import DISCARD
from designer.main_window import MainWindow
from designer.panels.template_preview import render_preview
from designer.panels.templates import PREVIEW, TemplateDialog


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("NETWRIGHT_SETTINGS", str(tmp_path / "settings.ini"))
    monkeypatch.setenv("NETWRIGHT_RECOVERY_DIR", str(tmp_path / "recovery"))
    win = MainWindow()
    qtbot.addWidget(win)
    win.files.ask_save_changes = lambda: DISCARD
    win.show()
    return win


def click_template(qtbot, dialog: TemplateDialog, title: str) -> None:
    row = next(i for i in range(dialog.list.count()) if dialog.list.item(i).text() == title)
    item = dialog.list.item(row)
    dialog.list.scrollToItem(item)
    qtbot.mouseClick(dialog.list.viewport(), Qt.LeftButton,
                     pos=dialog.list.visualItemRect(item).center())


def test_choosing_a_template_shows_its_preview_note_and_size(qtbot):
    dialog = TemplateDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.sizes_box.isVisible()  # "Empty design" first
    click_template(qtbot, dialog, "ResNet-50")
    assert dialog.chosen() == "resnet50"
    assert dialog.note.text() == template_info("resnet50").note
    assert not dialog.preview.pixmap().isNull()
    assert "25,557,032 parameters" in dialog.facts.text()
    assert "input 3 × 224 × 224" in dialog.facts.text()
    assert dialog.sizes_box.isVisible() and dialog.classes.value() == 1000
    click_template(qtbot, dialog, "Mini SqueezeNet (8×8 digits)")
    assert not dialog.sizes_box.isVisible() and dialog.sizes() == (None, None)
    headings = [dialog.list.item(i) for i in range(dialog.list.count())
                if not dialog.list.item(i).flags() & Qt.ItemIsSelectable]
    assert [h.text() for h in headings][:3] == ["Basics", "Classic CNNs at full size",
                                                "Teaching miniatures (8×8 digits)"]


def test_a_smaller_resnet_for_ten_classes_is_created_from_the_dialog(window, qtbot, monkeypatch):
    def run(dialog):
        click_template(qtbot, dialog, "ResNet-18")
        dialog.classes.selectAll()
        qtbot.keyClicks(dialog.classes, "10")
        dialog.input_size.setFocus()
        qtbot.keyClick(dialog.input_size, Qt.Key_End)  # the smallest offered: 32 × 32
        assert "11,181,642 parameters" in dialog.facts.text()
        assert "resized to 32 × 32, 10 epochs" in dialog.facts.text()
        return QDialog.Accepted

    monkeypatch.setattr(TemplateDialog, "exec", run)
    assert window.files.new_from_template()
    doc = window.editor.doc
    analysis = analyse(doc)
    assert analysis.total_params == 11_181_642
    shapes = {n.title: analysis.shapes[nid] for nid, n in doc.nodes.items()}
    assert shapes["image"] == (3, 32, 32) and shapes["fc"] == (10,)
    assert doc.sections["dataset"]["resize"] == 32


def test_a_size_the_network_cannot_take_disables_create(qtbot):
    dialog = TemplateDialog()
    qtbot.addWidget(dialog)
    click_template(qtbot, dialog, "AlexNet")
    sizes = [dialog.input_size.itemText(i) for i in range(dialog.input_size.count())]
    assert sizes[0] == "227 × 227 (as published)"
    dialog.input_size.setCurrentIndex(sizes.index("32 × 32"))
    assert not dialog.create_button.isEnabled()
    assert dialog.facts.text().startswith("Cannot create")
    dialog.input_size.setCurrentIndex(0)
    assert dialog.create_button.isEnabled()


def test_preview_draws_the_design_in_both_themes():
    from backend.templates import make_template

    doc = make_template("lenet5")
    light, dark = render_preview(doc, PREVIEW, False), render_preview(doc, PREVIEW, True)
    assert light.size() == PREVIEW
    corner = light.pixelColor(0, 0), dark.pixelColor(0, 0)
    assert corner[0].lightness() > 200 and corner[1].lightness() < 60
    colours = {light.pixelColor(x, y).name() for x in range(0, PREVIEW.width(), 4)
               for y in range(0, PREVIEW.height(), 4)}
    assert "#e69f00" in colours  # a convolution's header (Okabe–Ito orange)
