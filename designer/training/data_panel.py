"""The dataset chooser: source and options (the design's `dataset` section), and a preview.

The form shows the section as it is, also values the source refuses (a file's `resize: 2` is
shown as 2, flagged, with the allowed range under it); typed values the source refuses are
refused with that sentence and never stored. Edits update the rows in place; only a change
of source rebuilds them, after the event that caused it has returned (a widget is never
deleted inside its own handler). Below, the design's fit to the data (the same problems the
Problems list shows) with a button for the one-click fix, a line about the data, and a
preview of samples and class balance, loaded off the GUI thread while the panel is visible.
"""

from __future__ import annotations

import json

from PySide6.QtCore import QTimer, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from backend.data import DataConfig, DatasetError, source_names
from backend.data.sources import COMMON, LABELS, get_source
from backend.graph import SetSection
from backend.graph.problems import Problem
from backend.training.preflight import dataset_option_error
from designer.editor import DocumentEditor
from designer.panels.fields import show_choice
from designer.panels.number_box import NumberBox
from designer.theme import repolish
from designer.training.data_fit import DataChecks, data_service, design_folder, section_key
from designer.training.data_preview import DataPreview

CHOICES = {"normalise": ("standard", "minmax", "none"), "labels": LABELS,
           "task": ("classification", "regression"), "part": ("train", "test", "all")}
LIST_OPTIONS = ("features", "classes", "size")  # user-file options typed as JSON lists


def _option_widget(key: str, default) -> QWidget:
    if key in CHOICES:
        box = QComboBox()
        _narrow(box)
        for choice in CHOICES[key]:
            box.addItem(choice, choice)
        return box
    if isinstance(default, bool):
        return QCheckBox()
    if isinstance(default, str | list) or key in LIST_OPTIONS:
        return QLineEdit()  # file paths, column names, lists such as ["a", "b"]
    if isinstance(default, float):
        return NumberBox(False, 0.05)
    return NumberBox(True, 1, zero_text="none" if default is None else "",
                     zero_is_none=default is None)


def _narrow(box: QComboBox) -> None:
    """Long item names elide instead of widening the side panel."""
    box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    box.setMinimumContentsLength(10)


