"""Where training batches come from: device-resident tensors (fast) or a DataLoader.

Both sources draw the same seeded permutation each epoch (`torch.randperm` on a CPU
generator), so for one seed they produce identical batches in identical order; only the
mechanics differ. `TensorBatches` keeps the whole split on the device and gathers a batch
with one `index_select` per tensor (no per-sample Python, no collate, no host->device copy
in the loop). `LoaderBatches` is the idiomatic DataLoader(TensorDataset) path, used when the
data does not fit in device memory. A final batch of a single sample is dropped when the
batch size is larger (BatchNorm cannot train on one sample). A `transform` (the dataset's
input corruption for denoising) is applied to each batch's inputs on the device; targets are
never transformed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import torch
from torch.utils.data import DataLoader, Sampler, TensorDataset


def steps_per_epoch(n: int, batch_size: int) -> int:
    full, rest = divmod(n, batch_size)
    return full + (1 if rest > 1 or (rest == 1 and batch_size == 1) else 0)


class TensorBatches:
    name = "tensors"

    def __init__(self, x: torch.Tensor, y: torch.Tensor, batch_size: int,
                 device: torch.device, generator: torch.Generator,
                 transform: Callable[[torch.Tensor], torch.Tensor] | None = None) -> None:
        self.x, self.y = x.to(device), y.to(device)
        self.n, self.batch_size, self.device = len(x), batch_size, device
        self.generator, self.transform = generator, transform

    def __len__(self) -> int:
        return steps_per_epoch(self.n, self.batch_size)

    def epoch(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        perm = torch.randperm(self.n, generator=self.generator).to(self.device,
                                                                   non_blocking=True)
        transform = self.transform
        for i in range(len(self)):
            idx = perm[i * self.batch_size:(i + 1) * self.batch_size]
            xb = self.x.index_select(0, idx)
            yield (xb if transform is None else transform(xb)), self.y.index_select(0, idx)


class _Permutation(Sampler[int]):
    """One seeded permutation per epoch, drawn exactly like TensorBatches draws it."""

    def __init__(self, n: int, generator: torch.Generator) -> None:
        self.n, self.generator = n, generator

    def __len__(self) -> int:
        return self.n

    def __iter__(self):
        return iter(torch.randperm(self.n, generator=self.generator).tolist())


class LoaderBatches:
    name = "dataloader"

    def __init__(self, x: torch.Tensor, y: torch.Tensor, batch_size: int,
                 device: torch.device, generator: torch.Generator,
                 transform: Callable[[torch.Tensor], torch.Tensor] | None = None) -> None:
        pin = device.type == "cuda"
        self.transform = transform
        self.loader = DataLoader(TensorDataset(x, y), batch_size=batch_size,
                                 sampler=_Permutation(len(x), generator), pin_memory=pin)
        self.n, self.batch_size, self.device = len(x), batch_size, device

    def __len__(self) -> int:
        return steps_per_epoch(self.n, self.batch_size)

    def epoch(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        for i, (xb, yb) in enumerate(self.loader):
            if i >= len(self):
                break
            xb = xb.to(self.device, non_blocking=True)
            yield (xb if self.transform is None else self.transform(xb),
                   yb.to(self.device, non_blocking=True))


def fits_on_device(nbytes: int, device: torch.device) -> bool:
    """True when the data can live on the device with room to spare for the model."""
    if device.type != "cuda":
        return True
    free, _ = torch.cuda.mem_get_info(device)
    return nbytes < free * 0.4
