"""The ports of a block, as nodes inside its definition: BlockInput and BlockOutput.

Inside a block definition (backend/graph/definition.py) each BlockInput node is one input
port of the block and each BlockOutput node one output port, named by the node's id and
shown by its title. Neither computes anything: a BlockInput takes the shape of whatever is
wired into the block, a BlockOutput passes on what reaches it. Outside a block they are
problems (the design's own entry point is an Input).
"""

from __future__ import annotations

from backend.layers.registry import register
from backend.layers.spec import CodeForm, LayerSpec, Port, ShapeError


def _input_shape(ins, p):
    raise ShapeError("BlockInput takes its shape from the wire into the block: use it only "
                     "inside a block (an Input starts a design)")


register(LayerSpec(
    type="BlockInput", category="block",
    description="An input port of the block being edited: the tensor wired into the block "
                "enters here.",
    params=(), inputs=(), shape_rule=_input_shape,
    build=lambda p, s: None, code=lambda p, s: CodeForm(None, "{x}"),
))

register(LayerSpec(
    type="BlockOutput", category="block",
    description="An output port of the block being edited: what reaches it leaves the block.",
    params=(), inputs=(Port("in"),), outputs=(), shape_rule=lambda ins, p: ins[0],
    build=lambda p, s: None, code=lambda p, s: CodeForm(None, "{x}"),
))
