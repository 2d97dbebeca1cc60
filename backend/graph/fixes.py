"""Mechanical fixes for the problems analysis finds, offered as one-click, one-undo edits.

`attach_fixes(doc, analysis)` gives each problem whose fix is mechanical a `Fix` (a label and
an edit built when the user applies it). A fix is offered only when it is known to cure the
problem: shape fixes are tried against the layer's own shape rule first (a Flatten before a
Dense that receives a feature map, a Reshape adding a channel axis, padding 'same', a kernel
that fits...), so a button never promises what it cannot do. Structural fixes (a second wire
into a single-input port, a merge left with one branch, a wire closing a loop, a misspelt
layer type, an out-of-range parameter) are recognised from the document's state.
"""

from __future__ import annotations

import difflib
from dataclasses import replace

from backend.graph.block_ops import InBlock
from backend.graph.document import GraphDocument
from backend.graph.fix_shapes import shape_fix
from backend.graph.model import Edge, Node
from backend.graph.ops import AddNode, Batch, Connect, Disconnect, RemoveNode, SetParams
from backend.graph.ports import definition_of, is_known, node_ports, node_spec
from backend.graph.problems import Fix, Problem
from backend.graph.refactor import delete_items, replace_type
from backend.graph.splice import GEOMETRY, insert_merge
from backend.graph.traverse import cyclic_groups, dependency_graph
from backend.layers import ParamError, get_spec, layer_types, validate_params
from backend.layers.params import coerce


def attach_fixes(doc: GraphDocument, analysis) -> None:
    """Give every problem of `analysis` that has a mechanical fix its `Fix` (in place)."""
    if analysis.problems:
        analysis.problems = [with_fix(doc, analysis, p) for p in analysis.problems]


def with_fix(doc: GraphDocument, analysis, problem: Problem) -> Problem:
    if problem.fix is not None:
        return problem
    if getattr(problem, "path", ()):
        fix = _inner_fix(doc, analysis, problem)
        return replace(problem, fix=fix) if fix is not None else problem
    for finder in FINDERS:
        try:
            fix = finder(doc, analysis, problem)
        except Exception:  # a fix finder must never break checking the design
            fix = None
        if fix is not None:
            return replace(problem, fix=fix)
    return problem


def _inner_fix(doc: GraphDocument, analysis, p: Problem) -> Fix | None:
    """A problem inside a block: found and fixed in the block's body, applied through
    `InBlock` (the definition is shared, so the fix mends every use of it)."""
    graph, definition = doc, None
    for item in p.path[:-1]:
        if isinstance(item, int):
            continue
        defn = definition_of(doc, graph.nodes[item]) if item in graph.nodes else None
        if defn is None:
            return None
        graph, definition = defn.graph, defn.id
    instance = analysis.inner(tuple(p.path[:-1])) if hasattr(analysis, "inner") else None
    if definition is None or instance is None:
        return None
    local = with_fix(graph, instance, Problem(p.path[-1], p.message, p.severity))
    if local.fix is None:
        return None
    return Fix(local.fix.label, _in_block(definition, local.fix.op))


def _in_block(definition: str, op):
    def make(doc: GraphDocument):
        body = doc.root.blocks[definition].graph
        return InBlock(definition, op(body) if callable(op) else op)
    return make


def _name(doc: GraphDocument, nid: str) -> str:
    node = doc.nodes.get(nid)
    return f"'{' '.join(str(node.title).split()) or nid}'" if node else f"'{nid}'"


# -- wiring -------------------------------------------------------------------------------------
def _bad_port(doc, analysis, p):
    if p.node not in doc.nodes or "has no port" not in p.message:
        return None
    spec = node_spec(doc, doc.nodes[p.node])
    for e in doc.edges:
        if e.dst == p.node and spec.input_port(e.dst_port) is None and len(spec.inputs) == 1:
            good = Edge(e.src, e.dst, e.src_port, spec.inputs[0].name)
        elif e.src == p.node and e.src_port not in spec.outputs and len(spec.outputs) == 1:
            good = Edge(e.src, e.dst, spec.outputs[0], e.dst_port)
        else:
            continue
        if good not in doc.edges:
            port = good.dst_port if e.dst == p.node else good.src_port
            return Fix(f"Reconnect the wire to port '{port}'",
                       Batch((Disconnect(e), Connect(good, doc.edges.index(e)))))
    return None


def _crowded_port(doc, analysis, p):
    """Several wires into a single-input port: merge them first (Add, else Concatenate)."""
    if p.node not in doc.nodes or "takes one input but" not in p.message:
        return None
    spec = node_spec(doc, doc.nodes[p.node])
    for port in spec.inputs:
        wires = [e for e in doc.edges if e.dst == p.node and e.dst_port == port.name
                 and e.src in doc.nodes]
        if port.multi or len(wires) < 2:
            continue
        shapes = [analysis.shapes.get(e.src) for e in wires]
        kind = _merge_kind(shapes)
        if kind is None:
            return None
        return Fix(f"Insert {kind} to merge the {len(wires)} wires into {_name(doc, p.node)}",
                   _merger(p.node, port.name, kind))
    return None


def _merger(nid: str, port: str, kind: str):
    return lambda d: insert_merge(d, nid, port, kind)


def _merge_kind(shapes) -> str | None:
    if any(s is None for s in shapes) or len(set(shapes)) == 1:
        return "Add"
    try:
        get_spec("Concatenate").shape_rule(list(shapes), {"dim": 1})
    except Exception:
        return None
    return "Concatenate"


