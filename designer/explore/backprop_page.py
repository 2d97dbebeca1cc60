"""Computation graph and backprop: type f(x, y, …), see values go forward and gradients back.

The expression (or one of the course's examples, starting with f = (x + y)·z at (−2, 5, −4))
becomes a graph of gates. Every input has a number field; the forward values are on every
wire at once. "Backward" shows ∂f/∂wire on every wire; "Step back" goes one gate at a time,
outlining the gate and printing its local rule and the chain-rule line. The rules of the
gates in the graph are listed (add distributes, multiply swaps, max routes, …). All numbers
come from backend.teaching.compgraph.
"""

from __future__ import annotations

import html

from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from backend.teaching.compgraph import EXAMPLES, ScalarGraph, parse
from backend.teaching.gates import GATES
from designer.explore.backprop_view import ComputationGraphView
from designer.explore.page import ExplorePage
from designer.explore.widgets import formula_label, label
from designer.theme import SPACE

LESSON = ("The forward pass computes every node's value from its inputs (numbers above the "
          "wires). The backward pass starts with ∂f/∂f = 1 and, gate by gate, multiplies the "
          "gradient arriving at a gate by the gate's local derivative (numbers below the "
          "wires). Type an expression with +, −, *, /, ^ and exp, log, sigmoid, tanh, relu, "
          "max, min, or pick one of the course's examples.")


