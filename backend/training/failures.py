"""Turning what goes wrong during a run into one sentence for the user, with the fix.

Non-finite losses name the step; running out of memory names the device, the batch size, the
layer it ran out in and the design's largest layer; an exception inside a layer (in a step,
in validation, in a probe) is traced to the design node that raised it from its traceback (the
innermost node module on the call stack), else by re-running the failing batch with hooks on
every node's module: only after a failure, so the steps themselves carry no hooks or checks.
`run_failure` turns any exception of a running run into its `RunFinished("error", sentence,
node=...)`;
`label_problem` finds class labels the output layer cannot score before the first step.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from backend.training.probes import node_modules

EXPLOSION = 1e4  # a loss this many times its first value (and above this) has diverged


def diverged(value: float, initial: float | None) -> bool:
    """NaN/inf, or exploded far beyond where training began."""
    if not math.isfinite(value):
        return True
    return initial is not None and value > EXPLOSION * max(initial, 1.0)


class NonFiniteLoss(RuntimeError):
    """The loss diverged (NaN, infinite, or exploded) at a known step."""

    def __init__(self, step: int, value: float, lr: float, clipped: bool,
                 initial: float | None = None, what: str = "loss") -> None:
        fix = (f"lower the learning rate (now {lr:g})" +
               ("" if clipped else " or turn on gradient clipping (clip_norm)"))
        name = what
        if math.isfinite(value):
            what = f"exploded to {value:.3g} (it began at {initial:.3g})"
        else:
            what = "became NaN" if value != value else "became infinite"
        super().__init__(f"the {name} {what} at step {step}: {fix}")
        self.step = step


def is_out_of_memory(exc: BaseException) -> bool:
    if isinstance(exc, torch.OutOfMemoryError | MemoryError):
        return True
    text = str(exc).lower()
    return "out of memory" in text or "can't allocate memory" in text


def out_of_memory_message(device: torch.device, batch_size: int, at: str | None = None,
                          largest: str | None = None) -> str:
    """`at`: the layer the memory ran out in ("Dense 'fc1'"); `largest`: the design's
    biggest figure ("Conv2d 'c1' outputs 1.2 GB for a batch of 64")."""
    where = "GPU" if device.type == "cuda" else "main"
    place = f" in layer {at}" if at else ""
    fix = "use a smaller batch size"
    fix += f" or make the largest layer smaller ({largest})" if largest else \
        " (or a smaller model)"
    return f"the run ran out of {where} memory{place} with batch size {batch_size}: {fix}"


def largest_layer(setup, batch_size: int, optimizer: str) -> str | None:
    """The design's biggest weights or batch output in words, from the shape analysis."""
    if setup.design is None or setup.analysis is None:
        return None
    from backend.memory import estimate, gb

    try:
        found = estimate(setup.design, setup.analysis, batch_size, optimizer).largest()
    except Exception:  # the estimate is a hint; the sentence stands without it
        return None
    if found is None or not found[2]:
        return None
    layer, kind, size = found
    what = f"{layer.type} '{layer.name}'"
    return (f"{what} holds {gb(size)} of weights" if kind == "weights"
            else f"{what} outputs {gb(size)} for a batch of {batch_size}")


def first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:300]


def trace_node(model: nn.Module, *xs: torch.Tensor) -> str | None:
    """Re-run `xs` and return the node id whose module raises (None if none does)."""
    entered: list[str] = []
    finished: set[str] = set()
    hooks = []
    for nid, module in node_modules(model).items():
        hooks.append(module.register_forward_pre_hook(
            lambda m, i, nid=nid: entered.append(nid)))
        hooks.append(module.register_forward_hook(
            lambda m, i, o, nid=nid: finished.add(nid)))
    try:
        with torch.no_grad():
            model(*xs)
    except Exception:  # the error we are looking for
        failing = [nid for nid in entered if nid not in finished]
        return failing[-1] if failing else None
    finally:
        for h in hooks:
            h.remove()
    return None


def layer_message(node: str, label: str, exc: BaseException) -> str:
    text = first_line(exc)
    lowered = text.lower()
    what = ("the element type (dtype) of what flows into it" if "scalar type" in lowered
            or "dtype" in lowered else "the shape of what flows into it")
    return f"layer {label} failed at run time ({text}): check its parameters and {what}"


def loss_message(loss: str, out_shape: tuple, target_shape: tuple, exc: BaseException) -> str:
    return (f"the loss '{loss}' cannot compare the model's output {tuple(out_shape)} with "
            f"targets {tuple(target_shape)} ({first_line(exc)}): choose a loss that fits the "
            "task or change the output layer")


def node_in_traceback(exc: BaseException, networks) -> str | None:
    """The innermost design node whose module was running when `exc` was raised (its
    traceback passes through the module's call), without running anything again."""
    ids = {}
    for net in networks:
        ids.update({id(m): nid for nid, m in node_modules(net).items()})
    found, tb = None, exc.__traceback__
    while tb is not None:
        me = tb.tb_frame.f_locals.get("self")
        if me is not None and id(me) in ids:
            found = ids[id(me)]
        tb = tb.tb_next
    return found


def run_failure(setup, config, exc: BaseException):
    """The RunFinished of a run that raised `exc` mid-way: one sentence, and the node when
    the exception came from inside a layer (a training step, validation or a probe)."""
    from backend.training.events import RunFinished
    from backend.training.recipes.run import LayerFailure

    cause = exc.__cause__ if isinstance(exc, LayerFailure) and exc.__cause__ else exc
    networks = [setup.model, *setup.networks.values()]
    node = node_in_traceback(cause, networks)
    if node is None and isinstance(exc, LayerFailure) and not is_out_of_memory(exc):
        try:  # the module raised outside its own call (a replaced forward): run it again
            node = trace_node(exc.network, *exc.inputs)
        except Exception:  # tracing is best effort: the sentence stands without the node
            node = None
    label = setup.labels.get(node, f"'{node}'") if node else None
    if is_out_of_memory(exc):
        message = out_of_memory_message(setup.device, config.batch_size, label,
                                        largest_layer(setup, config.batch_size,
                                                      config.optimizer))
    elif node is not None or isinstance(exc, LayerFailure):
        message = layer_message(node, label or "of the model", cause)
    else:
        message = first_line(exc)
    return RunFinished("error", message, node=node)


def label_problem(y, scores: int, where: str) -> str | None:
    """The first class label in `y` (one split's targets, numpy) that an output of `scores`
    units cannot score: a negative one, one of `scores` or more, or a fraction. None when
    all fit."""
    import numpy as np

    y = np.asarray(y)
    if y.ndim != 1 or not len(y) or scores < 1 or y.dtype.kind not in "iuf":
        return None
    fraction = (y != np.round(y)) if y.dtype.kind == "f" else np.zeros(len(y), bool)
    bad = np.flatnonzero(fraction | (y < 0) | (y >= scores) | ~np.isfinite(y))
    if not len(bad):
        return None
    i, value = int(bad[0]), y[int(bad[0])]
    if fraction[i] or not np.isfinite(value):
        return (f"{where} sample {i} has label {value:g}, not a whole number: class labels "
                f"are 0 to {scores - 1} (set the task to regression if it is a quantity)")
    return (f"{where} sample {i} has label {value:g}, but the output gives {scores} class "
            f"scores (labels 0 to {scores - 1}): correct the labels or give the output "
            f"{max(int(np.nanmax(y)), scores - 1) + 1} units")
