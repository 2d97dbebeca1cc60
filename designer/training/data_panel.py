"""The dataset chooser: source and options (the design's `dataset` section), and a preview.

The preview shows what the run will train on: a grid of samples for images, a scatter for
2-D point sets, curves for series, a table for tabular data, plus the class balance, the
input shape and task, and whether the design fits the data (with the fix in words). It is
loaded only while the panel is visible and re-loaded after the section changes.
"""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from backend.data import DataConfig, DatasetError, class_counts, fit_problems, source_names
from backend.data.sources import COMMON, LABELS, get_source
from backend.graph import SetSection
from backend.training.config import ConfigError, TrainingConfig
from designer.editor import DocumentEditor
from designer.plots.base import PALETTE, is_dark, style_plot, theme_colours
from designer.plots.feature_maps import mosaic

CHOICES = {"normalise": ("standard", "minmax", "none"), "labels": LABELS,
           "task": ("classification", "regression"), "part": ("train", "test", "all")}
LIST_OPTIONS = ("features", "classes", "size")  # user-file options typed as JSON lists


def _option_widget(key: str, default) -> QWidget:
    if key in CHOICES:
        box = QComboBox()
        box.addItems(list(CHOICES[key]))
        return box
    if isinstance(default, bool):
        return QCheckBox()
    if isinstance(default, str | list) or key in LIST_OPTIONS:
        return QLineEdit()  # file paths, column names, lists such as ["a", "b"]
    if isinstance(default, float):
        box = QDoubleSpinBox()
        box.setRange(0.0, 1e6)
        box.setDecimals(3)
        box.setSingleStep(0.05)
        box.setKeyboardTracking(False)
        return box
    box = QSpinBox()
    box.setRange(0, 10**7)
    box.setKeyboardTracking(False)
    if default is None:
        box.setSpecialValueText("none")
    return box


