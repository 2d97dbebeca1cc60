"""Labelled, tinted frames around the networks and parts a recipe trains.

A GAN's generator and discriminator (two networks drawn side by side) each get a frame with
its role; an autoencoder's or a VAE's encoder and decoder get one each. The frames sit behind
the nodes, follow them as they move, and are recomputed when the analysis changes (roles can
change with any edit). Right-clicking a GAN's frame offers to swap the roles; that is a
`SetSection("networks", ...)` through the editor, like every edit. Designs of one plain
network get no frame.

Finding the roles imports the training recipes (and numpy): a fifth of a launch. While the
window opens (`held()`, around its construction and first paint), refreshes wait and run once
it has painted; at any other time they run at once.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsObject, QMenu

from backend.graph import SetSection
from backend.graph.networks import SECTION, downstream, ends, upstream

COLOURS = {"generator": "#0072B2", "discriminator": "#D55E00", "encoder": "#009E73",
           "decoder": "#CC79A7"}
MARGIN, LABEL_H = 22.0, 24.0


def design_frames(doc, analysis) -> dict[str, list[str]]:
    """role -> node ids to frame (empty for a design of one plain network)."""
    from backend.training.recipes.parts import design_networks, design_split

    if not analysis.ok:
        return {}
    networks = design_networks(doc, analysis)
    if len(networks) > 1:
        return {role: list(sub.nodes) for role, sub in networks.items()}
    split = design_split(doc, analysis)
    if split is None:
        return {}
    encoder = set().union(*(upstream(doc, o) for o in split.encoder_outputs))
    decoder = downstream(doc, split.code)
    if split.code in encoder:  # an autoencoder's code ends the encoder
        decoder -= {split.code}
    return {"encoder": [n for n in doc.nodes if n in encoder],
            "decoder": [n for n in doc.nodes if n in decoder]}


class FrameItem(QGraphicsObject):
    """One tinted, labelled rectangle behind the nodes of a network or part."""

    def __init__(self, scene, role: str, nodes: list[str]) -> None:
        super().__init__()
        self.canvas, self.role, self.node_ids = scene, role, nodes
        self.setZValue(-2)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, False)
        self._rect = QRectF()
        self.setToolTip(f"The {role}" + (": right-click to swap the generator and the "
                                         "discriminator" if role in ("generator",
                                                                     "discriminator") else ""))

    def fit(self) -> None:
        items = [self.canvas.nodes[n] for n in self.node_ids if n in self.canvas.nodes]
        rect = QRectF()
        for item in items:
            rect = rect.united(item.sceneBoundingRect())
        self.prepareGeometryChange()
        self._rect = rect.adjusted(-MARGIN, -MARGIN - LABEL_H, MARGIN, MARGIN) if items \
            else QRectF()

    def boundingRect(self) -> QRectF:  # noqa: N802  (Qt API name)
        return self._rect.adjusted(-2, -2, 2, 2)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        if self._rect.isNull():
            return
        colour = QColor(COLOURS.get(self.role, "#999999"))
        fill = QColor(colour)
        fill.setAlpha(40 if self.canvas.style.dark else 22)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(QPen(colour, 1.5, Qt.PenStyle.DashLine))
        painter.setBrush(fill)
        painter.drawRoundedRect(self._rect, 12, 12)
        font = QFont(painter.font())
        font.setBold(True)
        font.setPointSizeF(max(font.pointSizeF(), 10.0) * 1.15)
        painter.setFont(font)
        painter.setPen(colour.lighter(140) if self.canvas.style.dark else colour)
        label = QRectF(self._rect.left() + 14, self._rect.top() + 4, self._rect.width() - 28,
                       LABEL_H)
        painter.drawText(label, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         self.role.capitalize())

    def contextMenuEvent(self, event) -> None:  # noqa: N802  (Qt API name)
        if self.role not in ("generator", "discriminator"):
            event.ignore()
            return
        menu = QMenu()
        action = menu.addAction("Swap the generator and the discriminator")
        if menu.exec(event.screenPos()) is action:  # later: the swap replaces this frame
            QTimer.singleShot(0, self.canvas.frames.swap_roles)
        event.accept()


_held: list[weakref.WeakSet] = []  # while not empty: frames waiting for the first paint


@contextmanager
def held() -> Iterator[None]:
    """Refreshes asked for inside wait until the block ends, then run (see the docstring)."""
    waiting: weakref.WeakSet = weakref.WeakSet()
    _held.append(waiting)
    try:
        yield
    finally:
        _held.remove(waiting)
        for frames in list(waiting):
            frames.refresh()


class NetworkFrames:
    """The scene's frames: rebuilt when roles change, refitted when nodes move."""

    def __init__(self, scene) -> None:
        self.scene = scene
        self.items: dict[str, FrameItem] = {}
        self._key: tuple = ()

    def reset(self) -> None:
        """The scene was cleared (its items are gone): start over."""
        self.items, self._key = {}, ()
        self.refresh()

    def refresh(self) -> None:
        if _held:
            _held[-1].add(self)
            return
        editor = self.scene.editor
        try:  # inside a block the canvas shows its body: no networks to frame there
            frames = {} if editor.scope else design_frames(editor.doc, editor.analysis)
        except Exception:  # a half-drawn design must never break the canvas
            frames = {}
        key = tuple((role, tuple(ids)) for role, ids in frames.items())
        if key != self._key:
            self._key = key
            for item in self.items.values():
                self.scene.removeItem(item)
            self.items = {role: FrameItem(self.scene, role, ids) for role, ids in frames.items()}
            for item in self.items.values():
                self.scene.addItem(item)
        self.fit()

    def fit(self) -> None:
        for item in self.items.values():
            item.fit()

    def swap_roles(self) -> None:
        """Declare the roles the other way round (one undoable edit)."""
        doc = self.scene.editor.doc
        ids = {role: item.node_ids for role, item in self.items.items()}
        if set(ids) != {"generator", "discriminator"}:
            return
        inputs = {role: ends(doc, nodes)[0][0] for role, nodes in ids.items()}
        value = {"generator": inputs["discriminator"], "discriminator": inputs["generator"]}
        self.scene.editor.push(SetSection(SECTION, value), "Swap the GAN's roles")
