"""The parts of a design file: nodes, wires, comments and block definitions, both ways.

`parse(data, source)` builds a GraphDocument from a migrated design dict, refusing wrong types
with one `DesignFileError` sentence (values out of range are left for the design checks).
`graph_to_dict` and `block_to_dict` write the same parts. A block's body has the same
nodes/edges/comments layout as the design itself.
"""

from __future__ import annotations

import math

from backend.graph import BLOCK, BlockDef, BlockParam, Comment, Edge, EditError, GraphDocument, Node
from backend.graph.block_ops import check_header
from backend.graph.expr import has_expressions, is_expression
from backend.layers import get_spec, layer_types
from backend.layers.params import type_problem

_RESERVED = {"format", "version", "name", "nodes", "edges", "comments", "blocks"}
_BLOCK_KEYS = {"definition", "args", "repeat"}


class DesignFileError(ValueError):
    """A design file cannot be opened; the message is one sentence with the fix.

    Text quoted from the file (ids, types, titles) may hold line breaks or other control
    characters; they are shown escaped so the message stays on one line."""

    def __init__(self, message: str) -> None:
        super().__init__("".join(c if c.isprintable() else repr(c)[1:-1] for c in message))


# -- writing ------------------------------------------------------------------------------------
def graph_to_dict(doc: GraphDocument) -> dict:
    return parts_to_dict(graph_parts(doc))


def graph_parts(doc: GraphDocument) -> tuple:
    """A graph's content as plain tuples, a snapshot taken in milliseconds for thousands of
    layers (parameters are shared: an edit replaces a layer's parameters, never changes
    them in place); `parts_to_dict` makes the file's form of it, on any thread."""
    return ([(n.id, n.type, n.title, n.params, n.pos) for n in doc.nodes.values()],
            list(doc.edges),
            [(c.id, c.text, c.pos, c.size) for c in doc.comments.values()])


def parts_to_dict(parts: tuple) -> dict:
    nodes, edges, comments = parts
    return {
        "nodes": [{"id": nid, "type": kind, "title": title, "params": params,
                   "pos": [round(pos[0], 2), round(pos[1], 2)]}
                  for nid, kind, title, params, pos in nodes],
        "edges": [{"from": e.src, "from_port": e.src_port, "to": e.dst, "to_port": e.dst_port}
                  for e in edges],
        "comments": [{"id": cid, "text": text, "pos": list(pos), "size": list(size)}
                     for cid, text, pos, size in comments],
    }


def block_to_dict(d: BlockDef) -> dict:
    out = {"id": d.id, "title": d.title, "params": [p.to_json() for p in d.params],
           **graph_to_dict(d.graph)}
    if d.note:
        out["note"] = d.note
    if d.sequential:
        out["sequential"] = True
    return out


# -- reading ------------------------------------------------------------------------------------
def parse(data: dict, source: str = "the file") -> GraphDocument:
    doc = GraphDocument(_text(data.get("name", "Untitled"), "name", source))
    _fill_graph(doc, data, source, "")
    for i, raw in enumerate(_list(data, "blocks", source)):
        d = _block(raw, i, source)
        if d.id in doc.blocks:
            raise DesignFileError(f"{source}: two blocks share the id '{d.id}': rename one")
        d.graph.owner = doc
        doc.blocks[d.id] = d
    for key, value in data.items():
        if key not in _RESERVED:
            if not isinstance(value, dict):
                raise DesignFileError(f"{source}: section '{key}' must be an object")
            doc.sections[key] = value
    return doc


def _fill_graph(doc: GraphDocument, data: dict, source: str, where: str) -> None:
    """Nodes, wires and comments of a design or a block body (`where` names the block)."""
    for i, raw in enumerate(_list(data, "nodes", source)):
        node = _node(raw, i, source, where)
        if node.id in doc.nodes:
            raise DesignFileError(f"{source}: two nodes{where} share the id '{node.id}'")
        doc.nodes[node.id] = node
    seen: set[Edge] = set()
    for i, raw in enumerate(_list(data, "edges", source)):
        edge = _edge(raw, i, doc, source, where)
        if edge in seen:
            raise DesignFileError(f"{source}: wire {i + 1}{where} duplicates an earlier wire: "
                                  "remove one of them")
        seen.add(edge)
        doc.edges.append(edge)
    for i, raw in enumerate(_list(data, "comments", source)):
        c = _comment(raw, i, source)
        if c.id in doc.comments or c.id in doc.nodes:
            raise DesignFileError(f"{source}: two items{where} share the id '{c.id}': give the "
                                  "comment another id")
        doc.comments[c.id] = c


def _list(data, key, source):
    value = data.get(key, [])
    if not isinstance(value, list):
        raise DesignFileError(f"{source}: '{key}' must be a list")
    return value


def _text(value, what, source):
    if not isinstance(value, str) or len(value) > 10_000:
        raise DesignFileError(f"{source}: {what} must be text")
    return value


def _pos(value, what, source):
    if (not isinstance(value, list) or len(value) != 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool)
                       and math.isfinite(v) and abs(v) < 1e7 for v in value)):
        raise DesignFileError(f"{source}: {what} must be two numbers [x, y]")
    return (float(value[0]), float(value[1]))


