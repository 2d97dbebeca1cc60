"""The layer specification: one declaration per layer type.

A `LayerSpec` is the single source of truth that the palette, the inspector, shape inference,
the model builder and the Python exporter all read. Shapes exclude the batch dimension, which
is always symbolic ("B"); a shape rule receives the input shapes in port order and the node's
validated params and returns the output shape, or raises `ShapeError` with a sentence that
says what is wrong and how to fix it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Shape = tuple[int, ...]


class ShapeError(ValueError):
    """A node cannot produce an output for the shapes it receives; the message has the fix."""


class ParamError(ValueError):
    """A parameter value is invalid; the message says which values are allowed."""


@dataclass(frozen=True)
class Param:
    """One entry of a layer's parameter schema.

    kind is one of: int, float, bool, choice, str, size (int or [h, w]), shape (list of ints),
    padding ('valid', 'same', an int or [h, w]).
    """

    name: str
    kind: str
    default: Any
    doc: str
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] = ()
    exclusive_max: bool = False
    label: str = ""
    empty: bool = False  # a shape that may be [] (Reshape to one number per sample)

    @property
    def display(self) -> str:
        return self.label or self.name.replace("_", " ")


@dataclass(frozen=True)
class Port:
    """An input port. `multi` ports take any number of wires (at least `min_wires`).

    `kind` is what the port takes when it is not ordinary data (backend/kinds.py): "nodes"
    (a graph's node features) or "adjacency" (the graph's adjacency)."""

    name: str = "in"
    multi: bool = False
    min_wires: int = 1
    optional: bool = False
    kind: str = ""


@dataclass(frozen=True)
class CodeForm:
    """How the Python exporter writes a layer.

    init: `nn.X(...)` expression for __init__, or None when the layer needs no module.
    forward: format string over `{self}` (the attribute, e.g. `self.conv1`) and `{x}` (the
    first input variable) or `{xs}` (all inputs, comma separated).
    helpers: names of helper classes (from backend.layers.modules) the code needs.
    post: statements run after the module is created (weight init), over `{self}`.
    """

    init: str | None
    forward: str = "{self}({x})"
    helpers: tuple[str, ...] = ()
    post: tuple[str, ...] = ()


@dataclass(frozen=True)
class LayerSpec:
    type: str
    category: str
    description: str
    params: tuple[Param, ...]
    shape_rule: Callable[[list[Shape], dict], Shape]
    build: Callable[[dict, list[Shape]], Any]
    code: Callable[[dict, list[Shape]], CodeForm]
    inputs: tuple[Port, ...] = (Port(),)
    outputs: tuple[str, ...] = ("out",)
    param_count: Callable[[dict, list[Shape]], int] = field(default=lambda p, s: 0)
    # buffer name -> number of values the built module keeps besides its parameters
    # (BatchNorm's running_mean, running_var and its num_batches_tracked counter)
    buffers: Callable[[dict, list[Shape]], dict[str, int]] = field(default=lambda p, s: {})
    check: Callable[[dict], None] | None = None
    doc: str = ""
    # what each output port carries when the layer changes it (backend/kinds.py): "nodes",
    # "adjacency", "pairs" (scores of node pairs) or "graphs"; empty: what its inputs carry
    output_kinds: tuple[str, ...] = ()

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(name)

    def defaults(self) -> dict:
        return {p.name: _copy(p.default) for p in self.params}

    def input_port(self, name: str) -> Port | None:
        return next((p for p in self.inputs if p.name == name), None)


def _copy(value: Any) -> Any:
    return list(value) if isinstance(value, list) else value
