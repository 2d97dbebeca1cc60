"""SceneBlocks: group a selection into a block, ungroup blocks, add a block from a library.

Mixed into CanvasScene. Each gesture is one op from backend/graph (Group, Ungroup, or the
Batch that `use_block_ops` makes) pushed as one named command; inside a block the editor
applies it there. The selection follows: the new block after grouping, the layers that come
back after ungrouping.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF

from backend.graph import BLOCK, Batch, EditError, Ungroup, group_op
from backend.graph.block_builder import use_block_ops
from backend.graph.definition import BlockDef
from designer.canvas import style as st
from designer.canvas.connect import name_of


class SceneBlocks:
    def group_selection(self, name: str = "block") -> str | None:
        """Group the selected layers into a new block used where they were; its id."""
        ids = [i for i in self.selection_order if i in self.doc.nodes]
        if not ids:
            self.editor.refused.emit("select the layers to group into a block first")
            return None
        try:
            op = group_op(self.doc, ids, name)
        except EditError as exc:
            self.editor.refused.emit(str(exc))
            return None
        what = name_of(self.doc, ids[0]) if len(ids) == 1 else f"{len(ids)} layers"
        into = "a block" if name == "block" else f"block '{name}'"
        if not self.editor.push(op, f"Group {what} into {into}"):
            return None
        self.editor.set_selection([op.node_id])
        return op.node_id

    def ungroup_selection(self) -> list[str]:
        """Put the layers of every selected block back in its place; the ids that came."""
        blocks = [i for i in self.selection_order
                  if i in self.doc.nodes and self.doc.nodes[i].type == BLOCK]
        if not blocks:
            self.editor.refused.emit("select a block to ungroup (blocks show a double "
                                     "outline)")
            return []
        before = set(self.doc.nodes)
        text = f"Ungroup {name_of(self.doc, blocks[0])}" if len(blocks) == 1 else \
            f"Ungroup {len(blocks)} blocks"
        op = Ungroup(blocks[0]) if len(blocks) == 1 else Batch(tuple(map(Ungroup, blocks)))
        if not self.editor.push(op, text):
            return []
        new = [n for n in self.doc.nodes if n not in before]
        self.editor.set_selection(new)
        return new

    def add_block(self, definitions: list[BlockDef], title: str, scene_pos: QPointF,
                  args: dict | None = None) -> str | None:
        """Add a use of `definitions[0]` (with the definitions it needs) centred at
        `scene_pos`; a definition the design already has with the same content is shared."""
        nid = self.doc.new_id(title or "block")
        pos = self.free_spot(scene_pos)
        try:
            op = use_block_ops(self.doc, definitions, nid, self.doc.unique_title(title), pos,
                               args)
        except EditError as exc:
            self.editor.refused.emit(str(exc))
            return None
        if not self.editor.push(op, f"Add {definitions[0].label}"):
            return None
        self.editor.set_selection([nid])
        return nid

    def add_palette_block(self, kind: str, scene_pos: QPointF) -> str | None:
        """Add a block named as the palette names it: "library:NAME" or "design:ID"."""
        source, _, name = kind.partition(":")
        if source == "library":
            from backend.templates.blocks_library import LIBRARY

            entry = next((e for e in LIBRARY if e.name == name), None)
            if entry is not None:
                return self.add_block(entry.make(), entry.name, scene_pos)
        elif source == "design" and name in self.doc.root.blocks:
            return self.add_block([self.doc.root.blocks[name].copy()], name, scene_pos)
        self.editor.refused.emit(f"there is no block '{name}': pick one from the palette")
        return None

    # -- expanded in place (a view state: never an edit) -------------------------------------
    def toggle_expanded(self, node_ids: list[str]) -> bool:
        """Expand the given blocks in place, or collapse them when all are expanded."""
        blocks = [n for n in node_ids if n in self.doc.nodes
                  and self.doc.nodes[n].type == BLOCK]
        if not blocks:
            self.editor.refused.emit("select a block to expand (blocks show a double outline)")
            return False
        if all(n in self.expanded for n in blocks):
            self.expanded.difference_update(blocks)
        else:
            self.expanded.update(blocks)
        self.apply_expansion()
        return True

    def apply_expansion(self) -> None:
        """Draw expanded blocks with their inside and show the layers after them further on."""
        from designer.canvas.expand import block_content, view_offsets

        self.expanded &= {n for n, node in self.doc.nodes.items() if node.type == BLOCK}
        sizes = {}
        for nid, item in self.nodes.items():
            content = block_content(self.doc, self.analysis, nid) if nid in self.expanded \
                else None
            if content is not None or item.content is not None:
                item.set_content(content)
            if content is not None:
                sizes[nid] = (content.width, content.height)
        self._offsets = view_offsets(self.doc, sizes)
        for nid, item in self.nodes.items():
            self._place(item, self.display_pos(nid))
        self._route_all()
        self.frames.fit()
        self._grow_rect()

    def display_pos(self, node_id: str) -> tuple[float, float]:
        """Where a node is shown: its place, moved to make room for expanded blocks."""
        x, y = self.doc.nodes[node_id].pos
        dx, dy = self._offsets.get(node_id, (0.0, 0.0))
        return (x + dx, y + dy)

    def block_centre(self, node_id: str) -> QPointF:
        item = self.nodes[node_id]
        return item.pos() + QPointF(st.NODE_W / 2, st.NODE_H / 2)
