"""The training settings form, stored in the design's `training` section (undoable).

Every field edit becomes `SetSection("training", ...)` through the editor, merged per field
so a spin box dragged through ten values is one undo step. Values are validated by the
engine's `TrainingConfig` before they are pushed; a refused value shows the engine's sentence
and leaves the design as it was. The form re-reads the section whenever the document changes
(undo, redo, opening another design).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from backend.graph import SetSection
from backend.training.config import (
    DEVICES,
    LOSSES,
    OPTIMIZERS,
    SCHEDULES,
    TASK_CHOICES,
    ConfigError,
    TrainingConfig,
)
from designer.editor import DocumentEditor

OPTIMIZER_NAMES = {"sgd": "SGD", "sgd_momentum": "SGD + momentum", "nesterov": "Nesterov",
                   "adagrad": "Adagrad", "adadelta": "Adadelta", "rmsprop": "RMSprop",
                   "adam": "Adam", "adamw": "AdamW", "nadam": "Nadam"}
LOSS_NAMES = {"auto": "auto (from the task)", "cross_entropy": "cross-entropy (class index)",
              "categorical_cross_entropy": "categorical cross-entropy (one-hot)",
              "bce_with_logits": "binary cross-entropy (logits)", "mse": "MSE",
              "mae": "MAE", "huber": "Huber"}
TIPS = {
    "lr": "Step size η of w ← w − η∇E(w). Too high diverges (NaN loss); too low crawls.",
    "momentum": "SGD momentum γ: keeps a decaying sum of past gradients.",
    "rmsprop_alpha": "RMSprop's decay α of the squared-gradient average "
                     "v ← α·v + (1 − α)·g² (the course uses 0.9; torch's default is 0.99).",
    "weight_decay": "L2 penalty on the weights (AdamW decouples it from the gradient).",
    "batch_size": "Samples per gradient step.",
    "epochs": "Passes over the training set.",
    "schedule": "How the learning rate changes during the run.",
    "clip_norm": "Rescale the gradient when its L2 norm exceeds this (exploding gradients).",
    "early_stopping": "Stop after this many epochs without a better validation loss (0 = off).",
    "seed": "Same seed, same data split, same initial weights: repeatable runs.",
}


def _combo(options: tuple[str, ...], names: dict[str, str] | None = None) -> QComboBox:
    box = QComboBox()
    for key in options:
        box.addItem((names or {}).get(key, key), key)
    return box


def _double(lo: float, hi: float, decimals: int, step: float) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(lo, hi)
    box.setDecimals(decimals)
    box.setSingleStep(step)
    box.setStepType(QAbstractSpinBox.StepType.AdaptiveDecimalStepType)
    box.setKeyboardTracking(False)
    return box


def _int(lo: int, hi: int) -> QSpinBox:
    box = QSpinBox()
    box.setRange(lo, hi)
    box.setKeyboardTracking(False)
    return box


class TrainingSettingsForm(QWidget):
    """Task, loss, optimiser and its parameters, schedule, clipping, early stopping, device."""

    refused = Signal(str)

    def __init__(self, editor: DocumentEditor, parent: QWidget | None = None):
        super().__init__(parent)
        self.editor = editor
        self.fields: dict[str, QWidget] = {
            "task": _combo(TASK_CHOICES), "loss": _combo(LOSSES, LOSS_NAMES),
            "optimizer": _combo(OPTIMIZERS, OPTIMIZER_NAMES),
            "lr": _double(1e-6, 10.0, 6, 1e-4), "momentum": _double(0.0, 0.999, 3, 0.05),
            "rmsprop_alpha": _double(0.0, 0.9999, 4, 0.01),
            "weight_decay": _double(0.0, 1.0, 6, 1e-4), "batch_size": _int(1, 65536),
            "epochs": _int(1, 100000), "schedule": _combo(SCHEDULES),
            "clip_norm": _double(0.0, 1e6, 3, 0.5), "early_stopping": _int(0, 10000),
            "device": _combo(DEVICES), "seed": _int(0, 2**31 - 1),
        }
        self.fields["clip_norm"].setSpecialValueText("off")
        self.fields["early_stopping"].setSpecialValueText("off")
        self.keep_best = QCheckBox("keep the best weights")
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setProperty("role", "error")
        self._build()
        self._loading = False
        self.load()
        editor.document_event.connect(self._on_document_event)
        editor.document_replaced.connect(self.load)

    def _build(self) -> None:
        form = QFormLayout()
        labels = {"lr": "learning rate", "weight_decay": "weight decay",
                  "batch_size": "batch size", "clip_norm": "clip grad norm",
                  "early_stopping": "early stopping", "optimizer": "optimiser",
                  "rmsprop_alpha": "RMSprop decay"}
        for key, widget in self.fields.items():
            widget.setToolTip(TIPS.get(key, ""))
            form.addRow(labels.get(key, key), widget)
            if isinstance(widget, QComboBox):
                widget.currentIndexChanged.connect(self._on_changed)
            else:
                widget.valueChanged.connect(self._on_changed)
        row = QHBoxLayout()
        row.addWidget(self.keep_best)
        self.keep_best.toggled.connect(self._on_changed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(form)
        layout.addLayout(row)
        layout.addWidget(self.message)
        layout.addStretch(1)

    # -- document -> form -----------------------------------------------------------------------
    def config(self) -> TrainingConfig:
        try:
            return TrainingConfig.from_section(self.editor.doc.sections.get("training"))
        except ConfigError as exc:
            self.message.setText(f"The design's training settings are invalid: {exc}")
            return TrainingConfig()

    def load(self) -> None:
        cfg = self.config()
        self._loading = True
        try:
            for key, widget in self.fields.items():
                value = getattr(cfg, key)
                if isinstance(widget, QComboBox):
                    widget.setCurrentIndex(max(0, widget.findData(value)))
                else:
                    widget.setValue(0 if value is None else value)
            self.keep_best.setChecked(cfg.keep_best)
            self.fields["momentum"].setEnabled(cfg.optimizer in ("sgd_momentum", "nesterov"))
            self.fields["rmsprop_alpha"].setEnabled(cfg.optimizer == "rmsprop")
        finally:
            self._loading = False

    def _on_document_event(self, name: str, payload: dict) -> None:
        if name == "reset" or (name == "section_changed" and payload.get("key") == "training"):
            self.load()

    # -- form -> document -----------------------------------------------------------------------
    def value(self, key: str):
        widget = self.fields[key]
        if isinstance(widget, QComboBox):
            return widget.currentData()
        value = widget.value()
        if key == "clip_norm":
            return value or None
        return value

    def _on_changed(self, *_args) -> None:
        if self._loading:
            return
        sender = self.sender()
        key = next((k for k, w in self.fields.items() if w is sender), "keep_best")
        value = self.keep_best.isChecked() if key == "keep_best" else self.value(key)
        self.set_value(key, value)

    def set_value(self, key: str, value) -> bool:
        """Store one setting in the design (one undo step per field); False if refused."""
        section = dict(self.editor.doc.sections.get("training") or {})
        section[key] = value
        try:
            TrainingConfig.from_section(section)
        except ConfigError as exc:
            self.message.setText(str(exc))
            self.refused.emit(str(exc))
            self.load()
            return False
        self.message.setText("")
        label = key.replace("_", " ")
        return self.editor.push(SetSection("training", section), f"Set training {label}",
                                merge_key=f"training.{key}")
