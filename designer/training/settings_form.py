"""The training settings form, stored in the design's `training` section (undoable).

The form is the truth: it shows the section's values as they are, also values the engine
refuses (a file's `batch_size: 0` shows 0, flagged, with the engine's sentence naming the
allowed range), and an unusual but legal value with a warning (a learning rate of 1e6).
Every field edit is checked by the engine's own rule (`TrainingConfig`) before it becomes
`SetSection("training", ...)` through the editor, merged per field so a spin box stepped
through ten values is one undo step. A refused typed value is never clamped or stored: the
sentence stays under the field. The form updates in place whenever the document changes
(undo, redo, opening another design); it never rebuilds its widgets.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from backend.experiments.distributed import machine_processes
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
from backend.training.preflight import lr_warning
from designer.editor import DocumentEditor
from designer.panels.fields import show_choice
from designer.panels.number_box import NumberBox
from designer.theme import repolish
from designer.training.recipe_settings import RecipeSettings

OPTIMIZER_NAMES = {"sgd": "SGD", "sgd_momentum": "SGD + momentum", "nesterov": "Nesterov",
                   "adagrad": "Adagrad", "adadelta": "Adadelta", "rmsprop": "RMSprop",
                   "adam": "Adam", "adamw": "AdamW", "nadam": "Nadam"}
LOSS_NAMES = {"auto": "auto (from the task)", "cross_entropy": "cross-entropy (index)",
              "categorical_cross_entropy": "cross-entropy (one-hot)",
              "bce_with_logits": "binary CE (logits)", "mse": "MSE",
              "mae": "MAE", "huber": "Huber", "bce": "binary CE (probabilities)",
              "non_saturating": "non-saturating (GAN)", "minimax": "minimax (GAN)",
              "wasserstein_gp": "Wasserstein-GP (GAN)"}
LOSS_TIPS = {  # what a short name stands for, shown on its item in the list
    "auto": "The task's usual loss: cross-entropy for classes, MSE for values.",
    "cross_entropy": "Cross-entropy with the class index as target (softmax inside).",
    "categorical_cross_entropy": "Categorical cross-entropy with one-hot targets.",
    "bce_with_logits": "Binary cross-entropy on logits (a sigmoid inside): one yes/no per "
                       "output.",
    "bce": "Binary cross-entropy on probabilities (the layer ends with a sigmoid).",
    "mse": "Mean squared error.", "mae": "Mean absolute error.",
    "huber": "Huber: squared for small errors, absolute for large ones.",
    "non_saturating": "GAN generator loss −log D(G(z)) (strong gradients early on).",
    "minimax": "The original GAN generator loss log(1 − D(G(z))).",
    "wasserstein_gp": "Wasserstein loss with a gradient penalty on the critic."}
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
    "processes": "Train one run with several processes: DistributedDataParallel around the "
                 "same training, gloo on the CPU, NCCL on GPUs (one GPU each). Each process "
                 "takes its share of every batch (the batch size stays the global one); the "
                 "result is one run. Pays off for models whose step takes tens of "
                 "milliseconds; small models train faster in one process.",
}
LABELS = {"lr": "learning rate", "weight_decay": "weight decay", "batch_size": "batch size",
          "clip_norm": "clip grad norm", "early_stopping": "early stopping",
          "optimizer": "optimiser", "keep_best": "best weights",
          "rmsprop_alpha": "RMSprop decay"}


def setting_error(key: str, value) -> str:
    """The engine's sentence refusing `value` for `key`, worded for the form ("" if accepted);
    more processes than this machine has are refused too."""
    try:
        TrainingConfig.from_section({key: value})
    except ConfigError as exc:
        text = str(exc).replace(f"training setting '{key}'", LABELS.get(key, key), 1)
        return text[:1].upper() + text[1:] + "."
    if key == "processes":
        have, what = machine_processes()
        if value > have:
            return (f"This machine has {have} {what}{'s' if have != 1 else ''}: choose "
                    f"{have} processes or fewer.")
    return ""


def _combo(options: tuple[str, ...], names: dict[str, str] | None = None) -> QComboBox:
    box = QComboBox()
    box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    box.setMinimumContentsLength(12)  # long names elide instead of widening the side panel
    for key in options:
        _add_item(box, key, names or {})
    return box


def _add_item(box: QComboBox, key: str, names: dict[str, str]) -> None:
    box.addItem(names.get(key, key), key)
    if key in LOSS_TIPS and names is LOSS_NAMES:
        box.setItemData(box.count() - 1, LOSS_TIPS[key], Qt.ItemDataRole.ToolTipRole)


def _fields() -> dict[str, QWidget]:
    def number(key: str, whole: bool, step: float = 1.0, **kw) -> NumberBox:
        return NumberBox(whole, step, check=lambda v: setting_error(key, v), **kw)

    return {
        "task": _combo(TASK_CHOICES), "loss": _combo(LOSSES, LOSS_NAMES),
        "optimizer": _combo(OPTIMIZERS, OPTIMIZER_NAMES),
        "lr": number("lr", False, 1e-4, adaptive=True),
        "momentum": number("momentum", False, 0.05),
        "rmsprop_alpha": number("rmsprop_alpha", False, 0.01),
        "weight_decay": number("weight_decay", False, 1e-4, adaptive=True),
        "batch_size": number("batch_size", True), "epochs": number("epochs", True),
        "schedule": _combo(SCHEDULES),
        "clip_norm": number("clip_norm", False, 0.5, zero_text="off", zero_is_none=True),
        "early_stopping": number("early_stopping", True, zero_text="off"),
        "device": _combo(DEVICES), "processes": number("processes", True),
        "seed": number("seed", True),
        "keep_best": QCheckBox("keep the best weights"),
    }


class TrainingSettingsForm(QWidget):
    """Task, loss, optimiser and its parameters, schedule, clipping, early stopping, device."""

    refused = Signal(str)

    def __init__(self, editor: DocumentEditor, parent: QWidget | None = None):
        super().__init__(parent)
        self.editor = editor
        self.fields = _fields()
        self.keep_best = self.fields["keep_best"]
        self.errors: dict[str, QLabel] = {}
        self.message = QLabel("")  # settings that concern no one field (or unknown ones)
        self.message.setWordWrap(True)
        self.message.setProperty("role", "error")
        self._loading = False
        self._build()
        self.load()
        editor.document_event.connect(self._on_document_event)
        editor.document_replaced.connect(self.load)

    def _build(self) -> None:
        form = QFormLayout()
        for key, widget in self.fields.items():
            widget.setToolTip(TIPS.get(key, ""))
            note = QLabel("")
            note.setWordWrap(True)
            note.setProperty("role", "error")
            note.hide()
            cell = QWidget()
            column = QVBoxLayout(cell)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(2)
            column.addWidget(widget)
            column.addWidget(note)
            self.errors[key] = note
            form.addRow(LABELS.get(key, key), cell)
            self._connect(key, widget)
        self._form = form
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(form)
        layout.addWidget(self.message)
        self.recipe_settings = RecipeSettings(self.editor)  # the task recipe's own settings
        layout.addWidget(self.recipe_settings)
        layout.addStretch(1)

    def _connect(self, key: str, widget: QWidget) -> None:
        if isinstance(widget, QComboBox):
            widget.currentIndexChanged.connect(lambda _i, k=key: self._on_changed(k))
        elif isinstance(widget, QCheckBox):
            widget.toggled.connect(lambda _on, k=key: self._on_changed(k))
        else:
            widget.edited.connect(lambda _v, k=key: self._on_changed(k))
            widget.error_changed.connect(lambda text, k=key: self._show_note(k, text))

    # -- document -> form -----------------------------------------------------------------------
    def section(self) -> dict:
        return dict(self.editor.doc.sections.get("training") or {})

    def config(self) -> TrainingConfig:
        """The settings as the engine reads them (defaults when they are invalid)."""
        try:
            return TrainingConfig.from_section(self.section())
        except ConfigError:
            return TrainingConfig()

    def load(self) -> None:
        """Show the section as it is, flagging refused values; widgets are updated in place."""
        section, defaults = self.section(), TrainingConfig().to_section()
        self._loading = True
        try:
            self._offer_losses()
            for key, widget in self.fields.items():
                value = section.get(key, defaults[key])
                error = setting_error(key, value) if key in section else ""
                widget.blockSignals(True)
                try:
                    self._set_widget(widget, value, error)
                finally:
                    widget.blockSignals(False)
                self._show_note(key, error)
            optimizer = section.get("optimizer", defaults["optimizer"])
            self.fields["momentum"].setEnabled(optimizer in ("sgd_momentum", "nesterov"))
            self.fields["rmsprop_alpha"].setEnabled(optimizer == "rmsprop")
            self.message.setText(self._other_problems(section))
            self._show_processes(section.get("processes", 1))
        finally:
            self._loading = False

    def _show_processes(self, value) -> None:
        """The processes row shows when the machine has several cores or GPUs (or the
        design asks for several processes: then the value is seen, flagged if too many)."""
        cell = self.fields["processes"].parentWidget()
        self._form.setRowVisible(cell, machine_processes()[0] > 1 or value != 1)

    def _offer_losses(self) -> None:
        """The loss box lists the losses of the task's recipe (updated in place)."""
        from backend.training.recipes import RECIPES

        active = self.recipe_settings.active()
        recipe = next((r for r in RECIPES if r.name == active), None)
        losses = LOSSES if recipe is None else ("auto", *recipe.losses)
        box = self.fields["loss"]
        if [box.itemData(i) for i in range(box.count())] != list(losses):
            box.blockSignals(True)
            box.clear()
            for key in losses:
                _add_item(box, key, LOSS_NAMES)
            box.blockSignals(False)

    @staticmethod
    def _set_widget(widget: QWidget, value, error: str) -> None:
        if isinstance(widget, QComboBox):
            show_choice(widget, value)
        elif isinstance(widget, QCheckBox):
            widget.setChecked(bool(value))
        else:
            widget.set_value(value, error)

    def _other_problems(self, section: dict) -> str:
        """Unknown settings and cross-field rules, which no one field shows."""
        owned = self.recipe_settings.settings  # the recipe's group shows those
        unknown = [k for k in section if k not in self.fields and k not in owned]
        for key in unknown:
            error = setting_error(key, section[key])
            if error:
                return error
        if any(setting_error(k, v) for k, v in section.items()):
            return ""
        try:
            TrainingConfig.from_section(section)
        except ConfigError as exc:
            return str(exc)[:1].upper() + str(exc)[1:] + "."
        return ""

    def _show_note(self, key: str, text: str) -> None:
        note = self.errors[key]
        warning = ""
        if not text and key == "lr":
            value = self.fields["lr"].value()
            warning = lr_warning(value) if isinstance(value, int | float) and value > 0 else ""
        note.setProperty("role", "error" if text else "warning")
        repolish(note)
        shown = text or (warning[:1].upper() + warning[1:] + "." if warning else "")
        note.setText(shown)
        note.setVisible(bool(shown))

    def _on_document_event(self, name: str, payload: dict) -> None:
        if name == "reset" or (name == "section_changed" and payload.get("key") == "training"):
            self.load()

    # -- form -> document -----------------------------------------------------------------------
    def value(self, key: str):
        widget = self.fields[key]
        if isinstance(widget, QComboBox):
            return widget.currentData()
        if isinstance(widget, QCheckBox):
            return widget.isChecked()
        return widget.value()

    def _on_changed(self, key: str) -> None:
        if not self._loading:
            self.set_value(key, self.value(key))

    def set_value(self, key: str, value) -> bool:
        """Store one setting in the design (one undo step per field); False if refused."""
        error = setting_error(key, value)
        if error:
            self._show_note(key, error)
            self.refused.emit(error)
            return False
        section = self.section()
        if section.get(key, object()) == value and type(section.get(key)) is type(value):
            return True
        section[key] = value
        self._show_note(key, "")
        label = LABELS.get(key, key.replace("_", " "))
        return self.editor.push(SetSection("training", section), f"Set training {label}",
                                merge_key=f"training.{key}")
