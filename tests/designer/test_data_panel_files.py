"""The dataset panel edits user-file sources: paths and lists are text fields."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from backend.templates import make_template
from designer.editor import DocumentEditor
from designer.training.data_panel import DatasetPanel


def test_choosing_csv_gives_text_fields_that_write_the_section(qtbot, tmp_path):
    csv = tmp_path / "d.csv"
    csv.write_text("a,b,label\n" + "\n".join(f"{i},{i % 3},{'xy'[i % 2]}" for i in range(30)))
    editor = DocumentEditor(make_template("mlp"))
    panel = DatasetPanel(editor)
    qtbot.addWidget(panel)
    panel.show()
    panel.source.setCurrentIndex(panel.source.findData("csv"))
    assert editor.doc.sections["dataset"] == {"name": "csv"}
    qtbot.waitUntil(lambda: panel.built_for == "csv")  # rows change after the combo's event
    path, features = panel.options["path"], panel.options["features"]
    assert isinstance(path, QLineEdit) and isinstance(features, QLineEdit)
    for field, text in ((path, str(csv)), (features, '["a"]')):
        qtbot.keyClicks(field, text)
        qtbot.keyClick(field, Qt.Key_Return)
    assert editor.doc.sections["dataset"] == {"name": "csv", "path": str(csv),
                                              "features": ["a"]}
    qtbot.waitUntil(lambda: "30 samples" in panel.info.text())  # loaded off the GUI thread
    assert "2 classes" in panel.info.text()
