"""What a training run reports, and how another thread steers it.

Events are small dataclasses holding plain Python numbers and numpy arrays (never tensors on
a device), so a GUI worker can pass them through queued signals as they are:
RunStarted -> (StepMetrics | EpochEnd | ProbeResult subclasses | Paused | Resumed)* ->
RunFinished (always last, exactly once, also after an error). StepMetrics are batched at the
source: one per `metrics_interval` seconds (≈10/s), carrying every step's loss since the last.

`Control` is the thread-safe remote: stop(), pause(), resume() and the feature-map node may be
set from any thread; the loop checks them before every step.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the events hold numpy arrays; the designer imports them before numpy
    import numpy as np


@dataclass
class RunStarted:
    epochs: int
    steps_per_epoch: int
    train_samples: int
    val_samples: int
    test_samples: int
    device: str
    parameters: int
    task: str
    loss: str
    class_names: tuple[str, ...] = ()
    mixed_precision: bool = False
    data_path: str = "tensors"  # tensors (fast path) | dataloader
    warnings: list[str] = field(default_factory=list)  # e.g. more output units than classes
    input_shape: tuple[int, ...] = ()  # one sample, without the batch
    recipe: str = "supervised"  # the task recipe (backend.training.recipes)
    terms: list[str] = field(default_factory=list)  # extra loss terms reported per step/epoch
    networks: dict[str, int] = field(default_factory=dict)  # role -> parameters


@dataclass
class StepMetrics:
    epoch: int  # 1-based
    step: int  # global steps done so far
    total_steps: int
    losses: list[float]  # one per step since the previous StepMetrics
    loss: float  # mean of `losses`
    accuracy: float | None  # training accuracy over the same steps (classification)
    lr: float
    samples_per_s: float
    eta_s: float
    terms: dict[str, float] = field(default_factory=dict)  # mean of each extra term


@dataclass
class EpochEnd:
    epoch: int
    epochs: int
    step: int
    train_loss: float
    train_accuracy: float | None
    val_loss: float | None
    val_accuracy: float | None
    val_metrics: dict[str, float]  # e.g. {"top_5": 0.99, "mae": 0.12}
    lr: float
    seconds: float  # wall time of the whole epoch, validation included
    samples_per_s: float  # training samples per second of training time
    best: bool  # this epoch gave the best validation loss so far
    terms: dict[str, float] = field(default_factory=dict)  # training mean of each extra term
    val_terms: dict[str, float] = field(default_factory=dict)  # validation mean of each


@dataclass
class ProbeResult:
    step: int
    epoch: int


@dataclass
class FeatureMaps(ProbeResult):
    node: str
    maps: np.ndarray  # float32 (C, H, W): channels ≤ max_channels, H, W ≤ max_size
    sample: np.ndarray  # the probe input, float32, shape of the Input (normalised)
    shape: tuple[int, ...]  # the node's real output shape, without the batch


@dataclass
class GradientFlow(ProbeResult):
    nodes: list[str]  # node ids with parameters, in model order
    mean_abs: np.ndarray  # float32 (L,) mean |grad| per node
    max_abs: np.ndarray  # float32 (L,) max |grad| per node
    update_ratio: np.ndarray  # float32 (L,) ||Δw|| / ||w|| of this step per node


@dataclass
class WeightHistograms(ProbeResult):
    nodes: list[str]
    counts: list[np.ndarray]  # int64 (bins,) per node
    edges: list[np.ndarray]  # float32 (bins + 1,) per node


@dataclass
class ConfusionMatrix(ProbeResult):
    matrix: np.ndarray  # int64 (K, K): rows = true class, columns = predicted
    class_names: tuple[str, ...]


@dataclass
class Advice(ProbeResult):
    """Something about the run worth a word: posterior or mode collapse, a winning
    discriminator. `active` False says a condition reported earlier has cleared."""

    kind: str  # posterior-collapse | mode-collapse | discriminator-wins
    message: str  # a sentence with what to change
    active: bool = True
    detail: dict = field(default_factory=dict)  # plain numbers, e.g. the collapsed dimensions


@dataclass
class Reconstructions(ProbeResult):
    """A fixed set of validation samples beside their reconstructions (normalised data)."""

    inputs: np.ndarray  # float32 (N, *input shape): the clean inputs
    noisy: np.ndarray | None  # the corrupted inputs the network saw, when the data is corrupted
    outputs: np.ndarray  # float32 (N, *input shape)


@dataclass
class LatentCodes(ProbeResult):
    """Validation samples' codes in 2-D (PCA when the code is wider), coloured by class."""

    node: str
    points: np.ndarray  # float32 (N, 2)
    labels: np.ndarray | None  # int (N,) class of each sample, or None
    width: int  # the code's number of values
    explained: tuple[float, ...] = ()  # PCA: variance share of the two axes
    class_names: tuple[str, ...] = ()


