"""Tracing a user's module with torch.fx and measuring every value it computes.

`trace(model)` records the forward as an fx graph (with each operation's source line) in
TRAINING mode, so layers that only act while training (dropout, noise) are part of it; the
Netwright helper classes found verbatim in exported code stay single calls. `measure(gm,
shapes)` runs the graph on random batches of two sizes and records, per node, what it
produced: a tensor's shape at both batch sizes (so a reshape that mixes samples is caught),
whether it is all zeros (initial hidden states), and plain Python values (sizes). Failures
are `FxImportError` sentences with the source line and the fix.
"""

from __future__ import annotations

import copy
import functools
import inspect
import re
from dataclasses import dataclass, field
from pathlib import Path

from backend.importer.user_code import FxImportError, user_line

HELPERS = ("Reshape", "GaussianNoise", "GlobalAvgPool", "GlobalMaxPool", "Recurrent")
BATCHES = (2, 3)
_FRAME = re.compile(r'File "(?P<file>[^"]+)", line (?P<line>\d+), in \S+\n\s*(?P<code>[^\n]*)')


@dataclass
class Meta:
    """What one fx node produced on the two example batches."""

    tensor: bool = False
    shapes: list[tuple[int, ...]] = field(default_factory=list)  # full shapes, per batch
    dtype: str = ""  # a tensor's element type ("float32", "int64", ...)
    zero: bool = False
    value: object = None  # non-tensor results (ints, tuples of ints), from the first batch
    parts: list[Meta] | None = None  # tuple results (recurrent layers)

    @property
    def sample(self) -> tuple[int, ...] | None:
        """The shape without the batch axis, when the batch really is axis 0."""
        if not self.tensor or len(self.shapes) != len(BATCHES):
            return None
        if all(s[:1] == (b,) and s[1:] == self.shapes[0][1:]
               for s, b in zip(self.shapes, BATCHES, strict=True)):
            return self.shapes[0][1:]
        return None


def is_helper(module) -> bool:
    """A class the exporter copies verbatim into exported code (so it maps back exactly)."""
    from backend.layers import modules

    name = type(module).__name__
    if name not in HELPERS:
        return False
    ours = getattr(modules, name)
    try:  # methods, not the class: a class's source needs its module in sys.modules
        return all(inspect.getsource(getattr(type(module), m)) == inspect.getsource(
            getattr(ours, m)) for m in ("__init__", "forward") if m in vars(ours))
    except (OSError, TypeError):
        return False


class Traced:
    """An fx graph of a copy of the user's module, and that copy.

    Not a GraphModule: one would refuse submodules named like its own attributes (a layer
    called `code` or `graph`), and the graph is only read and interpreted here."""

    def __init__(self, module, graph):
        self.module, self.graph = module, graph

    def get_submodule(self, target: str):
        return self.module.get_submodule(target)

    def eval(self):
        self.module.eval()
        return self


def trace(model, path: str | Path | None = None) -> Traced:
    """`model` traced in training mode (the model itself is untouched)."""
    from torch import fx

    class Tracer(fx.Tracer):
        def is_leaf_module(self, m, qualname):
            return is_helper(m) or super().is_leaf_module(m, qualname)

    work = copy.deepcopy(model).train()
    tracer = Tracer()
    tracer.record_stack_traces = True
    try:
        graph = tracer.trace(work)
    except Exception as exc:
        raise FxImportError(_trace_sentence(type(model).__name__, exc, path)) from None
    return Traced(work, graph)  # unused values are left out later, by liveness


def _trace_sentence(name: str, exc: Exception, path) -> str:
    line = user_line(exc.__traceback__, path)
    where = f" at line {line}" if line else ""
    code = _code_at(path, line)
    text = " ".join(str(exc).split())
    if "control flow" in text or "cannot be iterated" in text or "len(" in text:
        return (f"{name}.forward decides on tensor values{where}{code}: a design is a fixed "
                "graph, so data-dependent control flow cannot be imported; compute every "
                "branch with layers, or move the decision out of forward")
    return (f"torch.fx cannot follow {name}.forward{where}{code} ({type(exc).__name__}: "
            f"{text[:150]}): only forwards built from layers and tensor operations import")


def _code_at(path, line: int | None) -> str:
    if path is None or line is None:
        return ""
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()[line - 1]
    except (OSError, IndexError):
        return ""
    return f" (`{text.strip()[:80]}`)"


