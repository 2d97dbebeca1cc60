"""Import an arbitrary `nn.Module` as a design through torch.fx — this RUNS the user's code.

Only call it when the user explicitly asks to import a module they trust (the designer and
docs say so): the Python file is executed to define the class, the class is instantiated
without arguments and traced with `torch.fx.symbolic_trace`. Every traced op must map to a
registry layer (fx_map.py); otherwise `FxImportError` lists everything that does not map.
The weights come along: the design is built, the module's tensors are copied in, and both
models must give the same outputs on a random batch, or nothing is imported.
"""

from __future__ import annotations

import importlib.util
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from backend.graph.document import GraphDocument
from backend.graph.model import Edge, Node
from backend.importer.fx_map import Unmapped, map_call, map_module
from backend.layers import get_spec

X_STEP, Y_STEP = 240.0, 150.0


class FxImportError(ValueError):
    """The module cannot be imported as a design; the message says what does not map."""


class _Downstream(Unmapped):
    """Depends on an op that did not map (already reported, so not listed again)."""


@dataclass
class FxImport:
    doc: GraphDocument
    weights: bytes  # safetensors, keyed like the built design's state_dict
    warnings: list[str] = field(default_factory=list)


def load_user_class(path: str | Path, class_name: str | None = None):
    """Execute the user's file (trusted by the user!) and return the chosen nn.Module class."""
    from torch import nn

    path = Path(path)
    name = f"netwright_user_{uuid.uuid4().hex}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise FxImportError(f"{path.name} is not a Python file that can be imported")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        raise FxImportError(f"{path.name} failed while running ({type(exc).__name__}: "
                            f"{str(exc)[:120]}): fix the file first") from None
    finally:
        sys.modules.pop(name, None)
    classes = {k: v for k, v in vars(module).items() if isinstance(v, type)
               and issubclass(v, nn.Module) and v.__module__ == name}
    if class_name is not None:
        if class_name not in classes:
            raise FxImportError(f"{path.name} defines no nn.Module named '{class_name}' "
                                f"(it has: {', '.join(sorted(classes)) or 'none'})")
        return classes[class_name]
    if len(classes) != 1:
        raise FxImportError(f"{path.name} defines {len(classes)} nn.Module classes "
                            f"({', '.join(sorted(classes)) or 'none'}): say which to import")
    return next(iter(classes.values()))


def import_module(model, input_shapes: list[list[int]], name: str | None = None) -> FxImport:
    """Trace an instantiated module and turn it into a design with its weights."""
    import torch
    from torch import fx

    try:
        graph_module = fx.symbolic_trace(model)
    except Exception as exc:
        raise FxImportError(f"torch.fx cannot trace {type(model).__name__} "
                            f"({type(exc).__name__}: {str(exc).splitlines()[0][:150]}): "
                            "data-dependent control flow cannot become a design") from None
    graph_module.graph.eliminate_dead_code()
    doc, sources = _design(graph_module, input_shapes, name or type(model).__name__)
    weights = _weights(doc, graph_module, sources)
    _verify(doc, model, weights, input_shapes, torch)
    return FxImport(doc, weights)


def import_file(path: str | Path, input_shapes: list[list[int]],
                class_name: str | None = None) -> FxImport:
    """Run the file, instantiate its class without arguments and import it (user's trust)."""
    cls = load_user_class(path, class_name)
    try:
        model = cls()
    except Exception as exc:
        raise FxImportError(f"{cls.__name__}() failed ({type(exc).__name__}: "
                            f"{str(exc)[:120]}): the class must be creatable without "
                            "arguments") from None
    return import_module(model.eval(), input_shapes, cls.__name__)


def _design(gm, input_shapes, name) -> tuple[GraphDocument, dict[str, str]]:
    """(design, design node id -> module path whose tensors it takes)."""
    doc = GraphDocument(name)
    ids: dict = {}  # fx node -> design node id
    sources: dict[str, str] = {}
    problems: list[str] = []
    placeholders = [n for n in gm.graph.nodes if n.op == "placeholder"]
    if len(placeholders) != len(input_shapes):
        raise FxImportError(f"{name}.forward takes {len(placeholders)} inputs but "
                            f"{len(input_shapes)} input shapes were given: give one per input")
    for node in gm.graph.nodes:
        try:
            _add(doc, gm, node, ids, sources, placeholders, input_shapes)
        except _Downstream:
            continue
        except Unmapped as exc:
            problems.append(f"{node.name}: {exc}")
    if problems:
        shown = "; ".join(problems[:8]) + ("; ..." if len(problems) > 8 else "")
        raise FxImportError(f"{len(problems)} operation(s) of {name} have no Netwright layer "
                            f"({shown}): replace them or build those parts in the designer")
    _layout(doc)
    return doc, sources


