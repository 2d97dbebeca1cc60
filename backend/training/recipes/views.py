"""Live views of the generative recipes, as watchers: reconstructions beside their inputs,
the code layer in 2-D, and a VAE's decoded traversal over two latent dimensions.

All of them run the network in evaluation mode on a fixed set of validation samples (or fixed
codes), so successive pictures differ only because the network learned. Each sends numpy
arrays in the normalised data's units; the views scale them for display.
"""

from __future__ import annotations

import math
import time

import numpy as np
import torch

from backend.training import events as ev
from backend.training.probes import node_modules
from backend.training.watchers import Watcher

SAMPLES = 8  # reconstructions shown
GRID = 8  # traversal grid: GRID × GRID decoded codes
SPAN = 2.5  # traversal from -SPAN to SPAN standard deviations of the prior


class _Every(Watcher):
    """Throttle: `live` runs `emit` every `every_s` seconds; epoch ends always do."""

    def __init__(self, every_s: float) -> None:
        self.every_s, self.t_last = every_s, -math.inf

    def live(self, trainer, now, force):
        if self.every_s <= 0 or not (force or now - self.t_last >= self.every_s):
            return
        self.t_last = now
        yield from self.emit(trainer)

    def epoch_end(self, trainer, val):
        self.update(val)
        yield from self.live(trainer, time.monotonic(), force=True)

    def update(self, val: dict) -> None:
        """Take what the validation found (e.g. the KL per dimension)."""

    def emit(self, trainer):
        raise NotImplementedError


def fixed_samples(setup, count: int) -> tuple[torch.Tensor, torch.Tensor, np.ndarray | None]:
    """(inputs as the network sees them, clean targets, class labels) of the first `count`
    validation samples (training samples when there is no validation split)."""
    x, y = setup.val
    split = setup.splits.val
    if len(x) == 0:
        x = torch.from_numpy(setup.splits.train.x[:count])
        y, split = x, setup.splits.train
    labels = split.classes
    return (x[:count].to(setup.device), y[:count].to(setup.device),
            None if labels is None else np.asarray(labels[:count]))


def _evaluated(model: torch.nn.Module, fn):
    was = model.training
    model.eval()
    try:
        with torch.no_grad():
            return fn()
    finally:
        model.train(was)


class Reconstructions(_Every):
    def __init__(self, setup, every_s: float) -> None:
        super().__init__(every_s)
        self.setup = setup
        self.inputs, self.clean, _ = fixed_samples(setup, SAMPLES)

    def emit(self, trainer):
        out = _evaluated(self.setup.model, lambda: self.setup.model(self.inputs).float())
        noisy = self.inputs.float().cpu().numpy() if self.setup.corruption.active else None
        yield ev.Reconstructions(trainer.step, trainer.epoch, self.clean.float().cpu().numpy(),
                                 noisy, out.cpu().numpy())


def to_2d(codes: torch.Tensor) -> tuple[torch.Tensor, tuple[float, ...]]:
    """(N, W) codes as (N, 2) points: as they are up to two values, else the first two
    principal components with their share of the variance."""
    if codes.shape[1] == 1:
        return torch.cat([codes, torch.zeros_like(codes)], dim=1), ()
    if codes.shape[1] == 2:
        return codes, ()
    centred = codes - codes.mean(dim=0, keepdim=True)
    _, s, v = torch.linalg.svd(centred, full_matrices=False)
    share = (s ** 2) / (s ** 2).sum().clamp_min(1e-12)
    return centred @ v[:2].T, tuple(float(a) for a in share[:2])


class LatentScatter(Watcher):
    """The code layer's output for validation samples, in 2-D, once per epoch."""

    def __init__(self, setup, node: str, points: int) -> None:
        self.setup, self.node = setup, node
        self.x, _, self.labels = fixed_samples(setup, points)

    def epoch_end(self, trainer, val):
        model = self.setup.model
        captured: list[torch.Tensor] = []
        hook = node_modules(model)[self.node].register_forward_hook(
            lambda m, i, o: captured.append(o[0] if isinstance(o, tuple) else o))
        try:
            _evaluated(model, lambda: [model(self.x[i:i + 512]) for i in
                                       range(0, len(self.x), 512)])
        finally:
            hook.remove()
        codes = torch.cat([c.float().flatten(1) for c in captured])
        points, share = to_2d(codes)
        names = tuple(self.setup.splits.info.class_names)
        yield ev.LatentCodes(trainer.step, trainer.epoch, self.node,
                             points.cpu().numpy().astype(np.float32), self.labels,
                             codes.shape[1], share, names)


class Traversal(_Every):
    """Decode a GRID × GRID sweep of two latent dimensions (the two with most KL), the
    others at 0 (the prior's mean)."""

    def __init__(self, setup, sampling: str, every_s: float) -> None:
        super().__init__(every_s)
        self.setup, self.sampling = setup, sampling
        self.shape = tuple(setup.analysis.shapes[sampling])
        self.width = math.prod(self.shape)
        self.dims = (0, 1) if self.width > 1 else (0,)

    def update(self, val: dict) -> None:
        per_dim = val.get("kl_per_dim")
        if per_dim is not None and len(per_dim) == self.width:
            order = np.argsort(-np.asarray(per_dim), kind="stable")
            self.dims = tuple(sorted(int(d) for d in order[:min(2, self.width)]))

    def codes(self) -> torch.Tensor:
        values = torch.linspace(-SPAN, SPAN, GRID)
        rows = GRID if len(self.dims) == 2 else 1
        z = torch.zeros(rows, GRID, self.width)
        z[:, :, self.dims[0]] = values[None, :]
        if len(self.dims) == 2:
            z[:, :, self.dims[1]] = values[:, None]
        return z.reshape(rows * GRID, *self.shape)

    def emit(self, trainer):
        model = self.setup.model
        z = self.codes().to(self.setup.device)
        out = _evaluated(model, lambda: model.run_from({self.sampling: z}).float())
        rows = GRID if len(self.dims) == 2 else 1
        images = out.cpu().numpy().reshape(rows, GRID, *out.shape[1:])
        axes = " (columns) and ".join(str(d) for d in self.dims)
        caption = (f"latent dimension{'s' if len(self.dims) > 1 else ''} {axes}"
                   f"{' (rows)' if len(self.dims) > 1 else ''} from -{SPAN} to {SPAN}")
        yield ev.SampleGrid(trainer.step, trainer.epoch, "traversal", images, caption)
