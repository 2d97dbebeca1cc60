"""Turning what goes wrong during a run into one sentence for the user, with the fix.

Non-finite losses name the step; running out of memory names the device and the batch size;
an exception inside a layer is traced to the design node that raised it by re-running the
failing batch with hooks on every node's module.
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


def out_of_memory_message(device: torch.device, batch_size: int) -> str:
    where = "GPU" if device.type == "cuda" else "main"
    return (f"the run ran out of {where} memory with batch size {batch_size}: use a smaller "
            "batch size (or a smaller model)")


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
    return (f"layer {label} failed at run time ({first_line(exc)}): check its parameters "
            "and the shape of what flows into it")


def loss_message(loss: str, out_shape: tuple, target_shape: tuple, exc: BaseException) -> str:
    return (f"the loss '{loss}' cannot compare the model's output {tuple(out_shape)} with "
            f"targets {tuple(target_shape)} ({first_line(exc)}): choose a loss that fits the "
            "task or change the output layer")