def _lonely_merge(doc, analysis, p):
    """A merge left with one branch does nothing: remove it and reconnect its input."""
    if p.node not in doc.nodes or "needs at least" not in p.message:
        return None
    if sum(1 for e in doc.edges if e.dst == p.node and e.src in doc.nodes) != 1:
        return None
    nid = p.node
    return Fix(f"Remove {_name(doc, nid)} and reconnect its input",
               lambda d: delete_items(d, [nid])[0])


def _cycle(doc, analysis, p):
    if p.node not in doc.nodes or not ("form a cycle" in p.message
                                       or "wired into itself" in p.message):
        return None
    order = {nid: i for i, nid in enumerate(doc.nodes)}
    group = next((g for g in cyclic_groups(dependency_graph(doc)) if p.node in g), None)
    inside = [e for e in doc.edges if group and e.src in group and e.dst in group]
    if not inside:
        return None
    back = max(inside, key=lambda e: order[e.src] - order[e.dst])  # the wire closing the loop
    return Fix(f"Remove the wire from {_name(doc, back.src)} to {_name(doc, back.dst)}",
               Disconnect(back))


def _no_input(doc, analysis, p):
    if p.node is not None or "has no Input layer" not in p.message:
        return None
    first = next((nid for nid, n in doc.nodes.items() if node_ports(doc, n)[0]
                  and not any(e.dst == nid for e in doc.edges)), None)
    if first is None:
        return None
    spec, port = get_spec("Input"), node_ports(doc, doc.nodes[first])[0][0].name

    def make(d: GraphDocument):
        nid = d.new_id("input")
        x, y = d.nodes[first].pos
        node = Node(nid, "Input", spec.defaults(), d.unique_title("input"),
                    (x - GEOMETRY.col_step, y))
        return Batch((AddNode(node, index=0), Connect(Edge(nid, first, "out", port))))
    return Fix(f"Add an Input feeding {_name(doc, first)}", make)


def _unreachable(doc, analysis, p):
    if p.node not in doc.nodes or "not connected to any Input" not in p.message:
        return None
    return Fix(f"Delete {_name(doc, p.node)}", RemoveNode(p.node))


# -- types and parameters -----------------------------------------------------------------------
def _unknown_type(doc, analysis, p):
    node = doc.nodes.get(p.node)
    if node is None or is_known(node):
        return None
    names = {t.lower(): t for t in layer_types()}
    close = difflib.get_close_matches(node.type.lower(), list(names), 1, 0.6)
    if not close:
        return None
    new = names[close[0]]
    try:
        return Fix(f"Replace with {new}", replace_type(doc, [p.node], new))
    except Exception:
        return None


def _bad_params(doc, analysis, p):
    node = doc.nodes.get(p.node)
    spec = get_spec(node.type) if node else None
    if spec is None or p.node in analysis.params:
        return None
    fixed, changes = {}, []
    for name, value in node.params.items():
        try:
            schema = spec.param(name)
        except KeyError:
            changes.append(f"Remove parameter '{name}'")
            continue
        try:
            fixed[name] = coerce(schema, value)
        except ParamError:
            fixed[name] = _nearest(schema, value)
            changes.append(f"Set {schema.display} to {_text(fixed[name])}")
    try:
        validate_params(spec, fixed)
    except ParamError:
        return None
    if not changes:
        return None
    label = changes[0] if len(changes) == 1 else f"Fix {len(changes)} parameters"
    return Fix(label, SetParams(p.node, fixed))


def _nearest(schema, value):
    """The allowed value nearest to `value`: a number clamped into range, else the default."""
    if schema.kind in ("int", "float") and isinstance(value, int | float) \
            and not isinstance(value, bool):
        lo = schema.min if schema.min is not None else value
        hi = schema.max if schema.max is not None and not schema.exclusive_max else value
        v = min(max(value, lo), hi)
        v = int(round(v)) if schema.kind == "int" else float(v)
        try:
            return coerce(schema, v)
        except ParamError:
            pass
    return schema.default


def _text(value) -> str:
    return f"'{value}'" if isinstance(value, str) else str(value)


def _int64_input(doc, analysis, p):
    """A layer fed whole-number indices: make the Inputs upstream float32; an Embedding fed
    numbers: make them int64 (token indices)."""
    if p.node not in doc.nodes or "int64" not in p.message:
        return None
    want = "int64" if "receives float32" in p.message else "float32"
    preds: dict[str, list[str]] = {}
    for e in doc.edges:
        preds.setdefault(e.dst, []).append(e.src)
    seen, stack, found = {p.node}, [p.node], []
    while stack:
        for src in preds.get(stack.pop(), ()):
            node = doc.nodes.get(src)
            if node is None or src in seen:
                continue
            seen.add(src)
            if node.type == "Input" and node.params.get("dtype", "float32") != want:
                found.append(src)
            stack.append(src)
    if not found:
        return None
    ops = tuple(SetParams(i, {**doc.nodes[i].params, "dtype": want}) for i in found)
    return Fix(f"Set the Input's dtype to {want}", Batch(ops))


def _shape(doc, analysis, p):
    if p.severity != "error" or p.node not in doc.nodes or p.node in analysis.shapes:
        return None
    return shape_fix(doc, analysis, p.node)


FINDERS = (_bad_port, _crowded_port, _lonely_merge, _cycle, _no_input,
           _unreachable, _unknown_type, _bad_params, _int64_input, _shape)