def source_of(node, path: str | Path | None = None) -> tuple[int | None, str]:
    """(line, code) where the user's forward performs `node`, from its stack trace."""
    frames = [f for f in _FRAME.finditer(node.stack_trace or "")
              if not f["file"].startswith(_torch_dir())]
    if not frames:
        return None, ""
    chosen = frames[-1]
    if path is not None:
        target = str(Path(path).resolve())
        mine = [f for f in frames if _same_file(f["file"], target)]
        chosen = mine[-1] if mine else chosen
    code = chosen["code"].strip()
    if path is None or not _same_file(chosen["file"], str(Path(path).resolve())):
        code = f"{Path(chosen['file']).name}: {code}"  # another file: say which
    return int(chosen["line"]), code


@functools.cache
def _torch_dir() -> str:
    import torch

    return str(Path(torch.__file__).parent)


def _same_file(name: str, target: str) -> bool:
    try:
        return str(Path(name).resolve()) == target
    except (OSError, ValueError):
        return False


_CASTS = ("long", "int", "to", "type", "contiguous")


def token_inputs(gm) -> list[int | None]:
    """Per input of forward: the vocabulary size when it feeds an nn.Embedding (so it takes
    whole-number token indices, fed to the checks as random tokens), else None."""
    from torch import nn

    def vocab(node, depth: int = 0) -> int | None:
        sizes = []
        for user in node.users:
            if user.op == "call_module" and isinstance(gm.get_submodule(user.target),
                                                       nn.Embedding):
                sizes.append(gm.get_submodule(user.target).num_embeddings)
            elif user.op == "call_method" and user.target in _CASTS and depth < 4:
                found = vocab(user, depth + 1)
                sizes += [found] if found else []
        return min(sizes) if sizes else None

    return [vocab(n) for n in gm.graph.nodes if n.op == "placeholder"]


def example_batch(shapes: list[list[int]], batch: int, seed: int,
                  vocab: list[int | None] | None = None) -> list:
    """Random inputs: normal floats, or token indices below the vocabulary size."""
    import torch

    gen = torch.Generator().manual_seed(seed)
    vocab = vocab or [None] * len(shapes)
    return [torch.randn(batch, *s, generator=gen) if v is None else
            torch.randint(0, v, (batch, *s), generator=gen) for s, v in zip(shapes, vocab,
                                                                           strict=True)]


def measure(gm, input_shapes: list[list[int]], path: str | Path | None = None,
            name: str = "the module", vocab: list[int | None] | None = None) -> dict:
    """fx node -> Meta, from running the graph (evaluation mode) on two batch sizes."""
    import torch
    from torch import fx

    metas: dict = {}

    class Recorder(fx.Interpreter):
        def run_node(self, n):
            try:
                result = super().run_node(n)
            except Exception as exc:
                raise _Failed(n, exc) from None
            _record(metas.setdefault(n, Meta()), result, torch)
            return result

    gm.eval()  # gm holds a copy of the user's module (see trace)
    for batch in BATCHES:
        xs = example_batch(input_shapes, batch, batch, vocab)
        try:
            with torch.no_grad():
                Recorder(gm.module, graph=gm.graph).run(*xs)
        except _Failed as failed:
            raise FxImportError(_shape_sentence(name, failed, input_shapes, path)) from None
    return metas


class _Failed(Exception):
    def __init__(self, node, exc: Exception):
        super().__init__(str(exc))
        self.node, self.exc = node, exc


def _record(meta: Meta, result, torch) -> None:
    if isinstance(result, torch.Tensor):
        meta.tensor = True
        meta.shapes.append(tuple(result.shape))
        meta.dtype = str(result.dtype).removeprefix("torch.")
        meta.zero = meta.zero if len(meta.shapes) > 1 else not bool(result.any())
    elif isinstance(result, tuple | list) and any(isinstance(r, torch.Tensor | tuple)
                                                  for r in result):
        if meta.parts is None:
            meta.parts = [Meta() for _ in result]
        for part, value in zip(meta.parts, result, strict=False):
            _record(part, value, torch)
    elif meta.value is None:
        meta.value = result


def _shape_sentence(name, failed: _Failed, input_shapes, path) -> str:
    line, code = source_of(failed.node, path)
    where = f" at line {line} (`{code[:80]}`)" if line else f" at {failed.node.name}"
    text = " ".join(str(failed.exc).split())[:200]
    shapes = " and ".join(",".join(str(d) for d in s) for s in input_shapes)
    return (f"the input shape {shapes} does not fit {name}: its forward fails{where} with "
            f"{type(failed.exc).__name__}: {text}; give the shape of one sample without the "
            "batch, e.g. 1,28,28 for MNIST images or 3,32,32 for CIFAR-10")
