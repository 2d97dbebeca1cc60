"""CanvasScene: observes the editor's document and keeps one item per node, wire and comment.

The scene keeps `node_id -> NodeItem`, `Edge -> WireItem` and `comment_id -> CommentItem`
maps and updates them from the document's past-tense events (never a full rebuild, except on
`reset`); shapes, counts and problems come from `editor.analysis` after `analysis_changed`.
Gestures that change the design end here and become ops pushed through `editor.push`: a wire
drawn between ports (checked by connect.py first), a drag committed on release as one Move,
an inline rename. Items never mutate the document.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QPointF, QRectF, Signal
from PySide6.QtGui import QPainter, QPen
from PySide6.QtWidgets import QGraphicsScene

from backend.graph import BLOCK, Edge, Move
from backend.graph.fixes import with_fix
from backend.graph.ports import definition_of, node_spec
from backend.graph.problems import Fix
from designer.canvas import style as st
from designer.canvas.comment_item import CommentItem
from designer.canvas.connect import name_of
from designer.canvas.network_frames import NetworkFrames
from designer.canvas.node_item import NodeItem
from designer.canvas.scene_analysis import SceneAnalysis, content_rect
from designer.canvas.scene_blocks import SceneBlocks
from designer.canvas.scene_edits import SceneEdits
from designer.canvas.scene_refactor import SceneRefactor
from designer.canvas.scene_routing import SceneRouting
from designer.canvas.tooltips import node_tooltip
from designer.canvas.wire_item import WireItem
from designer.canvas.wiring import SceneWiring


class CanvasScene(SceneAnalysis, SceneWiring, SceneRouting, SceneRefactor, SceneBlocks,
                  SceneEdits, QGraphicsScene):
    message = Signal(str)  # an informational sentence for the user (status / toast)
    # a wire drawn from (node id, port, is_input) was released over empty canvas at a point
    wire_released = Signal(str, str, bool, QPointF)
    badge_clicked = Signal(str)  # a node's problem badge was clicked: offer its fixes
    block_activated = Signal(str)  # a block was double-clicked: show its inside

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
        self.expanded: set[str] = set()  # blocks shown expanded in place (scene_blocks.py)
        self._offsets: dict[str, tuple[float, float]] = {}
        self._wires_at: dict[str, set[Edge]] = {}
        self._detours: set[Edge] = set()  # wires routed around layers (rerouted on moves)
        self._order: list[str] = []  # selection order (ids)
        self._syncing_selection = False
        self._init_analysis_state()
        self._drag: dict | None = None
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.BspTreeIndex)
        self.setSceneRect(QRectF(-5000, -5000, 10000, 10000))
        self.frames = NetworkFrames(self)  # a GAN's two networks, an autoencoder's parts
        editor.graph_event.connect(self._on_event)
        editor.analysis_changed.connect(self.refresh_analysis)
        editor.scope_changed.connect(self._scope_changed)
        editor.selection_changed.connect(self._select_ids)
        self.selectionChanged.connect(self._on_selection_changed)
        self.rebuild()

    def _scope_changed(self) -> None:
        self.expanded.clear()  # expanded blocks belong to the graph that was shown
        self.rebuild()

    @property
    def doc(self):
        """The graph shown: the design, or the inside of the block entered."""
        return self.editor.graph

    @property
    def analysis(self):
        return self.editor.view_analysis

    # -- building -------------------------------------------------------------------------------
    def rebuild(self) -> None:
        self._drag = None
        self.layout_changed()
        self.clear()
        self.nodes.clear()
        self.wires.clear()
        self.comments.clear()
        self._wires_at.clear()
        self._detours.clear()
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)  # index once, after
        for nid in self.doc.nodes:
            self._add_node(nid)
        for edge in self.doc.edges:
            self._add_wire(edge, route=False)
        self._count_port_wires()
        self._route_all()
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.BspTreeIndex)
        for cid in self.doc.comments:
            self._add_comment(cid)
        self.frames.reset()
        if not self.editor.replacing:  # else the new design's analysis comes right after
            self.refresh_analysis()
        self._select_ids(self.editor.selection)
        self._grow_rect()
        if self.expanded:
            self.apply_expansion()

    def _add_node(self, nid: str) -> NodeItem:
        self.layout_changed()
        node = self.doc.nodes[nid]
        item = NodeItem(nid, node_spec(self.doc, node), node.type, self.style,
                        self.display_pos(nid))
        item.set_title(node.title or nid)
        if node.type == BLOCK:
            defn = definition_of(self.doc, node)
            item.set_block(defn.label if defn else "missing block", node.params.get("repeat", 1))
        item.set_heat(self.heat.get(nid))
        self.addItem(item)
        self.nodes[nid] = item
        self._unanalysed.add(nid)
        return item

    def _place(self, item, pos) -> None:
        """Show a layer where the document (and the room made for expanded blocks) puts
        it; the caller routes its wires."""
        item.setPos(QPointF(*pos))
        self.layout_changed()

    def _add_wire(self, edge: Edge, route: bool = True) -> None:
        """Add the wire of `edge`; `route` False: while building, the caller routes the
        wires and counts the ports' wires once for all."""
        if edge.src not in self.nodes or edge.dst not in self.nodes:
            return
        item = WireItem(edge, self.style)
        if not self.editor.replacing:  # else the new design's analysis labels it right after
            item.set_shape(self.analysis.edge_shape(edge), kind=self.analysis.edge_kind(edge))
        self.addItem(item)
        self.wires[edge] = item
        self._wires_at.setdefault(edge.src, set()).add(edge)
        self._wires_at.setdefault(edge.dst, set()).add(edge)
        if route:
            self._refresh_ports(edge)
            self._route_node(edge.dst)

    def _remove_wire(self, edge: Edge) -> None:
        item = self.wires.pop(edge, None)
        if item is None:
            return
        self.removeItem(item)
        self._detours.discard(edge)
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
        bounds = content_rect(self, wires=True).adjusted(-2000, -2000, 2000, 2000)
        self.setSceneRect(self.sceneRect().united(bounds))

    # -- document events ------------------------------------------------------------------------
    def _on_event(self, name: str, payload: dict) -> None:
        handler = getattr(self, "_ev_" + name, None)
        if handler is not None:
            handler(**payload)

    def _ev_reset(self) -> None:
        self.rebuild()

    def _ev_block_changed(self, definition: str) -> None:
        """A definition changed (its ports or title may have): redraw the blocks using it."""
        for nid, node in list(self.doc.nodes.items()):
            if node.type == BLOCK and node.params.get("definition") == definition:
                self._renew_node(nid)

    _ev_block_added = _ev_block_removed = _ev_block_changed

    def _ev_params_changed(self, node_id: str) -> None:
        if self.doc.nodes[node_id].type == BLOCK:  # another definition or repeat count
            self._renew_node(node_id)

    def _renew_node(self, nid: str) -> None:
        """Replace a node's item (and its wires) by a fresh one."""
        old = self.nodes.pop(nid, None)
        selected = old is not None and old.isSelected()
        edges = [e for e in self._wires_at.get(nid, set())]
        for edge in edges:
            self._remove_wire(edge)
        if old is not None:
            self.removeItem(old)
        item = self._add_node(nid)
        for edge in edges:
            self._add_wire(edge)
        item.set_analysis(self.analysis.shape_text(nid), self.analysis.counts.get(nid),
                          self.analysis.problems_for(nid))
        item.setSelected(selected)
        if nid in self.expanded:
            self.apply_expansion()

    def _ev_node_added(self, node_id: str) -> None:
        self._add_node(node_id)
        self._grow_rect()

    def _ev_node_removed(self, node_id: str) -> None:
        self.layout_changed()
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
        self.layout_changed()
        if self.expanded:  # the room made for expanded blocks depends on where layers are
            self.apply_expansion()
        for nid in node_ids:
            if nid in self.nodes:
                self._place(self.nodes[nid], self.display_pos(nid))
                self._route_node(nid)
        self._reroute_detours()
        for nid in node_ids:  # wires a moved layer now sits on go around it
            item = self.nodes.get(nid)
            for wire in self.items(item.sceneBoundingRect()) if item is not None else ():
                if isinstance(wire, WireItem) and wire.edge in self.wires:
                    self._route(wire.edge)
        self.frames.fit()  # a frame follows its nodes

    def _ev_comment_added(self, comment_id: str) -> None:
        self._add_comment(comment_id)

    def _ev_comment_removed(self, comment_id: str) -> None:
        item = self.comments.pop(comment_id, None)
        if item is not None:
            self.removeItem(item)

    def _ev_comment_changed(self, comment_id: str) -> None:
        self.comments[comment_id].sync(self.doc.comments[comment_id])

    def node_geometry_changed(self, item: NodeItem) -> None:
        super().node_geometry_changed(item)
        self.frames.fit()  # a frame follows its nodes

    # -- derived data ---------------------------------------------------------------------------
    def problems_for(self, node_id: str) -> list:
        """The node's problems with their fixes; inside a block, fixes built on its body."""
        problems = self.analysis.problems_for(node_id)
        if not self.editor.scope:
            return problems
        return [_local(with_fix(self.doc, self.analysis, p), self.doc) for p in problems]

    def node_tooltip(self, node_id: str) -> str:
        return node_tooltip(self.doc, self.analysis, node_id, self.heat.get(node_id))

    def set_style(self, style: st.CanvasStyle) -> None:
        self.style = style
        for group in (self.nodes, self.wires, self.comments):
            for item in group.values():
                item.set_style(style)
        self.update()  # the frames read the style when they paint

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
        moved = tuple((nid, _place_of(item, self.display_pos(nid), self.doc.nodes[nid].pos))
                      for nid, item in self.nodes.items()
                      if (item.x(), item.y()) != self.display_pos(nid))
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


def _local(problem, body):
    """A fix found on a block's body: built on that body whatever document it is given (the
    editor then applies it inside the block)."""
    fix = problem.fix
    if fix is None or not callable(fix.op):
        return problem
    return replace(problem, fix=Fix(fix.label, _on(body, fix.op)))


def _on(body, make):
    return lambda _doc: make(body)


def _place_of(item, shown: tuple[float, float], pos) -> tuple[float, float]:
    """The document position of a node moved to `item`'s place while shown at `shown`."""
    return (item.x() - shown[0] + pos[0], item.y() - shown[1] + pos[1])