def _node(raw, i, source, where) -> Node:
    what = f"node {i + 1}{where}"
    if not isinstance(raw, dict):
        raise DesignFileError(f"{source}: {what} must be an object")
    nid = _text(raw.get("id"), f"{what}'s id", source)
    if not nid:
        raise DesignFileError(f"{source}: {what} has an empty id")
    kind = _text(raw.get("type"), f"{what}'s type", source)
    params = raw.get("params", {})
    if not isinstance(params, dict):
        raise DesignFileError(f"{source}: node '{nid}' params must be an object")
    problem = _params_problem(kind, params, nid, source)
    if problem:
        raise DesignFileError(f"{source}: node '{nid}'{where} ({kind}): {problem}")
    title = _text(raw.get("title", nid), f"node '{nid}' title", source)
    x, y = _pos(raw.get("pos", [0, 0]), f"node '{nid}' pos", source)
    return Node(nid, kind, params, title, (round(x, 2), round(y, 2)))  # as they are saved


def _params_problem(kind: str, params: dict, nid: str, source: str) -> str | None:
    if kind == BLOCK:
        return block_params_problem(params)
    spec = get_spec(kind)
    if spec is None:
        raise DesignFileError(f"{source}: node '{nid}' has unknown layer type '{kind}' "
                              f"(known: {', '.join(layer_types())})")
    plain = {k: v for k, v in params.items() if not has_expressions(v)}
    unknown = sorted(set(params) - set(plain) - {p.name for p in spec.params})
    return type_problem(spec, plain) or type_problem(spec, {k: None for k in unknown[:1]})


def block_params_problem(params: dict) -> str | None:
    """A sentence if a Block node's params are not {definition, args, repeat}."""
    extra = sorted(set(params) - _BLOCK_KEYS)
    if extra:
        return f"a block has no parameter '{extra[0]}' (it takes: definition, args, repeat)"
    if not isinstance(params.get("definition"), str) or not params["definition"]:
        return "'definition' must name a block definition"
    args = params.get("args", {})
    if not isinstance(args, dict) or not all(isinstance(k, str) for k in args):
        return "'args' must be an object of parameter names and numbers"
    for name, value in args.items():
        if not (_number(value) or isinstance(value, bool) or is_expression(value)):
            return f"argument '{name}' must be a number or an expression like {{width}}"
    repeat = params.get("repeat", 1)
    if not (isinstance(repeat, int) and not isinstance(repeat, bool) or is_expression(repeat)):
        return "'repeat' must be a whole number or an expression like {blocks}"
    return None


def _number(value) -> bool:
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value))


def _edge(raw, i, doc, source, where) -> Edge:
    what = f"wire {i + 1}{where}"
    if not isinstance(raw, dict):
        raise DesignFileError(f"{source}: {what} must be an object")
    src = _text(raw.get("from"), f"{what}'s 'from'", source)
    dst = _text(raw.get("to"), f"{what}'s 'to'", source)
    for end in (src, dst):
        if end not in doc.nodes:
            raise DesignFileError(f"{source}: {what} refers to a missing node '{end}'")
    return Edge(src, dst, _text(raw.get("from_port", "out"), f"{what}'s port", source),
                _text(raw.get("to_port", "in"), f"{what}'s port", source))


def _comment(raw, i, source) -> Comment:
    if not isinstance(raw, dict):
        raise DesignFileError(f"{source}: comment {i + 1} must be an object")
    cid = _text(raw.get("id"), f"comment {i + 1}'s id", source)
    return Comment(cid, _text(raw.get("text", ""), "comment text", source),
                   _pos(raw.get("pos", [0, 0]), "comment pos", source),
                   _pos(raw.get("size", [240, 120]), "comment size", source))


def _block(raw, i, source) -> BlockDef:
    if not isinstance(raw, dict):
        raise DesignFileError(f"{source}: block {i + 1} must be an object")
    bid = _text(raw.get("id"), f"block {i + 1}'s id", source)
    if not bid:
        raise DesignFileError(f"{source}: block {i + 1} has an empty id")
    where = f" of block '{bid}'"
    params = tuple(_block_param(p, bid, source) for p in _list(raw, "params", source))
    try:
        check_header(params)
    except EditError as exc:
        raise DesignFileError(f"{source}: block '{bid}': {exc}") from None
    sequential = raw.get("sequential", False)
    if not isinstance(sequential, bool):
        raise DesignFileError(f"{source}: block '{bid}': 'sequential' must be true or false")
    body = GraphDocument(_text(raw.get("title", bid), f"block '{bid}' title", source))
    _fill_graph(body, raw, source, where)
    return BlockDef(bid, body.name, body, params, _text(raw.get("note", ""), "note", source),
                    sequential)


def _block_param(raw, bid, source) -> BlockParam:
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        raise DesignFileError(f"{source}: block '{bid}' has a parameter without a name")
    kind = raw.get("kind", "int")
    if not isinstance(kind, str):
        raise DesignFileError(f"{source}: block '{bid}': parameter kinds must be text")
    bounds = [raw.get(k) for k in ("min", "max")]
    if any(b is not None and not _number(b) for b in bounds):
        raise DesignFileError(f"{source}: block '{bid}': parameter '{raw['name']}' min and "
                              "max must be numbers")
    return BlockParam(raw["name"], kind, raw.get("default", 1),
                      _text(raw.get("doc", ""), "parameter doc", source), *bounds)
