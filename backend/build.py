"""Design -> torch.nn.Module.

The built `GraphModel` registers one submodule per layer under the same identifiers the
Python exporter writes, and runs the shared traversal plan in `forward`. A Block node is one
submodule built from its definition's body (backend/build_blocks.py), so state-dict names
nest as in the exported code (`layer1.0.conv1.weight`). Building refuses a design with
errors, raising `BuildError` with the first problem's sentence.

`model.node_attrs` maps each top-level node id to its attribute; `model.layer_paths` maps
every layer that has a module, inside blocks too, to its dotted module path, keyed by the id
path joined with "/" (`"layer1/0/conv1"` -> `"layer1.0.conv1"`), which the probes use.
"""

from __future__ import annotations

from backend.graph.document import GraphDocument
from backend.graph.traverse import model_arguments, model_inputs, model_outputs
from backend.importer.names import attach as attach_original_names
from backend.shapes import Analysis, analyse


class BuildError(ValueError):
    """The design cannot be built; the message is the first problem, with its fix."""


def build_model(doc: GraphDocument, analysis: Analysis | None = None):
    import torch
    from torch import nn

    from backend.build_blocks import GraphBuilder, run_steps
    from backend.module_paths import layer_paths

    analysis = analysis or analyse(doc)
    errors = [p for p in analysis.problems if p.severity == "error"]
    if errors:
        raise BuildError(errors[0].message)
    inputs = model_inputs(doc)
    arguments = model_arguments(doc)
    outputs = model_outputs(doc)
    if not inputs or not outputs:
        raise BuildError("the design has nothing to compute: add an Input and connect at "
                         "least one layer after it")
    built = GraphBuilder(doc.root.blocks).graph(doc, analysis)

    class GraphModel(nn.Module):
        """A network built from a Netwright design."""

        def __init__(self):
            super().__init__()
            for name, m in built.modules.items():
                self.add_module(name, m)
            self.input_ids = inputs
            self.output_ids = outputs
            self.node_attrs = dict(built.attrs)
            self.layer_paths = layer_paths(doc, analysis)

        def forward(self, *xs: torch.Tensor):
            if len(xs) != len(arguments):
                raise TypeError(f"the model takes {len(arguments)} inputs, got {len(xs)}")
            values = dict(zip(arguments, xs, strict=True))
            run_steps(self, built.steps, values)
            result = tuple(values[(o, port)] for o, port in built.output_ports(outputs))
            return result[0] if len(result) == 1 else result

    model = GraphModel()
    attach_original_names(model, doc, dict(built.attrs))  # imported designs: original keys
    return model
