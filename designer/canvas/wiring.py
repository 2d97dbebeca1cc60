"""SceneWiring: drawing a wire from a port, checked live, and connecting ports by id.

Mixed into CanvasScene. While a wire is dragged the port under the cursor is highlighted as
acceptable or not and the refusal hint follows the cursor; on release the wire becomes one
Connect command (or a Disconnect+Connect when it replaces the wire of a single-input port).
Released over empty canvas it asks the view (signal `wire_released`) to offer quick-add.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF

from backend.graph import Batch, Connect, Disconnect, Edge
from backend.graph.traverse import to_networkx
from designer.canvas import style as st
from designer.canvas.connect import check_connection, first_free_input, name_of, orient
from designer.canvas.node_item import NodeItem
from designer.canvas.port_item import Port
from designer.canvas.wire_item import DragWire

RELEASE_MIN = 40.0  # a wire released this far from its port over empty canvas offers quick-add


class SceneWiring:
    # -- drawing a wire -------------------------------------------------------------------------
    def begin_wire(self, port: Port, pos: QPointF) -> None:
        self._drag = {"port": port, "graph": to_networkx(self.doc), "target": None,
                      "item": DragWire(self.style)}
        self.addItem(self._drag["item"])
        self.drag_wire(pos)

    def drag_wire(self, pos: QPointF) -> None:
        drag = self._drag
        if drag is None:
            return
        if drag["target"] is not None:
            drag["target"][0].set_highlight("")
        port: Port = drag["port"]
        target = self._target_at(pos, port)
        hint = ""
        end = pos
        if target is not None:
            tport, edge = target
            verdict = check_connection(self.doc, edge, drag["graph"])
            if verdict.ok:
                tport.set_highlight("ok")
            elif verdict.replaces is not None:
                tport.set_highlight("ok")
                hint = f"release to replace the wire from {name_of(self.doc, verdict.replaces.src)}"
            else:
                tport.set_highlight("bad")
                hint = verdict.hint
            end = tport.anchor()
        drag["target"] = target
        a, b = (end, port.anchor()) if port.is_input else (port.anchor(), end)
        drag["item"].set_ends(a, b, hint)

    def end_wire(self, pos: QPointF) -> None:
        drag, self._drag = self._drag, None
        if drag is None:  # cancelled with Escape
            return
        self.removeItem(drag["item"])
        if drag["target"] is not None:
            drag["target"][0].set_highlight("")
        port: Port = drag["port"]
        target = self._target_at(pos, port)
        if target is not None:
            self.connect_edge(target[1], replace=True)
        elif (pos - port.anchor()).manhattanLength() > RELEASE_MIN and not self.items(pos):
            self.wire_released.emit(port.node_id, port.name, port.is_input, pos)

    def _target_at(self, pos: QPointF, port: Port):
        """The port a wire dragged from `port` would attach to at `pos`, with the edge."""
        area = QRectF(pos.x() - st.PORT_HIT_R, pos.y() - st.PORT_HIT_R,
                      2 * st.PORT_HIT_R, 2 * st.PORT_HIT_R)
        for item in self.items(area):
            if isinstance(item, NodeItem):
                other = item.port_at(item.mapFromScene(pos), st.PORT_HIT_R, not port.is_input)
                if other is not None:
                    return other, self._edge(port, other)
        for item in self.items(pos):
            if isinstance(item, NodeItem) and item is not port.node_item:
                name = first_free_input(self.doc, item.node_id) if not port.is_input else \
                    next(iter(item.outputs), None)
                other = item.port(name, not port.is_input) if name else None
                if other is not None:
                    return other, self._edge(port, other)
        return None

    @staticmethod
    def _edge(a: Port, b: Port) -> Edge | None:
        return orient((a.node_id, a.name, a.is_input), (b.node_id, b.name, b.is_input))

    def connect_edge(self, edge: Edge, replace: bool = False) -> bool:
        """Push a Connect for `edge` if it makes sense; otherwise say why (editor.refused)."""
        verdict = check_connection(self.doc, edge)
        src, dst = name_of(self.doc, edge.src), name_of(self.doc, edge.dst)
        if verdict.ok:
            return self.editor.push(Connect(edge), f"Connect {src} to {dst}")
        if replace and verdict.replaces is not None:
            ok = self.editor.push(Batch((Disconnect(verdict.replaces), Connect(edge))),
                                  f"Reconnect {dst}")
            if ok:
                old = name_of(self.doc, verdict.replaces.src)
                self.message.emit(f"replaced the wire from {old} into {dst} (undo with Ctrl+Z)")
            return ok
        self.editor.refused.emit(verdict.hint)
        return False

    def connect_ports(self, src: str, dst: str, src_port: str = "out",
                      dst_port: str = "in", replace: bool = False) -> bool:
        return self.connect_edge(Edge(src, dst, src_port, dst_port), replace)

    def cancel_wire(self) -> bool:
        """Abandon the wire being drawn (Escape); True if there was one."""
        drag, self._drag = self._drag, None
        if drag is None:
            return False
        self.removeItem(drag["item"])
        if drag["target"] is not None:
            drag["target"][0].set_highlight("")
        return True
