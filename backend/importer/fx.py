"""Import an arbitrary `nn.Module` as a design through torch.fx — this RUNS the user's code.

Only call it when the user explicitly asks to import a module they trust (the designer and
the CLI say so): the Python file is executed to define the class, the class is created with
the user's constructor arguments, traced (trace.py) and measured on example batches. Every
traced operation must map to a registry layer (fx_map.py, fx_calls.py, fx_recurrent.py);
otherwise `FxImportError.items` lists each one with its source line and what to do. The
module's tensors come along under the design's names, the original submodule of each layer
is kept in the design (names.py), and the design must reproduce the module (verify.py), or
nothing is imported.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from backend.graph.document import GraphDocument
from backend.graph.model import Edge, Node
from backend.importer import fx_recurrent as rec
from backend.importer.fx_calls import (
    gaussian_noise,
    map_call,
    max_values,
    op_label,
    reshape,
)
from backend.importer.fx_map import (
    HINTS,
    SHAPE_MODULES,
    Alias,
    Mapped,
    Unmapped,
    known_module,
    map_module,
    sample,
)
from backend.importer.layout import layout
from backend.importer.names import SECTION
from backend.importer.trace import measure, source_of, token_inputs, trace
from backend.importer.user_code import (
    FxImportError,
    instantiate,
    load_class,
    parse_args,
    recording_arguments,
)
from backend.layers import get_spec

__all__ = ["FxImport", "FxImportError", "import_file", "import_module"]


@dataclass
class FxImport:
    doc: GraphDocument
    weights: bytes  # safetensors, keyed like the built design's state_dict
    warnings: list[str] = field(default_factory=list)
    max_difference: float = 0.0  # largest output difference seen while verifying


def import_file(path: str | Path, input_shapes: list[list[int]],
                class_name: str | None = None, args: str | list | dict | None = None,
                weights=None, progress: Callable[[str], None] | None = None) -> FxImport:
    """Run the file, create its class with `args` (JSON text, a list or a dict) and import
    it; `weights` (a state_dict in the original's names) is loaded first when given.
    `progress` hears each stage in a few words. This runs the user's code in this process:
    backend.importer.isolated runs it in a child process instead."""
    path = Path(path)
    report = progress or (lambda text: None)
    report(f"Running {path.name}")
    cls = load_class(path, class_name)
    if isinstance(args, str) or args is None:
        pos, kw = parse_args(args)
    else:
        pos, kw = (list(args), {}) if isinstance(args, list) else ([], dict(args))
    report(f"Creating {cls.__name__}")
    with recording_arguments() as recorded:
        model = instantiate(cls, pos, kw, path)
    if weights is not None:
        report("Loading the weights")
        _load_state(model, weights, cls.__name__)
    arguments = {p: recorded[id(m)] for p, m in model.named_modules() if id(m) in recorded}
    result = import_module(model, input_shapes, cls.__name__, path, arguments, report)
    result.doc.sections[SECTION].update({"source": path.name, "class": cls.__name__})
    return result


def _load_state(model, state: dict, name: str) -> None:
    try:
        model.load_state_dict(state)
    except Exception as exc:
        first = " ".join(str(exc).split())[:200]
        raise FxImportError(f"the weights do not fit {name} ({first}): choose the weights "
                            "saved from this class with these constructor arguments") from None


def import_module(model, input_shapes: list[list[int]], name: str | None = None,
                  path: str | Path | None = None, arguments: dict[str, dict] | None = None,
                  progress: Callable[[str], None] | None = None) -> FxImport:
    """Trace an instantiated module and turn it into a design with its weights; its
    submodules become blocks. `arguments` gives the numbers each submodule (by path) was
    constructed with, to name the blocks' parameters."""
    from backend.importer.fx_result import finish

    name = name or type(model).__name__
    report = progress or (lambda text: None)
    report(f"Tracing {name}.forward")
    gm = trace(model, path)
    placeholders = [n for n in gm.graph.nodes if n.op == "placeholder"]
    if len(placeholders) != len(input_shapes):
        raise FxImportError(f"{name}.forward takes {len(placeholders)} inputs but "
                            f"{len(input_shapes)} input shapes were given: give one shape per "
                            "input, separated by ';'")
    _known_modules(gm, path, name)
    vocab = token_inputs(gm)
    report("Measuring every value on example batches")
    metas = measure(gm, input_shapes, path, name, vocab)
    conv = _Converter(gm, metas, path, name)
    conv.original = _original_names(model)
    report("Turning operations into layers")
    conv.run(input_shapes, vocab)
    return finish(conv, model, input_shapes, name, vocab, arguments or {}, report)


def _known_modules(gm, path, name) -> None:
    """List the submodules no layer stands for before running anything on them."""
    items = []
    for node in gm.graph.nodes:
        if node.op != "call_module":
            continue
        module = gm.get_submodule(node.target)
        if not known_module(module):
            line, code = source_of(node, path)
            label = type(module).__name__
            label = f"nn.{label}" if type(module).__module__.startswith("torch.nn") else label
            items.append((line, f"{label} self.{node.target}"
                          + (f" in `{code[:70]}`" if code else ""), HINTS.get(
                              type(module).__name__, "replace it with a layer Netwright has, "
                              "or leave that part out and build it in the designer")))
    if items:
        raise FxImportError(_unmapped_sentence(name, items), items)


class _Downstream(Exception):
    """Depends on an op that did not map (already reported, so not listed again)."""


class _Converter:
    """Walks the fx graph once, adding a design node per mapped operation."""

    def __init__(self, gm, metas, path, name):
        self.gm, self.metas, self.path, self.name = gm, metas, path, name
        self.doc = GraphDocument(name)
        self.ids: dict = {}  # fx node -> design node id
        self.sources: dict[str, str] = {}  # design node id -> original submodule path
        self.items: list[tuple[int | None, str, str]] = []
        self.tokens = rec.Tokens(metas)
        self.calls: dict[str, int] = {}
        self.prepared: dict = {}  # fx node -> RecCall, a fused Mapped, or a deferred Unmapped
        self.original: dict[str, str] = {}  # our module path -> the author's (exported code)
        self.failed: set = set()  # refused nodes whose results are tuples
        self.origins: dict[str, object] = {}  # design node id -> the fx node it stands for

    def run(self, input_shapes, vocab: list[int | None]) -> GraphDocument:
        placeholders = [n for n in self.gm.graph.nodes if n.op == "placeholder"]
        live = self._prepare()
        for node in self.gm.graph.nodes:
            if node not in live:
                continue
            try:
                if node.op == "placeholder":
                    k = placeholders.index(node)
                    params = {"shape": list(input_shapes[k])}
                    params.update({"dtype": "int64"} if vocab[k] else {})
                    self._add(node, Mapped("Input", params), title=_arg_title(node))
                elif node.op == "output":
                    self._outputs(node)
                else:
                    self._map(node)
            except _Downstream:
                continue
            except Unmapped as exc:
                self._report(node, exc)
        if self.items:
            raise FxImportError(_unmapped_sentence(self.name, self.items), self.items)
        layout(self.doc)
        return self.doc

    def _report(self, node, exc: Unmapped) -> None:
        line, code = source_of(node, self.path)
        what = f"{exc.what}" + (f" in `{code[:70]}`" if code else "")
        self.items.append((line, what, exc.fix))

    def _prepare(self) -> set:
        """Recognise recurrent calls and noise, then keep only the nodes that carry data to
        the outputs (zero initial states and the parts of a noise term drop out)."""
        inputs: dict = {}
        for node in self.gm.graph.nodes:
            if node.op == "call_module" and rec.is_recurrent(self.gm.get_submodule(node.target)):
                try:
                    call = rec.recurrent_call(node, self.gm.get_submodule(node.target),
                                              self.metas)
                except Unmapped as exc:
                    self.prepared[node] = exc
                    continue
                self.prepared[node] = call
                inputs[node] = [call.data]
            fused = gaussian_noise(node, self.metas) or max_values(node, self.metas)
            if fused is not None:
                self.prepared[node] = fused
                inputs[node] = fused.inputs
        live, stack = set(), [n for n in self.gm.graph.nodes if n.op == "output"]
        while stack:
            node = stack.pop()
            if node not in live:
                live.add(node)
                stack.extend(inputs.get(node, node.all_input_nodes))
        return live

    def _map(self, node) -> None:
        meta = self.metas.get(node)
        if node.op != "output" and (meta is None or (not meta.tensor and meta.parts is None)):
            return None  # sizes and other plain values: read where they are used
        if any(a in self.failed for a in node.all_input_nodes):
            self.failed.add(node)  # a part of a refused recurrent result: listed already
            raise _Downstream()
        if any(self.tokens.has(a) for a in node.all_input_nodes):
            return self._recurrent_part(node)
        prepared = self.prepared.get(node)
        if isinstance(prepared, Unmapped):
            self.failed.add(node)
            raise prepared
        if isinstance(prepared, rec.RecCall):
            self.tokens.parts[node] = ("result", prepared)
            return None
        if isinstance(prepared, Mapped):
            return self._add(node, prepared)
        if node.op == "get_attr":
            raise Unmapped(f"self.{node.target} (a tensor stored on the module)",
                           "wrap it in a layer such as nn.Linear or nn.Conv2d")
        return self._add(node, self._generic(node))

    def _generic(self, node):
        if node.op == "call_module":
            return self._module(node, self.gm.get_submodule(node.target))
        return map_call(node, self.metas)

    def _module(self, node, module):
        if len(node.args) != 1 or node.kwargs:
            raise Unmapped(f"self.{node.target} called with more than one argument")
        name = type(module).__name__
        if name in SHAPE_MODULES and type(module).__module__.startswith("torch.nn"):
            return reshape(node, self.metas, node.args[0], node.target)
        if name == "Linear" and len(sample(self.metas, node.args[0])) != 1:
            raise Unmapped(f"nn.Linear self.{node.target} on (B, {_dims(self.metas, node)}) "
                           "tensors", "flatten before it, or take the last step of a sequence "
                           "(Netwright's Dense takes (B, features))")
        return map_module(module, node, self.metas)

    def _recurrent_part(self, node) -> None:
        src = node.args[0] if node.args else None
        if self.tokens.has(src):
            found = self.tokens.step(node)
            if found is None:
                return None
            if found[0] != "generic":
                self.ids[node] = self._recurrent_node(*found)
                return None
        for a in node.all_input_nodes:
            if self.tokens.has(a):
                part, call = self.tokens.parts[a]
                if part != "seq" or not call.batch_first:
                    raise Unmapped(f"{op_label(node)} on {rec.part_name(part, call)}",
                                   "take out[:, -1] or h_n[-1] first")
        return self._add(node, self._generic(node))

    def _recurrent_node(self, mode: str, call: rec.RecCall) -> str:
        if mode in call.ids:
            return call.ids[mode]
        if call.ids:
            raise Unmapped(f"both the last step and every step of self.{call.node.target}",
                           "use one of them, or two recurrent layers")
        mapped = Mapped(call.kind, call.params(mode), [call.data], call.node.target)
        call.ids[mode] = self._add(call.node, mapped, keep=False)
        return call.ids[mode]

    def _add(self, node, mapped, title: str | None = None, keep: bool = True) -> str:
        if isinstance(mapped, Alias):
            self.ids[node] = self._id_of(mapped.node)
            return self.ids[node]
        inputs = [self._id_of(a) for a in mapped.inputs]
        defaults = get_spec(mapped.kind).defaults()
        params = {k: v for k, v in mapped.params.items() if defaults.get(k) != v}
        title = title or self._title(node, mapped)
        nid = self.doc.new_id(re.sub(r"_\d+$", "", title.replace(".", "_")) or "layer")
        self.doc.nodes[nid] = Node(nid, mapped.kind, params, title)
        self.doc.edges.extend(Edge(src, nid) for src in inputs)
        self.origins[nid] = node
        if mapped.module is not None and self.gm.get_submodule(mapped.module).state_dict():
            self.sources[nid] = mapped.module  # where its tensors come from
        if keep:
            self.ids[node] = nid
        return nid

    def _title(self, node, mapped) -> str:
        """The attribute path with '_' for '.' (as exported code names it), or the op."""
        if node.op != "call_module":
            if mapped.kind == "GaussianNoise":  # fused from a custom module: its name
                return _module_path(node) or "noise"
            reshaped = mapped.kind in ("Flatten", "Reshape")
            return mapped.kind.lower() if reshaped else node.name
        self.calls[node.target] = self.calls.get(node.target, 0) + 1
        module = self.gm.get_submodule(node.target)
        if self.calls[node.target] > 1 and any(True for _ in module.parameters()):
            raise Unmapped(f"self.{node.target} called a second time (shared weights)",
                           "give each call its own layer")
        base = node.target.replace(".", "_")
        return base if self.calls[node.target] == 1 else f"{base}_{self.calls[node.target]}"

    def _id_of(self, fx_node) -> str:
        if fx_node in self.ids:
            return self.ids[fx_node]
        if self.tokens.has(fx_node) and self.tokens.parts[fx_node][0] == "seq":
            call = self.tokens.parts[fx_node][1]
            self.ids[fx_node] = self._recurrent_node("seq", call)
            return self.ids[fx_node]
        raise _Downstream()

    def _outputs(self, node) -> None:
        from backend.graph.traverse import model_outputs

        result = node.args[0]
        returned = list(result) if isinstance(result, tuple | list) else [result]
        if any(not hasattr(r, "op") for r in returned):
            raise Unmapped(f"{self.name}.forward returning something other than tensors",
                           "return a tensor or a tuple of tensors")
        wanted = [self._id_of(r) for r in returned]
        if wanted == model_outputs(self.doc) and len(set(wanted)) == len(wanted):
            return
        added = []
        for k, src in enumerate(wanted):  # each returned value gets a sink of its own
            nid = self.doc.new_id(f"output_{k + 1}")
            self.doc.nodes[nid] = Node(nid, "Identity", {}, f"output_{k + 1}")
            self.doc.edges.append(Edge(src, nid))
            added.append(nid)
        if model_outputs(self.doc) != added:
            raise Unmapped(f"{self.name}.forward computing a value it never uses or returns")


def _module_path(node) -> str:
    """The attribute path of the innermost user module an operation was traced in."""
    stack = node.meta.get("nn_module_stack") or {}
    path = next(reversed(stack.values()), ("",))[0] if stack else ""
    return str(path).replace(".", "_") if isinstance(path, str) else ""


def _arg_title(node) -> str:
    """forward's argument name; exported code appends '_' to reserved ones (x -> x_)."""
    from backend.graph.naming import identifier

    bare = node.name.rstrip("_")
    return bare if bare and identifier(bare) == node.name else node.name


def _original_names(model) -> dict[str, str]:
    """Exported code maps the author's names to its attributes (ORIGINAL_NAMES); inverted."""
    forward = getattr(type(model), "forward", None)
    names = getattr(forward, "__globals__", {}).get("ORIGINAL_NAMES")
    if not isinstance(names, dict):
        return {}
    return {v: k for k, v in names.items() if isinstance(k, str) and isinstance(v, str)}


def _dims(metas, node) -> str:
    return ", ".join(str(d) for d in sample(metas, node.args[0]))


def _unmapped_sentence(name: str, items) -> str:
    shown = "; ".join(f"{'line ' + str(line) + ': ' if line else ''}{what}"
                      for line, what, _ in items[:6])
    more = f"; and {len(items) - 6} more" if len(items) > 6 else ""
    return (f"{len(items)} operation(s) of {name} have no Netwright layer ({shown}{more}): "
            "replace them or build those parts in the designer")
