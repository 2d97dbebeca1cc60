"""The layer registry: every layer type Netwright knows, keyed by its type name.

Layer modules call `register` at import; `load_all` imports them once. Categories are listed
in the order the palette shows them.
"""

from __future__ import annotations

from backend.layers.spec import LayerSpec

CATEGORIES = (
    "input", "core", "convolution", "pooling", "normalisation", "regularisation",
    "activation", "merge", "recurrent", "generative", "graph", "block",
)
RESERVED_TYPES = ("Block",)  # a node using a block definition (backend/graph/definition.py)

_REGISTRY: dict[str, LayerSpec] = {}
_LOADED = False


def register(spec: LayerSpec) -> LayerSpec:
    if spec.type in _REGISTRY or spec.type in RESERVED_TYPES:
        raise ValueError(f"layer type {spec.type!r} registered twice")
    if spec.category not in CATEGORIES:
        raise ValueError(f"layer {spec.type!r} has unknown category {spec.category!r}")
    _REGISTRY[spec.type] = spec
    return spec


def load_all() -> None:
    global _LOADED
    if _LOADED:
        return
    _LOADED = True
    from backend.layers import (  # noqa: F401  (imported for their register() calls)
        activation,
        block_ports,
        conv,
        core,
        generative,
        graph,
        merge,
        norm,
        pool,
        recurrent,
        regularisation,
    )


def get_spec(layer_type: str) -> LayerSpec | None:
    load_all()
    return _REGISTRY.get(layer_type)


def all_specs() -> list[LayerSpec]:
    load_all()
    order = {c: i for i, c in enumerate(CATEGORIES)}
    return sorted(_REGISTRY.values(), key=lambda s: (order[s.category], s.type))


def layer_types() -> list[str]:
    return [s.type for s in all_specs()]
