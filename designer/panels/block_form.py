"""BlockForm: the inspector's form for a Block node — its definition, arguments and repeat.

The definition's parameters (channels, stride, growth rate, ...) each get a field that sets
this use's argument; the repeat count says how many copies run one after another. Inside a
block, an argument may be an expression over the enclosing block's parameters
("{channels * 2}"): such a value is edited as text. Every change is one SetParams (or an
EditBlockDef for the definition's title) through the editor; the form updates its widgets in
place when the document changes, so no widget is deleted inside its own event.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from backend.graph import EditBlockDef, SetParams
from backend.graph.block_ops import users
from backend.graph.ports import definition_of
from designer.theme import SPACE

LIMIT = 1_000_000


class ArgField(QWidget):
    """One argument: a number box, a check box, or (for an expression) a text line."""

    committed = Signal(str, object)

    def __init__(self, name: str, kind: str, lo, hi, tip: str) -> None:
        super().__init__()
        self.name, self.kind = name, kind
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        if kind == "bool":
            self.box = QCheckBox()
            self.box.toggled.connect(self._emit_box)
        else:
            self.box = QSpinBox() if kind == "int" else QDoubleSpinBox(decimals=4)
            self.box.setRange(lo if lo is not None else -LIMIT, hi if hi is not None else LIMIT)
            self.box.setKeyboardTracking(False)
            self.box.valueChanged.connect(self._emit_box)
        self.text = QLineEdit()
        self.text.setPlaceholderText("a number or an expression such as {channels * 2}")
        self.text.editingFinished.connect(self._emit_text)
        for w in (self.box, self.text):
            w.setToolTip(tip)
            layout.addWidget(w)
        self.text.hide()

    def set_value(self, value) -> None:
        """Show `value` without emitting (an expression switches to the text line)."""
        expression = isinstance(value, str)
        self.box.setVisible(not expression)
        self.text.setVisible(expression)
        for w in (self.box, self.text):
            w.blockSignals(True)
        if expression:
            self.text.setText(value)
        elif self.kind == "bool":
            self.box.setChecked(bool(value))
        else:
            self.box.setValue(value)
        for w in (self.box, self.text):
            w.blockSignals(False)

    def _emit_box(self, *_args) -> None:
        value = self.box.isChecked() if self.kind == "bool" else self.box.value()
        self.committed.emit(self.name, value)

    def _emit_text(self) -> None:
        text = self.text.text().strip()
        try:
            value = int(text) if self.kind == "int" else float(text)
        except ValueError:
            value = text
        self.committed.emit(self.name, value)


class BlockForm(QWidget):
    enter_requested = Signal(str)  # the node id of the block to show the inside of

    def __init__(self, editor, node_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor, self.node_id = editor, node_id
        self.fields: dict[str, ArgField] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(SPACE)
        self.about = QLabel(wordWrap=True)
        self.about.setProperty("role", "caption")
        self.name = QLineEdit()
        self.name.setToolTip("The block definition's name: every use of it shows this name.")
        self.name.editingFinished.connect(self._rename_definition)
        form = QFormLayout()
        form.setHorizontalSpacing(SPACE * 2)
        form.addRow("Definition", self.name)
        self.repeat = ArgField("repeat", "int", 1, 1000, "How many copies run one after "
                               "another (each feeds the next).")
        self.repeat.committed.connect(self._commit_repeat)
        form.addRow("Repeat", self.repeat)
        self._build_args(form)
        self.enter = QPushButton("Show Inside (double-click)")
        self.enter.clicked.connect(self._enter)
        layout.addWidget(self.about)
        layout.addLayout(form)
        layout.addWidget(self.enter)
        self.load()

    def _definition(self):
        node = self.editor.graph.nodes.get(self.node_id)
        return node, definition_of(self.editor.doc, node) if node is not None else None

    def _build_args(self, form: QFormLayout) -> None:
        _node, defn = self._definition()
        for p in defn.params if defn is not None else ():
            field = ArgField(p.name, p.kind, p.min, p.max, p.doc or p.name)
            field.committed.connect(self._commit_arg)
            form.addRow(p.name.replace("_", " ").capitalize(), field)
            self.fields[p.name] = field

    def load(self) -> None:
        """Show the node's current arguments and its definition's header, in place."""
        node, defn = self._definition()
        if node is None or defn is None:
            self.about.setText("This block's definition is missing: ungroup or delete it.")
            return
        count = len(users(self.editor.doc, defn.id))
        shared = f"Used {count} times: changes inside change every use." if count > 1 else \
            "Used once."
        self.about.setText(f"{defn.note}\n{shared}".strip())
        if not self.name.hasFocus():
            self.name.setText(defn.title)
        self.repeat.set_value(node.params.get("repeat", 1))
        args = node.params.get("args", {})
        for p in defn.params:
            if p.name in self.fields:
                self.fields[p.name].set_value(args.get(p.name, p.default))

    def _commit_arg(self, name: str, value) -> None:
        node, _defn = self._definition()
        if node is None:
            return
        args = {**node.params.get("args", {}), name: value}
        self._push({**node.params, "args": args}, f"Set {name} of {node.title}", name)

    def _commit_repeat(self, _name: str, value) -> None:
        node, _defn = self._definition()
        if node is not None:
            self._push({**node.params, "repeat": value}, f"Repeat {node.title} {value}×",
                       "repeat")

    def _push(self, params: dict, text: str, key: str) -> None:
        node, _defn = self._definition()
        if params != node.params and not self.editor.push(
                SetParams(self.node_id, params), text, merge_key=f"{self.node_id}.{key}"):
            QTimer.singleShot(0, self.load)  # refused: show the value that stands

    def _rename_definition(self) -> None:
        _node, defn = self._definition()
        title = self.name.text().strip()
        if defn is None or not title or title == defn.title:
            return
        self.editor.push(EditBlockDef(defn.id, title, defn.note, defn.params, defn.sequential),
                         f"Rename block {defn.label} to {title}")

    def _enter(self) -> None:
        QTimer.singleShot(0, self._enter_now)  # the inspector is rebuilt when the view moves

    def _enter_now(self) -> None:
        self.enter_requested.emit(self.node_id)
