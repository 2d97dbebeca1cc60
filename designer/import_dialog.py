"""The File > Import > PyTorch module… dialog: which file, class, arguments and input shape.

The dialog says plainly that importing runs the file's code, and the import runs only when
the user presses "Run File and Import". Choosing a file lists its nn.Module classes by
reading the file (`module_classes`, nothing runs) with their constructor arguments, so the
argument field can show what is required. A refusal comes back to the same dialog: the
sentence, and the operations without a layer as a list with their source lines, so the
user can fix the file or the values and try again without filling everything in anew.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

WARNING = ("Importing a Python file runs its code, as <code>python</code> would. Only import "
           "files you trust. Nothing runs until you press <b>Run File and Import</b>.")
PY_FILTER = "Python files (*.py);;All files (*)"
WEIGHTS_FILTER = "Weights (*.pt *.pth *.safetensors);;All files (*)"


@dataclass(frozen=True)
class ImportRequest:
    path: str
    class_name: str | None
    args: str
    shapes: list[list[int]]
    weights: str


def parse_shapes(text: str) -> list[list[int]]:
    """'1,28,28' or '1x28x28' (several inputs separated by ';'); ValueError with a sentence."""
    shapes = []
    for part in text.split(";"):
        dims = [d for d in part.replace("x", ",").replace(" ", "").split(",") if d]
        if not dims or not all(d.isdigit() and int(d) > 0 for d in dims) or len(dims) > 6:
            raise ValueError(f"'{part.strip() or text}' is not an input shape: give one "
                             "sample's sizes without the batch, e.g. 1,28,28")
        shapes.append([int(d) for d in dims])
    return shapes


class PathField(QWidget):
    """A line edit with a Browse… button."""

    changed = Signal(str)

    def __init__(self, title: str, name_filter: str, placeholder: str, parent=None):
        super().__init__(parent)
        self.title, self.name_filter = title, name_filter
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText(placeholder)
        self.button = QPushButton("Browse…", self)
        self.button.clicked.connect(self.browse)
        self.edit.textChanged.connect(self._typed)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        row.addWidget(self.button)

    def _typed(self, text: str) -> None:
        """A typed path counts once it names a file (or is cleared)."""
        path = text.strip()
        if not path or os.path.isfile(path):
            self.changed.emit(path)

    def browse(self) -> None:
        start = os.path.dirname(self.edit.text()) or str(Path.home())
        path, _ = QFileDialog.getOpenFileName(self, self.title, start, self.name_filter)
        if path:
            self.set_path(path)

    def set_path(self, path: str) -> None:
        self.edit.setText(path)  # emits changed through _typed

    def text(self) -> str:
        return self.edit.text().strip()


class PythonImportDialog(QDialog):
    """Asks for what a PyTorch import needs; `request()` is the answer once accepted."""

    def __init__(self, parent=None, path: str = ""):
        super().__init__(parent)
        self.setWindowTitle("Import PyTorch Module")
        self.setMinimumWidth(620)
        self.classes: list = []
        self._build()
        if path:
            self.file.set_path(path)
        self._update()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        icon = QLabel(self)
        icon.setPixmap(self.style().standardIcon(QStyle.SP_MessageBoxWarning).pixmap(32, 32))
        icon.setAlignment(Qt.AlignTop)
        warning = QLabel(WARNING, self)
        warning.setObjectName("importWarning")
        warning.setWordWrap(True)
        warning.setTextFormat(Qt.RichText)
        top.addWidget(icon)
        top.addWidget(warning, 1)
        layout.addLayout(top)
        form = QFormLayout()
        self.file = PathField("Choose a Python file", PY_FILTER, "a .py file defining an "
                              "nn.Module", self)
        self.file.changed.connect(self._file_changed)
        self.cls = QComboBox(self)
        self.cls.currentIndexChanged.connect(self._class_changed)
        self.args = QLineEdit(self)
        self.shape = QLineEdit(self)
        self.shape.setPlaceholderText("one sample without the batch, e.g. 1,28,28")
        self.weights = PathField("Choose the author's weights", WEIGHTS_FILTER,
                                 "optional: a state_dict (.pt, .pth, .safetensors)", self)
        for label, widget in (("&File:", self.file), ("&Class:", self.cls),
                              ("Constructor &arguments:", self.args),
                              ("Input &shape:", self.shape), ("&Weights:", self.weights)):
            form.addRow(label, widget)
        layout.addLayout(form)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setObjectName("importMessage")
        self.details = QPlainTextEdit(self)
        self.details.setReadOnly(True)
        self.details.setVisible(False)
        self.details.setMaximumHeight(160)
        layout.addWidget(self.message)
        layout.addWidget(self.details)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Cancel, self)
        self.run = self.buttons.addButton("Run File and Import", QDialogButtonBox.AcceptRole)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        for edit in (self.args, self.shape):
            edit.textChanged.connect(self._update)
        layout.addWidget(self.buttons)

    # -- the file and its classes (read, never run) -------------------------------------------
    def _file_changed(self, path: str) -> None:
        from backend.importer.user_code import FxImportError, likely_model, module_classes

        self.cls.clear()
        self.classes = []
        self.show_error("")
        if path.strip():
            try:
                self.classes = module_classes(path.strip())
            except FxImportError as exc:
                self.show_error(str(exc))
            else:
                if not self.classes:
                    self.show_error(f"{Path(path).name} defines no nn.Module class: choose "
                                    "the file that defines the model.")
        for info in self.classes:
            args = ", ".join(n if d is None else f"{n}={d}" for n, d in info.args)
            self.cls.addItem(f"{info.name}({args})", info.name)
        best = likely_model(self.classes)
        if best is not None:
            self.cls.setCurrentIndex(self.classes.index(best))
        self._update()

    def _class_changed(self) -> None:
        info = self.chosen_class()
        required = info.required if info else []
        example = json.dumps({n: 10 for n in required}) if required else "[] or {}"
        self.args.setPlaceholderText(
            f"JSON; {', '.join(required)} required, e.g. {example}" if required
            else "JSON, when the constructor needs arguments (none required)")
        self._update()

    def chosen_class(self):
        name = self.cls.currentData()
        return next((c for c in self.classes if c.name == name), None)

    # -- answer -----------------------------------------------------------------------------
    def _update(self) -> None:
        self.run.setEnabled(bool(self.file.text() and self.classes and self.shape.text()))

    def _accept(self) -> None:
        try:
            parse_shapes(self.shape.text())
        except ValueError as exc:
            self.show_error(str(exc))
            return
        self.accept()

    def request(self) -> ImportRequest:
        return ImportRequest(self.file.text(), self.cls.currentData(), self.args.text().strip(),
                             parse_shapes(self.shape.text()), self.weights.text())

    def show_error(self, sentence: str, items: list | None = None) -> None:
        """A refusal: its sentence, and each operation without a layer on its own line."""
        if items:
            head = sentence.split(" (")[0]
            sentence = (f"{head}, so nothing was imported. Change these in the file and run "
                        "it again, or build those parts in the designer:")
        self.message.setText(sentence)
        self.details.setVisible(bool(items))
        lines = [f"line {line}: {what}\n    -> {fix}" if line else f"{what}\n    -> {fix}"
                 for line, what, fix in items or []]
        self.details.setPlainText("\n".join(lines))
