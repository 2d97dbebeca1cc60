"""Memory estimated before it is spent: what a design's weights and one batch take, what this
machine (or GPU) has available, and the one sentence that refuses a design that would not fit.

Shape inference already knows every tensor, so nothing here builds a model or imports torch
(except to ask a GPU for its free memory). The figures are float32 estimates:

- weights: parameters and running statistics, 4 bytes each;
- activations of one batch: every layer's output (inside blocks too) for `batch` samples, as
  autograd keeps them for the backward pass;
- training: weights, their gradients and the optimizer's state (Adam keeps two more copies),
  the batch's activations, plus room for the gradients of the largest output.

`available_memory()` is the smaller of the operating system's available memory, the process's
memory cgroup limit, and the cap in `$NETWRIGHT_MEMORY_LIMIT` ("8GB", "512MB"). Training,
ONNX export, reading trained weights and the designer's Train button call the checks here.
"""

from __future__ import annotations

import math
import os
import re
import weakref
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import NamedTuple

from backend.graph.definition import BLOCK, BLOCK_INPUT, BLOCK_OUTPUT, uses
from backend.graph.document import GraphDocument
from backend.graph.validate import one_line
from backend.shape_blocks import is_repeated
from backend.shapes import Analysis

ENV_LIMIT = "NETWRIGHT_MEMORY_LIMIT"
FLOAT_BYTES = 4
OPTIMIZER_COPIES = {"sgd": 0, "sgd_momentum": 1, "nesterov": 1, "adagrad": 1, "adadelta": 2,
                    "rmsprop": 1, "adam": 2, "adamw": 2, "nadam": 2}
_UNITS = {"": 1, "b": 1, "k": 10**3, "kb": 10**3, "m": 10**6, "mb": 10**6, "g": 10**9,
          "gb": 10**9, "t": 10**12, "tb": 10**12, "kib": 1024, "mib": 1024**2, "gib": 1024**3,
          "tib": 1024**4}  # as `gb()` writes sizes: a cap of 8GB is told back as 8 GB


class NotEnoughMemory(ValueError):
    """A design or file needs more memory than is available; one sentence with the figures."""


# -- what is available ----------------------------------------------------------------------------
def parse_size(text: str) -> int:
    """'8GB', '512 MB', '1.5g', '4GiB', '1000000' -> bytes; ValueError with a sentence
    otherwise."""
    match = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([a-zA-Z]*)\s*", str(text))
    unit = match.group(2).lower() if match else None
    if match is None or unit not in _UNITS:
        raise ValueError(f"'{str(text)[:40]}' is not a memory size: write it like 8GB or 512MB")
    return int(float(match.group(1)) * _UNITS[unit])


def memory_cap() -> int | None:
    """The cap set in $NETWRIGHT_MEMORY_LIMIT, if any."""
    value = os.environ.get(ENV_LIMIT, "").strip()
    return parse_size(value) if value else None


def available_memory() -> int | None:
    """Bytes this process can still use (None if the system does not say and no cap is set)."""
    figures = [f for f in (_system_available(), _cgroup_available(), _address_space_left(),
                           memory_cap()) if f is not None]
    return min(figures) if figures else None


def _system_available() -> int | None:
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    if os.name == "nt":
        return _windows_available()
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        pass
    try:  # macOS has no figure for available pages here: total memory is the upper bound
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def _windows_available() -> int | None:
    import ctypes

    class Status(ctypes.Structure):
        _fields_ = [("length", ctypes.c_ulong), ("load", ctypes.c_ulong),
                    ("total", ctypes.c_ulonglong), ("available", ctypes.c_ulonglong),
                    ("page_total", ctypes.c_ulonglong), ("page_free", ctypes.c_ulonglong),
                    ("virtual_total", ctypes.c_ulonglong), ("virtual_free", ctypes.c_ulonglong),
                    ("extended", ctypes.c_ulonglong)]

    status = Status()
    status.length = ctypes.sizeof(Status)
    try:
        if ctypes.windll.kernel32.GlobalMemoryStatusEx(ctypes.byref(status)):
            return int(status.available)
    except (AttributeError, OSError):
        pass
    return None


