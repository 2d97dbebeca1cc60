"""SceneEdits: the canvas's edit gestures turned into named ops pushed through the editor.

Mixed into CanvasScene. Every method builds backend graph ops (AddNode, RemoveNode, Connect,
Move, Rename, AddComment, ...) and pushes them as ONE command with a name a user reads in the
Edit menu ("Add Conv2d", "Delete 3 items", "Move 2 nodes"). Nothing here mutates the document
directly.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtWidgets import QApplication

from backend.graph import (
    AddComment,
    AddNode,
    Batch,
    Comment,
    Connect,
    Disconnect,
    Edge,
    Move,
    Node,
    Rename,
)
from backend.graph.ports import node_spec
from backend.layers import get_spec
from designer.canvas import clipboard
from designer.canvas import style as st
from designer.canvas.connect import check_connection, first_free_input, name_of
from designer.canvas.layout import ASPECT, layered_positions


def snap(v: float) -> float:
    return round(v / st.GRID) * st.GRID


class SceneEdits:
    _paste_count = 0
    _last_paste = ""

    def push_ops(self, ops: list, text: str, merge_key: str | None = None) -> bool:
        if not ops:
            return False
        return self.editor.push(ops[0] if len(ops) == 1 else Batch(tuple(ops)), text, merge_key)

    # -- nodes ----------------------------------------------------------------------------------
    def add_layer(self, layer_type: str, scene_pos: QPointF, after: str | None = None,
                  before: tuple[str, str] | None = None) -> str | None:
        """Add a layer centred at `scene_pos`, wired after node `after` and/or into the
        (node, input port) `before` when that makes sense; one command."""
        spec = get_spec(layer_type)
        if spec is None:
            self.editor.refused.emit(f"there is no layer type '{layer_type}': pick one from "
                                     "the palette")
            return None
        nid = self.doc.new_id(layer_type)
        pos = self.free_spot(scene_pos)
        ops: list = [AddNode(Node(nid, layer_type, spec.defaults(), nid, pos))]
        if after in self.doc.nodes and spec.inputs:
            src_spec = node_spec(self.doc, self.doc.nodes[after])
            if src_spec is not None and src_spec.outputs:
                ops.append(Connect(Edge(after, nid, src_spec.outputs[0], spec.inputs[0].name)))
        if before is not None and before[0] in self.doc.nodes and spec.outputs:
            ops += self._feed_ops(Edge(nid, before[0], spec.outputs[0], before[1]))
        if not self.push_ops(ops, f"Add {layer_type}"):
            return None
        self.editor.set_selection([nid])
        return nid

    def free_spot(self, centre: QPointF) -> tuple[float, float]:
        """Snapped top-left for a new node centred near `centre`, moved down until it covers
        no other node (so adding twice at the same place never hides a layer)."""
        from designer.canvas.node_item import NodeItem

        x, y = snap(centre.x() - st.NODE_W / 2), snap(centre.y() - st.NODE_H / 2)
        for _ in range(100):
            rect = QRectF(x, y, st.NODE_W, st.NODE_H).adjusted(4, 4, -4, -4)
            if not any(isinstance(i, NodeItem) for i in self.items(rect)):
                break
            y += st.ROW_STEP
        return (x, y)

    def wire_at(self, scene_pos: QPointF):
        """The wire under a scene point, if any."""
        from designer.canvas.wire_item import WireItem

        return next((i for i in self.items(scene_pos) if isinstance(i, WireItem)), None)

    def _feed_ops(self, edge: Edge) -> list:
        """Connect a new node into `edge.dst`, replacing the wire of a single-input port."""
        spec = node_spec(self.doc, self.doc.nodes[edge.dst])
        port = spec.input_port(edge.dst_port) if spec else None
        if port is None:
            return []
        old = [e for e in self.doc.edges if e.dst == edge.dst and e.dst_port == edge.dst_port]
        return ([] if port.multi else [Disconnect(e) for e in old]) + [Connect(edge)]

    def request_rename(self, node_id: str, title: str) -> bool:
        old = name_of(self.doc, node_id)
        return self.editor.push(Rename(node_id, title), f"Rename {old} to '{title}'")

    # -- clipboard ------------------------------------------------------------------------------
    def _payload(self) -> dict | None:
        ids = self.selection_order
        return clipboard.selection_payload(self.doc, ids) if ids else None

    def copy(self) -> bool:
        payload = self._payload()
        if payload is None:
            return False
        # Plain text (the payload names its own format): a QMimeData made in Python would be
        # deleted by Qt's clipboard after Python has shut down, crashing the app on exit.
        QApplication.clipboard().setText(clipboard.to_text(payload))
        return True

    def cut(self) -> bool:
        return self.copy() and self.delete_selection("Cut")

    def paste(self) -> list[str]:
        mime = QApplication.clipboard().mimeData()
        if mime is None:
            return []
        if mime.hasFormat(clipboard.MIME):
            text = bytes(mime.data(clipboard.MIME)).decode("utf-8", "replace")
        else:
            text = mime.text()
        part = clipboard.parse(text)
        if part is None:
            self.editor.refused.emit("the clipboard holds no Netwright layers: copy some "
                                     "layers first")
            return []
        self._paste_count = self._paste_count + 1 if text == self._last_paste else 1
        self._last_paste = text
        return self._paste_part(part, st.PASTE_OFFSET * self._paste_count, "Paste")

    def duplicate(self) -> list[str]:
        payload = self._payload()
        if payload is None:
            return []
        part = clipboard.parse(clipboard.to_text(payload))
        return self._paste_part(part, st.PASTE_OFFSET, "Duplicate") if part else []

    def _paste_part(self, part, offset: float, verb: str) -> list[str]:
        batch, new_ids = clipboard.paste_ops(self.doc, part, (offset, offset))
        count = len(new_ids)
        what = name_of(part, next(iter(part.nodes))) if count == 1 and part.nodes else \
            f"{count} items"
        if not self.editor.push(batch, f"{verb} {what}"):
            return []
        self.editor.set_selection(new_ids)
        return new_ids

    # -- moving ---------------------------------------------------------------------------------
    def nudge(self, dx: float, dy: float) -> bool:
        """Move the selection by (dx, dy); repeated presses merge into one undo step."""
        ids = [i for i in self.selection_order if i in self.doc.nodes]
        if not ids:
            return False
        moved = tuple((nid, (self.doc.nodes[nid].pos[0] + dx, self.doc.nodes[nid].pos[1] + dy))
                      for nid in ids)
        text = f"Move {name_of(self.doc, ids[0])}" if len(ids) == 1 else f"Move {len(ids)} nodes"
        return self.editor.push(Move(moved), text, "nudge:" + ",".join(sorted(ids)))

    def auto_layout(self, aspect: float = ASPECT) -> bool:
        """Arrange the design (one undo step) to be about `aspect` wide per unit of height."""
        positions = layered_positions(self.doc, aspect)
        moved = tuple((nid, pos) for nid, pos in positions.items()
                      if tuple(self.doc.nodes[nid].pos) != pos)
        if not moved:
            self.message.emit("the design is already laid out")
            return False
        return self.editor.push(Move(moved), "Auto-layout")

    # -- keyboard connecting --------------------------------------------------------------------
    def connect_selected(self) -> bool:
        """Wire the selected nodes in selection order; one node: to the nearest one after it."""
        ids = [i for i in self.selection_order if i in self.doc.nodes]
        if len(ids) == 1:
            nxt = self._next_to_the_right(ids[0])
            if nxt is None:
                self.editor.refused.emit("select two layers (first the source) to connect "
                                         "them, or place a layer to the right of this one")
                return False
            ids.append(nxt)
        if len(ids) < 2:
            self.editor.refused.emit("select two layers (first the source) to connect them")
            return False
        if len(ids) == 2:
            port = first_free_input(self.doc, ids[1]) or "in"
            src_spec = node_spec(self.doc, self.doc.nodes[ids[0]])
            out = src_spec.outputs[0] if src_spec and src_spec.outputs else "out"
            return self.connect_edge(Edge(ids[0], ids[1], out, port))
        return self._connect_chain(ids)

    def _connect_chain(self, ids: list[str]) -> bool:
        ops = []
        for a, b in zip(ids, ids[1:], strict=False):
            edge = Edge(a, b, "out", first_free_input(self.doc, b) or "in")
            verdict = check_connection(self.doc, edge)
            if not verdict.ok:
                self.editor.refused.emit(verdict.hint)
                return False
            ops.append(Connect(edge))
        return self.push_ops(ops, f"Connect {len(ids)} layers in a chain")

    def _next_to_the_right(self, nid: str) -> str | None:
        x, y = self.doc.nodes[nid].pos
        best, best_d = None, None
        for other, node in self.doc.nodes.items():
            dx, dy = node.pos[0] - x, node.pos[1] - y
            if other == nid or dx <= 0 or not first_free_input(self.doc, other):
                continue
            d = dx * dx + 4 * dy * dy
            if best_d is None or d < best_d:
                best, best_d = other, d
        return best

    def cycle_selection(self, forward: bool = True) -> str | None:
        """Select the next (or previous) node in reading order: left to right, top to bottom."""
        order = sorted(self.doc.nodes, key=lambda n: (self.doc.nodes[n].pos[0],
                                                      self.doc.nodes[n].pos[1]))
        if not order:
            return None
        current = [i for i in self.selection_order if i in self.doc.nodes]
        if current:
            k = order.index(current[-1]) + (1 if forward else -1)
        else:
            k = 0 if forward else -1
        nid = order[k % len(order)]
        self.editor.set_selection([nid])
        return nid

    # -- comments -------------------------------------------------------------------------------
    def add_comment(self, scene_pos: QPointF, text: str = "Note") -> str | None:
        cid = self.doc.new_id("comment")
        comment = Comment(cid, text, (snap(scene_pos.x()), snap(scene_pos.y())), (240.0, 100.0))
        if not self.editor.push(AddComment(comment), "Add comment"):
            return None
        self.editor.set_selection([cid])
        return cid

    def select_all(self) -> None:
        self.editor.set_selection(list(self.doc.nodes) + list(self.doc.comments))
