"""ONNX files -> designs, checked against onnxruntime. Opening an ONNX file never runs code.

The file is read with the `onnx` package (a protobuf parse, size-limited, external data
refused) and checked with `onnx.checker`. onnxruntime runs it once on random batches of two
sizes with every intermediate value exposed, which gives each value's shape (so reshapes
map by what they do). Each operator maps to a layer (onnx_map.py) or is listed by name;
the layers take their tensors from the file, and the built design must give onnxruntime's
outputs on a fresh batch, or nothing is imported.

We map ONNX directly rather than through onnx2torch: that converter pulls in torchvision
(which must match the pinned torch), has had no release since 2024, and yields its own
`OnnxXxx` modules that would need mapping again; ONNX's operators are few and documented.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from backend.graph.document import GraphDocument
from backend.graph.model import Edge, Node
from backend.importer.fx_map import Unmapped
from backend.importer.layout import layout, starting_settings
from backend.importer.names import SECTION
from backend.importer.onnx_map import DATA_INPUTS, OnnxAlias, OnnxGraph, map_node
from backend.importer.user_code import FxImportError

MAX_ONNX_BYTES = 1024**3
BATCHES = (2, 3)
TOLERANCE = 1e-4


class OnnxImportError(FxImportError):
    """The ONNX file cannot become a design; the message says why and what to do."""


@dataclass
class OnnxImport:
    doc: GraphDocument
    weights: bytes
    warnings: list[str] = field(default_factory=list)
    max_difference: float = 0.0


def import_onnx(path: str | Path) -> OnnxImport:
    path = Path(path)
    model = load(path)
    inputs = _input_shapes(model, path.name)
    graph = _measure(model, inputs, path.name)
    doc, tensors = _design(model, graph, inputs, path)
    weights = _weights(doc, tensors)
    diff = _verify(doc, weights, model, inputs, path.name)
    return OnnxImport(doc, weights, max_difference=diff)


def load(path: Path):
    try:
        import onnx
    except ImportError:
        raise OnnxImportError("reading ONNX files needs the onnx package: pip install "
                              "'netwright[onnx]'") from None
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise OnnxImportError(f"{path} does not exist: check the path") from None
    except OSError as exc:
        raise OnnxImportError(f"cannot read {path}: {exc.strerror or exc}") from None
    if size > MAX_ONNX_BYTES:
        raise OnnxImportError(f"{path.name} is {size / 1024**3:.1f} GB, more than the 1 GB "
                              "Netwright imports: import a smaller model")
    try:
        model = onnx.load(str(path), load_external_data=False)
        onnx.checker.check_model(model)
    except Exception as exc:
        first = " ".join(str(exc).split())[:150] or type(exc).__name__
        raise OnnxImportError(f"{path.name} is not a valid ONNX model ({first}): export it "
                              "again, or check that the file is complete") from None
    if any(t.data_location == onnx.TensorProto.EXTERNAL for t in model.graph.initializer):
        raise OnnxImportError(f"{path.name} keeps its weights in separate files: save the "
                              "model as one file (onnx.save with save_as_external_data=False)")
    return model


def _input_shapes(model, name: str) -> list[tuple[str, list[int]]]:
    init = {t.name for t in model.graph.initializer}
    out = []
    for value in model.graph.input:
        if value.name in init:
            continue
        t = value.type.tensor_type
        dims = [d.dim_value if d.HasField("dim_value") else None for d in t.shape.dim]
        if t.elem_type != 1 or len(dims) < 2 or any(d is None or d < 1 for d in dims[1:]):
            raise OnnxImportError(f"{name}: input '{value.name}' is not a float tensor with a "
                                  "known size per sample: export it with a fixed input shape "
                                  "(only the batch may vary)")
        out.append((value.name, [int(d) for d in dims[1:]], dims[0]))
    if not out:
        raise OnnxImportError(f"{name} has no inputs: export a model that takes data")
    return [(n, s) for n, s, _ in out]


def _session(model, outputs: list[str] | None = None):
    import onnx
    import onnxruntime as ort

    copy = onnx.ModelProto()
    copy.CopyFrom(model)
    if outputs:
        known = {o.name for o in copy.graph.output}
        for name in outputs:
            if name not in known:
                copy.graph.output.append(onnx.ValueInfoProto(name=name))
    options = ort.SessionOptions()
    options.log_severity_level = 3
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    return ort.InferenceSession(copy.SerializeToString(), options,
                                providers=["CPUExecutionProvider"])


def _batch(inputs, batch: int, seed: int) -> dict:
    import numpy as np

    rng = np.random.default_rng(seed)
    return {n: rng.standard_normal((batch, *s)).astype("float32") for n, s in inputs}


def _measure(model, inputs, name: str) -> OnnxGraph:
    consts = _constants(model)
    values = [o for n in model.graph.node for o in n.output if o and o not in consts]
    shapes: dict = {n: [] for n, _ in inputs}
    try:
        session = _session(model, values)
        names = [o.name for o in session.get_outputs()]
        for batch in BATCHES:
            feed = _batch(inputs, batch, batch)
            for n, v in feed.items():
                shapes[n].append(list(v.shape))
            for out, value in zip(names, session.run(names, feed), strict=True):
                shapes.setdefault(out, []).append(list(getattr(value, "shape", ())))
    except Exception as exc:
        first = " ".join(str(exc).split())[:160]
        raise OnnxImportError(f"onnxruntime cannot run {name} ({first}): check the model "
                              "with onnxruntime, or export it again") from None
    users: dict = {}
    for node in model.graph.node:
        for i in node.input:
            users.setdefault(i, []).append(node)
    opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 13)
    producers = {o: node for node in model.graph.node for o in node.output if o}
    return OnnxGraph(consts, shapes, users, opset, producers)


def _constants(model) -> dict:
    import onnx
    from onnx import numpy_helper

    out = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    for node in model.graph.node:
        if node.op_type == "Constant" and node.output:
            for a in node.attribute:
                if a.name == "value":
                    out[node.output[0]] = numpy_helper.to_array(a.t)
                elif a.name in ("value_float", "value_int", "value_floats", "value_ints"):
                    import numpy as np

                    out[node.output[0]] = np.array(onnx.helper.get_attribute_value(a))
        elif node.op_type == "Identity" and node.input and node.input[0] in out:
            out[node.output[0]] = out[node.input[0]]  # shared initializers
    return out


def _live(model, g: OnnxGraph) -> set[int]:
    """Indices of the nodes whose outputs carry data to the graph outputs."""
    producer = {o: i for i, n in enumerate(model.graph.node) for o in n.output}
    live: set[int] = set()
    stack = [o.name for o in model.graph.output]
    while stack:
        i = producer.get(stack.pop())
        if i is None or i in live:
            continue
        live.add(i)
        node = model.graph.node[i]
        data = node.input[:DATA_INPUTS.get(node.op_type, len(node.input))]
        stack.extend(n for n in data if n and n not in g.consts)
    return live


def _design(model, g: OnnxGraph, inputs, path: Path):
    doc = GraphDocument(_doc_name(model, path))
    ids: dict[str, str] = {}
    for name, shape in inputs:
        nid = doc.new_id("input")
        doc.nodes[nid] = Node(nid, "Input", {"shape": shape}, name)
        ids[name] = nid
    tensors: dict[str, dict] = {}
    problems, consumed = [], set()
    live = _live(model, g)
    for i, node in enumerate(model.graph.node):
        if i not in live or id(node) in consumed:
            continue
        try:
            _add(doc, ids, tensors, consumed, node, g)
        except Unmapped as exc:
            problems.append((None, f"{exc.what} (node '{node.name or node.op_type}')",
                             exc.fix))
        except KeyError:
            continue  # fed by an operator already listed
    if problems:
        names = sorted({p[1].split(" (node")[0] for p in problems})
        raise OnnxImportError(f"{len(problems)} operator(s) of {path.name} have no Netwright "
                              f"layer ({', '.join(names)[:300]}): replace them before "
                              "exporting, or build those parts in the designer", problems)
    _outputs(doc, ids, model)
    layout(doc)
    starting_settings(doc)
    doc.sections[SECTION] = {"framework": "onnx", "source": path.name}
    return doc, tensors


def _add(doc, ids, tensors, consumed, node, g) -> None:
    import re

    mapped = map_node(node, g)
    if isinstance(mapped, OnnxAlias):
        ids[node.output[0]] = ids[mapped.value]
        return
    sources = [ids[i] for i in mapped.inputs]
    from backend.layers import get_spec

    defaults = get_spec(mapped.kind).defaults()
    params = {k: v for k, v in mapped.params.items() if defaults.get(k) != v}
    title = _title(node, mapped)
    nid = doc.new_id(re.sub(r"[^a-z0-9]+", "_", title.lower()) or "layer")
    doc.nodes[nid] = Node(nid, mapped.kind, params, title)
    doc.edges.extend(Edge(s, nid) for s in sources)
    if mapped.tensors:
        tensors[nid] = mapped.tensors
    last = mapped.consumed[-1] if mapped.consumed else node
    consumed.update(id(n) for n in mapped.consumed)
    ids[last.output[0]] = nid


def _title(node, mapped) -> str:
    """A readable name: 'conv1' from '/conv1/Conv' or 'conv1.weight', else the operator."""
    weight = node.input[1] if len(node.input) > 1 else ""
    if weight.endswith(".weight"):
        return weight[: -len(".weight")]
    parts = [p for p in (node.name or "").split("/") if p]
    if len(parts) >= 2:
        return parts[-2]
    name = parts[0] if parts else ""
    name = name[len("node_"):] if name.startswith("node_") else name
    return name.lower() or mapped.kind.lower()


def _doc_name(model, path: Path) -> str:
    name = (model.graph.name or "").strip()
    generic = not name or name in ("main_graph", "torch_jit", "torch-jit-export", "graph")
    return path.stem if generic else name


def _outputs(doc, ids, model) -> None:
    from backend.graph.traverse import model_outputs

    wanted = [ids.get(o.name) for o in model.graph.output]
    if None in wanted:
        raise OnnxImportError("an output of the model comes straight from a constant: export "
                              "a model whose outputs are computed")
    if wanted == model_outputs(doc) and len(set(wanted)) == len(wanted):
        return
    added = []
    for k, (src, out) in enumerate(zip(wanted, model.graph.output, strict=True)):
        nid = doc.new_id(f"output_{k + 1}")
        doc.nodes[nid] = Node(nid, "Identity", {}, out.name)
        doc.edges.append(Edge(src, nid))
        added.append(nid)
    if model_outputs(doc) != added:
        raise OnnxImportError("the model computes values it never returns: export it again "
                              "with its unused outputs removed")


def _weights(doc, tensors) -> bytes:
    import torch

    from backend.export.weights import encode_weights
    from backend.graph.naming import attribute_names

    names = attribute_names(doc)
    state = {f"{names[nid]}.{k}": torch.from_numpy(v.copy()) for nid, kv in tensors.items()
             for k, v in kv.items()}
    return encode_weights(state)


def _verify(doc, weights, model, inputs, name: str) -> float:
    import numpy as np
    import torch

    from backend.importer.verify import build

    built = build(doc, weights).eval()
    feed = _batch(inputs, 3, 7)
    want = _session(model).run(None, feed)
    with torch.no_grad():
        got = built(*(torch.from_numpy(feed[n]) for n, _ in inputs))
    got = got if isinstance(got, tuple) else (got,)
    worst = 0.0
    for w, g in zip(want, got, strict=False):
        w, g = np.asarray(w), g.numpy()
        if w.shape != g.shape:
            worst = float("inf")
            break
        worst = max(worst, float(np.abs(w - g).max()) if w.size else 0.0)
    scale = max((float(np.abs(w).max()) for w in want if np.asarray(w).size), default=0.0)
    if len(want) != len(got) or worst > TOLERANCE * max(1.0, scale):
        raise OnnxImportError(f"the imported design computes something else than {name} "
                              f"(outputs differ by {worst:.2g} from onnxruntime's): nothing "
                              "was imported; report the model as a bug")
    return worst
