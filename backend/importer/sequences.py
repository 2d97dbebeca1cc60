"""Sequences in a nested import: chains of blocks, repeats, and torch's numbering.

An `nn.Sequential` (or a module list run as a chain) becomes a sequential definition when
torch would number its entries exactly as the body's names say (`0`, `1`, ...): then the
built model's names are the original's. Consecutive uses of one definition with the same
arguments become one repeated Block node (`_merge_repeats`), and a sequence that is only
one block repeated becomes that block used n times by the caller (`collapse`).
"""

from __future__ import annotations

from backend.graph.definition import BLOCK, BLOCK_INPUT, BLOCK_OUTPUT, uses
from backend.graph.document import GraphDocument
from backend.graph.model import Edge, Node

NO_MODULE = ("Identity",)  # layers exported without a module: not in nn.Sequential bodies


def chain(graph: GraphDocument) -> list[str] | None:
    """The body's nodes between its one input and its one output, if it is a chain."""
    ins = [n for n, node in graph.nodes.items() if node.type == BLOCK_INPUT]
    outs = [n for n, node in graph.nodes.items() if node.type == BLOCK_OUTPUT]
    if len(ins) != 1 or len(outs) != 1:
        return None
    succ: dict[str, list[str]] = {}
    pred: dict[str, list[str]] = {}
    for e in graph.edges:
        succ.setdefault(e.src, []).append(e.dst)
        pred.setdefault(e.dst, []).append(e.src)
    order, here = [], ins[0]
    while here != outs[0]:
        nxt = succ.get(here, [])
        if len(nxt) != 1 or len(pred.get(nxt[0], [])) != 1:
            return None
        here = nxt[0]
        if here != outs[0]:
            order.append(here)
    return order if len(order) + 2 == len(graph.nodes) else None


def merge_repeats(inst) -> None:
    """Consecutive uses of one definition with the same arguments: one repeated Block node."""
    order = chain(inst.graph)
    if order is None:
        return
    g = inst.graph
    k = 0
    while k < len(order):
        run = [order[k]]
        while k + len(run) < len(order) and _same_use(g.nodes[order[k]],
                                                      g.nodes[order[k + len(run)]]):
            run.append(order[k + len(run)])
        if len(run) > 1:
            first, last = run[0], run[-1]
            after = next(e for e in g.edges if e.src == last)
            g.edges = [e for e in g.edges if e.src not in run[:-1] or e.dst not in run]
            g.edges = [e for e in g.edges if e.src not in run[1:] and e.dst not in run[1:]]
            g.edges.insert(0, Edge(first, after.dst, after.src_port, after.dst_port))
            for nid in run[1:]:
                inst.copies[first] += inst.copies.pop(nid)
                del g.nodes[nid]
            g.nodes[first].params["repeat"] = len(run)
        k += len(run)


def _same_use(a: Node, b: Node) -> bool:
    return a.type == BLOCK == b.type and uses(a.params) == uses(b.params) and \
        a.params.get("args") == b.params.get("args") and a.params.get("repeat") == 1 == \
        b.params.get("repeat")


def sequential(graph: GraphDocument) -> bool:
    """A chain whose entries torch would number 0, 1, ... exactly as the names say."""
    order = chain(graph)
    if order is None:
        return False
    index = 0
    for nid in order:
        node = graph.nodes[nid]
        if node.type in NO_MODULE or node.title != str(index):
            return False
        index += node.params.get("repeat", 1) if node.type == BLOCK else 1
    return True


def collapse(inst) -> bool:
    """A sequence of one block repeated: the caller uses that block n times itself."""
    order = chain(inst.graph)
    if order is None or len(order) != 1:
        return False
    node = inst.graph.nodes[order[0]]
    if node.type != BLOCK or node.params.get("repeat", 1) < 2:
        return False
    inst.definition, inst.args = uses(node.params), dict(node.params.get("args", {}))
    inst.repeat, inst.kids = node.params["repeat"], inst.copies[order[0]]
    return True