class DatasetPanel(QWidget):
    def __init__(self, editor: DocumentEditor, parent: QWidget | None = None):
        super().__init__(parent)
        self.editor = editor
        self.source = QComboBox()
        for name in source_names():
            self.source.addItem(name, name)
            self.source.setItemData(self.source.count() - 1, get_source(name).description, 3)
        self.form = QFormLayout()
        self.form.addRow("dataset", self.source)
        self.options: dict[str, QWidget] = {}
        self.info = QLabel("")
        self.info.setWordWrap(True)
        self.fit = QLabel("")
        self.fit.setWordWrap(True)
        self.fit.setProperty("role", "error")
        self.preview = DataPreview()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(self.form)
        layout.addWidget(self.info)
        layout.addWidget(self.fit)
        layout.addWidget(self.preview, 1)
        self._loading = False
        self._stale = True
        self.built_for: str | None = None
        self._rebuild_pending = False
        self.source.currentIndexChanged.connect(self._on_source)
        editor.document_event.connect(self._on_document_event)
        editor.document_replaced.connect(self.reload)
        self.reload()

    # -- document -> form -----------------------------------------------------------------------
    def config(self) -> DataConfig:
        try:
            return DataConfig.from_section(self.editor.doc.sections.get("dataset"))
        except DatasetError as exc:
            self.fit.setText(f"The design's dataset settings are invalid: {exc}")
            return DataConfig.from_section(None)

    def reload(self) -> None:
        """Show the design's dataset section: in place when the source is unchanged.

        A change of source needs other rows; they are rebuilt after the event that caused the
        change has returned (a widget must never be deleted inside its own key or mouse
        handler: the spin box that pushed an edit is still on the stack).
        """
        cfg = self.config()
        self._loading = True
        try:
            self.source.setCurrentIndex(max(0, self.source.findData(cfg.name)))
            if cfg.name == self.built_for:
                self._show_values(cfg)
            elif self.built_for is None:
                self._build_options(cfg)
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
        cfg = self.config()
        self._loading = True
        try:
            self._build_options(cfg)
        finally:
            self._loading = False

    def _show_values(self, cfg: DataConfig) -> None:
        defaults = {**COMMON, **get_source(cfg.name).options}
        for key, widget in self.options.items():
            value = cfg.options.get(key, defaults[key])
            if isinstance(widget, QLineEdit) and widget.hasFocus() and \
                    self._read(widget, defaults[key]) == value:
                continue  # the text being typed means the same: keep it and the cursor
            widget.blockSignals(True)
            try:
                self._set_widget(widget, value)
            finally:
                widget.blockSignals(False)

    def _build_options(self, cfg: DataConfig) -> None:
        while self.form.rowCount() > 1:
            row = self.form.takeRow(1)
            for item in (row.labelItem, row.fieldItem):
                if item is not None and item.widget() is not None:
                    item.widget().hide()
                    item.widget().deleteLater()
        defaults = {**COMMON, **get_source(cfg.name).options}
        self.options = {}
        for key, default in defaults.items():
            widget = _option_widget(key, default)
            self._set_widget(widget, cfg.options.get(key, default))
            self._connect(widget)
            self.options[key] = widget
            self.form.addRow(key, widget)
        self.built_for = cfg.name

    @staticmethod
    def _set_widget(widget: QWidget, value) -> None:
        if isinstance(widget, QComboBox):
            widget.setCurrentText(str(value))
        elif isinstance(widget, QCheckBox):
            widget.setChecked(bool(value))
        elif isinstance(widget, QLineEdit):
            widget.setText(json.dumps(value) if isinstance(value, list) else str(value or ""))
        else:
            widget.setValue(0 if value is None else value)

    def _connect(self, widget: QWidget) -> None:
        if isinstance(widget, QComboBox):
            widget.currentIndexChanged.connect(self._on_option)
        elif isinstance(widget, QCheckBox):
            widget.toggled.connect(self._on_option)
        elif isinstance(widget, QLineEdit):
            widget.editingFinished.connect(self._on_option)
        else:
            widget.valueChanged.connect(self._on_option)

    def _on_document_event(self, name: str, payload: dict) -> None:
        if name == "reset" or (name == "section_changed" and payload.get("key") == "dataset"):
            self.reload()
        elif name == "section_changed" or name.startswith(("node", "edge", "params")):
            self._stale = True

    # -- form -> document -----------------------------------------------------------------------
    def _on_source(self, _index: int) -> None:
        if not self._loading:
            self.editor.push(SetSection("dataset", {"name": self.source.currentData()}),
                             "Choose dataset")

    def _on_option(self, *_args) -> None:
        if self._loading:
            return
        section = {"name": self.source.currentData()}
        defaults = {**COMMON, **get_source(section["name"]).options}
        for key, widget in self.options.items():
            value = self._read(widget, defaults[key])
            if value != defaults[key]:
                section[key] = value
        self.editor.push(SetSection("dataset", section), "Set dataset option",
                         merge_key="dataset.options")

    @staticmethod
    def _read(widget: QWidget, default):
        if isinstance(widget, QComboBox):
            return widget.currentText()
        if isinstance(widget, QCheckBox):
            return widget.isChecked()
        if isinstance(widget, QLineEdit):
            text = widget.text().strip()
            try:
                return json.loads(text) if text.startswith("[") else text or default
            except ValueError:
                return text
        value = widget.value()
        if default is None:
            return value or None
        return float(value) if isinstance(default, float) else int(value)

    # -- preview --------------------------------------------------------------------------------
    def showEvent(self, event) -> None:  # noqa: N802  (Qt API name)
        super().showEvent(event)
        if self._stale:
            QTimer.singleShot(0, self.refresh_preview)

    def refresh_preview(self) -> None:
        self._stale = False
        cfg = self.config()
        shown = cfg
        if cfg.name == "digits" and cfg.options.get("resize"):  # resizing needs torch
            shown = DataConfig(cfg.name, {**cfg.options, "resize": None})
        try:
            data = shown.load()
        except (DatasetError, ValueError) as exc:
            self.info.setText("")
            self.fit.setText(str(exc))
            return
        info = data.info
        classes = f" · {info.num_classes} classes" if info.num_classes else ""
        resized = "" if shown is cfg else f" (previewed at 8×8; runs at {cfg.options['resize']}²)"
        self.info.setText(f"{len(data):,} samples · input {info.input_shape}{classes} · "
                          f"{info.task}{resized}\n{info.description}")
        self.fit.setText(self._fit_text(cfg, _as_run(info, cfg) if shown is not cfg else info))
        self.preview.show_data(data)

    def _fit_text(self, cfg: DataConfig, info) -> str:
        try:
            tcfg = TrainingConfig.from_section(self.editor.doc.sections.get("training"))
        except ConfigError:
            tcfg = TrainingConfig()
        task = info.task if tcfg.task == "auto" else tcfg.task
        auto_loss = "cross_entropy" if task == "classification" else "mse"  # engine defaults
        loss = auto_loss if tcfg.loss == "auto" else tcfg.loss
        try:
            problems = fit_problems(self.editor.doc, cfg, info, task, loss,
                                    self.editor.analysis)
        except Exception as exc:  # a half-drawn design must not break the preview
            return f"Cannot check the design against the data yet ({exc})."
        return ("The design does not fit this data: " + problems[0]) if problems else ""


