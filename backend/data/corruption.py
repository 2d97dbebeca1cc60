"""Input corruption for denoising: noisy inputs, clean targets, in training and validation.

The dataset section's `corruption` (none | gaussian | masking | salt_and_pepper) and
`corruption_level` say how inputs are damaged; targets are never touched, so an autoencoder
learns noisy -> clean. Training batches get fresh noise every step (on the device, no host
round trip); the validation and test inputs are corrupted once with a seeded generator, so
their loss is the real noisy -> clean error and stays comparable from epoch to epoch.
Levels are in the units of the normalised data: the noise's standard deviation (gaussian),
or the share of values set to zero (masking) or to the data's minimum or maximum (salt and
pepper).
"""

from __future__ import annotations

from dataclasses import dataclass

CORRUPTIONS = ("none", "gaussian", "masking", "salt_and_pepper")


@dataclass(frozen=True)
class Corruption:
    kind: str = "none"
    level: float = 0.0
    low: float = 0.0  # the data's minimum and maximum (salt and pepper)
    high: float = 1.0

    @property
    def active(self) -> bool:
        return self.kind != "none" and self.level > 0

    def __call__(self, x, generator=None):
        """A corrupted copy of the float tensor `x` (same device and dtype)."""
        import torch

        if not self.active:
            return x
        if self.kind == "gaussian":
            noise = torch.randn(x.shape, generator=generator, device=x.device, dtype=x.dtype)
            return x + self.level * noise
        draw = torch.rand(x.shape, generator=generator, device=x.device, dtype=x.dtype)
        if self.kind == "masking":
            return x * (draw >= self.level)
        salt = torch.full_like(x, self.high)
        pepper = torch.full_like(x, self.low)
        return torch.where(draw < self.level / 2, pepper,
                           torch.where(draw < self.level, salt, x))


def corruption_for(options: dict, train_x) -> Corruption:
    """The corruption a dataset section asks for; `train_x` (normalised numpy) gives the range."""
    kind, level = options.get("corruption", "none"), float(options.get("corruption_level", 0))
    if kind not in CORRUPTIONS:
        from backend.data.base import DatasetError

        raise DatasetError(f"unknown corruption '{kind}': choose one of {', '.join(CORRUPTIONS)}")
    if kind == "none" or level <= 0:
        return Corruption()
    low = float(train_x.min()) if len(train_x) else 0.0
    high = float(train_x.max()) if len(train_x) else 1.0
    return Corruption(kind, level, low, high)
