"""SceneRouting: wires follow their nodes, and go around the layers in their way.

Mixed into CanvasScene. A wire is routed from its output port to its input port (a merge's
wires spread along its capsule, in wire order) as a left-to-right curve; a wire that would
run through another layer (a skip connection over the path it skips, a branch's last wire
across a neighbouring lane) detours along a lane above or below those layers
(`wire_item.route`). Detoured wires are rerouted whenever a layer moves; layers dragged by
the mouse snap to the grid here and take their wires along.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF

from backend.graph import Edge
from designer.canvas import style as st
from designer.canvas.node_item import NodeItem


class SceneRouting:
    def _route_all(self) -> None:
        """Route every wire once, with the wire order of multi-input ports computed once."""
        into: dict[tuple[str, str], list[Edge]] = {}
        for edge in self.doc.edges:
            into.setdefault((edge.dst, edge.dst_port), []).append(edge)
        for edge in self.wires:
            self._route(edge, into.get((edge.dst, edge.dst_port)))

    _boxes: list | None = None  # (rectangle, item) of every node; None: to be measured

    def layout_changed(self) -> None:
        """Nodes came, went or moved: measure their rectangles again when next needed."""
        self._boxes = None

    def nodes_dragged(self) -> None:
        """The mouse moved the selected layers: they snap to the grid (unless snapping is
        off) and their wires follow; the move becomes one command on release."""
        for item in self.selectedItems():
            if isinstance(item, NodeItem):
                if self.snap:
                    x, y = item.x(), item.y()
                    snapped = (round(x / st.GRID) * st.GRID, round(y / st.GRID) * st.GRID)
                    if snapped != (x, y):
                        item.setPos(*snapped)
                self.node_geometry_changed(item)

    def node_geometry_changed(self, item: NodeItem) -> None:
        if item.node_id in self.nodes:
            self._boxes = None
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
        if wire.set_ends(a, b, self._blocks_between(a, b, src, dst)):
            self._detours.add(edge)
        else:
            self._detours.discard(edge)

    def _blocks_between(self, a: QPointF, b: QPointF, src, dst) -> list[QRectF]:
        """Rectangles of the layers a wire from `a` to `b` might run through (its own ends
        left out); none for a wire to the next column, which never crosses a layer."""
        if b.x() - a.x() < st.NODE_W:
            return []
        if self._boxes is None:  # every node's rectangle, once per change of layout
            self._boxes = [(i.x() - 4, i.y() - 4, i.x() + st.NODE_W + 4,
                            i.y() + st.NODE_H + 4, i) for i in self.nodes.values()]
        left, right = a.x(), b.x()
        top = min(a.y(), b.y()) - 2 * st.ROW_STEP
        bottom = max(a.y(), b.y()) + 2 * st.ROW_STEP
        return [QRectF(x0, y0, x1 - x0, y1 - y0) for x0, y0, x1, y1, i in self._boxes
                if x1 > left and x0 < right and y1 > top and y0 < bottom
                and i is not src and i is not dst]

    def _reroute_detours(self) -> None:
        """After a move: wires going around layers, and wires now crossing one, reroute."""
        for edge in list(self._detours):
            self._route(edge)

    def _count_port_wires(self) -> None:
        """Every port shows whether wires reach it (counted once for the whole design)."""
        counts: dict[tuple[str, str, bool], int] = {}
        for edge in self.wires:
            for key in ((edge.src, edge.src_port, False), (edge.dst, edge.dst_port, True)):
                counts[key] = counts.get(key, 0) + 1
        for (nid, name, is_input), count in counts.items():
            port = self.nodes[nid].port(name, is_input)
            if port is not None:
                port.set_connected(count)

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

