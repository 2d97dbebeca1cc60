"""The inspector: edits the selected layer, or summarises the design when nothing is selected.

The parameter form is generated from the layer's `LayerSpec.params` (see fields.py). Each
valid change pushes one SetParams command whose merge key is `node.param`, so repeated changes
to one field are one undo step; invalid text shows the reason and pushes nothing. The header
shows the node's input and output shapes, parameter count and problems.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from backend.explain import explain_shape
from backend.graph import BLOCK, Rename, SetParams
from backend.layers import get_spec
from designer import icons, theme
from designer.editor import DocumentEditor
from designer.panels.block_form import BlockForm
from designer.panels.fields import ParamField
from designer.status import plural
from designer.theme import SPACE

# Other features add sections to a layer's page: callables (editor, node_id) -> QWidget | None.
NODE_SECTIONS: list = []
HINT = ("Drag a layer from the palette onto the canvas, or press Tab on the canvas to search "
        "for one. Drag from an output port to an input port to connect two layers. Select a "
        "layer to edit its parameters here.")


def _label(text: str = "", role: str = "", wrap: bool = False) -> QLabel:
    label = QLabel(text)
    if role:
        label.setProperty("role", role)
    label.setWordWrap(wrap)
    label.setTextInteractionFlags(Qt.TextSelectableByMouse)
    return label


def _show_error(label: QLabel, message: str) -> None:
    """The reason a typed value is refused, after an error icon; hidden when valid."""
    label.setVisible(bool(message))
    if message:
        path = icons.image_file("error", theme.colors().error, 14)
        label.setText(f"<img src='{path}' width=12 height=12 style='vertical-align:middle'>"
                      f"&nbsp;{html.escape(message)}")


class ProblemList(QWidget):
    """Problems as rows of severity icon + sentence; a green 'No problems' row when empty."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(SPACE // 2)
        self.messages: list[str] = []

    def set_problems(self, problems: list, ok_text: str = "No problems",
                     ok_severity: str = "ok") -> None:
        while self._layout.count():
            row = self._layout.takeAt(0).widget()
            row.hide()  # deleteLater waits for the event loop (not a drag's nested one)
            row.deleteLater()
        self.messages = [p.message for p in problems]
        rows = [(p.severity, p.message) for p in problems] or [(ok_severity, ok_text)]
        for severity, message in rows:
            self._layout.addWidget(self._row(severity, message))

    def _row(self, severity: str, message: str) -> QWidget:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(SPACE)
        icon = QLabel()
        icon.setPixmap(icons.severity_icon(severity).pixmap(16, 16))
        icon.setAlignment(Qt.AlignTop)
        layout.addWidget(icon)
        text = _label(message, "error" if severity == "error" else "", wrap=True)
        if severity == "warning":
            text.setProperty("role", "warning")
        layout.addWidget(text, 1)
        return row