def _cgroup_available() -> int | None:
    """Limit minus usage of the memory cgroup this process runs in (v2, then v1)."""
    for limit_file, usage_file in (("memory.max", "memory.current"),
                                   ("memory/memory.limit_in_bytes",
                                    "memory/memory.usage_in_bytes")):
        root = Path("/sys/fs/cgroup")
        try:
            limit = (root / limit_file).read_text().strip()
            usage = int((root / usage_file).read_text().strip())
        except (OSError, ValueError):
            continue
        if limit.isdigit() and int(limit) < 2**60:
            return max(0, int(limit) - usage)
    return None


def _address_space_left() -> int | None:
    """What `ulimit -v` (RLIMIT_AS) still allows this process to map."""
    try:
        import resource

        soft, _hard = resource.getrlimit(resource.RLIMIT_AS)
        if soft == resource.RLIM_INFINITY or soft <= 0:
            return None
        with open("/proc/self/status", encoding="ascii") as fh:
            used = next(int(line.split()[1]) * 1024 for line in fh if line.startswith("VmSize:"))
        return max(0, soft - used)
    except (ImportError, OSError, ValueError, StopIteration):
        return None


def gpu_free_memory(device) -> int | None:
    """Free memory of a CUDA device (None when unknown)."""
    try:
        import torch

        free, _total = torch.cuda.mem_get_info(device)
        return int(free)
    except Exception:  # no CUDA, a driver error: nothing to compare with
        return None


def gb(nbytes: float) -> str:
    """'14.4 GB', '230 MB', '12 KB' (powers of 1000, as people read disk and memory sizes)."""
    for unit, size in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if nbytes >= size:
            value = nbytes / size
            return f"{value:.3g} {unit}" if value < 1000 else f"{value:,.0f} {unit}"
    return f"{int(nbytes)} bytes"


def require_memory(nbytes: int, what: str, error=None) -> None:
    """Refuse (NotEnoughMemory, or `error`) when `nbytes` exceed the memory available."""
    available = available_memory()
    if available is not None and nbytes > available:
        raise (error or NotEnoughMemory)(
            f"{what} take {gb(nbytes)}; {_machine(available)}: use a machine with more "
            f"memory{_cap_hint()}")


def _machine(available: int) -> str:
    cap = memory_cap()
    if cap is not None and cap <= available:
        return f"the memory limit (${ENV_LIMIT}) is {gb(cap)}"
    return f"this machine has {gb(available)} available"


def _cap_hint() -> str:
    return f" or raise ${ENV_LIMIT}" if memory_cap() is not None else ""


# -- what a design needs ----------------------------------------------------------------------
class LayerSize(NamedTuple):  # a tuple: a design of thousands of layers is sized per edit
    name: str  # title at the top level, module path inside blocks
    type: str
    outputs: int  # values per sample
    weights: int  # parameters and running statistics


@dataclass(frozen=True)
class Estimate:
    layers: tuple[LayerSize, ...]
    batch: int
    optimizer_copies: int

    @cached_property  # an estimate is never changed once made; thousands of layers are summed
    def weight_bytes(self) -> int:
        return sum(x.weights for x in self.layers) * FLOAT_BYTES

    @cached_property
    def activation_bytes(self) -> int:
        """One batch's layer outputs."""
        return sum(x.outputs for x in self.layers) * self.batch * FLOAT_BYTES

    @cached_property
    def training_bytes(self) -> int:
        biggest = max((x.outputs for x in self.layers), default=0) * self.batch * FLOAT_BYTES
        return (self.weight_bytes * (2 + self.optimizer_copies) + self.activation_bytes
                + 2 * biggest)

    @property
    def inference_bytes(self) -> int:
        return self.weight_bytes + self.activation_bytes

    @property
    def export_bytes(self) -> int:
        """An ONNX export: the model, the traced program's copy and the file being built."""
        return 3 * self.weight_bytes + self.activation_bytes

    def need(self, purpose: str) -> int:
        return {"training": self.training_bytes, "inference": self.inference_bytes,
                "export": self.export_bytes}[purpose]

    def largest(self) -> tuple[LayerSize, str, int] | None:
        """(layer, 'weights' | 'outputs', bytes) of the single biggest figure."""
        best = None
        for layer in self.layers:
            for kind, size in (("weights", layer.weights * FLOAT_BYTES),
                               ("outputs", layer.outputs * self.batch * FLOAT_BYTES)):
                if best is None or size > best[2]:
                    best = (layer, kind, size)
        return best


