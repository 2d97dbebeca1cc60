"""CanvasScene: observes the editor's document and keeps one item per node, wire and comment.

The scene keeps `node_id -> NodeItem`, `Edge -> WireItem` and `comment_id -> CommentItem`
maps and updates them from the document's past-tense events (never a full rebuild, except on
`reset`); shapes, counts and problems come from `editor.analysis` after `analysis_changed`.
Gestures that change the design end here and become ops pushed through `editor.push`: a wire
drawn between ports (checked by connect.py first), a drag committed on release as one Move,
an inline rename. Items never mutate the document.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Signal
from PySide6.QtGui import QPainter, QPen
from PySide6.QtWidgets import QGraphicsScene

from backend.graph import Edge, Move
from backend.layers import get_spec
from designer.canvas import style as st
from designer.canvas.comment_item import CommentItem
from designer.canvas.connect import name_of
from designer.canvas.node_item import NodeItem
from designer.canvas.scene_edits import SceneEdits
from designer.canvas.tooltips import node_tooltip
from designer.canvas.wire_item import WireItem
from designer.canvas.wiring import SceneWiring


class CanvasScene(SceneWiring, SceneEdits, QGraphicsScene):
    message = Signal(str)  # an informational sentence for the user (status / toast)
    # a wire drawn from (node id, port, is_input) was released over empty canvas at a point
    wire_released = Signal(str, str, bool, QPointF)

    def __init__(self, editor, parent=None) -> None:
        QGraphicsScene.__init__(self, parent)
        self.editor = editor
        self.style = st.LIGHT
        self.snap = True
        self.plain_background = False  # True while exporting a picture: no grid
        self.nodes: dict[str, NodeItem] = {}
        self.wires: dict[Edge, WireItem] = {}
        self.comments: dict[str, CommentItem] = {}
        self.heat: dict[str, float] = {}
        self._wires_at: dict[str, set[Edge]] = {}
        self._order: list[str] = []  # selection order (ids)
        self._syncing_selection = False
        self._drag: dict | None = None
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.BspTreeIndex)
        self.setSceneRect(QRectF(-5000, -5000, 10000, 10000))
        editor.document_event.connect(self._on_event)
        editor.analysis_changed.connect(self.refresh_analysis)
        editor.selection_changed.connect(self._select_ids)
        self.selectionChanged.connect(self._on_selection_changed)
        self.rebuild()

    @property
    def doc(self):
        return self.editor.doc

    # -- building -------------------------------------------------------------------------------
    def rebuild(self) -> None:
        self._drag = None
        self.clear()
        self.nodes.clear()
        self.wires.clear()
        self.comments.clear()
        self._wires_at.clear()
        for nid in self.doc.nodes:
            self._add_node(nid)
        for edge in self.doc.edges:
            self._add_wire(edge, route=False)
        self._route_all()
        for cid in self.doc.comments:
            self._add_comment(cid)
        self.refresh_analysis()
        self._select_ids(self.editor.selection)
        self._grow_rect()

    def _add_node(self, nid: str) -> NodeItem:
        node = self.doc.nodes[nid]
        item = NodeItem(nid, get_spec(node.type), node.type, self.style)
        item.set_title(node.title or nid)
        self._place(item, node.pos)
        item.set_heat(self.heat.get(nid))
        self.addItem(item)
        self.nodes[nid] = item
        return item

    def _place(self, item, pos) -> None:
        item.syncing = True
        item.setPos(QPointF(*pos))
        item.syncing = False

    def _add_wire(self, edge: Edge, route: bool = True) -> None:
        if edge.src not in self.nodes or edge.dst not in self.nodes:
            return
        item = WireItem(edge, self.style)
        analysis = self.editor.analysis
        item.set_shape(analysis.edge_shape(edge), kind=analysis.edge_kind(edge))
        self.addItem(item)
        self.wires[edge] = item
        self._wires_at.setdefault(edge.src, set()).add(edge)
        self._wires_at.setdefault(edge.dst, set()).add(edge)
        self._refresh_ports(edge)
        if route:
            self._route_node(edge.dst)

    def _route_all(self) -> None:
        """Route every wire once, with the wire order of multi-input ports computed once."""
        into: dict[tuple[str, str], list[Edge]] = {}
        for edge in self.doc.edges:
            into.setdefault((edge.dst, edge.dst_port), []).append(edge)
        for edge in self.wires:
            self._route(edge, into.get((edge.dst, edge.dst_port)))

    def _remove_wire(self, edge: Edge) -> None:
        item = self.wires.pop(edge, None)
        if item is None:
            return
        self.removeItem(item)
        for end in (edge.src, edge.dst):
            self._wires_at.get(end, set()).discard(edge)
        self._refresh_ports(edge)
        if edge.dst in self.nodes:
            self._route_node(edge.dst)

    def _add_comment(self, cid: str) -> None:
        item = CommentItem(self.doc.comments[cid], self.style)
        self.addItem(item)
        self.comments[cid] = item

    def _grow_rect(self) -> None:
        bounds = self.itemsBoundingRect().adjusted(-2000, -2000, 2000, 2000)
        self.setSceneRect(self.sceneRect().united(bounds))

    # -- document events ------------------------------------------------------------------------
    def _on_event(self, name: str, payload: dict) -> None:
        handler = getattr(self, "_ev_" + name, None)
        if handler is not None:
            handler(**payload)

    def _ev_reset(self) -> None:
        self.rebuild()

    def _ev_node_added(self, node_id: str) -> None:
        self._add_node(node_id)
        self._grow_rect()

    def _ev_node_removed(self, node_id: str) -> None:
        item = self.nodes.pop(node_id, None)
        if item is not None:
            self.removeItem(item)
        self._wires_at.pop(node_id, None)
        self._order = [i for i in self._order if i != node_id]

    def _ev_edge_added(self, edge: Edge) -> None:
        self._add_wire(edge)

    def _ev_edge_removed(self, edge: Edge) -> None:
        self._remove_wire(edge)

    def _ev_node_renamed(self, node_id: str) -> None:
        node = self.doc.nodes[node_id]
        self.nodes[node_id].set_title(node.title or node_id)

    def _ev_nodes_moved(self, node_ids: list[str]) -> None:
        for nid in node_ids:
            if nid in self.nodes:
                self._place(self.nodes[nid], self.doc.nodes[nid].pos)
                self._route_node(nid)

    def _ev_comment_added(self, comment_id: str) -> None:
        self._add_comment(comment_id)

    def _ev_comment_removed(self, comment_id: str) -> None:
        item = self.comments.pop(comment_id, None)
        if item is not None:
            self.removeItem(item)

    def _ev_comment_changed(self, comment_id: str) -> None:
        self.comments[comment_id].sync(self.doc.comments[comment_id])

    # -- wires follow nodes ---------------------------------------------------------------------
    def node_geometry_changed(self, item: NodeItem) -> None:
        if item.node_id in self.nodes:
            self._route_node(item.node_id)

    def _route_node(self, nid: str) -> None:
        for edge in self._wires_at.get(nid, ()):
            self._route(edge)

    def _route(self, edge: Edge, siblings: list[Edge] | None = None) -> None:
        wire = self.wires.get(edge)
        src, dst = self.nodes.get(edge.src), self.nodes.get(edge.dst)
        if wire is None or src is None or dst is None:
            return
        out_port, in_port = src.port(edge.src_port, False), dst.port(edge.dst_port, True)
        a = out_port.anchor() if out_port else src.mapToScene(QPointF(st.NODE_W, st.NODE_H / 2))
        if in_port is None:
            b = dst.mapToScene(QPointF(0, st.NODE_H / 2))
        else:
            if not in_port.multi:
                siblings = [edge]
            elif siblings is None:
                siblings = [e for e in self.doc.edges
                            if e.dst == edge.dst and e.dst_port == edge.dst_port]
            index = siblings.index(edge) if edge in siblings else 0
            b = in_port.anchor(index, len(siblings))
        wire.set_ends(a, b)

    def _refresh_ports(self, edge: Edge) -> None:
        for nid, port, is_input in ((edge.src, edge.src_port, False),
                                    (edge.dst, edge.dst_port, True)):
            item = self.nodes.get(nid)
            p = item.port(port, is_input) if item else None
            if p is not None:
                count = sum(1 for e in self._wires_at.get(nid, ())
                            if (e.dst_port if is_input else e.src_port) == port
                            and (e.dst if is_input else e.src) == nid)
                p.set_connected(count)

    # -- derived data ---------------------------------------------------------------------------
    def refresh_analysis(self) -> None:
        analysis = self.editor.analysis
        by_node: dict[str, list] = {}
        for problem in analysis.problems:
            by_node.setdefault(problem.node, []).append(problem)
        for nid, item in self.nodes.items():
            count = analysis.counts.get(nid)
            item.set_analysis(analysis.shape_text(nid), count, by_node.get(nid, []))
        for edge, wire in self.wires.items():
            shape, kind = analysis.edge_shape(edge), analysis.edge_kind(edge)
            wire.set_shape(shape, shape is not None and _refuses(
                analysis.edge_text(edge), by_node.get(edge.dst)), kind)

    def node_tooltip(self, node_id: str) -> str:
        return node_tooltip(self.doc, self.editor.analysis, node_id, self.heat.get(node_id))

    def set_style(self, style: st.CanvasStyle) -> None:
        self.style = style
        for group in (self.nodes, self.wires, self.comments):
            for item in group.values():
                item.set_style(style)
        self.update()

    def set_heat(self, values: dict[str, float] | None) -> None:
        self.heat = dict(values or {})
        for nid, item in self.nodes.items():
            item.set_heat(self.heat.get(nid))

    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:  # noqa: N802
        s = self.style
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.fillRect(rect, s.background)
        if self.plain_background:
            return
        scale = painter.worldTransform().m11()
        step = st.GRID if scale >= 0.6 else st.GRID * st.MAJOR_EVERY
        if step * scale < 6:
            return
        left, top = int(rect.left() // step) * step, int(rect.top() // step) * step
        minor, major = [], []
        x = left
        while x <= rect.right():
            (major if round(x / st.GRID) % st.MAJOR_EVERY == 0 else minor).append(
                (QPointF(x, rect.top()), QPointF(x, rect.bottom())))
            x += step
        y = top
        while y <= rect.bottom():
            (major if round(y / st.GRID) % st.MAJOR_EVERY == 0 else minor).append(
                (QPointF(rect.left(), y), QPointF(rect.right(), y)))
            y += step
        for lines, colour in ((minor, s.grid_minor), (major, s.grid_major)):
            painter.setPen(QPen(colour, 0))
            for a, b in lines:
                painter.drawLine(a, b)

    # -- selection ------------------------------------------------------------------------------
    def _on_selection_changed(self) -> None:
        if self._syncing_selection:
            return
        ids = [i.node_id for i in self.selectedItems() if isinstance(i, NodeItem)]
        ids += [i.comment_id for i in self.selectedItems() if isinstance(i, CommentItem)]
        self._order = [i for i in self._order if i in ids] + [i for i in ids
                                                              if i not in self._order]
        self.editor.set_selection(list(self._order))

    def _select_ids(self, ids: list[str]) -> None:
        if list(ids) == self._order:
            return
        self._syncing_selection = True
        try:
            wanted = set(ids)
            for group in (self.nodes, self.comments):
                for key, item in group.items():
                    item.setSelected(key in wanted)
            for wire in self.wires.values():
                wire.setSelected(False)
            self._order = [i for i in ids if i in self.nodes or i in self.comments]
        finally:
            self._syncing_selection = False

    @property
    def selection_order(self) -> list[str]:
        return list(self._order)

    # -- moves ----------------------------------------------------------------------------------
    def mouseReleaseEvent(self, event) -> None:  # noqa: N802  (Qt API name)
        super().mouseReleaseEvent(event)
        self.commit_moves()

    def commit_moves(self) -> bool:
        """Turn item positions that differ from the document into one Move command."""
        moved = tuple((nid, (item.x(), item.y())) for nid, item in self.nodes.items()
                      if (item.x(), item.y()) != tuple(self.doc.nodes[nid].pos))
        comment_ops = [c.pending_edit() for c in self.comments.values()
                       if not c.text_item.hasFocus()]  # text being typed commits on its own
        comment_ops = [op for op in comment_ops if op is not None]
        if not moved and not comment_ops:
            return False
        n = len(moved) + len(comment_ops)
        if n == 1 and moved:
            text = f"Move {name_of(self.doc, moved[0][0])}"
        elif n == 1:
            op = comment_ops[0]
            resized = op.size != tuple(self.doc.comments[op.comment_id].size)
            text = "Resize comment" if resized else "Move comment"
        else:
            text = f"Move {n} items" if comment_ops else f"Move {n} nodes"
        ops = ([Move(moved)] if moved else []) + comment_ops
        return self.push_ops(ops, text)


def _refuses(text: str, problems) -> bool:
    """Does an error on the wire's destination name the shape the wire carries?"""
    return any(p.severity == "error" and text in p.message for p in problems or ())
