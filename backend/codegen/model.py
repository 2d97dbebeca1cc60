"""Design -> one readable, standalone Python module holding the model's `nn.Module` class.

The class registers one submodule per layer under the identifiers from
`backend.graph.naming.attribute_names` (the builder uses the same ones, so a built model's
state_dict loads into the exported class), writes one `__init__` line per layer and one
`forward` line per node with its output shape as a comment, and walks the design with the
shared traversal (`plan`, in backend/codegen/body.py). Each block definition becomes a class
of its own, called with arguments (backend/codegen/blocks.py). Helper classes from
`backend.layers.modules` are copied verbatim, only when used. Text from the design (names,
titles) only ever reaches the output through sanitised identifiers, `repr()` literals or
escaped docstrings, so it can never inject code. The output is deterministic: the same design
always gives the same bytes.
"""

from __future__ import annotations

import inspect
import keyword
import re
from dataclasses import dataclass

from backend.graph.document import GraphDocument
from backend.graph.ports import node_ports
from backend.graph.traverse import model_inputs, model_outputs
from backend.importer.names import code_block as original_names_code
from backend.layers._common import fmt
from backend.shapes import Analysis, analyse

INDENT = "    "
_HELPER_NAMES = ("Reshape", "GaussianNoise", "GlobalAvgPool", "GlobalMaxPool", "Recurrent",
                 "RepeatedBlock", "Step")


class ExportError(ValueError):
    """The design cannot be exported; the message is one sentence with the fix."""


@dataclass(frozen=True)
class ModelSource:
    code: str  # the whole module
    class_name: str
    inputs: list[tuple[str, tuple[int, ...], str]]  # (argument name, shape, dtype)
    outputs: list[tuple[str, tuple[int, ...]]]  # (variable name, shape)


def class_name(title: str) -> str:
    """A CamelCase class name from the design's name: 'LeNet-5' -> 'LeNet5'."""
    parts = re.findall(r"[A-Za-z0-9]+", title)
    name = "".join(p[:1].upper() + p[1:] for p in parts)[:60]
    if not name:
        name = "Network"
    if name[0].isdigit():
        name = "Net" + name
    if keyword.iskeyword(name) or name in _HELPER_NAMES or name in ("Module", "Tensor"):
        name += "Net"
    return name


def docstring_text(text: str, limit: int = 200) -> str:
    """One line that is safe inside a triple-quoted docstring."""
    flat = "".join(ch if ch.isprintable() else " " for ch in text)
    flat = " ".join(flat.split())[:limit]
    return flat.replace("\\", "\\\\").replace('"', '\\"')


def model_source(doc: GraphDocument, analysis: Analysis | None = None,
                 design_block: str = "") -> ModelSource:
    """The exported module's source; `design_block` (a statement) is appended at the end."""
    from backend.codegen.blocks import BlockClasses
    from backend.codegen.body import BodyWriter

    analysis = analysis or analyse(doc)
    errors = [p for p in analysis.problems if p.severity == "error"]
    if errors:
        raise ExportError(f"the design has errors, fix them before exporting: "
                          f"{errors[0].message}")
    cls = class_name(doc.name)
    classes = BlockClasses(doc, {cls, *_HELPER_NAMES, "Module", "Tensor"})
    body = BodyWriter(classes, doc, analysis, analysis)
    body.walk()
    inputs = [(body.var[(i, "out")], analysis.shapes[i],
               doc.nodes[i].params.get("dtype", "float32")) for i in model_inputs(doc)]
    outputs = [(body.var[(o, _first_port(doc, o))], analysis.shapes[o])
               for o in model_outputs(doc)]
    blocks = classes.sources()
    parts = [_module_docstring(doc, analysis, inputs, outputs),
             "import torch\nfrom torch import nn"]
    helpers = body.helpers + [h for h in classes.helpers() if h not in body.helpers]
    parts += [_helper_source(h) for h in helpers]
    parts += blocks
    names_code, names_init = original_names_code(doc, body.names)  # imported designs only
    parts += [names_code] if names_code else []
    body.init += names_init
    parts.append(_class_source(cls, doc, analysis, body, inputs, outputs))
    if design_block:
        parts.append(design_block.rstrip("\n"))
    code = "\n\n\n".join(parts[1:])
    return ModelSource(parts[0] + "\n\n" + code + "\n", cls, inputs, outputs)


def _first_port(doc: GraphDocument, node_id: str) -> str:
    outs = node_ports(doc, doc.nodes[node_id])[1]
    return outs[0] if outs else "out"


def _module_docstring(doc, analysis, inputs, outputs) -> str:
    title = docstring_text(doc.name) or "Network"
    ins = ", ".join(f"{n} {fmt(s)}" for n, s, _ in inputs)
    outs = ", ".join(f"{n} {fmt(s)}" for n, s in outputs)
    return "\n".join([
        f'"""{title}: a PyTorch model exported by Netwright.',
        "",
        f"Inputs: {ins}",
        f"Outputs: {outs}",
        f"Parameters: {analysis.total_params:,}",
        "",
        "Needs only torch. Trained weights exported as safetensors load with",
        "    from safetensors.torch import load_file",
        "    model.load_state_dict(load_file(\"weights.safetensors\"))",
        '"""',
    ])


def _helper_source(name: str) -> str:
    from backend.layers import modules

    if name not in _HELPER_NAMES or not hasattr(modules, name):
        raise ExportError(f"the exporter has no code for helper {name!r}: report this as a bug")
    return inspect.getsource(getattr(modules, name)).rstrip("\n")


def _class_source(cls, doc, analysis, body, inputs, outputs) -> str:
    args = ", ".join(f"{n}: torch.Tensor" for n, _, _ in inputs)
    returns = "torch.Tensor" if len(outputs) == 1 else "tuple[torch.Tensor, ...]"
    title = docstring_text(doc.name, 120) or "Network"
    lines = [f"class {cls}(nn.Module):",
             f'{INDENT}"""{title} ({analysis.total_params:,} parameters)."""',
             "",
             f"{INDENT}def __init__(self):",
             f"{INDENT * 2}super().__init__()"]
    lines += [INDENT * 2 + line for line in body.init]
    lines += ["", f"{INDENT}def forward(self, {args}) -> {returns}:"]
    lines += [f"{INDENT * 2}{line}  # {fmt(analysis.shapes[nid])}" for line, nid in body.forward]
    lines.append(f"{INDENT * 2}return {', '.join(n for n, _ in outputs)}")
    return "\n".join(lines)
