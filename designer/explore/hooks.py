"""Where Explore plugs into the designer: layer context menus and the inspector.

`install()` registers, once per process, a context-menu provider (an "Explore …" entry per
page that teaches the selected layer) and inspector sections (the activation plot of an
activation layer, with a link to its page; the output layer's numbers for the run's probe
sample, from output_section.py). Both find the window's `explore` controller
through the widget they are shown in, so no window is kept alive by the registration.
"""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget

_INSTALLED = False


def install() -> None:
    global _INSTALLED
    if _INSTALLED:
        return
    _INSTALLED = True
    from designer.canvas import menus
    from designer.explore.output_section import output_section
    from designer.panels import inspector

    menus.NODE_EXTRAS.append(node_menu_entries)
    inspector.NODE_SECTIONS.append(activation_section)
    inspector.NODE_SECTIONS.append(output_section)


def _controller(widget: QWidget):
    window = widget.window()
    return getattr(window, "explore", None)


def node_menu_entries(view, menu, node_ids: list[str]) -> None:
    """'Explore …' entries for one selected layer."""
    from designer.explore import pages_for_node

    if len(node_ids) != 1 or _controller(view) is None:
        return
    node = view.editor.doc.nodes.get(node_ids[0])
    if node is None:
        return
    entries = pages_for_node(node.type)
    if entries:
        menu.addSeparator()
    for key, text in entries:
        action = menu.addAction(text)
        action.triggered.connect(_Opener(_controller(view), key, node.id))


class _Opener:
    """A menu entry's slot: open page `key` for the node (kept by the transient menu)."""

    def __init__(self, controller, key: str, node_id: str) -> None:
        self.controller, self.key, self.node_id = controller, key, node_id

    def __call__(self, *_args) -> None:
        self.controller.open(self.key, self.node_id)


class ActivationSection(QWidget):
    """The inspector's FUNCTION AND DERIVATIVE section for one activation layer."""

    def __init__(self, editor, node_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        from designer.explore.activation_plot import ActivationPlot
        from designer.explore.widgets import label

        self.editor, self.node_id = editor, node_id
        node = editor.doc.nodes[node_id]
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(label("FUNCTION AND DERIVATIVE", "section"))
        self.plot = ActivationPlot(node.type, self._params())
        layout.addWidget(self.plot)
        self.open_button = QPushButton(f"Explore {node.type}…")
        self.open_button.setToolTip("Compare activation functions and see vanishing gradients")
        self.open_button.clicked.connect(self.open_page)
        layout.addWidget(self.open_button)
        editor.document_event.connect(self._on_document_event)

    def _params(self) -> dict:
        node = self.editor.doc.nodes.get(self.node_id)
        return {} if node is None else dict(self.editor.analysis.params.get(self.node_id)
                                            or node.params)

    def _on_document_event(self, name: str, payload: dict) -> None:
        if name == "params_changed" and payload.get("node_id") == self.node_id:
            node = self.editor.doc.nodes.get(self.node_id)
            if node is not None:
                self.plot.set_kind(node.type, dict(node.params))

    def open_page(self) -> None:
        controller = _controller(self)
        if controller is not None:
            controller.open("activations", self.node_id)


def activation_section(editor, node_id: str) -> QWidget | None:
    from designer.explore import ACTIVATIONS

    node = editor.doc.nodes.get(node_id)
    if node is None or node.type not in ACTIVATIONS:
        return None
    return ActivationSection(editor, node_id)
