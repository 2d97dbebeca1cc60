"""Everything a run needs before its first step, resolved once: data, model, device, tensors.

`prepare(design, dataset, config)` loads and splits the data, picks the task's recipe, lets
the recipe check that the design fits the data (a mismatch raises `DatasetError` with the
fix), builds the recipe's networks with the run's seed, picks the device, the precision, the
memory layout and the batch source, encodes the targets for the loss and corrupts the inputs
when the dataset asks for it (validation once, training batches on the fly). It raises
user-facing `ValueError`s; the trainer reports them as messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import nn

from backend.data import DataConfig, Dataset, DatasetError, Splits, make_splits
from backend.data.corruption import Corruption, corruption_for
from backend.data.tokens import token_input, token_splits
from backend.graph.document import GraphDocument
from backend.graph.traverse import model_outputs
from backend.graph.validate import label
from backend.training.batches import LoaderBatches, TensorBatches, fits_on_device
from backend.training.components import encode_targets, target_format
from backend.training.config import ConfigError, TrainingConfig
from backend.training.failures import label_problem
from backend.training.recipes import Recipe
from backend.training.recipes.checks import design_report

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
    recipe: Recipe | None = None
    networks: dict[str, nn.Module] = field(default_factory=dict)  # role -> network
    design: GraphDocument | None = None  # the snapshot being trained (None for a module)
    analysis: object = None  # its shape analysis
    corruption: Corruption = field(default_factory=Corruption)


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
    tokens = token_input(design) if isinstance(design, GraphDocument) else None
    if isinstance(dataset, Dataset):
        return _split(dataset, tokens, cfg.val_fraction, cfg.test_fraction, cfg.seed), None
    if dataset is None and isinstance(design, GraphDocument):
        dataset = design.sections.get("dataset")
    data_cfg = DataConfig.from_section(dataset)
    data = data_cfg.load()
    splits = _split(data, tokens, cfg.val_fraction, cfg.test_fraction, data_cfg.seed,
                    data_cfg.normalise)
    return splits, data_cfg


def _split(data: Dataset, tokens, val: float, test: float, seed: int,
           normalise: str = "standard") -> Splits:
    """Seeded splits; token indices for an int64 Input (checked, never normalised)."""
    if tokens is None or getattr(data, "edges", None) is not None:
        return make_splits(data, val, test, seed, normalise)
    return token_splits(data, tokens, lambda d, norm: make_splits(d, val, test, seed, norm))


@dataclass
class _Built:
    model: nn.Module
    networks: dict[str, nn.Module]
    out_shape: tuple[int, ...] | None
    labels: dict[str, str] = field(default_factory=dict)
    macs: int = 0
    warnings: list[str] = field(default_factory=list)


def _build_module(module: nn.Module, splits: Splits) -> _Built:
    """A ready nn.Module trains with the supervised recipe on the data as it is."""
    with torch.no_grad():
        was = module.training
        where = next(module.parameters(), torch.empty(0)).device
        out = module.eval()(torch.from_numpy(splits.train.x[:2]).to(where))
        module.train(was)
    return _Built(module, {"model": module}, tuple(out.shape[1:]))


def _build(design: GraphDocument, recipe: Recipe, analysis, warnings: list[str],
           seed: int) -> _Built:
    """The recipe's networks built with the run's seed (the design was checked already)."""
    from backend.build import build_model, build_networks

    torch.manual_seed(seed)
    parts = recipe.networks(design, analysis)
    if list(parts) == ["model"]:
        model = build_model(design, analysis)
        networks = {"model": model}
        outputs = model_outputs(design)
        out_shape = tuple(analysis.shapes[outputs[0]]) if len(outputs) == 1 else None
    else:
        model = build_networks(parts)
        networks = {role: getattr(model, role) for role in parts}
        out_shape = None
    return _Built(model, networks, out_shape,
                  {nid: label(design, nid) for nid in design.nodes},
                  macs_per_sample(analysis), list(warnings))


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


def _recipe_and_model(design, splits: Splits, data_cfg, cfg: TrainingConfig):
    """(recipe, task, loss, splits with the task's targets, built networks)."""
    if not isinstance(design, GraphDocument):
        from backend.training.recipes import recipe_for_task, resolve_task

        task = resolve_task(cfg.task, splits.info.task)
        recipe = recipe_for_task(task)
        loss = recipe.resolve_loss(task, cfg.loss, None, None)
        splits = recipe.prepare_splits(splits, task)
        return recipe, task, loss, splits, None, _build_module(design, splits)
    from backend.shapes import analyse

    analysis = analyse(design)
    report = design_report(design, cfg, data_cfg, splits.info, analysis)
    if report.errors:
        raise DatasetError(report.errors[0])
    splits = report.recipe.prepare_splits(splits, report.task)
    built = _build(design, report.recipe, analysis, report.warnings, cfg.seed)
    return report.recipe, report.task, report.loss, splits, analysis, built


def _check_labels(splits: Splits, fmt: str, scores: int) -> None:
    """Class labels the output cannot score stop the run before its first step (the loss
    would fail at run time, or one-hot encoding would)."""
    if fmt not in ("index", "onehot"):
        return
    for name, split in (("training", splits.train), ("validation", splits.val),
                        ("test", splits.test)):
        problem = label_problem(split.y, scores, f"the {name} split's")
        if problem:
            raise DatasetError(problem)


def prepare(design, dataset, cfg: TrainingConfig, data_path: str = "auto") -> RunSetup:
    device = resolve_device(cfg.device)
    if isinstance(design, GraphDocument):  # refuse before memory is spent on data or weights
        from backend.memory import check_training

        check_training(design, cfg.batch_size, cfg.optimizer, device)
    splits, data_cfg = resolve_splits(design, dataset, cfg)
    recipe, task, loss, splits, analysis, built = _recipe_and_model(design, splits, data_cfg,
                                                                    cfg)
    k = splits.info.num_classes
    out_shape = built.out_shape
    if task == "classification" and out_shape and len(out_shape) == 1 and out_shape[0] > k:
        k = out_shape[0]  # spare output units: one-hot and confusion use the output width
    fmt = target_format(task, loss, out_shape or (), data_cfg.labels if data_cfg else "index",
                        splits.info.multi_label)
    _check_labels(splits, fmt, out_shape[0] if out_shape and len(out_shape) == 1 else k)
    train, val, test = (_tensors(s, fmt, k) for s in (splits.train, splits.val, splits.test))
    corruption = corruption_for(data_cfg.options if data_cfg else {}, splits.train.x)
    if corruption.active:  # validation and test inputs: noisy once, the same every epoch
        noise = torch.Generator().manual_seed((data_cfg.seed if data_cfg else 0) + 1)
        val, test = ((corruption(a, noise), b) for a, b in (val, test))
    nbytes = sum(t.numel() * t.element_size() for pair in (train, val, test) for t in pair)
    use_tensors = data_path == "tensors" or (data_path == "auto"
                                             and fits_on_device(nbytes, device))
    model = built.model
    # channels-last measured faster for convolutions on CPU (oneDNN) and GPU (tensor cores)
    layout = cfg.channels_last != "off" and train[0].dim() == 4
    if layout:
        model = model.to(memory_format=torch.channels_last)
        train = (train[0].contiguous(memory_format=torch.channels_last), train[1])
    generator = torch.Generator().manual_seed(cfg.seed)
    batch = max(len(train[0]), 1) if recipe.full_batch else cfg.batch_size
    source = (TensorBatches if use_tensors else LoaderBatches)(
        *train, batch, device, generator, corruption if corruption.active else None)
    if len(source) == 0:
        raise DatasetError(f"the training split has only {len(train[0])} sample(s): lower "
                           "val_fraction and test_fraction or use a larger dataset")
    where = device if use_tensors else torch.device("cpu")
    val, test = ((a.to(where), b.to(where)) for a, b in (val, test))
    probe = (val[0] if len(val[0]) else train[0])[:1].to(device)
    return RunSetup(model.to(device), device, splits, task, loss, fmt, k, source, val, test,
                    probe, _precision(cfg, device), layout, built.labels, built.macs,
                    built.warnings, recipe, built.networks,
                    design if isinstance(design, GraphDocument) else None, analysis, corruption)