def estimate(doc: GraphDocument, analysis: Analysis, batch: int = 1,
             optimizer: str = "adam") -> Estimate:
    """The sizes of every layer (inside blocks, each copy) from the analysis alone."""
    layers = _sizes(doc, analysis)
    return Estimate(layers, max(1, batch), OPTIMIZER_COPIES.get(optimizer, 2))


class _Sized(NamedTuple):
    doc: weakref.ref
    analysis: weakref.ref
    layers: tuple[LayerSize, ...]
    by_node: dict[str, LayerSize] | None  # for a design without blocks


_LAST: list[_Sized] = []  # the last analysis sized: the Summary and the Training settings both
# size the design after each edit, and the next edit changes only a few layers of it


def _sizes(doc: GraphDocument, analysis: Analysis) -> tuple[LayerSize, ...]:
    """The sizes of `analysis`'s layers; after an edit of a design without blocks only the
    layers inferred again are sized again (an analysis is never changed once made)."""
    from backend.module_paths import module_paths

    last = _LAST[0] if _LAST and _LAST[0].doc() is doc else None
    if last is not None and last.analysis() is analysis:
        return last.layers
    if doc.blocks or any(n.type == BLOCK for n in doc.nodes.values()):
        paths = module_paths(doc, analysis) if doc.blocks else {}
        _LAST[:] = [_Sized(weakref.ref(doc), weakref.ref(analysis),
                           tuple(_layers(doc, analysis, "", doc.root.blocks, paths)), None)]
        return _LAST[0].layers
    known = {}
    if (last is not None and last.by_node is not None and analysis.changed is not None
            and analysis.base is not None and analysis.base() is last.analysis()):
        known = last.by_node
    changed = analysis.changed or set()
    by_node = {}
    for nid in analysis.order:
        size = known.get(nid) if nid not in changed else None
        if size is None:
            size = next(_layers(doc, analysis, "", {}, {}, (nid,)), None)
        if size is not None:
            by_node[nid] = size
    _LAST[:] = [_Sized(weakref.ref(doc), weakref.ref(analysis), tuple(by_node.values()),
                       by_node)]
    return _LAST[0].layers


def _layers(graph: GraphDocument, analysis: Analysis, prefix: str, blocks: dict, paths: dict,
            order=None):
    nodes, shapes, counts, states = graph.nodes, analysis.shapes, analysis.counts, \
        analysis.states
    for nid in analysis.order if order is None else order:
        node = nodes.get(nid)
        if node is None or node.type in (BLOCK_INPUT, BLOCK_OUTPUT):
            continue
        key = f"{prefix}/{nid}" if prefix else nid
        if node.type == BLOCK and uses(node.params) in blocks:
            body = blocks[uses(node.params)].graph
            for k, run in enumerate(analysis.instances.get(nid, [])):
                here = f"{key}/{k}" if is_repeated(node.params) else key
                yield from _layers(body, run, here, blocks, paths)
            continue
        shape = shapes.get(nid)
        outputs = _values(shape) if shape is not None else 0
        weights = counts.get(nid, 0) + states.get(nid, 0)
        name = paths.get(key, key) if prefix else (one_line(str(node.title)) or nid)
        yield LayerSize(name, node.type, outputs, int(weights))