class DatasetPanel(QWidget):
    def __init__(self, editor: DocumentEditor, checks: DataChecks | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.editor = editor
        self.checks = checks or DataChecks(editor, self)
        self.service = data_service()
        self.source = QComboBox()
        _narrow(self.source)
        for name in source_names():
            self.source.addItem(name, name)
            self.source.setItemData(self.source.count() - 1, get_source(name).description, 3)
        self.form = QFormLayout()
        self.form.addRow("dataset", self.source)
        self.options: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self.built_for: str | None = None
        self._rebuild_pending = False
        self._loading = False
        self._stale = True
        self._wanted = ""
        self._build_notes()
        self.source.currentIndexChanged.connect(self._on_source)
        editor.document_event.connect(self._on_document_event)
        editor.document_replaced.connect(self.reload)
        editor.analysis_changed.connect(self.show_fit)
        self.service.ready.connect(self._on_data_ready)
        self.reload()

    def _build_notes(self) -> None:
        self.fit = QLabel("")
        self.fit.setWordWrap(True)
        self.fit.setProperty("role", "error")
        self.fix_button = QPushButton("")
        self.fix_button.hide()
        self.fix_button.clicked.connect(self.apply_fix)
        self._fix: Problem | None = None
        self.info = QLabel("")
        self.info.setWordWrap(True)
        self.preview = DataPreview()
        fix_row = QHBoxLayout()
        fix_row.addWidget(self.fix_button)
        fix_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(self.form)
        layout.addWidget(self.fit)
        layout.addLayout(fix_row)
        layout.addWidget(self.info)
        layout.addWidget(self.preview, 1)

    # -- document -> form -----------------------------------------------------------------------
    def section(self) -> dict:
        return dict(self.editor.doc.sections.get("dataset") or {})

    def source_name(self) -> str:
        name = self.section().get("name", "digits")
        return name if isinstance(name, str) else str(name)

    def defaults(self, name: str) -> dict:
        try:
            return {**COMMON, **get_source(name).options}
        except DatasetError:
            return dict(COMMON)

    def reload(self) -> None:
        """Show the section: in place when the source is unchanged (see the docstring)."""
        name = self.source_name()
        self._loading = True
        try:
            show_choice(self.source, name)
            if name == self.built_for:
                self._show_values()
            elif self.built_for is None:
                self._build_options()
            elif not self._rebuild_pending:
                self._rebuild_pending = True
                QTimer.singleShot(0, self._rebuild)
        finally:
            self._loading = False
        self._stale = True
        if self.isVisible():
            QTimer.singleShot(0, self.refresh_preview)

    def _rebuild(self) -> None:
        self._rebuild_pending = False
        self._loading = True
        try:
            self._build_options()
        finally:
            self._loading = False

    def _build_options(self) -> None:
        while self.form.rowCount() > 1:
            row = self.form.takeRow(1)
            for item in (row.labelItem, row.fieldItem):
                if item is not None and item.widget() is not None:
                    item.widget().hide()
                    item.widget().deleteLater()
        name = self.source_name()
        self.options, self.errors = {}, {}
        for key, default in self.defaults(name).items():
            widget = _option_widget(key, default)
            error = QLabel("")
            error.setWordWrap(True)
            error.setProperty("role", "error")
            error.hide()
            cell = QWidget()
            column = QVBoxLayout(cell)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(2)
            column.addWidget(widget)
            column.addWidget(error)
            self.options[key], self.errors[key] = widget, error
            self._connect(key, widget)
            self.form.addRow(key.replace("_", " "), cell)  # as the Settings tab writes names
        self.built_for = name
        self._show_values()

    def _show_values(self) -> None:
        name, section = self.source_name(), self.section()
        defaults = self.defaults(name)
        for key, widget in self.options.items():
            value = section.get(key, defaults[key])
            error = dataset_option_error(name, key, value) if key in section else ""
            widget.blockSignals(True)
            try:
                self._set_widget(widget, key, value, error)
            finally:
                widget.blockSignals(False)
            self._show_error(key, error)

    def _set_widget(self, widget: QWidget, key: str, value, error: str) -> None:
        if isinstance(widget, QComboBox):
            show_choice(widget, value)
        elif isinstance(widget, QCheckBox):
            widget.setChecked(bool(value))
        elif isinstance(widget, NumberBox):
            widget.check = lambda v, k=key: dataset_option_error(self.source_name(), k, v)
            widget.set_value(value, error)
        elif not (widget.hasFocus() and self._read_text(widget) == value):
            widget.setText(json.dumps(value) if isinstance(value, list) else str(value or ""))

    def _show_error(self, key: str, message: str) -> None:
        label = self.errors.get(key)
        if label is not None:
            label.setText(message)
            label.setVisible(bool(message))

    def _connect(self, key: str, widget: QWidget) -> None:
        if isinstance(widget, QComboBox):
            widget.currentIndexChanged.connect(lambda _i, k=key: self._on_option(k))
        elif isinstance(widget, QCheckBox):
            widget.toggled.connect(lambda _on, k=key: self._on_option(k))
        elif isinstance(widget, QLineEdit):
            widget.editingFinished.connect(lambda k=key: self._on_option(k))
        else:
            widget.edited.connect(lambda _v, k=key: self._on_option(k))
            widget.error_changed.connect(lambda message, k=key: self._show_error(k, message))

    def _on_document_event(self, name: str, payload: dict) -> None:
        if name == "reset" or (name == "section_changed" and payload.get("key") == "dataset"):
            self.reload()
        elif name == "section_changed" or name.startswith(("node", "edge", "params")):
            self._stale = True

    # -- form -> document -----------------------------------------------------------------------
    def _on_source(self, _index: int) -> None:
        if not self._loading and self.source.currentData() != self.source_name():
            self.editor.push(SetSection("dataset", {"name": self.source.currentData()}),
                             "Choose dataset")

    def _on_option(self, key: str) -> None:
        if self._loading or key not in self.options:
            return
        name = self.source_name()
        value = self._read(self.options[key], self.defaults(name)[key])
        message = dataset_option_error(name, key, value)
        if message:  # refused: the sentence stays under the field; the design is unchanged
            self._show_error(key, message)
            return
        self._show_error(key, "")
        section = self.section()
        if value == self.defaults(name)[key]:
            section.pop(key, None)
        else:
            section[key] = value
        if section != self.section():
            self.editor.push(SetSection("dataset", section), f"Set dataset {key}",
                             merge_key=f"dataset.{key}")

    def _read(self, widget: QWidget, default):
        if isinstance(widget, QComboBox):
            return widget.currentData()
        if isinstance(widget, QCheckBox):
            return widget.isChecked()
        if isinstance(widget, QLineEdit):
            return self._read_text(widget, default)
        return widget.value()

    @staticmethod
    def _read_text(widget: QLineEdit, default=""):
        text = widget.text().strip()
        try:
            return json.loads(text) if text.startswith("[") else text or default
        except ValueError:
            return text

    # -- fit to the design ----------------------------------------------------------------------
    def show_fit(self) -> None:
        """The first data problem (error before warning) and its one-click fix."""
        found = sorted(self.checks.data_problems, key=lambda p: p.severity != "error")
        first = found[0] if found else None
        self.fit.setText(("The design does not fit this data: " if first.severity == "error"
                          else "Note: ") + first.message if first else "")
        self.fit.setProperty("role", "error" if first and first.severity == "error"
                             else "warning")
        repolish(self.fit)
        self.fit.setVisible(first is not None)
        self._fix = first if first is not None and first.fix is not None else None
        self.fix_button.setText(self._fix.fix.label if self._fix else "")
        self.fix_button.setVisible(self._fix is not None)

    def apply_fix(self) -> None:
        if self._fix is not None:
            fix = self._fix.fix
            self.editor.push(fix.make_op(self.editor.doc), fix.label)

    # -- preview --------------------------------------------------------------------------------
    def showEvent(self, event) -> None:  # noqa: N802  (Qt API name)
        super().showEvent(event)
        if self._stale:
            QTimer.singleShot(0, self.refresh_preview)

    def _preview_section(self) -> tuple[dict, str]:
        """The section the preview loads (digits previewed at 8×8: resizing needs torch)."""
        section = self.section()
        resized = ""
        if section.get("name", "digits") == "digits" and section.get("resize"):
            resized = f" (previewed at 8×8; runs at {section['resize']}²)"
            section = {**section, "resize": None}
        return section, resized

    def refresh_preview(self) -> None:
        self._stale = False
        section, resized = self._preview_section()
        folder = design_folder(self.editor)
        self._wanted = section_key(section, folder)
        loaded = self.service.dataset(section, folder)
        if loaded is None:
            self.info.setText("Loading the data…")
            return
        self._wanted = ""
        if loaded.error:
            self.info.setText(loaded.error)
            return
        data = loaded.data
        info = data.info
        classes = f" · {info.num_classes} classes" if info.num_classes else ""
        self.info.setText(f"{len(data):,} samples · input {info.input_shape}{classes} · "
                          f"{info.task}{resized}\n{info.description}")
        self.preview.show_data(data)

    @Slot(str)
    def _on_data_ready(self, key: str) -> None:
        if key == self._wanted and self.isVisible():
            self.refresh_preview()

    def config(self) -> DataConfig:
        """The section as the engine reads it (defaults when it is invalid)."""
        try:
            return DataConfig.from_section(self.section())
        except DatasetError:
            return DataConfig.from_section(None)
