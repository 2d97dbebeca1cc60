"""Design -> one ONNX file with a dynamic batch dimension, verified after writing.

The model is built exactly as for training (weights loaded when given), exported with
`torch.onnx.export` into a single file (no external data), checked with `onnx.checker`, and
run through onnxruntime on a batch of a different size than the one traced: the report says
how far its outputs are from torch's. The file is written to a temp name and renamed, so a
failed export leaves no half-written file behind.
"""

from __future__ import annotations

import contextlib
import glob
import io
import logging
from dataclasses import dataclass
from pathlib import Path

from backend.graph.document import GraphDocument
from backend.graph.naming import attribute_names
from backend.graph.traverse import model_arguments, model_outputs
from backend.project.atomic import check_target, commit, remove_orphans, save_error, temp_path

TOLERANCE = 1e-4
ONNX_MAX_BYTES = 2 * 1024**3 - 64 * 1024**2  # protobuf's 2 GB, less room for the graph


class OnnxExportError(ValueError):
    """The design could not be exported to ONNX; one sentence with the reason."""


@dataclass(frozen=True)
class OnnxReport:
    path: Path
    max_abs_diff: float  # onnxruntime vs torch on a fresh batch
    batch_checked: int
    opset: int

    @property
    def ok(self) -> bool:
        return self.max_abs_diff <= TOLERANCE


def example_inputs(doc: GraphDocument, batch: int, seed: int = 0) -> list:
    """Random inputs of the design's input shapes (class indices for int64 inputs); a Graph
    input gives features for `batch` nodes and a random adjacency between them."""
    import torch

    from backend.shapes import analyse

    analysis = analyse(doc)
    gen = torch.Generator().manual_seed(seed)
    out = []
    for nid, port in model_arguments(doc):
        if port == "adj":
            upper = torch.triu((torch.rand(batch, batch, generator=gen) < 0.5).float(), 1)
            out.append(upper + upper.T)
            continue
        shape = (batch, *analysis.shapes[nid])
        if doc.nodes[nid].params.get("dtype") == "int64":
            out.append(torch.randint(0, 2, shape, generator=gen))
        else:
            out.append(torch.randn(shape, generator=gen))
    return out


def export_onnx(doc: GraphDocument, path: str | Path, weights: bytes | None = None,
                verify: bool = True, backup: bool = False) -> OnnxReport:
    """Write `doc` as ONNX to `path` (an existing file kept as NAME.bak with `backup`); raises
    OnnxExportError, NotEnoughMemory or a BuildError with the reason."""
    from backend.build import build_model
    from backend.export.weights import load_into
    from backend.memory import check_fits, estimate, gb
    from backend.shapes import analyse

    path = Path(path)
    sizes = estimate(doc, analyse(doc), batch=3)  # the batch checked below
    if sizes.weight_bytes > ONNX_MAX_BYTES:
        raise OnnxExportError(f"the design's weights take {gb(sizes.weight_bytes)}, more than "
                              "the 2 GB an ONNX file holds in one piece: export Python instead")
    check_fits(sizes, "export")
    model = build_model(doc).eval()
    if weights is not None:
        load_into(model, weights)
    names = attribute_names(doc)
    input_names = _input_names(doc, names)
    output_names = [names[o] for o in model_outputs(doc)]
    square = [port == "adj" for _, port in model_arguments(doc)]
    check_target(path)
    remove_orphans(path)
    tmp = temp_path(path)
    try:
        _export(model, example_inputs(doc, 4 if any(square) else 2), tmp, input_names,
                output_names, square)
        report = _verify(model, doc, tmp, input_names) if verify else None
        commit(tmp, path, backup)
    except OSError as exc:
        raise save_error(path, exc) from None
    finally:
        tmp.unlink(missing_ok=True)
        for extra in path.parent.glob(f"{glob.escape(tmp.name)}*"):
            extra.unlink(missing_ok=True)
    if report is None:
        return OnnxReport(path, float("nan"), 0, _opset(path))
    return OnnxReport(path, report[0], report[1], report[2])


def onnx_files(doc: GraphDocument, path: str | Path) -> list[tuple[str, Path]]:
    """(part, file) for every network and part a design exports: the whole model at `path`;
    an autoencoder's encoder and decoder, a GAN's generator and discriminator beside it as
    NAME-encoder.onnx, NAME-generator.onnx, ..."""
    from backend.shapes import analyse
    from backend.training.recipes.parts import design_parts

    path = Path(path)
    parts = design_parts(doc, analyse(doc))
    return [(part.role, path if part.role == "model" else
             path.with_name(f"{path.stem}-{part.role}{path.suffix}")) for part in parts]


