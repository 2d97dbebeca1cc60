"""EditorScope: which graph the canvas shows and edits — the design, or a block's inside.

Mixed into DocumentEditor. `scope` is the path of Block node ids from the design inwards
(empty at the top); `graph` is the graph shown there (the design, or the body of the
innermost block's definition) and `view_analysis` its shapes, counts and problems (the first
copy of a repeated block). Edits the canvas makes there are the ordinary ops wrapped in
`InBlock(definition, op)` by `push`, so they are one undo step on the one stack and change
every use of the definition (definitions are shared, like functions).

`graph_event` carries the events of the shown graph only (the scene listens to it);
`document_event` keeps carrying the design's own events. When an undo removes the block the
user is inside, the scope falls back to the deepest level that still exists.
"""

from __future__ import annotations

from backend.graph import BLOCK, AddBlockDef, EditBlockDef, GraphDocument, InBlock, SetSection
from backend.graph.block_ops import RemoveBlockDef
from backend.graph.ports import definition_of
from backend.shapes import Analysis

# ops that act on the design as a whole, never wrapped into a block
ROOT_OPS = (InBlock, SetSection, AddBlockDef, RemoveBlockDef, EditBlockDef)


class EditorScope:
    _scope: list[str]
    _scope_defs: list[str]
    _shown: GraphDocument | None = None

    def _init_scope(self) -> None:
        self._scope, self._scope_defs = [], []
        self._shown = None

    # -- where we are ---------------------------------------------------------------------------
    @property
    def scope(self) -> list[str]:
        return list(self._scope)

    @property
    def scope_definitions(self) -> list[str]:
        return list(self._scope_defs)

    @property
    def graph(self) -> GraphDocument:
        """The graph the canvas shows: the design, or the innermost block's body."""
        if not self._scope_defs:
            return self.doc
        defn = self.doc.blocks.get(self._scope_defs[-1])
        return defn.graph if defn is not None else self.doc

    @property
    def view_analysis(self) -> Analysis:
        if not self._scope:
            return self._analysis
        return self._analysis.inner(tuple(self._scope)) or Analysis()

    def scope_titles(self) -> list[str]:
        """The design's name, then each block entered (the breadcrumb's words)."""
        titles, graph = [self.doc.name or "Design"], self.doc
        for nid, did in zip(self._scope, self._scope_defs, strict=True):
            node = graph.nodes.get(nid)
            titles.append((node.title if node else "") or nid)
            graph = self.doc.blocks[did].graph if did in self.doc.blocks else graph
        return titles

    # -- moving in and out ----------------------------------------------------------------------
    def enter(self, node_id: str) -> bool:
        """Show the inside of Block node `node_id` of the current graph."""
        node = self.graph.nodes.get(node_id)
        defn = definition_of(self.doc, node) if node is not None and node.type == BLOCK \
            else None
        if defn is None:
            return False
        self._set_scope([*self._scope, node_id], [*self._scope_defs, defn.id])
        return True

    def leave(self, depth: int = -1) -> bool:
        """Go out to `depth` levels in (0: the design); -1 goes out one level."""
        depth = len(self._scope) - 1 if depth < 0 else depth
        if depth >= len(self._scope) or depth < 0:
            return False
        self._set_scope(self._scope[:depth], self._scope_defs[:depth])
        return True

    def _set_scope(self, nodes: list[str], defs: list[str]) -> None:
        if self._shown is not None:
            self._shown.unsubscribe(self._on_graph_event)
            self._shown = None
        self._scope, self._scope_defs = nodes, defs
        if defs:
            self._shown = self.graph
            self._shown.subscribe(self._on_graph_event)
        self.set_selection([])
        self.scope_changed.emit()

    def _check_scope(self) -> None:
        """After a change to the design: leave blocks that no longer exist."""
        graph, keep = self.doc, 0
        for nid, did in zip(self._scope, self._scope_defs, strict=True):
            node = graph.nodes.get(nid)
            defn = definition_of(self.doc, node) if node is not None else None
            if defn is None or defn.id != did:
                break
            graph, keep = defn.graph, keep + 1
        if keep < len(self._scope):
            self._set_scope(self._scope[:keep], self._scope_defs[:keep])

    # -- edits ----------------------------------------------------------------------------------
    def scoped(self, op, root: bool = False):
        """`op` as it applies to the design: wrapped for the block shown, unless `root`."""
        if root or not self._scope_defs or isinstance(op, ROOT_OPS):
            return op
        return InBlock(self._scope_defs[-1], op)

    def _on_graph_event(self, name: str, payload: dict) -> None:
        """Events of a block's body while the canvas shows it."""
        if name == "node_removed" and payload["node_id"] in self._selection:
            self.set_selection([n for n in self._selection if n != payload["node_id"]])
        self.graph_event.emit(name, payload)
