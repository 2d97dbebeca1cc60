"""Design -> torch.nn.Module.

The built `GraphModel` registers one submodule per layer under the same identifiers the
Python exporter writes, and runs the shared traversal plan in `forward`. Building refuses a
design with errors, raising `BuildError` with the first problem's sentence.
"""

from __future__ import annotations

from backend.graph.document import GraphDocument
from backend.graph.naming import attribute_names
from backend.graph.traverse import model_inputs, model_outputs, plan
from backend.layers import get_spec
from backend.shapes import Analysis, analyse


class BuildError(ValueError):
    """The design cannot be built; the message is the first problem, with its fix."""


def build_model(doc: GraphDocument, analysis: Analysis | None = None):
    import torch
    from torch import nn

    analysis = analysis or analyse(doc)
    errors = [p for p in analysis.problems if p.severity == "error"]
    if errors:
        raise BuildError(errors[0].message)
    names = attribute_names(doc)
    inputs = model_inputs(doc)
    outputs = model_outputs(doc)
    if not inputs or not outputs:
        raise BuildError("the design has nothing to compute: add an Input and connect at "
                         "least one layer after it")
    steps = []
    modules: dict[str, nn.Module] = {}
    for step in plan(doc):
        nid = step.node.id
        spec = get_spec(step.node.type)
        module = spec.build(analysis.params[nid], analysis.in_shapes.get(nid, []))
        if module is not None:
            modules[names[nid]] = module
        steps.append((nid, names[nid] if module is not None else None, step.sources))

    class GraphModel(nn.Module):
        """A network built from a Netwright design."""

        def __init__(self):
            super().__init__()
            for name, m in modules.items():
                self.add_module(name, m)
            self.input_ids = inputs
            self.output_ids = outputs
            self.node_attrs = {nid: attr for nid, attr, _ in steps if attr}

        def forward(self, *xs: torch.Tensor):
            if len(xs) != len(inputs):
                raise TypeError(f"the model takes {len(inputs)} inputs, got {len(xs)}")
            values = dict(zip(inputs, xs, strict=True))
            for nid, attr, sources in steps:
                if nid in values:
                    continue
                args = [values[s] for s in sources]
                values[nid] = getattr(self, attr)(*args) if attr else args[0]
            result = tuple(values[o] for o in outputs)
            return result[0] if len(result) == 1 else result

    return GraphModel()


def build_networks(parts: dict[str, GraphDocument]):
    """Several networks of one design in one module (a GAN's generator and discriminator).

    Each network is a submodule named by its role (`model.generator`), so state_dict keys are
    prefixed by the role; `node_attrs` maps every node id to its module's dotted path."""
    from torch import nn

    class DesignNetworks(nn.Module):
        """The networks of a Netwright design, by role."""

        def __init__(self):
            super().__init__()
            self.node_attrs = {}
            for role, sub in parts.items():
                net = build_model(sub)
                self.add_module(role, net)
                self.node_attrs.update({nid: f"{role}.{attr}"
                                        for nid, attr in net.node_attrs.items()})
            self.input_ids = []

        def forward(self, *xs):
            raise TypeError("this design holds several networks: call one of them, e.g. "
                            f"model.{next(iter(parts))}(...)")

    return DesignNetworks()
