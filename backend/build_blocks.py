"""Building a graph (the design or a block's body) into modules and executable steps.

`GraphBuilder.graph(graph, analysis)` returns the modules to register (by attribute name)
and the steps `forward` runs (backend/module_paths.py says where each layer ends up). A Block
node becomes the module of its definition built from the analysis of that copy: a
`BlockModule` running the body's steps, or an `nn.Sequential` for a sequential definition; a
repeated block is a numbered `nn.Sequential` of copies (a `RepeatedBlock` module list when it
has several inputs), as the exporter writes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import nn

from backend.graph.definition import BLOCK, PORT_TYPES, BlockDef, uses
from backend.graph.document import GraphDocument
from backend.graph.naming import attribute_names
from backend.graph.traverse import plan
from backend.layers import get_spec
from backend.layers.modules import RepeatedBlock
from backend.shape_blocks import is_repeated
from backend.shapes import Analysis

Source = tuple[str, str]  # (node id, output port)


@dataclass
class Built:
    modules: dict[str, nn.Module] = field(default_factory=dict)  # attribute -> module
    steps: list[tuple[str, str | None, tuple[Source, ...], tuple[str, ...]]] = \
        field(default_factory=list)  # (node, attribute or None, sources, output ports)
    attrs: dict[str, str] = field(default_factory=dict)  # node id -> attribute
    outputs: dict[str, tuple[str, ...]] = field(default_factory=dict)  # block output ports
    repeated: set[str] = field(default_factory=set)  # blocks built as numbered copies

    def output_ports(self, node_ids: list[str]) -> list[Source]:
        """A design's outputs: each output node's first port (a block may have several)."""
        return [(nid, self.outputs.get(nid, ("out",))[0]) for nid in node_ids]


def run_steps(module: nn.Module, steps, values: dict) -> None:
    """Run `steps` on `module`'s submodules; `values` maps (node, port) to tensors."""
    for nid, attr, sources, outs in steps:
        if (nid, outs[0] if outs else "out") in values:  # an input: given to forward
            continue
        args = [values[s] for s in sources]
        result = getattr(module, attr)(*args) if attr else args[0]
        if len(outs) > 1:
            for port, value in zip(outs, result, strict=True):
                values[(nid, port)] = value
        else:
            values[(nid, outs[0] if outs else "out")] = result


class BlockModule(nn.Module):
    """One copy of a block: the body's layers as submodules, run in the body's order."""

    def __init__(self, built: Built, inputs: list[str], outputs: list[str]):
        super().__init__()
        for name, m in built.modules.items():
            self.add_module(name, m)
        self._steps, self._inputs, self._outputs = built.steps, inputs, outputs

    def forward(self, *xs: torch.Tensor):
        values = {(nid, "out"): x for nid, x in zip(self._inputs, xs, strict=True)}
        run_steps(self, self._steps, values)
        result = tuple(values[(o, "out")] for o in self._outputs)
        return result[0] if len(result) == 1 else result


class GraphBuilder:
    def __init__(self, blocks: dict[str, BlockDef]) -> None:
        self.blocks = blocks
        self.classes: dict[str, type] = {}

    def graph(self, graph: GraphDocument, analysis: Analysis) -> Built:
        built = Built()
        names = attribute_names(graph)
        for step in plan(graph, [n for n in analysis.order if n in graph.nodes]):
            node, nid = step.node, step.node.id
            module, outs = self._node(node, analysis, built)
            attr = names[nid] if module is not None else None
            if module is not None:
                built.modules[attr] = module
                built.attrs[nid] = attr
            sources = tuple(zip(step.sources, step.ports or ("out",) * len(step.sources),
                                strict=True))
            built.steps.append((nid, attr, sources, outs))
        return built

    def _node(self, node, analysis, built) -> tuple[nn.Module | None, tuple[str, ...]]:
        """(module or None, output ports) of one node."""
        nid = node.id
        if node.type in PORT_TYPES or node.type == "Input":
            return None, ("out",)
        if node.type == "GraphInput":
            return None, ("x", "adj")
        if node.type != BLOCK:
            spec = get_spec(node.type)
            module = spec.build(analysis.params[nid], analysis.in_shapes.get(nid, []))
            return module, spec.outputs
        defn = self.blocks[uses(node.params)]
        module = self.block(defn, node.params, analysis.instances[nid])
        built.outputs[nid] = tuple(defn.outputs())
        if is_repeated(node.params):
            built.repeated.add(nid)
        return module, tuple(defn.outputs())

    def block(self, defn: BlockDef, params: dict, runs: list[Analysis]) -> nn.Module:
        """The module of a Block node: its one copy, or its copies numbered in order."""
        copies = [self.instance(defn, run) for run in runs]
        if not is_repeated(params):
            return copies[0]
        if len(defn.inputs()) == 1:
            return nn.Sequential(*copies)
        return RepeatedBlock(copies)

    def instance(self, defn: BlockDef, run: Analysis) -> nn.Module:
        built = self.graph(defn.graph, run)
        if defn.sequential:
            return _sequential(built)
        return self._class(defn)(built, defn.inputs(), defn.outputs())

    def _class(self, defn: BlockDef) -> type:
        from backend.codegen.model import class_name

        cls = self.classes.get(defn.id)
        if cls is None:
            cls = self.classes[defn.id] = type(class_name(defn.title or defn.id),
                                               (BlockModule,), {})
        return cls


def _sequential(built: Built) -> nn.Module:
    """A chain as nn.Sequential: entries numbered in order, a repeat's copies flattened
    (the numbering backend/module_paths.py describes)."""
    entries: list[nn.Module] = []
    for nid, attr, _, _ in built.steps:
        if attr is not None:
            module = built.modules[attr]
            entries += list(module) if nid in built.repeated else [module]
    return nn.Sequential(*entries)