def export_onnx_parts(doc: GraphDocument, path: str | Path, weights: bytes | None = None,
                      backup: bool = False) -> list[tuple[str, OnnxReport]]:
    """Write every part of `onnx_files` (each verified); the trained weights are split by
    name, so each part gets exactly its own layers' weights."""
    from backend.shapes import analyse
    from backend.training.recipes.parts import design_parts

    parts = design_parts(doc, analyse(doc))
    if len(parts) == 1:
        return [("model", export_onnx(doc, path, weights, backup=backup))]
    state = _decoded(weights)
    reports = []
    for (role, file), part in zip(onnx_files(doc, path), parts, strict=True):
        reports.append((role, export_onnx(part.doc, file, _part_weights(part, state),
                                          backup=backup)))
    return reports


def _decoded(weights: bytes | None) -> dict | None:
    from backend.export.weights import decode_weights

    return None if weights is None else decode_weights(weights)


def _part_weights(part, state: dict | None) -> bytes | None:
    """The part's own tensors from the whole design's state (its prefix removed)."""
    from backend.export.weights import encode_weights

    if state is None:
        return None
    names = set(attribute_names(part.doc).values())
    own = {key[len(part.prefix):]: value for key, value in state.items()
           if key.startswith(part.prefix)}
    return encode_weights({k: v for k, v in own.items() if k.split(".", 1)[0] in names})


def _exportable(model):
    """The model, wrapped when a layer name clashes with a torch.fx GraphModule attribute
    (a layer called 'code' or 'graph' breaks torch.export's decomposition step)."""
    from torch import fx, nn

    if not any(hasattr(fx.GraphModule, name) for name, _ in model.named_children()):
        return model

    class Wrapped(nn.Module):
        def __init__(self, net):
            super().__init__()
            self.net = net

        def forward(self, *xs):
            return self.net(*xs)

    return Wrapped(model).eval()


def _input_names(doc: GraphDocument, names: dict) -> list[str]:
    """One name per model argument: the Input's name; a Graph input's x and adj (as the
    exported Python names them)."""
    from backend.codegen.body import _graph_argument

    return [names[nid] if port == "out" else _graph_argument(names[nid], port, names)
            for nid, port in model_arguments(doc)]


def _dynamic_shapes(model, square: list[bool]) -> dict:
    """A dynamic batch dimension for every input, keyed like the forward signature; both
    dimensions of a graph's adjacency follow the number of nodes."""
    import inspect

    import torch

    batch = torch.export.Dim("batch", min=1 if not any(square) else 2)
    dims = [{0: batch, 1: batch} if sq else {0: batch} for sq in square]
    params = list(inspect.signature(model.forward).parameters.values())
    if params and params[0].kind is inspect.Parameter.VAR_POSITIONAL:
        return {params[0].name: tuple(dims)}
    return {p.name: d for p, d in zip(params, dims, strict=False)}


def _export(model, inputs, tmp: Path, input_names, output_names,
            square: list[bool] | None = None) -> None:
    import torch

    model = _exportable(model)
    dynamic = _dynamic_shapes(model, square or [False] * len(inputs))
    logging.getLogger("torch.onnx").setLevel(logging.ERROR)
    sink = io.StringIO()
    try:
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            torch.onnx.export(model, tuple(inputs), str(tmp), input_names=input_names,
                              output_names=output_names, dynamic_shapes=dynamic,
                              external_data=False, verbose=False)
    except Exception as exc:
        first = str(exc).strip().split("\n")[0][:200]
        raise OnnxExportError(f"ONNX export failed ({type(exc).__name__}: {first}): export "
                              "Python instead, or simplify the layers named there") from None


def _verify(model, doc, tmp: Path, input_names) -> tuple[float, int, int]:
    import numpy as np
    import onnx
    import onnxruntime as ort
    import torch

    proto = onnx.load(str(tmp))
    onnx.checker.check_model(proto, full_check=True)
    batch = 7 if any(port == "adj" for _, port in model_arguments(doc)) else 3
    inputs = example_inputs(doc, batch, seed=1)
    session = ort.InferenceSession(str(tmp), providers=["CPUExecutionProvider"])
    got = session.run(None, {n: x.numpy() for n, x in zip(input_names, inputs, strict=True)})
    with torch.no_grad():
        want = model(*inputs)
    want = want if isinstance(want, tuple) else (want,)
    diff = max(float(np.max(np.abs(g - w.numpy()))) if g.size else 0.0
               for g, w in zip(got, want, strict=True))
    return diff, batch, _proto_opset(proto)


def _proto_opset(proto) -> int:
    return max((o.version for o in proto.opset_import if o.domain in ("", "ai.onnx")),
               default=0)


def _opset(path: Path) -> int:
    import onnx

    return _proto_opset(onnx.load(str(path)))