class BackpropPage(ExplorePage):
    key = "backprop"

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Computation graph and backpropagation", LESSON, parent)
        self.graph: ScalarGraph | None = None
        self.values: dict[str, float] | None = None
        self.revealed = 0  # gates back-propagated so far
        self.spins: dict[str, QDoubleSpinBox] = {}
        self._build()
        self.load_example(0)

    def _build(self) -> None:
        self._build_expression()
        self.backward_button = QPushButton("Backward")
        self.step_button = QPushButton("Step back one gate")
        self.clear_button = QPushButton("Clear gradients")
        bar = QHBoxLayout()
        for b in (self.backward_button, self.step_button, self.clear_button):
            bar.addWidget(b)
        self.status = label("", "caption")
        bar.addWidget(self.status, 1)
        self.body.addLayout(bar)
        self.body.addWidget(label("Green above a wire: the value going forward.  Red below: "
                                  "the gradient ∂f/∂(that value) coming back.", "caption"))
        self.view = ComputationGraphView()
        self.body.addWidget(self.view, 1)
        self._build_texts()
        self.backward_button.clicked.connect(self.backward)
        self.step_button.clicked.connect(self.step_back)
        self.clear_button.clicked.connect(self.clear_gradients)

    def _build_expression(self) -> None:
        """The example list, the expression field and a row for the inputs' values."""
        self.examples = QComboBox()
        self.examples.addItems(list(EXAMPLES))
        self.expression = QLineEdit()
        self.expression.setPlaceholderText("an expression, e.g. (x + y) * z")
        self.expression.setAccessibleName("Expression")
        self.build_button = QPushButton("Build graph")
        top = QHBoxLayout()
        top.addWidget(label("Example", wrap=False))
        top.addWidget(self.examples)
        top.addWidget(label("f =", wrap=False))
        top.addWidget(self.expression, 1)
        top.addWidget(self.build_button)
        self.body.addLayout(top)
        self.inputs_box = QWidget()
        self.inputs = QHBoxLayout(self.inputs_box)
        self.inputs.setContentsMargins(0, 0, 0, 0)
        self.body.addWidget(self.inputs_box)
        self.examples.activated.connect(self.load_example)
        self.expression.returnPressed.connect(self.build)
        self.build_button.clicked.connect(self.build)

    def _build_texts(self) -> None:
        self.rules, self.chain = label(""), formula_label()
        columns = QHBoxLayout()
        columns.setSpacing(SPACE * 3)
        for title, text in (("CHAIN RULE, GATE BY GATE", self.chain),
                            ("LOCAL RULES OF THE GATES IN THIS GRAPH", self.rules)):
            col = QVBoxLayout()
            col.addWidget(label(title, "section"))
            col.addWidget(text)
            col.addStretch(1)
            columns.addLayout(col, 1)
        self.body.addLayout(columns)

    # -- building -------------------------------------------------------------------------------
    def load_example(self, index: int) -> None:
        name = self.examples.itemText(index)
        expression, values = EXAMPLES[name]
        self.expression.setText(expression)
        self._set_graph(expression, values)

    def build(self) -> None:
        keep = {name: spin.value() for name, spin in self.spins.items()}
        self._set_graph(self.expression.text(), keep)

    def _set_graph(self, expression: str, values: dict[str, float]) -> None:
        try:
            graph = parse(expression, values)
        except ValueError as exc:
            self.show_error(f"{exc}.")
            return
        self.show_error("")
        self.graph = graph
        self._make_spins(graph.variables())
        self.revealed = 0
        self.refresh()

    def _make_spins(self, variables: dict[str, float]) -> None:
        while self.inputs.count():
            item = self.inputs.takeAt(0)
            if item.widget() is not None:
                item.widget().hide()
                item.widget().deleteLater()
        self.spins = {}
        for name, value in variables.items():
            spin = QDoubleSpinBox()
            spin.setRange(-1000.0, 1000.0)
            spin.setDecimals(3)
            spin.setFixedWidth(110)
            spin.setValue(value)
            spin.setKeyboardTracking(False)
            spin.setAccessibleName(name)
            spin.valueChanged.connect(self._on_value)
            self.inputs.addWidget(label(f"{name} =", wrap=False))
            self.inputs.addWidget(spin)
            self.spins[name] = spin
        self.inputs.addStretch(1)

    def _on_value(self, *_args) -> None:
        if self.graph is None:
            return
        for name, spin in self.spins.items():
            self.graph.set_value(name, spin.value())
        self.refresh()

    # -- forward and backward -------------------------------------------------------------------
    def gates(self) -> list[str]:
        """Gate ids in the order backpropagation visits them (output first)."""
        return [nid for nid, n in reversed(self.graph.nodes.items())
                if n.kind not in ("input", "const")]

    def refresh(self) -> None:
        if self.graph is None:
            return
        try:
            self.values = self.graph.forward()
        except ValueError as exc:
            self.values = None
            self.show_error(f"{exc}.")
            self.view.show_graph(self.graph, None, {}, {})
            return
        self.show_error("")
        back = self.graph.backward(self.values)
        gates = self.gates()
        done = set(gates[:self.revealed])
        wires = {w: g for w, g in back.wires.items() if w.dst in done}
        known = {self.graph.output} | {w.src for w in wires}
        fed = {w.src for w in self.graph.wires() if w.dst not in done}
        nodes = {n: back.grads[n] for n in known if n not in fed}  # every consumer is done
        current = gates[self.revealed - 1] if 0 < self.revealed < len(gates) else None
        self.view.show_graph(self.graph, self.values, wires, nodes, current)
        self._texts(back, done)

    def _texts(self, back, done: set[str]) -> None:
        kinds = []
        for n in self.graph.nodes.values():
            if n.kind in GATES and n.kind not in kinds:
                kinds.append(n.kind)
        self.rules.setText("<br>".join(f"<b>{html.escape(GATES[k].symbol.replace('{c}', 'c'))}"
                                       f"</b> &nbsp; {html.escape(GATES[k].rule)}"
                                       for k in kinds))
        lines = back.lines[:1 + sum(len(self.graph.nodes[g].inputs) for g in done)]
        if len(done) == len(self.gates()):
            lines = back.lines
        self.chain.setText("\n".join(lines) if done else "Press Backward or Step back.")
        f = self.values[self.graph.output]
        total = len(self.gates())
        self.status.setText(f"f = {f:.6g} · {len(done)} of {total} gates back-propagated")

    def backward(self) -> None:
        self.revealed = len(self.gates()) if self.graph else 0
        self.refresh()

    def step_back(self) -> None:
        if self.graph is None:
            return
        self.revealed = min(self.revealed + 1, len(self.gates()))
        self.refresh()

    def clear_gradients(self) -> None:
        self.revealed = 0
        self.refresh()
