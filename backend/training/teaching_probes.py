"""Teaching probes: watchers that look inside a run for the Explore pages and views.

`teaching_watchers(probes)` (added by `default_watchers` when `Probes.teaching` is on) gives:
- `ActivationWatcher`: per activation layer, over a fixed batch of up to PROBE_BATCH samples
  (every ACTIVATION_EVERY_S at most while live, and after each epoch),
  the share of saturated sigmoid/tanh outputs, the share of dead ReLUs (units at 0 for every
  sample), quantiles and a histogram of the outputs, and warnings that say what to change;
- `OutputWatcher`: the output layer's scores for the probe sample and its true class
  (classification), for the softmax and cross-entropy numbers;
- `RecurrentWatcher`: each recurrent layer's first-layer weights and its input for the probe
  sequence (the page unrolls it in numpy), plus the loss, the output and the target at each
  step for sequence outputs;
- `KernelWatcher`: each Conv/Pool layer's input for the probe sample and its kernels.
All run in eval mode without gradients, read one batch through forward hooks, and copy a few
small arrays to the host; live ones at most every `Probes.feature_every_s`. Each layer runs in
the network the recipe names for it (`RecipeRun.probe_target`: a GAN's generator reads its
noise). A probe that fails is switched off for the rest of the run: it never stops training.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterator

import numpy as np
import torch
import torch.nn.functional as F

from backend.teaching.activations import ACTIVATIONS, SATURATION_BAND
from backend.training import teaching_events as te
from backend.training.probes import node_modules
from backend.training.watchers import Watcher

PROBE_BATCH = 64  # samples in the fixed activation-probe batch
SAMPLE_VALUES = 20_000  # outputs per layer that quantiles and histograms are computed from
ACTIVATION_EVERY_S = 3.0  # the activation statistics need no more than this while live
BINS = 30
ACTIVATION_TYPES = ("ReLU", "LeakyReLU", "Sigmoid", "Tanh", "ELU", "GELU", "SiLU", "Step",
                    "ReLU6", "Hardsigmoid", "Hardswish", "Mish", "Softplus", "PReLU")
SATURATING = ("Sigmoid", "Tanh", "Hardsigmoid")  # bounded on both sides, flat near the limits
DYING = ("ReLU", "ReLU6")  # exactly 0 (with gradient 0) for every negative input
RECURRENT_TYPES = ("SimpleRNN", "LSTM", "GRU")
WINDOW_TYPES = {"Conv2d": "conv", "Conv1d": "conv", "MaxPool2d": "max", "MaxPool1d": "max",
                "AvgPool2d": "avg", "AvgPool1d": "avg"}
MAX_NODES = 8
log = logging.getLogger(__name__)


def _nodes_of(trainer, types) -> list[tuple[str, str, torch.nn.Module]]:
    """(node id, type, module) of the design's nodes of these types, in model order."""
    design = trainer.setup.design
    if design is None:
        return []
    modules = node_modules(trainer.setup.model)
    return [(nid, design.nodes[nid].type, m) for nid, m in modules.items()
            if nid in design.nodes and design.nodes[nid].type in types][:MAX_NODES]


def capture(model, modules: dict[str, torch.nn.Module], x: torch.Tensor,
            inputs: bool = False) -> tuple[dict[str, torch.Tensor], torch.Tensor]:
    """Run `x` through the model in eval mode; each module's output (or input) by node."""
    got: dict[str, torch.Tensor] = {}

    def hook(nid):
        def store(module, args, out):
            value = args[0] if inputs else (out[0] if isinstance(out, tuple) else out)
            got[nid] = value.detach()
        return store

    handles = [m.register_forward_hook(hook(nid)) for nid, m in modules.items()]
    was = model.training
    try:
        model.eval()
        with torch.no_grad():
            out = model(x)
    finally:
        for h in handles:
            h.remove()
        model.train(was)
    return got, out


def groups(trainer, nodes) -> list[tuple[torch.nn.Module, torch.Tensor, list]]:
    """Nodes grouped by the network that computes them, with that network's probe input:
    the fixed validation batch for the design's model, the recipe's one sample otherwise."""
    out: dict[int, tuple] = {}
    for nid, kind, module in nodes:
        target = trainer.runner.probe_target(nid)
        if target is None:
            continue
        net, sample = target
        x = probe_batch(trainer) if net is trainer.setup.model else sample
        out.setdefault(id(net), (net, x, []))[2].append((nid, kind, module))
    return list(out.values())


def guarded(measure: Iterator[object], watcher) -> Iterator[object]:
    """The events of one measurement, or none (and the probe off) if it fails."""
    try:
        events = list(measure)
    except Exception:  # a look inside the run must never end the run
        log.exception("a teaching probe failed; it is off for the rest of the run")
        watcher.off = True
        return iter(())
    return iter(events)


