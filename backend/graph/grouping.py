"""Group a selection into a block, and ungroup a block back into its layers: one op each.

`Group` moves the selected nodes into a new definition: every distinct source feeding the
selection from outside becomes a BlockInput, every selected output used outside a
BlockOutput, and one `Block` node takes the selection's place with the outside wires moved
onto its ports (each at the position of the wire it replaces, so merge order is kept).
`Ungroup` does the reverse for any Block node: the definition's layers come back at the
block's place in the node list, with the block's arguments substituted into their parameter
expressions (a repeated block comes back as that many chained copies), and the definition
goes when no other block uses it. Grouping a contiguous selection and ungrouping it gives
back the identical document.

Both are built from the primitive ops (ops.py, block_ops.py), so events and exact inverses
come for free; `apply` returns the inverse `Batch`.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend.graph.block_ops import AddBlockDef
from backend.graph.definition import (
    BLOCK,
    BLOCK_INPUT,
    BLOCK_OUTPUT,
    BlockDef,
    block_params,
)
from backend.graph.document import EditError, GraphDocument
from backend.graph.expr import ExprError, expressions_of, names
from backend.graph.model import Edge, Node
from backend.graph.ops import AddNode, Batch, Connect, RemoveNode
from backend.graph.ports import node_ports
from backend.graph.ungroup import ungroup_ops

X_GAP = 240.0
_NOT_GROUPABLE = {"Input": "an Input", "GraphInput": "a Graph input",
                  BLOCK_INPUT: "a block input",
                  BLOCK_OUTPUT: "a block output"}


@dataclass(frozen=True)
class Group:
    """Group `node_ids` into a new block definition `definition`, used by node `node_id`."""

    node_ids: tuple[str, ...]
    node_id: str
    definition: str
    title: str = "block"
    block_title: str = ""

    def apply(self, doc: GraphDocument):
        return Batch(tuple(group_ops(doc, self))).apply(doc)


@dataclass(frozen=True)
class Ungroup:
    """Replace Block node `node_id` by the layers of its definition."""

    node_id: str

    def apply(self, doc: GraphDocument):
        return Batch(tuple(ungroup_ops(doc, self.node_id))).apply(doc)


def group_op(doc: GraphDocument, node_ids: list[str], name: str = "block") -> Group:
    """A Group op for `node_ids` with fresh ids for the new node and definition."""
    return Group(tuple(node_ids), doc.new_id(name), doc.new_block_id(name),
                 doc.unique_title(name), name)


def group_ops(doc: GraphDocument, g: Group) -> list:
    sel = _selection(doc, g.node_ids)
    chosen = set(sel)
    _refuse_loops(doc, chosen)
    ins, outs = _port_groups(doc, chosen)
    body = _body(doc, sel, chosen, ins, outs)
    params = _carried_params(doc, sel)
    defn = BlockDef(g.definition, g.block_title or g.definition, body, params)
    first = doc.nodes[sel[0]]
    order = list(doc.nodes)
    index = sum(1 for nid in order[:order.index(sel[0])] if nid not in chosen)
    args = {p.name: "{" + p.name + "}" for p in params}
    block = Node(g.node_id, BLOCK, block_params(g.definition, args), g.title or g.node_id,
                 tuple(first.pos))
    ops: list = [AddBlockDef(defn)]
    ops += [RemoveNode(nid) for nid in reversed(sel)]
    ops.append(AddNode(block, index=index))
    ops += _outer_wires(doc, chosen, g.node_id, ins, outs)
    return ops


def _selection(doc: GraphDocument, node_ids) -> list[str]:
    ids = list(dict.fromkeys(node_ids))
    if not ids:
        raise EditError("nothing is selected: select the layers to group")
    for nid in ids:
        node = doc.node(nid)
        if node.type in _NOT_GROUPABLE:
            raise EditError(f"'{node.title or nid}' is {_NOT_GROUPABLE[node.type]}, which "
                            "cannot go inside a block: leave it out of the selection")
    chosen = set(ids)
    return [nid for nid in doc.nodes if nid in chosen]


def _carried_params(doc: GraphDocument, sel: list[str]) -> tuple:
    """Inside a block, the outer parameters the selected layers refer to: the new block
    takes them as parameters of its own, passed through (`{"channels": "{channels}"}`)."""
    owner = next((d for d in doc.root.blocks.values() if d.graph is doc), None)
    if owner is None:
        return ()
    wanted: list[str] = []
    for nid in sel:
        for text in expressions_of(doc.nodes[nid]):
            try:
                wanted += [n for n in names(text) if n not in wanted]
            except ExprError:
                continue
    return tuple(p for p in owner.params if p.name in wanted)


def _refuse_loops(doc: GraphDocument, chosen: set[str]) -> None:
    """A selection whose outputs come back into it through other layers would feed itself."""
    succ: dict[str, list[str]] = {}
    for e in doc.edges:
        succ.setdefault(e.src, []).append(e.dst)
    stack = [d for s in chosen for d in succ.get(s, []) if d not in chosen]
    seen = set(stack)
    while stack:
        nid = stack.pop()
        for nxt in succ.get(nid, []):
            if nxt in chosen:
                title = doc.nodes[nid].title or nid
                raise EditError(f"'{title}' lies between selected layers: add it to the "
                                "selection, or group the parts before and after it separately")
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)


def _port_groups(doc, chosen):
    """Outside sources feeding the selection, and selected outputs used outside, in wire
    order: {(node, port): port node id}."""
    ins: dict[tuple[str, str], str] = {}
    outs: dict[tuple[str, str], str] = {}
    taken = set(chosen)
    for e in doc.edges:
        if e.dst in chosen and e.src not in chosen and (e.src, e.src_port) not in ins:
            ins[(e.src, e.src_port)] = _fresh("in", taken)
        if e.src in chosen and e.dst not in chosen and (e.src, e.src_port) not in outs:
            outs[(e.src, e.src_port)] = _fresh("out", taken)
    feeding = {e.src for e in doc.edges}
    for nid in doc.nodes:  # a selected model output stays one, through the block
        ports = node_ports(doc, doc.nodes[nid])[1]
        if nid in chosen and nid not in feeding and ports:
            outs[(nid, ports[0])] = _fresh("out", taken)
    return ins, outs


def _fresh(base: str, taken: set[str]) -> str:
    name, k = base, 2
    while name in taken:
        name, k = f"{base}_{k}", k + 1
    taken.add(name)
    return name


def _body(doc, sel, chosen, ins, outs) -> GraphDocument:
    body = GraphDocument(doc.name)
    xs = [doc.nodes[n].pos[0] for n in sel]
    for k, ((src, port), pid) in enumerate(ins.items()):
        y = next(doc.nodes[e.dst].pos[1] for e in doc.edges
                 if (e.src, e.src_port) == (src, port) and e.dst in chosen)
        body.nodes[pid] = Node(pid, BLOCK_INPUT, {}, "x" if k == 0 else f"x{k + 1}",
                               (min(xs) - X_GAP, y))
    for nid in sel:
        body.nodes[nid] = doc.nodes[nid].copy()
    for k, ((src, _), pid) in enumerate(outs.items()):
        body.nodes[pid] = Node(pid, BLOCK_OUTPUT, {}, "out" if k == 0 else f"out{k + 1}",
                               (max(xs) + X_GAP, doc.nodes[src].pos[1]))
    for e in doc.edges:
        inner = _inner_edge(e, chosen, ins, outs)
        if inner is not None and inner not in body.edges:
            body.edges.append(inner)
    for (src, port), pid in outs.items():
        if not any(e.dst == pid for e in body.edges):
            body.edges.append(Edge(src, pid, port, "in"))
    return body


def _inner_edge(e: Edge, chosen, ins, outs) -> Edge | None:
    if e.src in chosen and e.dst in chosen:
        return e
    if e.dst in chosen:
        return Edge(ins[(e.src, e.src_port)], e.dst, "out", e.dst_port)
    if e.src in chosen:
        return Edge(e.src, outs[(e.src, e.src_port)], e.src_port, "in")
    return None


def _outer_wires(doc, chosen, block_id, ins, outs) -> list[Connect]:
    """Connects for the block's wires, each where the first wire it replaces was."""
    ops, kept, seen = [], 0, set()
    for e in doc.edges:
        if e.src not in chosen and e.dst not in chosen:
            kept += 1
            continue
        if e.dst in chosen and e.src not in chosen:
            wire = Edge(e.src, block_id, e.src_port, ins[(e.src, e.src_port)])
        elif e.src in chosen and e.dst not in chosen:
            wire = Edge(block_id, e.dst, outs[(e.src, e.src_port)], e.dst_port)
        else:
            continue
        if wire not in seen:
            seen.add(wire)
            ops.append(Connect(wire, kept + len(ops)))
    return ops


__all__ = ["Group", "Ungroup", "group_op", "group_ops"]
