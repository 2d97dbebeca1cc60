"""Which ports a node has: from its layer spec, or from its block definition.

Every part that looks at ports (wiring checks, the traversal's port order, the canvas) asks
here instead of the layer registry, so `Block` nodes, whose ports are the BlockInput and
BlockOutput nodes of their definition, work everywhere a layer does.
"""

from __future__ import annotations

from backend.graph.definition import BLOCK, BlockDef, uses
from backend.graph.document import GraphDocument
from backend.graph.model import Node
from backend.layers import LayerSpec, Port, get_spec

Ports = tuple[tuple[Port, ...], tuple[str, ...]]
_NONE: Ports = ((), ())


def definition_of(doc: GraphDocument, node: Node) -> BlockDef | None:
    """The definition a Block node uses (None for layers and for a missing definition)."""
    if node.type != BLOCK:
        return None
    name = uses(node.params)
    return doc.root.blocks.get(name) if name is not None else None


def node_ports(doc: GraphDocument, node: Node) -> Ports:
    """(input ports, output port names) of a node; empty for unknown types."""
    if node.type == BLOCK:
        defn = definition_of(doc, node)
        if defn is None:
            return _NONE
        return tuple(Port(name) for name in defn.inputs()), tuple(defn.outputs())
    spec = get_spec(node.type)
    return _NONE if spec is None else (spec.inputs, spec.outputs)


def is_known(node: Node) -> bool:
    return node.type == BLOCK or get_spec(node.type) is not None


def node_spec(doc: GraphDocument, node: Node) -> LayerSpec | None:
    """The layer spec of a node; for a Block node, a spec describing its definition's ports
    (no parameters: a block's arguments are edited through its definition's `params`)."""
    if node.type != BLOCK:
        return get_spec(node.type)
    defn = definition_of(doc, node)
    if defn is None:
        return None
    inputs, outputs = node_ports(doc, node)
    return LayerSpec(
        type=BLOCK, category="block", description=defn.note or f"Block '{defn.label}'",
        params=(), inputs=inputs, outputs=outputs, shape_rule=_no_rule,
        build=_no_rule, code=_no_rule)


def _no_rule(*_args):
    raise NotImplementedError("blocks are analysed, built and exported through their "
                              "definition (backend/shapes.py, backend/build.py)")
