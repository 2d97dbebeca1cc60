"""torchvision's model definitions, the reference the full-size templates are checked against.

Only the pure-Python `torchvision.models` is used, with random weights (nothing is ever
downloaded). Where the torchvision wheel's compiled operators do not load against this torch
build (a CUDA wheel beside a CPU torch), its import still registers fake kernels for two of
them; `torchvision_models` declares those two operator schemas and imports it again, which is
all the model definitions need.
"""

from __future__ import annotations

import sys
from types import ModuleType

_MISSING_OPS = (
    "nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor",
    "qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor",
)
_LIBRARY = []  # keeps the fallback operator library alive


def torchvision_models() -> ModuleType:
    import torch

    try:
        import torchvision.models as models
    except RuntimeError as exc:
        if "torchvision::" not in str(exc):
            raise
        for name in [m for m in sys.modules if m.split(".")[0] == "torchvision"]:
            del sys.modules[name]
        lib = torch.library.Library("torchvision", "DEF")
        for schema in _MISSING_OPS:
            lib.define(schema)
        _LIBRARY.append(lib)
        import torchvision.models as models
    return models


def reference(name: str, num_classes: int = 1000):
    """A torchvision classifier with random weights, in eval mode."""
    models = torchvision_models()
    kwargs = {"aux_logits": False, "init_weights": False} if name == "googlenet" else {}
    return getattr(models, name)(weights=None, num_classes=num_classes, **kwargs).eval()