@dataclass
class SampleGrid(ProbeResult):
    """Images made by the network: a GAN's samples from fixed noise, or a VAE's decoded
    traversal over two latent dimensions."""

    kind: str  # generated | traversal
    images: np.ndarray  # float32 (rows, cols, *sample shape)
    caption: str
    diversity: float | None = None  # generated: spread of the samples / spread of real data


@dataclass
class Paused:
    step: int


@dataclass
class Resumed:
    step: int


REASONS = ("completed", "stopped", "early-stopped", "error")


@dataclass
class RunFinished:
    reason: str  # one of REASONS
    message: str  # a sentence for the user ("" when completed)
    epochs_done: int = 0
    steps: int = 0
    best_epoch: int | None = None
    best_val_loss: float | None = None
    test_loss: float | None = None
    test_accuracy: float | None = None
    history: list[dict] = field(default_factory=list)  # EpochEnd fields per epoch
    node: str | None = None  # the node an error was traced to
    test_terms: dict[str, float] = field(default_factory=dict)
    weights_kept: bool = False  # the model's weights are worth keeping (after an error: the
    # best epoch's were restored; False when the run failed before any epoch was best)

    def test_text(self) -> str:
        """The test figures in words: ROC AUC and average precision for link prediction
        (its pair "accuracy" at 0.5 says little), else the accuracy; "" when none."""
        if "auc" in self.test_terms:
            ap = self.test_terms.get("ap")
            return f"test ROC AUC {self.test_terms['auc']:.3f}" + \
                ("" if ap is None else f", average precision {ap:.3f}")
        return "" if self.test_accuracy is None else f"test accuracy {self.test_accuracy:.1%}"


@dataclass
class Probes:
    """Which probes to run; all off by default so an unobserved run pays nothing."""

    feature_node: str | None = None
    feature_every_s: float = 2.0
    max_channels: int = 32
    max_size: int = 32
    gradient_every: int = 0  # steps; 0 = off
    weights_every_epoch: bool = False
    histogram_bins: int = 30
    confusion: bool = False
    samples_every_s: float = 0.0  # reconstructions and generated grids; 0 = off
    latent_points: int = 0  # validation samples in the latent scatter per epoch; 0 = off
    teaching: bool = False  # activation statistics, output numbers, recurrent and conv probes


class Control:
    """Thread-safe stop / pause / resume, plus the node whose feature maps to probe."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._running = threading.Event()
        self._running.set()
        self._lock = threading.Lock()
        self._feature_node: str | None = None
        self._feature_dirty = False

    def stop(self) -> None:
        self._stop.set()
        self._running.set()  # wake a paused loop so it can finish

    def pause(self) -> None:
        if not self._stop.is_set():
            self._running.clear()

    def resume(self) -> None:
        self._running.set()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    def wait_while_paused(self, timeout: float | None = None) -> bool:
        """Block while paused; True once running (or stopped)."""
        return self._running.wait(timeout)

    def watch_node(self, node_id: str | None) -> None:
        """Probe this node's feature maps from now on (None stops feature maps)."""
        with self._lock:
            self._feature_node, self._feature_dirty = node_id, True

    def take_feature_node(self) -> tuple[bool, str | None]:
        """(changed since last call, node) for the loop."""
        with self._lock:
            dirty, self._feature_dirty = self._feature_dirty, False
            return dirty, self._feature_node
