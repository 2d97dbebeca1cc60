"""Reading an author's saved weights (a state_dict) for an import, without running code.

`.safetensors` files hold only tensors. `.pt` / `.pth` files are pickles: they are read with
`torch.load(weights_only=True)`, which refuses anything but tensors and plain containers, so
a hostile file cannot run code. A training checkpoint that wraps the state_dict
(`{"state_dict": ...}`, `{"model_state_dict": ...}`, `{"model": ...}`) is unwrapped.
"""

from __future__ import annotations

from pathlib import Path

from backend.importer.user_code import FxImportError

MAX_WEIGHTS_BYTES = 8 * 1024**3
_WRAPPERS = ("state_dict", "model_state_dict", "model", "net")


def read_state_dict(path: str | Path) -> dict:
    """name -> tensor from a .pt/.pth/.safetensors file; one sentence on any problem."""
    import torch

    path = Path(path)
    if not path.is_file():
        raise FxImportError(f"weights file {path} does not exist: check the path")
    if path.stat().st_size > MAX_WEIGHTS_BYTES:
        raise FxImportError(f"{path.name} is larger than 8 GB: choose the model's weights")
    try:
        if path.suffix.lower() == ".safetensors":
            from safetensors.torch import load_file

            state = load_file(str(path))
        else:
            state = torch.load(str(path), map_location="cpu", weights_only=True)
    except Exception as exc:
        first = " ".join(str(exc).split())[:150]
        raise FxImportError(f"{path.name} cannot be read as weights ({first}): give a "
                            "state_dict saved with torch.save(model.state_dict(), ...) or a "
                            ".safetensors file") from None
    for key in _WRAPPERS:
        if isinstance(state, dict) and isinstance(state.get(key), dict):
            state = state[key]
            break
    if not isinstance(state, dict) or not state or not all(
            isinstance(v, torch.Tensor) for v in state.values()):
        raise FxImportError(f"{path.name} holds no state_dict (a mapping of names to "
                            "tensors): save one with torch.save(model.state_dict(), ...)")
    return state
