"""SceneRefactor: the canvas's one-step edits, each pushed as one named command.

Mixed into CanvasScene. Replace layer type (on any number of nodes), delete that reconnects
a chain (or plainly), a layer spliced into a wire with room made for it, and applying a
problem's mechanical fix. The edits themselves are Qt-free Batches built in backend/graph
(refactor.py, splice.py, fixes.py); this module names them for the Edit menu and keeps the
selection where the user expects it.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF

from backend.graph import Edge, EditError
from backend.graph.refactor import delete_items, replace_type
from backend.graph.splice import Geometry, insert_on_wire
from designer.canvas import style as st
from designer.canvas.connect import name_of

GEOMETRY = Geometry(st.NODE_W, st.NODE_H, st.COL_STEP, st.ROW_STEP, st.GRID)


class SceneRefactor:
    def _refuse(self, exc: Exception) -> bool:
        self.editor.refused.emit(str(exc))
        return False

    # -- replace type ---------------------------------------------------------------------------
    def replace_type(self, node_ids: list[str], new_type: str) -> bool:
        """Make every node in `node_ids` a `new_type` layer, as one undo step."""
        ids = [n for n in node_ids if n in self.doc.nodes]
        try:
            batch = replace_type(self.doc, ids, new_type)
        except EditError as exc:
            return self._refuse(exc)
        changed = [n for n in ids if self.doc.nodes[n].type != new_type]
        kinds = {self.doc.nodes[n].type for n in changed}
        if len(changed) == 1:
            text = f"Replace {name_of(self.doc, changed[0])} with {new_type}"
        else:
            kind = f" {kinds.pop()}" if len(kinds) == 1 else ""
            text = f"Replace {len(changed)}{kind} layers with {new_type}"
        if not self.editor.push(batch, text):
            return False
        self.editor.set_selection(ids)
        return True

    def nodes_like(self, node_id: str) -> list[str]:
        """Every node of the same type as `node_id`, in document order."""
        kind = self.doc.nodes[node_id].type
        return [n for n, node in self.doc.nodes.items() if node.type == kind]

    # -- delete ---------------------------------------------------------------------------------
    def delete_selection(self, verb: str = "Delete", bridge: bool = True) -> bool:
        """Delete the selected layers, wires and comments; with `bridge`, a deleted chain's
        input is wired to what it fed (conv -> [relu] -> pool becomes conv -> pool)."""
        from designer.canvas.node_item import NodeItem
        from designer.canvas.wire_item import WireItem

        selected = self.selectedItems()
        node_ids = [i.node_id for i in selected if isinstance(i, NodeItem)]
        comment_ids = tuple(i.comment_id for i in selected if hasattr(i, "comment_id"))
        wires = tuple(i.edge for i in selected if isinstance(i, WireItem)
                      and i.edge.src not in node_ids and i.edge.dst not in node_ids)
        n = len(node_ids) + len(comment_ids) + len(wires)
        if n == 0:
            return False
        batch, bridged = delete_items(self.doc, node_ids, comment_ids, wires, bridge)
        if n == 1:
            what = name_of(self.doc, node_ids[0]) if node_ids else \
                ("wire" if wires else "comment")
        else:
            what = f"{n} items"
        return self.editor.push(batch, f"{verb} {what}" + (" and reconnect" if bridged else ""))

    # -- splice ---------------------------------------------------------------------------------
    def insert_on_wire(self, layer_type: str, scene_pos: QPointF, edge: Edge) -> str | None:
        """Splice a new layer into the wire `edge` (a layer dropped onto a wire); the layers
        after it move one column right when there is no room."""
        try:
            batch, nid = insert_on_wire(self.doc, edge, layer_type,
                                        drop=(scene_pos.x(), scene_pos.y()), geometry=GEOMETRY)
        except EditError as exc:
            if edge in self.doc.edges:  # a layer that cannot sit on a wire: place it beside
                return self.add_layer(layer_type, scene_pos)
            self._refuse(exc)
            return None
        if not self.editor.push(batch, f"Insert {layer_type}"):
            return None
        self.editor.set_selection([nid])
        return nid

    # -- fixes ----------------------------------------------------------------------------------
    def apply_fix(self, problem) -> bool:
        from designer.fixing import apply_fix

        return apply_fix(self.editor, problem, root=not self.editor.scope)
