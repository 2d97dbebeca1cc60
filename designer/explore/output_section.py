"""The output layer's numbers in the inspector: logits, softmax probabilities, the loss.

For the node that is the design's output, `OutputSection` shows the run's numbers for the probe
sample (from the run's `OutputNumbers`): each class's logit and probability (the four most
likely when there are many, and always the true class), the true class, and the loss in nats
and in bits; for one sigmoid per class (multi-label) the per-class probabilities and BCE. It
appears once a run sends numbers for this node, follows the run while it trains, and opens
the Softmax page for the whole picture.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Slot
from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget

from backend.graph.traverse import model_outputs
from backend.teaching.softmax import sigmoid_numbers, softmax_numbers
from designer.explore.widgets import formula_label, label

SHOWN = 4


def softmax_lines(n, names: list[str] | None = None) -> list[str]:
    """The classes worth showing (the most likely, and the true one), one line each."""
    order = list(np.argsort(-n.probs)[:SHOWN])
    if n.target is not None and n.target not in order:
        order.append(n.target)
    lines = ["class  logit z  softmax p"]
    for k in order:
        mark = "  ← true" if k == n.target else ""
        lines.append(f"{k:>5}  {n.logits[k]:+7.3f}  {n.probs[k]:.4f}{mark}")
    if len(order) < len(n.probs):
        lines.append(f"…and {len(n.probs) - len(order)} more classes")
    if n.loss_nats is not None:
        lines.append(f"loss −ln {n.probs[n.target]:.4f}\n  = {n.loss_nats:.4f} nats"
                     f" = {n.loss_bits:.4f} bits")
    return [line.replace("-", "−") for line in lines]


def numbers_text(p) -> str:
    if p.kind == "multilabel":
        n = sigmoid_numbers(p.logits, p.targets)
        lines = [f"class {k}: σ(z) = {n.probs[k]:.4f}  target {int(n.targets[k])}"
                 for k in range(min(len(n.probs), SHOWN * 2))]
        lines.append(f"BCE = {n.loss_nats:.4f} nats = {n.loss_bits:.4f} bits")
        return "\n".join(lines)
    if p.kind == "binary":
        n = sigmoid_numbers(p.logits, [p.target])
        return (f"z = {n.logits[0]:+.3f}  σ(z) = p(class 1) = {n.probs[0]:.4f}\n"
                f"true class {p.target}: loss = {n.loss_nats:.4f} nats = "
                f"{n.loss_bits:.4f} bits")
    return "\n".join(softmax_lines(softmax_numbers(p.logits, p.target)))


class OutputSection(QWidget):
    def __init__(self, editor, node_id: str, controller, parent: QWidget | None = None):
        super().__init__(parent)
        self.node_id, self.controller = node_id, controller
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.title = label("THE PROBE SAMPLE", "section")
        self.caption = label("", "caption")
        self.numbers = formula_label()
        self.open_button = QPushButton("Explore Softmax and Cross-Entropy…")
        self.open_button.clicked.connect(self.open_page)
        for w in (self.title, self.caption, self.numbers, self.open_button):
            layout.addWidget(w)
        controller.notifier.changed.connect(self.refresh)
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        p = self.controller.data.outputs
        mine = p is not None and p.node == self.node_id
        self.setVisible(mine)
        if mine:
            name = f" ({p.class_name})" if p.class_name not in ("", str(p.target)) else ""
            self.caption.setText(f"After epoch {p.epoch}: the output's raw scores (logits) for "
                                 f"the run's probe sample, true class {p.target}{name}."
                                 if p.kind != "multilabel" else
                                 f"After epoch {p.epoch}: one sigmoid per class for the "
                                 "run's probe sample.")
            self.numbers.setText(numbers_text(p))

    def open_page(self) -> None:
        self.controller.open("softmax", self.node_id)


def output_section(editor, node_id: str) -> QWidget | None:
    """The inspector's section for the design's output layer (hidden until a run reports)."""
    controller = getattr(editor.parent(), "explore", None)
    if controller is None or node_id not in model_outputs(editor.doc):
        return None
    return OutputSection(editor, node_id, controller)
