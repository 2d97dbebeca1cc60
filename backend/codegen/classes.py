"""One network of a design as an exported `nn.Module` class.

`__init__` has one line per layer and the computation one line per node with its output
shape (backend/codegen/body.py writes them, blocks included). When the network divides into
encoder and decoder (an autoencoder's code, a VAE's Sampling layer; `recipes.parts.Split`),
the lines go into `encode(x)` (up to the code, or μ and log σ²) and `decode(code)`
(everything after it), and `forward` calls the two, with the VAE's sampling line between
them — the way a practitioner writes a VAE. The method names step aside (`encode_input`,
`decode_code`) when a layer is already called `encode` or `decode`.
"""

from __future__ import annotations

from backend.codegen.body import BodyWriter
from backend.graph.document import GraphDocument
from backend.graph.networks import downstream, upstream
from backend.graph.ports import node_ports
from backend.graph.traverse import model_arguments, model_outputs
from backend.kinds import shape_text as kind_text

INDENT = "    "


class NetworkClass:
    def __init__(self, name: str, classes, doc: GraphDocument, analysis, split=None,
                 role: str = "model") -> None:
        self.name, self.doc, self.analysis, self.split, self.role = (name, doc, analysis,
                                                                     split, role)
        self.body = BodyWriter(classes, doc, analysis, analysis)
        self.body.walk()
        self.helpers = list(self.body.helpers)
        shapes, var = analysis.shapes, self.body.var
        self.lines = {nid: f"{line}  # {analysis.shape_text(nid)}"
                      for line, nid in self.body.forward}
        ports = analysis.port_shapes
        self.inputs = [(var[(i, p)], ports.get((i, p), shapes[i]),
                        doc.nodes[i].params.get("dtype", "float32"))
                       for i, p in model_arguments(doc)]
        self.outputs = [(var[(o, _first_port(doc, o))], shapes[o]) for o in model_outputs(doc)]
        # how the docstring names them: (N, 34), (N, N), (B, 1, 28, 28)
        self.input_texts = [kind_text(s, analysis.port_kinds.get((i, p), analysis.kinds.get(
            i, ""))) for (i, p), (_, s, _) in zip(model_arguments(doc), self.inputs,
                                                  strict=True)]
        self.output_texts = [analysis.shape_text(o) for o in model_outputs(doc)]

    # -- source ---------------------------------------------------------------------------------
    def source(self, title: str | None = None) -> str:
        from backend.codegen.model import docstring_text

        title = title or docstring_text(f"The {self.role} of the design", 120)
        lines = [f"class {self.name}(nn.Module):",
                 f'{INDENT}"""{title} ({self.analysis.total_params:,} parameters)."""', "",
                 f"{INDENT}def __init__(self):", f"{INDENT * 2}super().__init__()"]
        lines += [INDENT * 2 + line for line in self.body.init]
        if self.split is None:
            lines += self._method("forward", self._arguments(), list(self.lines.values()),
                                  self.outputs)
        else:
            lines += self._split_methods()
        return "\n".join(lines)

    def _arguments(self) -> str:
        return ", ".join(f"{n}: torch.Tensor" for n, _, _ in self.inputs)

    @staticmethod
    def _method(name: str, args: str, body: list[str], outputs, doc: str = "") -> list[str]:
        returns = "torch.Tensor" if len(outputs) == 1 else "tuple[torch.Tensor, ...]"
        lines = ["", f"{INDENT}def {name}(self, {args}) -> {returns}:"]
        if doc:
            lines.append(f'{INDENT * 2}"""{doc}"""')
        lines += [INDENT * 2 + line for line in body]
        lines.append(f"{INDENT * 2}return {', '.join(n for n, _ in outputs)}")
        return lines

    def _method_names(self) -> tuple[str, str]:
        taken = set(self.body.names.values())
        return ("encode" if "encode" not in taken else "encode_input",
                "decode" if "decode" not in taken else "decode_code")

    def _split_methods(self) -> list[str]:
        split, doc, shapes, var = self.split, self.doc, self.analysis.shapes, self.body.var
        encoder = set().union(*(upstream(doc, o) for o in split.encoder_outputs))
        decoder = downstream(doc, split.code) - {split.code}
        middle = [n for n in self.lines if n not in encoder and n not in decoder]
        enc, dec = self._method_names()
        codes = [(var[(o, "out")], shapes[o]) for o in split.encoder_outputs]
        code = var[(split.code, "out")]
        what = "μ and log σ²" if len(codes) == 2 else "the code"
        lines = self._method(enc, self._arguments(),
                             [self.lines[n] for n in self.lines if n in encoder], codes,
                             f"The encoder: the input -> {what}.")
        lines += self._method(dec, f"{code}: torch.Tensor",
                              [self.lines[n] for n in self.lines if n in decoder],
                              self.outputs, "The decoder: a code -> the reconstruction.")
        call = ", ".join(n for n, _, _ in self.inputs)
        body = [f"{', '.join(n for n, _ in codes)} = self.{enc}({call})"]
        body += [self.lines[n] for n in middle]
        body.append(f"return self.{dec}({code})")
        lines += ["", f"{INDENT}def forward(self, {self._arguments()}) -> torch.Tensor:"]
        return lines + [INDENT * 2 + line for line in body]


def _first_port(doc: GraphDocument, node_id: str) -> str:
    outs = node_ports(doc, doc.nodes[node_id])[1]
    return outs[0] if outs else "out"