class InspectorPanel(QWidget):
    """Shows the selected node's form, a multi-selection summary, or the design summary."""

    def __init__(self, editor: DocumentEditor, parent: QWidget | None = None):
        super().__init__(parent)
        self.editor = editor
        self.node_id: str | None = None
        self.block_form = None
        self.fields: dict[str, ParamField] = {}
        self.stack = QStackedWidget()
        self.summary_page = _DesignSummary()
        self.stack.addWidget(self.summary_page)
        self.node_page = QWidget()
        self.stack.addWidget(self.node_page)
        scroll = QScrollArea(widgetResizable=True, frameShape=QFrame.NoFrame)
        scroll.setWidget(self.stack)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        editor.selection_changed.connect(self._on_selection)
        editor.analysis_changed.connect(self.refresh)
        editor.graph_event.connect(self._on_document_event)
        editor.document_replaced.connect(lambda: self._on_selection(editor.selection))
        self._on_selection(editor.selection)

    # -- selection ------------------------------------------------------------------------------
    def _on_selection(self, ids: list) -> None:
        nodes = [i for i in ids if i in self.editor.graph.nodes]
        node_id = nodes[0] if len(nodes) == 1 and len(ids) == 1 else None
        if node_id != self.node_id or node_id is None:
            self._show_node(node_id)
        self.refresh()

    def _show_node(self, node_id: str | None) -> None:
        self.node_id = node_id
        self.fields = {}
        self.block_form = None
        if node_id is None:
            self.stack.setCurrentWidget(self.summary_page)
            return
        page = self._build_node_page(node_id)
        self.stack.removeWidget(self.node_page)
        self.node_page.deleteLater()
        self.node_page = page
        self.stack.addWidget(page)
        self.stack.setCurrentWidget(page)

    def _build_node_page(self, node_id: str) -> QWidget:
        node = self.editor.graph.nodes[node_id]
        spec = get_spec(node.type)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(SPACE * 2, SPACE * 2, SPACE * 2, SPACE * 2)
        layout.setSpacing(SPACE)
        self._add_title(layout, node, spec)
        self.facts = _Facts()
        layout.addWidget(self.facts)
        layout.addWidget(_label("PROBLEMS", "section"))
        self.problems = ProblemList()
        layout.addWidget(self.problems)
        if node.type == BLOCK:  # a block: its arguments and repeat (designer/panels/block_form)
            self.block_form = BlockForm(self.editor, node_id)
            self.block_form.enter_requested.connect(self.editor.enter)
            layout.addWidget(self.block_form)
        elif spec is not None:
            self._add_form(layout, spec)
        self.how_title = _label("HOW THE SHAPE IS COMPUTED", "section")
        self.how = _label("", "caption", wrap=True)
        layout.addWidget(self.how_title)
        layout.addWidget(self.how)
        if spec is not None:
            layout.addWidget(_label("ABOUT " + spec.type.upper(), "section"))
            layout.addWidget(_label(spec.description, "caption", wrap=True))
        for section in NODE_SECTIONS:
            widget = section(self.editor, node_id)
            if widget is not None:
                layout.addWidget(widget)
        layout.addStretch(1)
        return page

    def _add_title(self, layout: QVBoxLayout, node, spec) -> None:
        self.title_edit = QLineEdit(node.title)
        self.title_edit.setAccessibleName("Layer name")
        self.title_edit.setToolTip("The layer's name on the canvas and in exported code (F2).")
        self.title_edit.editingFinished.connect(self._rename)
        self.title_edit.setProperty("role", "title")
        kind = spec.category if spec else "unknown"
        if node.type == BLOCK:  # the definition it uses
            kind = self.editor.doc.blocks.get(node.params.get("definition"), None)
            kind = kind.label if kind is not None else "missing definition"
        self.type_label = _label(f"{node.type} · {kind}", "caption")
        layout.addWidget(self.title_edit)
        layout.addWidget(self.type_label)

    def _add_form(self, layout: QVBoxLayout, spec) -> None:
        layout.addWidget(_label("PARAMETERS" if spec.params else "NO PARAMETERS", "section"))
        form = QFormLayout()
        form.setHorizontalSpacing(SPACE * 2)
        form.setVerticalSpacing(SPACE)
        form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        for p in spec.params:
            field = ParamField(p, self)
            error = _label("", "error", wrap=True)
            error.hide()
            field.error_changed.connect(lambda msg, e=error: _show_error(e, msg))
            field.committed.connect(self._commit)
            box = QWidget()
            col = QVBoxLayout(box)
            col.setContentsMargins(0, 0, 0, 0)
            col.setSpacing(SPACE // 2)
            col.addWidget(field.widget)
            col.addWidget(error)
            name = QLabel(p.display.capitalize())
            name.setToolTip(field.widget.toolTip())
            form.addRow(name, box)
            field.error_label = error
            self.fields[p.name] = field
        layout.addLayout(form)
        self._load_values()

    # -- document -> form -----------------------------------------------------------------------
    def _load_values(self) -> None:
        if self.node_id not in self.editor.graph.nodes:
            return
        if self.block_form is not None:
            self.block_form.load()
        node = self.editor.graph.nodes[self.node_id]
        spec = get_spec(node.type)
        values = {**spec.defaults(), **node.params} if spec else dict(node.params)
        for name, field in self.fields.items():
            field.set_value(values.get(name))

    def _on_document_event(self, name: str, payload: dict) -> None:
        if name == "reset" or (name == "node_removed" and payload["node_id"] == self.node_id):
            self._show_node(None)
        elif payload.get("node_id") == self.node_id and name == "params_changed":
            self._load_values()
        elif name == "block_changed" and self.block_form is not None and self.node_id:
            self.block_form.load()
        elif payload.get("node_id") == self.node_id and name == "node_renamed":
            self.title_edit.setText(self.editor.graph.nodes[self.node_id].title)

    def refresh(self) -> None:
        """Re-read shapes, counts and problems from the editor's latest analysis."""
        analysis = self.editor.view_analysis
        if self.node_id is None or self.node_id not in self.editor.graph.nodes:
            self.summary_page.update_from(self.editor, self.editor.selection)
            return
        nid = self.node_id
        ins = analysis.in_texts(nid)
        self.facts.set_facts(", ".join(ins) if ins else "—",
                             analysis.shape_text(nid) if nid in analysis.shapes else "—",
                             f"{analysis.counts.get(nid, 0):,}" if nid in analysis.counts
                             else "—")
        self.problems.set_problems(analysis.problems_for(nid))
        how = explain_shape(self.editor.graph, analysis, nid)
        self.how.setText(how or "")
        self.how.setVisible(bool(how))
        self.how_title.setVisible(bool(how))

    # -- form -> document -----------------------------------------------------------------------
    def _commit(self, name: str, value) -> None:
        nid = self.node_id
        node = self.editor.graph.nodes.get(nid)
        if node is None:
            return
        params = dict(node.params)
        params[name] = value
        if params != node.params:
            self.editor.push(SetParams(nid, params), f"Set {name.replace('_', ' ')} of "
                             f"{node.title}", merge_key=f"{nid}.{name}")

    def _rename(self) -> None:
        node = self.editor.graph.nodes.get(self.node_id)
        title = self.title_edit.text().strip()
        if node is None or not title or title == node.title:
            if node is not None:
                self.title_edit.setText(node.title)
            return
        self.editor.push(Rename(node.id, title), f"Rename {node.title} to {title}")


class _Facts(QFrame):
    """A small card: input shape, output shape, parameter count."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setProperty("role", "card")
        grid = QGridLayout(self)
        grid.setContentsMargins(SPACE * 1.5, SPACE, SPACE * 1.5, SPACE)
        grid.setHorizontalSpacing(SPACE * 2)
        grid.setVerticalSpacing(SPACE // 2)
        self.values = []
        for row, name in enumerate(("Input", "Output", "Parameters")):
            grid.addWidget(_label(name, "caption"), row, 0)
            value = _label()
            value.setStyleSheet("font-family: monospace;")
            grid.addWidget(value, row, 1)
            self.values.append(value)
        grid.setColumnStretch(1, 1)

    def set_facts(self, inputs: str, output: str, params: str) -> None:
        for label, text in zip(self.values, (inputs, output, params), strict=True):
            label.setText(text)

    def texts(self) -> list[str]:
        return [v.text() for v in self.values]


class _DesignSummary(QWidget):
    """Nothing (or several things) selected: the design's totals, status and a hint."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACE * 2, SPACE * 2, SPACE * 2, SPACE * 2)
        layout.setSpacing(SPACE)
        self.heading = _label("", "heading", wrap=True)
        self.caption = _label("", "caption", wrap=True)
        self.totals = _label("", wrap=True)
        self.status = ProblemList()
        self.hint = _label(HINT, "caption", wrap=True)
        for w in (self.heading, self.caption, self.totals, _label("STATUS", "section"),
                  self.status, _label("GETTING STARTED", "section"), self.hint):
            layout.addWidget(w)
        layout.addStretch(1)

    def update_from(self, editor: DocumentEditor, selection: list[str]) -> None:
        doc, analysis = editor.doc, editor.analysis
        picked = [n for n in selection if n in doc.nodes]
        if len(selection) > 1:
            self.heading.setText(f"{len(selection)} items selected")
            count = sum(analysis.counts.get(n, 0) for n in picked)
            self.caption.setText(f"{plural(len(picked), 'layer')}, "
                                 f"{plural(count, 'parameter')}")
        else:
            self.heading.setText(html.unescape(doc.name or "Untitled"))
            self.caption.setText("Design summary" if not selection else "Comment selected")
        errors = [p for p in analysis.problems if p.severity == "error"]
        self.totals.setText(f"{plural(len(doc.nodes), 'layer')} · "
                            f"{plural(len(doc.edges), 'wire')} · "
                            f"{plural(analysis.total_params, 'parameter')}")
        if errors:
            self.status.set_problems([_Count(len(errors))])
        else:
            self.status.set_problems([], "The design is valid" if doc.nodes else
                                     "The design is empty", "ok" if doc.nodes else "info")


class _Count:
    def __init__(self, n: int):
        self.severity = "error"
        self.message = (f"{n} problem{'s' if n != 1 else ''}: see the Problems list below "
                        "for each fix")
