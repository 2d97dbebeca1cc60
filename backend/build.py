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

        def run_from(self, given: dict, want: list[str] | None = None):
            """Compute only what follows the `given` node values (node id -> tensor), e.g.
            a decoder from its code; returns the values of `want` (default: the outputs)."""
            values = {(nid, "out"): x for nid, x in given.items()}
            for step in built.steps:
                nid, _, sources, _ = step
                if (nid, "out") in values or not sources or any(s not in values
                                                                for s in sources):
                    continue
                run_steps(self, [step], values)
            result = tuple(values[(o, port)] for o, port in built.output_ports(want or outputs))
            return result[0] if len(result) == 1 else result

    model = GraphModel()
    attach_original_names(model, doc, dict(built.attrs))  # imported designs: original keys
    return model


def build_networks(parts: dict[str, GraphDocument]):
    """Several networks of one design in one module (a GAN's generator and discriminator).

    Each network is a submodule named by its role (`model.generator`), so state_dict keys are
    prefixed by the role; `node_attrs` maps every node id to its module's dotted path."""
    from torch import nn

    class DesignNetworks(nn.Module):
        """The networks of a Netwright design, by role."""

        def __init__(self):
            super().__init__()
            self.node_attrs, self.layer_paths = {}, {}
            for role, sub in parts.items():
                net = build_model(sub)
                self.add_module(role, net)
                self.node_attrs.update({nid: f"{role}.{attr}"
                                        for nid, attr in net.node_attrs.items()})
                self.layer_paths.update({key: f"{role}.{path}"
                                         for key, path in net.layer_paths.items()})
            self.input_ids = []

        def forward(self, *xs):
            raise TypeError("this design holds several networks: call one of them, e.g. "
                            f"model.{next(iter(parts))}(...)")

    return DesignNetworks()
