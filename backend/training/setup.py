"""Everything a run needs before its first step, resolved once: data, model, device, tensors.

`prepare(design, dataset, config)` loads and splits the data, checks that the design fits it
(a mismatch raises `DatasetError` with the fix), builds the model with the run's seed, picks
the device, the precision, the memory layout and the batch source, and encodes the targets
for the loss. It raises user-facing `ValueError`s; the trainer reports them as messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import nn

from backend.data import (
    DataConfig,
    Dataset,
    DatasetError,
    Splits,
    fit_report,
    make_splits,
)
from backend.graph.document import GraphDocument
from backend.graph.traverse import model_outputs
from backend.graph.validate import label
from backend.training.batches import LoaderBatches, TensorBatches, fits_on_device
from backend.training.components import DEFAULT_LOSS, encode_targets, target_format
from backend.training.config import ConfigError, TrainingConfig

SMALL_STEP_MACS = 100_000_000  # below this per training step, one CPU thread is faster


@dataclass
class RunSetup:
    model: nn.Module
    device: torch.device
    splits: Splits
    task: str
    loss: str
    target_fmt: str
    num_classes: int
    train: TensorBatches | LoaderBatches
    val: tuple[torch.Tensor, torch.Tensor]
    test: tuple[torch.Tensor, torch.Tensor]
    probe_sample: torch.Tensor
    amp_dtype: torch.dtype | None = None
    channels_last: bool = False
    labels: dict[str, str] = field(default_factory=dict)  # node id -> "Conv2d 'c1'"
    macs_per_sample: int = 0  # multiply-adds of one forward pass (0 = unknown)
    warnings: list[str] = field(default_factory=list)  # the design trains, but look at this


def resolve_device(name: str) -> torch.device:
    if name == "cuda" and not torch.cuda.is_available():
        raise ConfigError("device 'cuda' was asked for but no CUDA GPU is available: set "
                          "device to auto or cpu")
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def resolve_splits(design, dataset, cfg: TrainingConfig) -> tuple[Splits, DataConfig | None]:
    if isinstance(dataset, Splits):
        return dataset, None
    if isinstance(dataset, Dataset):
        return make_splits(dataset, cfg.val_fraction, cfg.test_fraction, cfg.seed), None
    if dataset is None and isinstance(design, GraphDocument):
        dataset = design.sections.get("dataset")
    data_cfg = DataConfig.from_section(dataset)
    data = data_cfg.load()
    splits = make_splits(data, cfg.val_fraction, cfg.test_fraction, data_cfg.seed,
                         data_cfg.normalise)
    return splits, data_cfg


def _build(design, splits: Splits, data_cfg, task: str, loss: str, seed: int):
    """(model, output shape, node labels); a design is checked against the data first."""
    torch.manual_seed(seed)
    if not isinstance(design, GraphDocument):
        with torch.no_grad():
            was = design.training
            where = next(design.parameters(), torch.empty(0)).device
            out = design.eval()(torch.from_numpy(splits.train.x[:2]).to(where))
            design.train(was)
        return design, tuple(out.shape[1:]), {}, 0, []
    from backend.build import build_model
    from backend.shapes import analyse

    analysis = analyse(design)
    model = build_model(design, analysis)
    problems, warnings = fit_report(design, data_cfg, splits.info, task, loss, analysis)
    if problems:
        raise DatasetError(problems[0])
    out_shape = tuple(analysis.shapes[model_outputs(design)[0]])
    return (model, out_shape, {nid: label(design, nid) for nid in design.nodes},
            macs_per_sample(analysis), warnings)


def macs_per_sample(analysis) -> int:
    """Rough multiply-adds of one forward pass: each weight is used once per output
    position (exact for Dense and convolutions, an estimate elsewhere)."""
    total = 0
    for nid, count in analysis.counts.items():
        shape = analysis.shapes.get(nid) or ()
        positions = 1
        for d in shape[1:]:
            positions *= d
        total += count * positions
    return total


def cpu_threads(cfg: TrainingConfig, macs: int) -> int:
    """Threads for a CPU run: small steps run faster (and degrade gracefully on a busy
    machine) on one thread; the choice depends only on the model, so runs stay repeatable."""
    if cfg.cpu_threads:
        return cfg.cpu_threads
    step = 3 * macs * cfg.batch_size
    return 1 if 0 < step < SMALL_STEP_MACS else torch.get_num_threads()


def _precision(cfg: TrainingConfig, device: torch.device) -> torch.dtype | None:
    if cfg.mixed_precision == "off":
        return None
    if device.type == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else None
    return torch.bfloat16 if cfg.mixed_precision == "on" else None


def _tensors(split, fmt: str, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    x = torch.from_numpy(split.x)
    return x, encode_targets(torch.from_numpy(split.y), fmt, k)


def prepare(design, dataset, cfg: TrainingConfig, data_path: str = "auto") -> RunSetup:
    device = resolve_device(cfg.device)
    if isinstance(design, GraphDocument):  # refuse before memory is spent on data or weights
        from backend.memory import check_training

        check_training(design, cfg.batch_size, cfg.optimizer, device)
    splits, data_cfg = resolve_splits(design, dataset, cfg)
    task = splits.info.task if cfg.task == "auto" else cfg.task
    splits = splits.with_task(task)
    loss = DEFAULT_LOSS[task] if cfg.loss == "auto" else cfg.loss
    model, out_shape, labels, macs, warnings = _build(design, splits, data_cfg, task, loss,
                                                      cfg.seed)
    k = splits.info.num_classes
    if task == "classification" and len(out_shape) == 1 and out_shape[0] > k:
        k = out_shape[0]  # spare output units: one-hot and confusion use the output width
    fmt = target_format(task, loss, out_shape, data_cfg.labels if data_cfg else "index")
    train, val, test = (_tensors(s, fmt, k) for s in (splits.train, splits.val, splits.test))
    nbytes = sum(t.numel() * t.element_size() for pair in (train, val, test) for t in pair)
    use_tensors = data_path == "tensors" or (data_path == "auto"
                                             and fits_on_device(nbytes, device))
    # channels-last measured faster for convolutions on CPU (oneDNN) and GPU (tensor cores)
    layout = cfg.channels_last != "off" and train[0].dim() == 4
    if layout:
        model = model.to(memory_format=torch.channels_last)
        train = (train[0].contiguous(memory_format=torch.channels_last), train[1])
    generator = torch.Generator().manual_seed(cfg.seed)
    source = (TensorBatches if use_tensors else LoaderBatches)(*train, cfg.batch_size,
                                                                device, generator)
    if len(source) == 0:
        raise DatasetError(f"the training split has only {len(train[0])} sample(s): lower "
                           "val_fraction and test_fraction or use a larger dataset")
    where = device if use_tensors else torch.device("cpu")
    val, test = ((a.to(where), b.to(where)) for a, b in (val, test))
    probe = (val[0] if len(val[0]) else train[0])[:1].to(device)
    return RunSetup(model.to(device), device, splits, task, loss, fmt, k, source, val, test,
                    probe, _precision(cfg, device), layout, labels, macs, warnings)