def _as_run(info, cfg: DataConfig):
    """The preview's (8×8) digits info with the input shape the run will have after resizing."""
    r = cfg.options["resize"]
    shape = info.input_shape
    shape = (shape[0], r, r) if len(shape) == 3 else (shape[0] * r * r // 64,)
    return replace(info, input_shape=shape)


class DataPreview(QStackedWidget):
    """Samples (image grid, scatter or series) with the class balance; or a table."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.plots = pg.GraphicsLayoutWidget()
        self.samples = self.plots.addPlot(row=0, col=0, title="samples")
        self.balance = self.plots.addPlot(row=0, col=1, title="class balance")
        self.plots.ci.layout.setColumnStretchFactor(0, 2)
        self.table = QTableWidget()
        self.addWidget(self.plots)
        self.addWidget(self.table)
        self.kind = ""
        self.setMinimumHeight(140)

    def show_data(self, data) -> None:
        info = data.info
        self.kind = info.kind
        self.samples.clear()
        self.balance.clear()
        if info.kind == "tabular" and len(info.input_shape) == 1 and info.input_shape[0] != 2:
            self._table(data)
        else:
            self.setCurrentWidget(self.plots)
            {"image": self._images, "series": self._series}.get(info.kind, self._points)(data)
        if info.num_classes:
            counts = class_counts(data.y, info.num_classes)
            bars = pg.BarGraphItem(x=np.arange(len(counts)), height=counts, width=0.7,
                                   brushes=[PALETTE[i % len(PALETTE)] for i in range(len(counts))])
            self.balance.addItem(bars)
        self.apply_theme(is_dark(self))

    def _images(self, data) -> None:
        x = data.x[:48]
        grey = x[:, 0] if x.ndim == 4 else x.reshape(len(x), *x.shape[-2:])
        lut = np.stack([np.linspace(0, 255, 256)] * 3 + [np.full(256, 255)], 1).astype(np.uint8)
        image, _ = mosaic(grey, lut)
        item = pg.ImageItem(image, axisOrder="row-major")
        self.samples.addItem(item)
        self.samples.invertY(True)
        self.samples.setAspectLocked(True)

    def _points(self, data) -> None:
        x = data.x.reshape(len(data.x), -1)[:800]
        y = np.asarray(data.y).astype(int).ravel()[:800] if data.info.num_classes else None
        brushes = [PALETTE[k % len(PALETTE)] for k in y] if y is not None else "#0072B2"
        self.samples.invertY(False)
        self.samples.addItem(pg.ScatterPlotItem(x[:, 0], x[:, 1], size=4, pen=None,
                                                brush=brushes))

    def _series(self, data) -> None:
        self.samples.invertY(False)
        for i, window in enumerate(data.x[:5]):
            self.samples.plot(np.asarray(window).ravel(), pen=PALETTE[i % len(PALETTE)])

    def _table(self, data) -> None:
        self.setCurrentWidget(self.table)
        rows = min(len(data.x), 30)
        cols = data.x.shape[1]
        self.table.setRowCount(rows)
        self.table.setColumnCount(cols + 1)
        self.table.setHorizontalHeaderLabels([f"x{i}" for i in range(cols)] + ["target"])
        for r in range(rows):
            for c in range(cols):
                self.table.setItem(r, c, QTableWidgetItem(f"{data.x[r, c]:.3g}"))
            self.table.setItem(r, cols, QTableWidgetItem(str(np.asarray(data.y[r]).tolist())))

    def apply_theme(self, dark: bool) -> None:
        self.plots.setBackground(theme_colours(dark)[0])
        style_plot(self.samples, dark)
        style_plot(self.balance, dark)