class _Throttled(Watcher):
    """Live at most every `feature_every_s` (and at every epoch's end)."""

    def __init__(self, probes) -> None:
        self.every = probes.feature_every_s
        self.t_last = -math.inf
        self.off = False

    def live(self, trainer, now: float, force: bool) -> Iterator[object]:
        if self.off or (not force and now - self.t_last < self.every):
            return
        self.t_last = now
        yield from guarded(self.measure(trainer), self)

    def epoch_end(self, trainer, val: dict) -> Iterator[object]:
        yield from self.live(trainer, time.monotonic(), force=True)

    def measure(self, trainer) -> Iterator[object]:
        return iter(())


def probe_batch(trainer) -> torch.Tensor:
    """A fixed batch: the first validation samples (the probe sample if there are none)."""
    s = trainer.setup
    x = s.val[0] if len(s.val[0]) else s.probe_sample
    return x[:PROBE_BATCH].to(s.device)


class ActivationWatcher(_Throttled):
    def __init__(self, probes) -> None:
        super().__init__(probes)
        self.every = max(self.every, ACTIVATION_EVERY_S)

    def measure(self, trainer) -> Iterator[object]:
        nodes, got, sizes = [], {}, {}
        for net, x, members in groups(trainer, _nodes_of(trainer, ACTIVATION_TYPES)):
            found, _ = capture(net, {n: m for n, _, m in members}, x)
            got.update(found)
            sizes.update({n: len(x) for n, _, _ in members})
            nodes += [m for m in members if m[0] in found]
        if not nodes:
            return
        rows, hists = [], []
        for nid, kind, _ in nodes:
            y = got[nid].float().reshape(sizes[nid], -1)
            flat = _spread_sample(y.flatten())
            rows.append(_shares(kind, y, flat))
            hists.append(_histogram(kind, flat))
        stats = torch.stack(rows).cpu().numpy()  # one transfer: (L, 7)
        counts = [h[0].cpu().numpy().astype(np.int64) for h in hists]
        edges = [np.linspace(lo, hi, BINS + 1, dtype=np.float32) for _, lo, hi in hists]
        labels = [trainer.setup.labels.get(nid, nid) for nid, _, _ in nodes]
        kinds = [k for _, k, _ in nodes]
        sat, dead = stats[:, 0], stats[:, 1]
        yield te.ActivationStats(trainer.step, trainer.epoch, [n for n, _, _ in nodes], kinds,
                                 labels, sat, dead, stats[:, 2:], counts, edges,
                                 max(sizes.values()),
                                 te.activation_warnings(labels, kinds, sat, dead))


def _spread_sample(flat: torch.Tensor) -> torch.Tensor:
    """At most SAMPLE_VALUES values, evenly spread over the batch and the units."""
    if flat.numel() <= SAMPLE_VALUES:
        return flat
    step = flat.numel() / SAMPLE_VALUES
    index = (torch.arange(SAMPLE_VALUES, device=flat.device) * step).long()
    return flat[index]


def _shares(kind: str, y: torch.Tensor, flat: torch.Tensor) -> torch.Tensor:
    """[saturated share, dead share, 5 quantiles] of one layer's outputs (NaN: n/a); the
    shares count every output, the quantiles a spread sample of them."""
    nan = torch.tensor(float("nan"), device=y.device)
    limits = ACTIVATIONS[kind].limits if kind in SATURATING else None
    if limits is not None:
        band = SATURATION_BAND * (limits[1] - limits[0])
        sat = ((y < limits[0] + band) | (y > limits[1] - band)).float().mean()
    else:
        sat = nan
    dead = (y <= 0).all(dim=0).float().mean() if kind in DYING else nan
    q = torch.quantile(flat, torch.tensor(te.QUANTILES, device=y.device))
    return torch.cat([sat[None], dead[None], q])


def _histogram(kind: str, y: torch.Tensor) -> tuple[torch.Tensor, float, float]:
    limits = ACTIVATIONS[kind].limits if kind in (*SATURATING, "Step", "ReLU6") else None
    lo, hi = limits if limits else (float(y.min()), float(y.max()))
    if hi <= lo:
        hi = lo + 1e-6
    return torch.histc(y, bins=BINS, min=lo, max=hi), lo, hi


