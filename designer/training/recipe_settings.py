"""The settings of the run's task recipe, under the shared training settings.

Fields are generated from each recipe's `Setting` declarations (backend/training/recipes):
numbers are NumberBoxes checked by the recipe's own rule, choices are combo boxes, a node
setting lists the design's layers by title ("automatic" when empty), a pair of betas is two
numbers. One group per recipe is built once; the form shows the group of the recipe the
design trains with (its task, or what "auto" resolves to: a Sampling layer means a VAE, two
networks a GAN) and updates its widgets in place when the document changes, so no widget is
ever deleted inside its own event. Every edit is one `SetSection("training", ...)` through
the editor, merged per field.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from backend.graph import SetSection
from backend.training.config import ConfigError, TrainingConfig
from backend.training.recipes import RECIPES, recipe_for_task, resolve_task
from designer.editor import DocumentEditor
from designer.panels.fields import show_choice
from designer.panels.number_box import NumberBox
from designer.theme import repolish

NOTES = {"gan": "The optimiser, learning rate and betas above train the generator; these "
                "train the discriminator.",
         "autoencoding": "Denoising: set the dataset's corruption (Data tab); the inputs are "
                         "then noisy in training and validation, the targets clean."}
AUTOMATIC = "(automatic)"


def recipe_error(name: str, value) -> str:
    """The engine's sentence refusing `value` for the recipe setting `name` ("" if accepted)."""
    try:
        TrainingConfig.from_section({name: value})
    except ConfigError as exc:
        text = str(exc)
        return text[:1].upper() + text[1:] + "."
    return ""


