"""Looking inside a model while it trains: feature maps, gradient flow, weight histograms.

Probes run only when asked. Each reads tensors once, detaches them, shrinks them on the
device and copies the small result to the host in one transfer, so they stay cheap enough to
run live. Layers are named by their design node id (via the model's `node_attrs`), so the
designer can paint results on its canvas; layers inside blocks by their id path joined with
"/" (`"layer1/0/conv1"`, via the model's `layer_paths`), so gradient flow and feature maps
reach inside blocks.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


def node_modules(model: nn.Module) -> dict[str, nn.Module]:
    """Probe key -> module, in model order: every top-level node (a block as a whole) and
    every layer inside blocks, keyed by its id path (`"layer1/0/conv1"`); plain modules:
    their child names."""
    attrs = getattr(model, "node_attrs", None)
    if attrs:
        out = {nid: model.get_submodule(attr) for nid, attr in attrs.items()}
        for key, path in getattr(model, "layer_paths", {}).items():
            out.setdefault(key, model.get_submodule(path))
        return out
    return dict(model.named_children())


def layer_modules(model: nn.Module) -> dict[str, nn.Module]:
    """Probe key -> module for layers only (inside blocks too, never a block as a whole),
    so each parameter belongs to exactly one entry."""
    paths = getattr(model, "layer_paths", None)
    if paths is None:
        return node_modules(model)
    return {key: model.get_submodule(path) for key, path in paths.items()}


def parameter_groups(model: nn.Module) -> list[tuple[str, list[nn.Parameter]]]:
    """(probe key, trainable parameters) for every layer that has some."""
    groups = []
    for nid, module in layer_modules(model).items():
        params = [p for p in module.parameters() if p.requires_grad]
        if params:
            groups.append((nid, params))
    return groups


def _to_chw(out: torch.Tensor, max_channels: int, max_size: int) -> torch.Tensor:
    """One sample's activation as (C, H, W), channels capped and spatially downsampled."""
    a = out[0].float()
    if a.dim() == 1:
        a = a[None, None]
    elif a.dim() == 2:
        a = a[None]
    elif a.dim() > 3:
        a = a.flatten(2)
    a = a[:max_channels]
    h, w = a.shape[1], a.shape[2]
    if h > max_size or w > max_size:
        size = (min(h, max_size), min(w, max_size * max_size if h == 1 else max_size))
        a = F.adaptive_avg_pool2d(a[None], size)[0]
    return a


def feature_maps(model: nn.Module, node: str, sample: torch.Tensor, max_channels: int = 32,
                 max_size: int = 32) -> tuple[np.ndarray, tuple[int, ...]] | None:
    """Activations of `node` for `sample` (batch of one) as float32 (C, H, W) on the host."""
    modules = node_modules(model)
    if node not in modules:
        if node in getattr(model, "input_ids", ()):
            return _to_chw(sample, max_channels, max_size).cpu().numpy(), tuple(sample.shape[1:])
        return None
    captured: list[torch.Tensor] = []
    hook = modules[node].register_forward_hook(
        lambda m, i, o: captured.append((o[0] if isinstance(o, tuple) else o).detach()))
    was_training = model.training
    try:
        model.eval()
        with torch.no_grad():
            model(sample)
    finally:
        hook.remove()
        model.train(was_training)
    out = captured[0]
    return _to_chw(out, max_channels, max_size).cpu().numpy(), tuple(out.shape[1:])


class GradientProbe:
    """Per node: mean and max |grad| before the optimiser step, ||Δw||/||w|| after it."""

    def __init__(self, model: nn.Module) -> None:
        self.groups = parameter_groups(model)
        self.nodes = [nid for nid, _ in self.groups]
        self._before: list[list[torch.Tensor]] = []
        self._grads: torch.Tensor | None = None

    def before_step(self) -> None:
        stats = []
        for _, params in self.groups:
            grads = [p.grad.detach().abs() for p in params if p.grad is not None]
            if grads:
                total = sum(g.sum() for g in grads)
                count = sum(g.numel() for g in grads)
                stats.append(torch.stack([total / count, max(g.max() for g in grads)]))
            else:
                stats.append(torch.zeros(2, device=params[0].device))
        self._grads = torch.stack(stats).float()
        self._before = [[p.detach().clone() for p in params] for _, params in self.groups]

    def after_step(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        ratios = []
        for (_, params), old in zip(self.groups, self._before, strict=True):
            delta = torch.sqrt(sum(((p.detach() - o) ** 2).sum() for p, o in zip(params, old,
                                                                                 strict=True)))
            norm = torch.sqrt(sum((p.detach() ** 2).sum() for p in params))
            ratios.append((delta / norm.clamp_min(1e-12)).float())
        host = torch.cat([self._grads, torch.stack(ratios)[:, None]], dim=1).cpu().numpy()
        self._before = []
        return (host[:, 0].astype(np.float32), host[:, 1].astype(np.float32),
                host[:, 2].astype(np.float32))


def weight_histograms(model: nn.Module, bins: int = 30
                      ) -> tuple[list[str], list[np.ndarray], list[np.ndarray]]:
    """Histogram of every parameter value per node (weights and biases together)."""
    nodes, counts, edges = [], [], []
    with torch.no_grad():
        for nid, params in parameter_groups(model):
            values = torch.cat([p.detach().float().flatten() for p in params])
            lo, hi = values.min(), values.max()
            hist = torch.histc(values, bins=bins, min=float(lo), max=float(hi) + 1e-12)
            nodes.append(nid)
            counts.append(hist.cpu().numpy().astype(np.int64))
            edges.append(np.linspace(float(lo), float(hi) + 1e-12, bins + 1, dtype=np.float32))
    return nodes, counts, edges
