"""The "New from template" dialog: an empty design or one of the built-in templates.

The list on the left groups the templates as the catalogue does (basics, the full-size
classics, the 8×8 teaching miniatures, autoencoders, sequences); the pane on the right shows
the chosen one drawn small, its note (the idea it introduced), its size, and for full-size
templates the class count and input size to create it with. Previews are rendered lazily on
selection and cached (`template_preview.PreviewCache`), so the dialog opens at once.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from backend.graph import GraphDocument, Move
from backend.templates import CATALOG, GROUPS, make_template, template_info
from designer import icons, theme
from designer.panels.template_preview import PreviewCache
from designer.theme import SPACE

EMPTY = ""
PREVIEW = QSize(440, 220)
SIDES = (224, 128, 96, 64, 32)  # input sizes offered besides a template's own
_CACHE = PreviewCache()  # shared by every dialog of the session


class TemplateDialog(QDialog):
    """Lists "Empty design" and every template; shows the chosen one with its note."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("New design")
        self.setMinimumSize(980, 640)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACE * 2, SPACE * 2, SPACE * 2, SPACE * 2)
        layout.setSpacing(SPACE)
        layout.addWidget(QLabel("Start from an empty canvas or one of the course's networks:"))
        body = QHBoxLayout()
        body.setSpacing(SPACE * 2)
        self.list = self._make_list()
        body.addWidget(self.list, 2)
        body.addWidget(self._make_details(), 3)
        layout.addLayout(body, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.create_button = buttons.button(QDialogButtonBox.Ok)
        self.create_button.setText("Create")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.list.currentItemChanged.connect(self._show)
        self.list.setCurrentRow(0)
        self.list.setFocus()

    # -- the list --------------------------------------------------------------------------
    def _make_list(self) -> QListWidget:
        view = QListWidget()
        view.setIconSize(QSize(20, 20))
        view.setSpacing(1)
        view.setWordWrap(True)
        view.setTextElideMode(Qt.ElideNone)
        view.setAccessibleName("Templates")
        view.addItem(self._item(EMPTY, "Empty design", "A blank canvas: add layers from the "
                                                       "palette."))
        for group in GROUPS:
            view.addItem(self._group_header(group))
            for t in CATALOG:
                if t.group == group:
                    view.addItem(self._item(t.name, t.title, t.description))
        view.itemDoubleClicked.connect(self._double_clicked)
        return view

    def _group_header(self, group: str) -> QListWidgetItem:
        item = QListWidgetItem(group)
        item.setFlags(Qt.NoItemFlags)  # a heading: not selectable
        font = item.font()
        font.setBold(True)
        item.setFont(font)
        return item

    def _item(self, key: str, title: str, description: str) -> QListWidgetItem:
        item = QListWidgetItem(icons.icon("new" if key == EMPTY else "template"), title)
        item.setData(Qt.UserRole, key)
        item.setToolTip(description + (f"\nOn the command line: netwright new --template {key}"
                                       if key != EMPTY else ""))
        return item

    def _double_clicked(self, item: QListWidgetItem) -> None:
        if item.flags() & Qt.ItemIsSelectable and self.create_button.isEnabled():
            self.accept()

    # -- the details pane --------------------------------------------------------------------
    def _make_details(self) -> QWidget:
        pane = QWidget()
        col = QVBoxLayout(pane)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(SPACE)
        self.title = QLabel()
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.preview = QLabel()
        self.preview.setFixedSize(PREVIEW)
        self.preview.setAccessibleName("Preview of the design")
        self.note = QLabel()
        self.description = QLabel()
        self.facts = QLabel()
        for label in (self.note, self.description, self.facts):
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.facts.setStyleSheet(f"color: {theme.colors().muted};")
        col.addWidget(self.title)
        col.addWidget(self.preview)
        col.addWidget(self.note)
        col.addWidget(self.description)
        col.addWidget(self._make_sizes())
        col.addWidget(self.facts)
        col.addStretch(1)
        return pane

    def _make_sizes(self) -> QWidget:
        self.sizes_box = QWidget()
        form = QFormLayout(self.sizes_box)
        form.setContentsMargins(0, 0, 0, 0)
        self.classes = QSpinBox()
        self.classes.setRange(1, 100_000)
        self.classes.setAccessibleName("Classes")
        self.classes.setToolTip("Outputs of the last layer: 1000 for ImageNet, 10 for digits.")
        self.input_size = QComboBox()
        self.input_size.setAccessibleName("Input size")
        self.input_size.setToolTip("Height and width of the input images. The counts the "
                                   "papers give are for the first size; smaller inputs "
                                   "train much faster on a CPU.")
        for w in (self.classes, self.input_size):
            w.setMaximumWidth(220)
        form.addRow("Classes", self.classes)
        form.addRow("Input size", self.input_size)
        self.classes.valueChanged.connect(self._update_facts)
        self.input_size.currentIndexChanged.connect(self._update_facts)
        return self.sizes_box

    def _show(self, item: QListWidgetItem | None, _previous=None) -> None:
        key = self.chosen()
        if item is None or key == EMPTY:
            self.title.setText("Empty design")
            self.preview.hide()
            self.note.setText("A blank canvas: drag layers from the palette, or press Tab "
                              "on the canvas to add one by name.")
            self.description.clear()
            self.sizes_box.hide()
            self.facts.clear()
            self.create_button.setEnabled(True)
            return
        t = template_info(key)
        self.title.setText(t.title)
        self.preview.show()
        self.preview.setPixmap(QPixmap.fromImage(
            _CACHE.image(key, PREVIEW, theme.is_dark())))
        self.note.setText(t.note)
        self.description.setText(t.description)
        self._fill_sizes(key)
        self._update_facts()

    def _fill_sizes(self, key: str) -> None:
        t = template_info(key)
        self.sizes_box.setVisible(t.sized)
        if not t.sized:
            return
        summary = _CACHE.summary(key)
        out = _CACHE.design(key)
        units = _output_units(out)
        for w in (self.classes, self.input_size):
            w.blockSignals(True)
        self.classes.setValue(units or 10)
        self.input_size.clear()
        native = summary.input_shape[-1]
        for side in (native, *(s for s in SIDES if s < native)):
            text = f"{side} × {side}" + (" (as published)" if side == native else "")
            self.input_size.addItem(text, (*summary.input_shape[:-2], side, side))
        for w in (self.classes, self.input_size):
            w.blockSignals(False)

    def _update_facts(self) -> None:
        key = self.chosen()
        if key == EMPTY:
            return
        classes, shape = self.sizes()
        try:
            summary = _CACHE.summary(key, classes, shape)
        except ValueError as exc:
            summary, problem = None, str(exc)
        else:
            problem = "" if summary.params else "the network cannot take this input size"
        self.create_button.setEnabled(not problem)
        if problem:
            self.facts.setText(f"Cannot create: {problem}: choose a larger input.")
            return
        doc = _CACHE.design(key, classes, shape)
        self.facts.setText(_facts_text(summary, doc.sections))

    # -- results ----------------------------------------------------------------------------
    def chosen(self) -> str:
        item = self.list.currentItem()
        return (item.data(Qt.UserRole) or EMPTY) if item is not None else EMPTY

    def sizes(self) -> tuple[int | None, tuple[int, ...] | None]:
        """(class count, input shape) for a full-size template, (None, None) otherwise;
        None also where the template's own value is kept."""
        key = self.chosen()
        if key == EMPTY or not template_info(key).sized:
            return None, None
        classes = self.classes.value()
        shape = self.input_size.currentData()
        default = _CACHE.summary(key)
        return (None if classes == _output_units(_CACHE.design(key)) else classes,
                None if shape is None or tuple(shape) == default.input_shape else tuple(shape))


def _output_units(doc: GraphDocument) -> int | None:
    from backend.shapes import analyse

    analysis = analyse(doc)
    outs = [s for nid, s in analysis.shapes.items() if s and not doc.out_edges(nid)]
    return outs[0][0] if len(outs) == 1 and len(outs[0]) == 1 else None


def _facts_text(summary, sections: dict) -> str:
    shape = " × ".join(str(d) for d in summary.input_shape or ())
    parts = [f"{summary.params:,} parameters", f"input {shape}",
             f"{summary.layers} layers"
             + (f", {summary.blocks} blocks at the top level" if summary.blocks else "")]
    data = sections.get("dataset", {})
    training = sections.get("training", {})
    epochs = training.get("epochs")
    text = " · ".join(parts)
    if data.get("name") == "digits" and epochs:
        size = data.get("resize") or 8
        resized = f" resized to {size} × {size}" if size != 8 else ""
        text += (f"\nTrains on the 8×8 digits{resized}"
                 f", {epochs} epoch{'s' if epochs != 1 else ''} by default.")
        if size >= 128:
            text += (f" At {size} × {size} an epoch takes many minutes on a CPU: 32 × 32 "
                     f"needs about {round(size * size / 1024)}× less computation (or train "
                     "on a GPU).")
    return text


def new_document(template: str, num_classes: int | None = None,
                 input_shape: tuple[int, ...] | None = None) -> GraphDocument:
    """A fresh document: empty for "", otherwise the named template (at the given size); a
    long one is wrapped into rows to fit a canvas, so its layers read at full size."""
    if template == EMPTY:
        return GraphDocument("Untitled")
    doc = make_template(template, num_classes, input_shape)
    from designer.canvas.layout import wrapped_positions  # networkx: only when asked

    positions = wrapped_positions(doc)
    if positions is not None:  # a long design; short or branching ones keep their drawing
        doc.apply(Move(tuple(positions.items())))
    return doc
