"""NodeItem: one layer on the canvas (title, type, output shape, parameter count, ports).

The item paints what the scene tells it (`set_title`, `set_analysis`, `set_heat`; the drawing
is node_paint.py's) and reports gestures to the scene (rename, moves through Qt's movable
flag, committed by the scene on release, a wire dragged from one of its ports). Its ports are
geometry inside it (port_item.Port), not items of their own. It never touches the document.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainter, QPainterPath
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem

from backend.graph import BLOCK
from backend.layers import LayerSpec
from designer.canvas import style as st
from designer.canvas.node_paint import STACK, fonts, paint_node
from designer.canvas.port_item import CROSS, MOVABLE, Port
from designer.canvas.rename import TitleEditor

__all__ = ["NodeItem", "fonts"]

DEVICE_CACHE = QGraphicsItem.CacheMode.DeviceCoordinateCache
LEFT = Qt.MouseButton.LeftButton
_PLACES: dict[tuple[int, bool], tuple] = {}  # (id(spec), inputs) -> spec, [(name, ..., y)]


class NodeItem(QGraphicsItem):
    # what every layer starts with (class defaults: a design of thousands of layers sets only
    # what differs); each is replaced per item, never changed in place
    shape_text = "?"
    count: int | None = None
    problems: tuple | list = ()  # backend Problem values
    heat: float | None = None
    block_label: str | None = None  # a Block node: its definition's title
    repeat: int | str = 1
    content = None  # an expanded block: what it shows inside (expand.BlockContent)
    hovered = False
    hovered_port: Port | None = None  # the port under the cursor
    wiring: Port | None = None  # the port a wire is being dragged from
    _shape: QPainterPath | None = None  # cached: hit tests ask for it often
    _bounds: QRectF | None = None  # cached: the scene's index asks for every item's
    editor: TitleEditor | None = None

    def __init__(self, node_id: str, spec: LayerSpec | None, layer_type: str,
                 style: st.CanvasStyle, pos: tuple[float, float] = (0.0, 0.0)) -> None:
        super().__init__()
        self.setPos(*pos)
        self.node_id = node_id
        self.layer_type = layer_type
        self.category = spec.category if spec else ""
        self.style = style
        self.title = node_id
        self.setFlags(MOVABLE)
        self.setAcceptHoverEvents(True)
        self.setCacheMode(DEVICE_CACHE)
        # above the wires (z -0.5) at Qt's default z: one call less per layer
        self.inputs = self._make_ports(spec, True)
        self.outputs = self._make_ports(spec, False)

    # -- ports ----------------------------------------------------------------------------------
    def _make_ports(self, spec: LayerSpec | None, inputs: bool) -> dict[str, Port]:
        if spec is None:
            return {}
        key = (id(spec), inputs)
        known = _PLACES.get(key)
        if known is not None and known[0] is spec:
            places = known[1]
        else:  # where each port sits, worked out once per layer type (a block's: each time)
            names = [(p.name, p.multi, p.optional) for p in spec.inputs] if inputs else \
                [(name, False, False) for name in spec.outputs]
            places = [(*n, st.NODE_H * (i + 1) / (len(names) + 1)) for i, n in enumerate(names)]
            if spec.type != BLOCK:
                _PLACES[key] = (spec, places)
        ports = {}
        x = 0.0 if inputs else st.NODE_W
        for name, multi, optional, y in places:
            port = ports[name] = Port(self, name, inputs, multi, optional)
            port.set_pos(x, y)
        return ports

    def port(self, name: str, is_input: bool) -> Port | None:
        return (self.inputs if is_input else self.outputs).get(name)

    def ports(self) -> tuple[Port, ...]:
        return (*self.inputs.values(), *self.outputs.values())

    def port_at(self, pos: QPointF, slack: float = 0.0, inputs: bool | None = None
                ) -> Port | None:
        """The port (an input or an output if `inputs` says which) whose grab area, grown by
        `slack`, holds `pos` (node coordinates); the nearest when several do."""
        hits = [p for p in self.ports() if (inputs is None or p.is_input == inputs)
                and p.hit_rect().adjusted(-slack, -slack, slack, slack).contains(pos)]
        if len(hits) > 1:
            hits.sort(key=lambda p: (p.pos() - pos).manhattanLength())
        return hits[0] if hits else None

    # -- state from the scene -------------------------------------------------------------------
    def set_style(self, style: st.CanvasStyle) -> None:
        self.style = style
        self.update()

    def set_title(self, title: str) -> None:
        if title != self.title:
            self.title = title
            self.update()

    def set_analysis(self, shape_text: str, count: int | None, problems: list) -> bool:
        """Take derived data; True when something visible changed."""
        state = (shape_text, count, [(p.message, p.severity) for p in problems])
        if state == (self.shape_text, self.count,
                     [(p.message, p.severity) for p in self.problems]):
            return False
        if bool(problems) != bool(self.problems):
            self.prepareGeometryChange()  # the badge joins or leaves the clickable shape
            self._shape = None
        self.shape_text, self.count, self.problems = shape_text, count, list(problems)
        self.update()
        return True

    def set_heat(self, value: float | None) -> None:
        if value != self.heat:
            self.heat = value
            self.update()

    def set_block(self, label: str, repeat: int | str) -> None:
        """Draw this node as a block: its definition's title, a repeat badge when > 1."""
        self.prepareGeometryChange()
        self._shape = None
        self._bounds = None
        self.block_label, self.repeat = label, repeat
        self.update()

    def set_content(self, content) -> None:
        """Expand (a BlockContent) or collapse (None) the block in place."""
        self.prepareGeometryChange()
        self._shape = self._bounds = None
        self.content = content
        w, h = self.size()
        for ports, x in ((self.inputs, 0.0), (self.outputs, w)):
            for i, port in enumerate(ports.values()):
                port.set_pos(x, h * (i + 1) / (len(ports) + 1))
        self.update()

    def size(self) -> tuple[float, float]:
        return (self.content.width, self.content.height) if self.content else \
            (st.NODE_W, st.NODE_H)

    @property
    def repeated(self) -> bool:
        return self.block_label is not None and self.repeat not in (1, "1")

    def has_error(self) -> bool:
        return any(p.severity == "error" for p in self.problems)

    # -- geometry -------------------------------------------------------------------------------
    def boundingRect(self) -> QRectF:  # noqa: N802  (Qt API name)
        if self._bounds is None:
            extra = 2 * STACK if self.repeated else 0
            w, h = self.size()
            names = 70.0 if max(len(self.inputs), len(self.outputs)) > 1 else 0.0
            self._bounds = QRectF(-12 - names, -12, w + 24 + extra + 2 * names, h + 18 + extra)
        return self._bounds

    def shape(self) -> QPainterPath:
        """The card, the problem badge (it lists the problems and their fixes) and the ports'
        grab areas: what a click, a hover or a dropped wire finds."""
        if self._shape is None:
            path = QPainterPath()
            path.setFillRule(Qt.FillRule.WindingFill)  # overlaps stay inside, not holes
            w, h = self.size()
            path.addRoundedRect(QRectF(0, 0, w, h), 6, 6)
            if self.problems:
                path.addRect(self.badge_rect())
            for port in self.ports():
                path.addRect(port.hit_rect())
            self._shape = path
        return self._shape

    def title_rect(self) -> QRectF:
        return QRectF(30, 4, st.NODE_W - 58, st.HEADER_H - 6)

    def badge_rect(self) -> QRectF:
        return QRectF(self.size()[0] - 14, -10, 24, 22)

    # -- painting -------------------------------------------------------------------------------
    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        paint_node(self, painter, option.levelOfDetailFromTransform(painter.worldTransform()))

    # -- gestures -------------------------------------------------------------------------------
    def hoverEnterEvent(self, event) -> None:  # noqa: N802  (Qt API name)
        self.hovered = True
        self._hover_port(self.port_at(event.pos()), force=True)
        self.update()
        super().hoverEnterEvent(event)

    def hoverMoveEvent(self, event) -> None:  # noqa: N802  (Qt API name)
        self._hover_port(self.port_at(event.pos()))
        super().hoverMoveEvent(event)

    def hoverLeaveEvent(self, event) -> None:  # noqa: N802  (Qt API name)
        self.hovered = False
        self._hover_port(None)
        self.update()
        super().hoverLeaveEvent(event)

    def _hover_port(self, port: Port | None, force: bool = False) -> None:
        """Over a port: the cross cursor and what the port takes; elsewhere the layer's
        tooltip."""
        if port is self.hovered_port and not force:
            return
        self.hovered_port = port
        if port is not None:
            self.setCursor(CROSS)
            self.setToolTip(port.tooltip())
            return
        self.unsetCursor()
        if self.hovered and self.scene() is not None:
            self.setToolTip(self.scene().node_tooltip(self.node_id))

    def mousePressEvent(self, event) -> None:  # noqa: N802  (Qt API name)
        scene = self.scene()
        if event.button() == LEFT and scene is not None:
            port = self.port_at(event.pos())
            if port is not None:  # a wire from this port follows the cursor
                event.accept()
                self.wiring = port
                scene.begin_wire(port, event.scenePos())
                return
            if self.problems and self.badge_rect().contains(event.pos()):
                event.accept()
                scene.badge_clicked.emit(self.node_id)
                return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:  # noqa: N802  (Qt API name)
        scene = self.scene()
        if self.wiring is not None and scene is not None:
            scene.drag_wire(event.scenePos())
            return
        super().mouseMoveEvent(event)  # Qt moves every selected layer with this one
        if scene is not None:
            scene.nodes_dragged()

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802  (Qt API name)
        port, self.wiring = self.wiring, None
        if port is not None and self.scene() is not None:
            self.scene().end_wire(event.scenePos())
            return
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802  (Qt API name)
        if self.port_at(event.pos()) is not None:
            super().mouseDoubleClickEvent(event)  # a press: a wire from the port
        elif self.title_rect().adjusted(-20, -4, 20, 4).contains(event.pos()):
            self.start_rename()
        elif self.block_label is not None and self.scene() is not None:
            event.accept()
            self.scene().block_activated.emit(self.node_id)  # the view enters it later
        else:
            super().mouseDoubleClickEvent(event)

    def start_rename(self) -> None:
        if self.editor is None:
            self.editor = TitleEditor(self, self.title, fonts()["title"], self.style.text)
            self.editor.setPos(self.title_rect().topLeft() + QPointF(-4, -3))
            self.update()

    def finish_rename(self, text: str | None) -> None:
        """Called by the title editor: None cancels, text commits through the scene."""
        editor, self.editor = self.editor, None
        if editor is not None:
            editor.hide()
            editor.deleteLater()
        self.update()
        if text is not None and text.strip() and text.strip() != self.title and self.scene():
            self.scene().request_rename(self.node_id, text.strip())