@lru_cache(maxsize=4096)  # a big design repeats a few shapes thousands of times
def _values(shape: tuple) -> int:
    return int(math.prod(shape))


def design_estimate(doc: GraphDocument, analysis: Analysis) -> Estimate:
    """The estimate for the design's own batch size and optimizer (defaults where its training
    settings are refused)."""
    from backend.training.config import ConfigError, TrainingConfig

    try:
        config = TrainingConfig.from_section(doc.sections.get("training"))
    except (ConfigError, ValueError, TypeError):
        config = TrainingConfig()
    return estimate(doc, analysis, config.batch_size, config.optimizer)


def memory_lines(est: Estimate) -> list[str]:
    """The summary's memory figures, one line, and whether this machine has room for them."""
    line = (f"Memory: weights {gb(est.weight_bytes)}; activations of one batch of {est.batch}: "
            f"{gb(est.activation_bytes)}; training needs about {gb(est.training_bytes)}")
    available = available_memory()
    if available is not None:
        line += f" ({gb(available)} available)"
    return [line]


def memory_json(est: Estimate) -> dict:
    return {"weights_bytes": est.weight_bytes, "batch": est.batch,
            "activation_bytes": est.activation_bytes, "training_bytes": est.training_bytes,
            "available_bytes": available_memory()}


_FIX = {"Dense": "reduce its units or flatten less into it",
        "Embedding": "reduce its vocabulary or dimension",
        "Input": "reduce the input shape",
        "Conv1d": "reduce its filters or the size of its input",
        "Conv2d": "reduce its filters or the size of its input",
        "ConvTranspose2d": "reduce its filters or its stride",
        "UpSampling2d": "reduce its scale factor",
        "LSTM": "reduce its units or layers", "GRU": "reduce its units or layers",
        "SimpleRNN": "reduce its units or layers"}


def check_fits(est: Estimate, purpose: str = "training", available: int | None = None,
               where: str | None = None) -> None:
    """Raise NotEnoughMemory naming the largest layer when `purpose` ("training", "inference"
    or "export") needs more than `available` (default: this machine's available memory)."""
    need = est.need(purpose)
    if available is None:
        available = available_memory()
        if available is not None and where is None:
            where = _machine(available)
    if available is None or need <= available:
        return
    where = where or f"this machine has {gb(available)} available"
    layer, kind, size = est.largest() or (LayerSize("?", "?", 0, 0), "weights", 0)
    what = f"{layer.type} '{layer.name}'"
    if kind == "weights":
        head = f"{what} needs {gb(size)} of weights"
        fix = _FIX.get(layer.type, "make it smaller")
    else:
        head = f"{what} outputs {gb(size)} for a batch of {est.batch}"
        fix = (f"{_FIX.get(layer.type, 'make its output smaller')} or lower the batch size"
               if purpose == "training" else _FIX.get(layer.type, "make its output smaller"))
    verb = {"training": "training would need", "inference": "running it needs",
            "export": "exporting it needs"}[purpose]
    raise NotEnoughMemory(f"{head}; {where}, {verb} about {gb(need)}: {fix}{_cap_hint()}")


def check_training(doc: GraphDocument, batch: int, optimizer: str, device=None,
                   analysis: Analysis | None = None) -> Estimate:
    """Refuse a training run that would not fit: on a GPU its free memory, else this machine's
    (the weights are built on the host first, so they must fit there too)."""
    from backend.shapes import analyse

    est = estimate(doc, analysis or analyse(doc), batch, optimizer)
    if device is not None and getattr(device, "type", str(device)) == "cuda":
        free = gpu_free_memory(device)
        if free is not None:
            check_fits(est, "training", free, f"the GPU has {gb(free)} free")
        host = Estimate(est.layers, 0, 0)  # weights only
        check_fits(host, "inference")
        return est
    check_fits(est, "training")
    return est