def _add(doc, gm, node, ids, sources, placeholders, input_shapes) -> None:
    from torch import fx

    if node.op == "placeholder":
        shape = list(input_shapes[placeholders.index(node)])
        _node(doc, ids, node, "Input", {"shape": shape}, [])
    elif node.op == "call_module":
        kind, params = map_module(gm.get_submodule(node.target))
        if len(node.args) != 1 or node.kwargs or not isinstance(node.args[0], fx.Node):
            raise Unmapped(f"module {node.target} called with more than one tensor")
        sources[_node(doc, ids, node, kind, params, list(node.args))] = node.target
    elif node.op in ("call_function", "call_method"):
        kind, params, inputs = map_call(node)
        _node(doc, ids, node, kind, params, inputs)
    elif node.op == "output":
        _check_outputs(doc, ids, node)
    else:
        raise Unmapped(f"{node.op} {node.target} (a tensor stored on the module)")


def _node(doc, ids, fx_node, kind, params, inputs) -> str:
    if any(a not in ids for a in inputs):
        raise _Downstream()
    defaults = get_spec(kind).defaults()
    params = {k: v for k, v in params.items() if defaults.get(k) != v}
    nid = doc.new_id(fx_node.name)
    doc.nodes[nid] = Node(nid, kind, params, fx_node.name)
    doc.edges.extend(Edge(ids[a], nid) for a in inputs)
    ids[fx_node] = nid
    return nid


def _check_outputs(doc, ids, node) -> None:
    from backend.graph.traverse import model_outputs

    result = node.args[0]
    returned = list(result) if isinstance(result, tuple | list) else [result]
    if not all(r in ids for r in returned):
        raise _Downstream()
    wanted = [ids[r] for r in returned]
    if wanted != model_outputs(doc):
        raise Unmapped("forward returns values that other layers also use, or returns them "
                       "in another order than they are computed")


def _layout(doc: GraphDocument) -> None:
    depth: dict[str, int] = {}
    rows: dict[int, int] = {}
    for nid in doc.nodes:  # fx order is topological
        parents = [e.src for e in doc.edges if e.dst == nid]
        depth[nid] = 1 + max((depth[p] for p in parents), default=-1)
        row = rows.get(depth[nid], 0)
        rows[depth[nid]] = row + 1
        doc.nodes[nid].pos = (depth[nid] * X_STEP, row * Y_STEP)


def _weights(doc, gm, sources) -> bytes:
    from backend.export.weights import encode_weights
    from backend.graph.naming import attribute_names

    names = attribute_names(doc)
    state = {}
    for nid, target in sources.items():
        for key, tensor in gm.get_submodule(target).state_dict().items():
            state[f"{names[nid]}.{key}"] = tensor
    return encode_weights(state)


def _verify(doc, model, weights, input_shapes, torch) -> None:
    from backend.build import BuildError, build_model
    from backend.export.weights import WeightsError, load_into
    from backend.shapes import analyse

    analysis = analyse(doc)
    try:
        built = build_model(doc, analysis).eval()
        load_into(built, weights, "the module's weights")
    except (BuildError, WeightsError) as exc:
        raise FxImportError(f"the imported design does not work: {exc}") from None
    xs = [torch.randn(2, *shape, generator=torch.Generator().manual_seed(0))
          for shape in input_shapes]
    with torch.no_grad():
        want, got = model.eval()(*xs), built(*xs)
    want = want if isinstance(want, tuple) else (want,)
    got = got if isinstance(got, tuple) else (got,)
    same = len(want) == len(got) and all(
        w.shape == g.shape and torch.allclose(w, g, atol=1e-5)
        for w, g in zip(want, got, strict=True))
    if not same:
        raise FxImportError("the imported design computes something different from the "
                            "module (an op behaves differently): nothing was imported")