class RecipeSettings(QWidget):
    """One group of fields per recipe that has settings; the active one shows."""

    def __init__(self, editor: DocumentEditor, parent: QWidget | None = None):
        super().__init__(parent)
        self.editor = editor
        self.groups: dict[str, QGroupBox] = {}
        self.fields: dict[str, QWidget | tuple[NumberBox, NumberBox]] = {}
        self.settings = {s.name: s for r in RECIPES for s in r.settings}
        self.notes: dict[str, QLabel] = {}
        self._loading = False
        self._listed: dict[int, list] = {}  # what each layer combo box lists
        self._reload = QTimer(self, singleShot=True, interval=0)
        self._reload.timeout.connect(self.load)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for recipe in RECIPES:
            if recipe.settings:
                self.groups[recipe.name] = self._group(recipe)
                layout.addWidget(self.groups[recipe.name])
        self.load()
        editor.document_event.connect(self._on_document_event)
        editor.document_replaced.connect(self.load)

    # -- building (once) ------------------------------------------------------------------------
    def _group(self, recipe) -> QGroupBox:
        box = QGroupBox(f"{recipe.title} settings")
        form = QFormLayout(box)
        if recipe.name in NOTES:
            note = QLabel(NOTES[recipe.name])
            note.setWordWrap(True)
            note.setProperty("role", "caption")
            form.addRow(note)
        for setting in recipe.settings:
            widget = self._field(setting)
            widget.setToolTip(setting.doc)
            error = QLabel("")
            error.setWordWrap(True)
            error.setProperty("role", "error")
            error.hide()
            self.notes[setting.name] = error
            cell = QWidget()
            column = QVBoxLayout(cell)
            column.setContentsMargins(0, 0, 0, 0)
            column.addWidget(widget)
            column.addWidget(error)
            form.addRow(setting.display, cell)
        return box

    def _field(self, setting) -> QWidget:
        name = setting.name
        if setting.kind in ("float", "int"):
            box = NumberBox(setting.kind == "int", 1.0 if setting.kind == "int" else 0.1,
                            check=lambda v, n=name: recipe_error(n, v),
                            adaptive=setting.kind == "float")
            box.edited.connect(lambda v, n=name: self.set_value(n, v))
            box.error_changed.connect(lambda text, n=name: self._note(n, text))
            self.fields[name] = box
            return box
        if setting.kind == "bool":
            check = QCheckBox()
            check.toggled.connect(lambda on, n=name: self.set_value(n, on))
            self.fields[name] = check
            return check
        if setting.kind == "betas":
            return self._betas(name)
        combo = QComboBox()
        for choice in setting.choices:
            combo.addItem(choice.replace("_", " "), choice)
        combo.currentIndexChanged.connect(lambda _i, n=name, c=combo: self._combo_changed(n, c))
        self.fields[name] = combo
        return combo

    def _betas(self, name: str) -> QWidget:
        pair = (NumberBox(False, 0.05), NumberBox(False, 0.001))
        self.fields[name] = pair  # before the boxes are laid out: their checks read it
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        for i, box in enumerate(pair):
            box.check = lambda v, i=i, n=name: self._beta_error(n, i, v)
            box.edited.connect(lambda _v, n=name: self._betas_edited(n))
            box.error_changed.connect(lambda text, n=name: self._note(n, text))
            line.addWidget(QLabel("β₁" if i == 0 else "β₂"))
            line.addWidget(box, 1)
        return row

    def _beta_error(self, name: str, index: int, value) -> str:
        pair = [b.value() for b in self.fields[name]]
        pair[index] = value
        return recipe_error(name, pair)

    # -- document -> form -------------------------------------------------------------------------
    def active(self) -> str | None:
        """The recipe the design trains with (None if the settings cannot say)."""
        section = self.editor.doc.sections.get("training") or {}
        try:
            task = TrainingConfig.from_section({"task": section.get("task", "auto")}).task
            return recipe_for_task(resolve_task(task, "classification", self.editor.doc,
                                                self.editor.analysis)).name
        except (ConfigError, ValueError):
            return None

    def load(self) -> None:
        section = self.editor.doc.sections.get("training") or {}
        active = self.active()
        self._loading = True
        try:
            for name, group in self.groups.items():
                group.setVisible(name == active)
            shown = {s.name for r in RECIPES if r.name == active for s in r.settings}
            for name, setting in self.settings.items():
                if setting.kind == "node" and name not in shown:
                    continue  # a hidden group's layer lists: filled when the group shows
                value = section.get(name, setting.default)
                self._show(name, setting, value)
                self._note(name, recipe_error(name, value) if name in section else "")
        finally:
            self._loading = False

    def _show(self, name: str, setting, value) -> None:
        widget = self.fields[name]
        if isinstance(widget, tuple):
            for box, v in zip(widget, list(value) + [None, None], strict=False):
                box.set_value(v)
            return
        widget.blockSignals(True)
        try:
            if isinstance(widget, NumberBox):
                widget.set_value(value)
            elif isinstance(widget, QCheckBox):
                widget.setChecked(bool(value))
            elif setting.kind == "node":
                self._fill_nodes(widget, value)
            else:
                show_choice(widget, value)
        finally:
            widget.blockSignals(False)

    def _fill_nodes(self, combo: QComboBox, value) -> None:
        """The design's layers by title (its Inputs left out), updated in place."""
        doc = self.editor.doc
        wanted = [(AUTOMATIC, None)] + [(n.title or nid, nid) for nid, n in doc.nodes.items()
                                        if n.type != "Input"]
        if self._listed.get(id(combo)) != wanted:  # what it lists, kept: reading thousands
            combo.clear()  # of entries back from the combo box is slow
            for text, data in wanted:
                combo.addItem(text, data)
            self._listed[id(combo)] = wanted
        show_choice(combo, value)

    def _note(self, name: str, text: str) -> None:
        label = self.notes[name]
        label.setText(text)
        label.setVisible(bool(text))
        repolish(label)

    def _on_document_event(self, name: str, payload: dict) -> None:
        if name == "reset" or (name == "section_changed"
                               and payload.get("key") in ("training", "networks")):
            self.load()
        elif name in ("node_added", "node_removed", "node_renamed", "edge_added",
                      "edge_removed"):
            self._reload.start()  # once for all the events of one edit

    # -- form -> document -------------------------------------------------------------------------
    def _combo_changed(self, name: str, combo: QComboBox) -> None:
        self.set_value(name, combo.currentData())

    def _betas_edited(self, name: str) -> None:
        self.set_value(name, [b.value() for b in self.fields[name]])

    def set_value(self, name: str, value) -> bool:
        """Store one recipe setting (one undo step per field); False if refused."""
        if self._loading:
            return False
        error = recipe_error(name, value)
        self._note(name, error)
        if error:
            return False
        section = dict(self.editor.doc.sections.get("training") or {})
        if section.get(name, object()) == value:
            return True
        section[name] = value
        label = self.settings[name].display
        return self.editor.push(SetSection("training", section), f"Set {label}",
                                merge_key=f"training.{name}")
