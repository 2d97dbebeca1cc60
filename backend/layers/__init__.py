"""Layer registry: one `LayerSpec` per layer type (see spec.py)."""

from backend.layers.params import validate_params
from backend.layers.registry import CATEGORIES, all_specs, get_spec, layer_types
from backend.layers.spec import LayerSpec, Param, ParamError, Port, Shape, ShapeError

__all__ = [
    "CATEGORIES", "LayerSpec", "Param", "ParamError", "Port", "Shape", "ShapeError",
    "all_specs", "get_spec", "layer_types", "validate_params",
]
