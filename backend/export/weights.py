"""Trained weights as safetensors bytes: encode, decode, load into a model, write to a file.

safetensors holds only tensors (no pickle), so reading a user's file can never run code.
torch is imported only inside these functions.
"""

from __future__ import annotations

from pathlib import Path

from backend.project.archive import atomic_save
from backend.project.safe import ProjectFileError, check_safetensors


class WeightsError(ValueError):
    """Weights do not fit a model; the message says which tensors differ and what to do."""


def encode_weights(state_dict: dict, metadata: dict[str, str] | None = None) -> bytes:
    """safetensors bytes of a state_dict (tensors copied to the CPU, made contiguous)."""
    from safetensors.torch import save

    tensors = {k: v.detach().to("cpu").contiguous().clone() for k, v in state_dict.items()}
    return save(tensors, metadata={str(k): str(v) for k, v in (metadata or {}).items()})


def model_weights(model, metadata: dict[str, str] | None = None) -> bytes:
    return encode_weights(model.state_dict(), metadata)


def decode_weights(raw: bytes, source: str = "the weights") -> dict:
    """name -> tensor; the header is checked first, so a broken blob gives one sentence."""
    from safetensors.torch import load

    check_safetensors(raw, source)
    try:
        return load(raw)
    except Exception as exc:  # safetensors raises its own error types
        raise ProjectFileError(f"{source} cannot be read ({str(exc)[:100]}): the file is "
                               "damaged") from None


def load_into(model, raw: bytes, source: str = "the weights") -> None:
    """Load safetensors bytes into `model`, refusing any missing, extra or misshapen tensor."""
    tensors = decode_weights(raw, source)
    own = model.state_dict()
    missing = sorted(set(own) - set(tensors))
    extra = sorted(set(tensors) - set(own))
    wrong = sorted(k for k in set(own) & set(tensors) if tuple(own[k].shape)
                   != tuple(tensors[k].shape))
    if missing or extra or wrong:
        parts = []
        if missing:
            parts.append(f"missing {', '.join(missing[:3])}")
        if extra:
            parts.append(f"unexpected {', '.join(extra[:3])}")
        if wrong:
            k = wrong[0]
            parts.append(f"{k} is {tuple(tensors[k].shape)} but the design needs "
                         f"{tuple(own[k].shape)}")
        raise WeightsError(f"{source} do not fit this design ({'; '.join(parts)}): train the "
                           "design again or open the design these weights belong to")
    model.load_state_dict(tensors)


def write_weights(path: str | Path, raw: bytes, backup: bool = False) -> None:
    """Write safetensors bytes atomically (with `backup`, a replaced file is kept as .bak)."""
    check_safetensors(raw, "the weights")
    atomic_save(Path(path), lambda tmp: tmp.write_bytes(raw), backup=backup)
