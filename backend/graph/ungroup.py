"""The primitive ops that dissolve a Block node into the layers of its definition.

The layers come back where the block was in the node list, ids kept where they are free
(copies of a repeated block get `_2`, `_3`, ...), positions shifted by how far the block was
moved, parameter expressions rewritten with the block's arguments (a number where nothing
symbolic is left). Wires: the block's outside wires are replaced in place by wires to and from
the inner layers, the inner wires in one run in the definition's order where the first wire
into the block was, so ungrouping what was just grouped restores the wire order too.
"""

from __future__ import annotations

from backend.graph.block_ops import RemoveBlockDef, users
from backend.graph.definition import BLOCK, BLOCK_INPUT, BLOCK_OUTPUT, BlockDef
from backend.graph.document import EditError, GraphDocument
from backend.graph.expr import is_expression, substitute
from backend.graph.model import Edge, Node
from backend.graph.ops import AddNode, Connect, RemoveNode
from backend.graph.ports import definition_of

X_GAP = 240.0
MAX_COPIES = 500


def ungroup_ops(doc: GraphDocument, node_id: str) -> list:
    block = doc.node(node_id)
    name = block.title or node_id
    if block.type != BLOCK:
        raise EditError(f"'{name}' is a {block.type}, not a block: only blocks can be ungrouped")
    defn = definition_of(doc, block)
    if defn is None:
        raise EditError(f"'{name}' uses block '{block.params.get('definition')}', which this "
                        "design does not define: delete the node instead")
    repeat = _repeat(block, name)
    expansion = _Expansion(doc, block, defn, repeat)
    index = list(doc.nodes).index(node_id)
    ops: list = [RemoveNode(node_id)]
    ops += [AddNode(n, index=index + k) for k, n in enumerate(expansion.nodes)]
    ops += expansion.connects()
    if _last_user(doc, defn.id, node_id):
        ops.append(RemoveBlockDef(defn.id))
    return ops


def _repeat(block: Node, name: str) -> int:
    repeat = block.params.get("repeat", 1)
    if is_expression(repeat):
        raise EditError(f"the repeat count of '{name}' is {repeat}, which depends on the "
                        "enclosing block's parameters: set it to a number first")
    if isinstance(repeat, bool) or not isinstance(repeat, int) or not 1 <= repeat <= MAX_COPIES:
        raise EditError(f"the repeat count of '{name}' must be a whole number from 1 to "
                        f"{MAX_COPIES}, not {repeat!r}: correct it first")
    return repeat


def _last_user(doc: GraphDocument, definition: str, node_id: str) -> bool:
    here = next((did for did, d in doc.root.blocks.items() if d.graph is doc), None)
    return all((did, nid) == (here, node_id) for did, nid in users(doc, definition))


def _bindings(block: Node, defn: BlockDef) -> dict:
    args = block.params.get("args")
    args = args if isinstance(args, dict) else {}
    return {p.name: args.get(p.name, p.default) for p in defn.params}


def _rebind(node: Node, bindings: dict) -> dict:
    params = dict(node.params)
    if node.type == BLOCK:
        args = params.get("args")
        if isinstance(args, dict):
            params["args"] = {k: substitute(v, bindings) for k, v in args.items()}
        params["repeat"] = substitute(params.get("repeat", 1), bindings)
        return params
    return {k: substitute(v, bindings) for k, v in params.items()}