class OutputWatcher(_Throttled):
    def measure(self, trainer) -> Iterator[object]:
        s = trainer.setup
        if s.task != "classification" or s.design is None:
            return
        from backend.graph.traverse import model_outputs

        outputs = model_outputs(s.design)
        target = s.val[1][:1] if len(s.val[1]) else None
        if len(outputs) != 1 or target is None:
            return
        _, out = capture(s.model, {}, s.probe_sample)
        logits = out[0].float().reshape(-1).cpu().numpy()
        yield _numbers(trainer, outputs[0], logits, target[0].cpu().numpy(), s.target_fmt)


def _numbers(trainer, node: str, logits, target, fmt: str) -> te.OutputNumbers:
    names = trainer.class_names()
    label = trainer.setup.labels.get(node, node)
    step, epoch = trainer.step, trainer.epoch
    if fmt == "multihot":
        return te.OutputNumbers(step, epoch, node, label, "multilabel", logits,
                                targets=(target > 0.5).astype(np.float32))
    if fmt == "binary" or len(logits) == 1:
        k = int(float(np.asarray(target).reshape(-1)[0]) > 0.5)
        name = names[k] if k < len(names) else ""
        return te.OutputNumbers(step, epoch, node, label, "binary", logits, k, class_name=name)
    k = int(target) if fmt == "index" else int(np.argmax(target))
    name = names[k] if k < len(names) else ""
    return te.OutputNumbers(step, epoch, node, label, "softmax", logits, k, class_name=name)


class RecurrentWatcher(_Throttled):
    def measure(self, trainer) -> Iterator[object]:
        s = trainer.setup
        nodes = _nodes_of(trainer, RECURRENT_TYPES)
        if not nodes or getattr(s.recipe, "name", "supervised") != "supervised":
            return
        got, out = capture(s.model, {n: m for n, _, m in nodes}, s.probe_sample, inputs=True)
        steps = _per_step(trainer, out)
        for nid, kind, module in nodes:
            rnn = getattr(module, "rnn", module)
            weights = {k: v.detach().float().cpu().numpy() for k, v in rnn.state_dict().items()
                       if k.endswith("_l0")}
            note = ""
            if rnn.num_layers > 1 or rnn.bidirectional:
                note = "the page unrolls the first layer, reading forwards"
            yield te.RecurrentStates(trainer.step, trainer.epoch, nid,
                                     s.labels.get(nid, nid), kind, weights,
                                     got[nid][0].float().cpu().numpy(), note, *steps)


def _per_step(trainer, out: torch.Tensor) -> tuple:
    """(losses, outputs, targets) at each time step of the probe sample for sequence outputs
    (1, T, F) — the outputs and targets of the first feature —, else three Nones."""
    s = trainer.setup
    if out.dim() != 3 or not len(s.val[1]) or s.loss not in ("mse", "mae", "huber"):
        return None, None, None
    target = s.val[1][:1].to(out.device).float()
    if target.shape != out.shape:
        return None, None, None
    fn = {"mse": F.mse_loss, "mae": F.l1_loss, "huber": F.huber_loss}[s.loss]
    out = out.float()
    losses = fn(out, target, reduction="none").mean(dim=-1)[0]
    return tuple(t.detach().cpu().numpy() for t in (losses, out[0, :, 0], target[0, :, 0]))


class KernelWatcher(Watcher):
    """Each Conv/Pool layer's input for the probe sample and its kernels, after each epoch."""

    off = False

    def epoch_end(self, trainer, val: dict) -> Iterator[object]:
        if not self.off:
            yield from guarded(self.measure(trainer), self)

    def measure(self, trainer) -> Iterator[object]:
        nodes, got = [], {}
        for net, x, members in groups(trainer, _nodes_of(trainer, tuple(WINDOW_TYPES))):
            found, _ = capture(net, {n: m for n, _, m in members}, x[:1], inputs=True)
            got.update(found)
            nodes += [m for m in members if m[0] in found]
        for nid, kind, module in nodes:
            x = got[nid][0].float()
            x = x[:, None] if x.dim() == 2 else x  # (C, L) -> (C, 1, L)
            x = x[:4, :32, :32].cpu().numpy()
            kernels = bias = None
            weight = getattr(module, "weight", None)
            if WINDOW_TYPES[kind] == "conv" and weight is not None:
                w = weight.detach().float()
                w = w[:, :, None] if w.dim() == 3 else w
                kernels = w[:8, :4].cpu().numpy()
                if getattr(module, "bias", None) is not None:
                    bias = module.bias.detach().float()[:8].cpu().numpy()
            yield te.KernelProbe(trainer.step, trainer.epoch, nid,
                                 trainer.setup.labels.get(nid, nid), WINDOW_TYPES[kind], x,
                                 kernels, bias)


def teaching_watchers(probes) -> list[Watcher]:
    return [ActivationWatcher(probes), OutputWatcher(probes), RecurrentWatcher(probes),
            KernelWatcher()]