class _Expansion:
    """The new nodes and the final wire list for one ungroup."""

    def __init__(self, doc: GraphDocument, block: Node, defn: BlockDef, repeat: int):
        self.doc, self.block, self.body = doc, block, defn.graph
        self.repeat = repeat
        self.in_ports, self.out_ports = defn.inputs(), defn.outputs()
        self.inner = [nid for nid, n in self.body.nodes.items()
                      if n.type not in (BLOCK_INPUT, BLOCK_OUTPUT)]
        self.outer_in: dict[str, Edge] = {}
        for e in doc.edges:
            if e.dst == block.id and e.dst_port not in self.outer_in:
                self.outer_in[e.dst_port] = e
        self.ids = self._ids()
        self.nodes = self._nodes(_bindings(block, defn))

    def _ids(self) -> list[dict[str, str]]:
        taken = set(self.doc.nodes) - {self.block.id} | set(self.doc.comments)
        out = []
        for r in range(self.repeat):
            mapping = {}
            for nid in self.inner:
                new = nid if r == 0 else f"{nid}_{r + 1}"
                k = r + 2
                while new in taken:
                    new, k = f"{nid}_{k}", k + 1
                taken.add(new)
                mapping[nid] = new
            out.append(mapping)
        return out

    def _nodes(self, bindings: dict) -> list[Node]:
        if not self.inner:
            return []
        xs = [self.body.nodes[n].pos[0] for n in self.inner]
        anchor = self.body.nodes[self.inner[0]].pos
        width = max(xs) - min(xs) + X_GAP
        out = []
        for r, mapping in enumerate(self.ids):
            dx = self.block.pos[0] - anchor[0] + r * width
            dy = self.block.pos[1] - anchor[1]
            for nid in self.inner:
                n = self.body.nodes[nid]
                title = n.title if r == 0 or not n.title else f"{n.title} {r + 1}"
                out.append(Node(mapping[nid], n.type, _rebind(n, bindings), title,
                                (n.pos[0] + dx, n.pos[1] + dy)))
        return out

    # -- wires ----------------------------------------------------------------------------------
    def source(self, r: int, port: str) -> tuple[str, str] | None:
        """What feeds input port `port` of copy `r`: (node, output port) or None."""
        if r == 0:
            e = self.outer_in.get(port)
            return None if e is None else (e.src, e.src_port)
        k = self.in_ports.index(port)
        return self.producer(r - 1, self.out_ports[k]) if k < len(self.out_ports) else None

    def producer(self, r: int, port: str) -> tuple[str, str] | None:
        """What reaches output port `port` of copy `r`."""
        e = next((e for e in self.body.edges if e.dst == port), None)
        if e is None or e.src not in self.body.nodes or e.src in self.out_ports:
            return None
        if e.src in self.in_ports:
            return self.source(r, e.src)
        return self.ids[r][e.src], e.src_port

    def _inner_wires(self) -> list[Edge]:
        """The block's copies' wires in definition order, ports resolved to what feeds them."""
        out = []
        for r in range(self.repeat):
            for e in self.body.edges:
                if (e.src not in self.body.nodes or e.dst not in self.body.nodes
                        or e.dst in self.out_ports or e.dst in self.in_ports
                        or e.src in self.out_ports):  # wires into an input port go nowhere
                    continue
                if e.src in self.in_ports:
                    src = self.source(r, e.src)
                    if src is not None:
                        out.append(Edge(src[0], self.ids[r][e.dst], src[1], e.dst_port))
                else:
                    out.append(Edge(self.ids[r][e.src], self.ids[r][e.dst], e.src_port,
                                    e.dst_port))
        return out

    def _outgoing(self, e: Edge) -> list[Edge]:
        src = self.producer(self.repeat - 1, e.src_port)
        return [] if src is None else [Edge(src[0], e.dst, src[1], e.dst_port)]

    def connects(self) -> list[Connect]:
        """The inner wires go in one run where the first wire into the block was (where a
        group took them from); wires out of the block are rewired in place."""
        block = self.block.id
        run = self._inner_wires()
        remaining = {e for e in self.doc.edges if block not in (e.src, e.dst)}
        final: list[tuple[Edge, bool]] = []
        for e in self.doc.edges:
            if block not in (e.src, e.dst):
                final.append((e, False))
                continue
            final += [(n, True) for n in run]
            run = []
            if e.src == block:
                final += [(n, True) for n in self._outgoing(e)]
        final += [(n, True) for n in run]
        ops, seen = [], set()
        for e, new in final:
            if new and (e in remaining or e in seen):
                continue
            seen.add(e)
            if new:
                ops.append(Connect(e, len(seen) - 1))
        return ops
