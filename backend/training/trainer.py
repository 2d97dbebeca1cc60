"""The training loop: a Qt-free generator of events that the CLI, the tests and the GUI share.

    trainer = Trainer(doc)                 # settings from doc.sections, or pass them
    for event in trainer.events(): ...     # or trainer.run(callback)
    trainer.control.stop()                 # from any thread; pause()/resume() likewise

The loop is the same for every task: what one step does (which networks, losses and
optimisers) is the task recipe's (`backend.training.recipes`), reached through
`self.runner.step(xb, yb)`. The loop owns epochs, logging, stop/pause, best weights, early
stopping, probes (`watchers`) and failures.

The hot loop never waits for the device: each step's loss, extra loss terms and correct
count are written into preallocated device buffers and read back only at log points (every
`metrics_interval` seconds, when the buffer is full and at the end of an epoch); a
non-finite loss is found there, with its exact step number. Stop and pause are checked before
every step. On a CUDA GPU the fast path (`backend.experiments.fastpath`) may replace the
recipe's step with a captured CUDA graph or compile the model; on the CPU nothing changes.
Every run ends with exactly one RunFinished, also when something fails (the
message says what to do).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator

import numpy as np
import torch
from torch import nn

from backend.experiments.fastpath import install as install_fast_path
from backend.graph.document import GraphDocument
from backend.training import events as ev
from backend.training.config import TrainingConfig
from backend.training.failures import NonFiniteLoss, diverged, first_line, run_failure
from backend.training.recipes.run import RecipeRun
from backend.training.setup import RunSetup, cpu_threads, prepare
from backend.training.watchers import Watcher, default_watchers

BUFFER = 1024  # steps between forced read-backs of the loss buffer


class Trainer:
    """Trains a design (or an nn.Module) on a dataset; see the module docstring."""

    def __init__(self, design: GraphDocument | nn.Module, dataset=None,
                 config: TrainingConfig | dict | None = None, *, probes: ev.Probes | None = None,
                 metrics_interval: float = 0.1,
                 on_best: Callable[[dict, int], None] | None = None,
                 data_path: str = "auto", control: ev.Control | None = None) -> None:
        if isinstance(design, GraphDocument):
            design = design.copy()  # the run trains a snapshot; edits never reach it
            config = design.sections.get("training") if config is None else config
        self.config = (config if isinstance(config, TrainingConfig)
                       else TrainingConfig.from_section(config))
        self.design, self.dataset = design, dataset
        self.probes = probes or ev.Probes()
        self.control = control or ev.Control()
        if self.probes.feature_node and control is None:
            self.control.watch_node(self.probes.feature_node)
        self.metrics_interval, self.on_best, self.data_path = metrics_interval, on_best, data_path
        self.setup: RunSetup | None = None
        self.runner: RecipeRun | None = None
        self.watchers: list[Watcher] = default_watchers(self.probes)
        self.step = 0
        self.history: list[dict] = []
        self.best_state: dict | None = None
        self.best_epoch: int | None = None
        self._best_metric = math.inf
        self._bad_epochs = 0
        self._initial_loss: float | None = None
        self.epoch = 0

    @property
    def model(self) -> nn.Module:
        return self.prepare().model

    @property
    def loss_fn(self):
        """The recipe's loss function (supervised and autoencoding runs)."""
        self.prepare()
        return self.runner.loss_fn

    def add_watcher(self, watcher: Watcher) -> None:
        """Add a live view (see backend.training.watchers) before the run starts."""
        self.watchers.append(watcher)

    def prepare(self) -> RunSetup:
        """Load data, check the fit, build the networks (raises ValueError with the fix)."""
        if self.setup is None:
            setup = prepare(self.design, self.dataset, self.config, self.data_path)
            self.runner = setup.recipe.run_class()(setup, self.config, setup.recipe)
            if self.probes.gradient_every:
                self.runner.enable_gradient_probes()
            self.watchers += self.runner.watchers(self.probes)
            self.params = [p for p in setup.model.parameters() if p.requires_grad]
            self.term_keys = self.runner.term_keys
            self._losses = torch.zeros(BUFFER, device=setup.device)
            self._terms = torch.zeros(BUFFER, len(self.term_keys), device=setup.device)
            self._correct = torch.zeros(BUFFER, dtype=torch.long, device=setup.device)
            self.setup = setup
            self.fast_path = install_fast_path(self)  # CUDA only: graphs or torch.compile
        return self.setup

    def run(self, callback: Callable[[object], None] | None = None) -> ev.RunFinished:
        """Run to the end, passing every event to `callback`; returns the RunFinished."""
        last = None
        for last in self.events():
            if callback is not None:
                callback(last)
        return last

    def events(self) -> Iterator[object]:
        try:
            self.prepare()
        except Exception as exc:  # bad settings or data: a message, never a crash
            yield ev.RunFinished("error", first_line(exc))
            return
        threads = torch.get_num_threads()
        if self.setup.device.type == "cpu":
            torch.set_num_threads(cpu_threads(self.config, self.setup.macs_per_sample))
        try:
            yield self._started()
            try:
                finished = yield from self._epochs()
            except Exception as exc:
                finished = self._failure(exc)
            yield self._finish(finished)
        finally:
            torch.set_num_threads(threads)

    # -- epochs -----------------------------------------------------------------------------
    def _started(self) -> ev.RunStarted:
        s = self.setup
        return ev.RunStarted(self.config.epochs, len(s.train), len(s.splits.train),
                             len(s.splits.val), len(s.splits.test), str(s.device),
                             sum(p.numel() for p in self.params), s.task, s.loss,
                             self.class_names(), s.amp_dtype is not None, s.train.name,
                             list(s.warnings), tuple(s.splits.info.input_shape),
                             recipe=s.recipe.name, terms=list(self.term_keys),
                             networks={role: sum(p.numel() for p in net.parameters())
                                       for role, net in s.networks.items()})

    def class_names(self) -> tuple[str, ...]:
        names = tuple(self.setup.splits.info.class_names)
        k = self.setup.num_classes
        return names + tuple(f"unused {i}" for i in range(len(names), k)) if names else names

    def _epochs(self):
        cfg = self.config
        self._t_run = time.monotonic()
        for epoch in range(1, cfg.epochs + 1):
            self.epoch = epoch
            t0 = time.monotonic()
            yield from self._train_epoch()
            if self.control.stopped:
                return ev.RunFinished("stopped", f"stopped by the user at step {self.step}")
            yield from self._end_epoch(epoch, t0)
            if cfg.early_stopping and self.setup.recipe.monitor \
                    and self._bad_epochs >= cfg.early_stopping:
                return ev.RunFinished("early-stopped", f"the validation loss has not improved "
                                      f"for {self._bad_epochs} epochs")
        return ev.RunFinished("completed", "")

    def _train_epoch(self):
        s = self.setup
        s.model.train()
        self._window_start(time.monotonic())
        self._epoch_sums = [0.0, 0, 0]  # loss·n, correct, samples
        self._epoch_terms = np.zeros(len(self.term_keys))  # term·n
        self._train_seconds, self._paused = 0.0, 0.0
        t_start = time.monotonic()
        for xb, yb in s.train.epoch():
            if self.control.paused:
                yield from self._pause()
            if self.control.stopped:
                break
            flow = self._step(xb, yb)
            if flow is not None:
                yield flow
            now = time.monotonic()
            if self._k == BUFFER or now - self._t_emit >= self.metrics_interval:
                yield self._flush(now)
                for watcher in self.watchers:
                    yield from watcher.live(self, now, False)
        now = time.monotonic()
        if self._k:
            yield self._flush(now)
        self._train_seconds = now - t_start - self._paused

    def _pause(self):
        now = time.monotonic()
        if self._k:
            yield self._flush(now)
        yield ev.Paused(self.step)
        self.control.wait_while_paused()
        self._paused += time.monotonic() - now
        self._window_start(time.monotonic())
        if not self.control.stopped:
            yield ev.Resumed(self.step)

    # -- one step (the hot path: no host synchronisation) -----------------------------------
    def _step(self, xb: torch.Tensor, yb: torch.Tensor):
        runner = self.runner
        probing = bool(self.probes.gradient_every
                       and (self.step + 1) % self.probes.gradient_every == 0)
        runner.probing = probing
        loss, terms, correct = runner.step(xb, yb)
        k = self._k
        self._losses[k] = loss
        for i, term in enumerate(terms):
            self._terms[k, i] = term
        if correct is not None:
            self._correct[k] = correct
        self._sizes.append(len(xb))
        self._k += 1
        self.step += 1
        if probing and runner.flow:
            return self._gradient_flow(runner)
        return None

    def _gradient_flow(self, runner: RecipeRun) -> ev.GradientFlow:
        """One event for the step's probed updates (a GAN probes each network's update)."""
        flows, runner.flow = runner.flow, []
        nodes = [n for f in flows for n in f[0]]
        mean, peak, ratio = (np.concatenate([f[i] for f in flows]) for i in (1, 2, 3))
        return ev.GradientFlow(self.step, self.epoch, nodes, mean, peak, ratio)

    # -- log points ---------------------------------------------------------------------------
    def _window_start(self, now: float) -> None:
        self._k, self._sizes, self._t_emit = 0, [], now

    def _flush(self, now: float) -> ev.StepMetrics:
        s, k = self.setup, self._k
        losses = self._losses[:k].tolist()
        self._check_diverged(losses, self.step - k + 1)
        n = sum(self._sizes)
        counts = self.runner.counts_correct
        correct = int(self._correct[:k].sum()) if counts else None
        sums = self._epoch_sums
        sums[0] += sum(v * b for v, b in zip(losses, self._sizes, strict=True))
        sums[1] += correct or 0
        sums[2] += n
        terms = {}
        if self.term_keys:
            sizes = torch.tensor(self._sizes, dtype=torch.float32)
            window = (self._terms[:k].float().cpu() * sizes[:, None]).sum(dim=0).numpy()
            self._check_terms(window)
            self._epoch_terms += window
            terms = dict(zip(self.term_keys, (window / n).tolist(), strict=True))
        metrics = ev.StepMetrics(
            self.epoch, self.step, self.config.epochs * len(s.train), losses,
            sum(losses) / k, None if correct is None else correct / n, self.runner.lr(),
            n / max(now - self._t_emit, 1e-9), self._eta(now), terms)
        self._window_start(now)
        return metrics

    def _check_diverged(self, losses: list[float], first: int) -> None:
        if self._initial_loss is None and losses and math.isfinite(losses[0]):
            self._initial_loss = losses[0]
        for i, value in enumerate(losses):
            if diverged(value, self._initial_loss):
                raise NonFiniteLoss(first + i, value, self.runner.lr(),
                                    bool(self.config.clip_norm or self.config.clip_value),
                                    self._initial_loss)

    def _check_terms(self, window: np.ndarray) -> None:
        """A term that became NaN or infinite (a GAN's other loss) stops the run too."""
        for key, value in zip(self.term_keys, window, strict=True):
            if not math.isfinite(value):
                raise NonFiniteLoss(self.step, float(value), self.runner.lr(),
                                    bool(self.config.clip_norm or self.config.clip_value),
                                    None, what=key.replace("_", " "))

    def _eta(self, now: float) -> float:
        total = self.config.epochs * len(self.setup.train)
        per_step = (now - self._t_run) / max(self.step, 1)
        return per_step * (total - self.step)

    # -- end of epoch -------------------------------------------------------------------------
    def _end_epoch(self, epoch: int, t0: float):
        s, cfg = self.setup, self.config
        val = self.runner.evaluate(*s.val, confusion=self.probes.confusion)
        loss_n, correct, n = self._epoch_sums
        train_loss = loss_n / max(n, 1)
        metric = val.get("loss", train_loss)
        best = s.recipe.monitor and math.isfinite(metric) and metric < self._best_metric
        if s.recipe.monitor:
            self._track_best(best, metric, epoch)
        self.runner.after_epoch(metric if s.recipe.monitor else None)
        extra = {k: v for k, v in val.items() if k.startswith("top_") or k == "mae"}
        extra.update(val.get("metrics", {}))  # a recipe's own (a GAN's D(x))
        terms = dict(zip(self.term_keys, (self._epoch_terms / max(n, 1)).tolist(),
                         strict=True))
        end = ev.EpochEnd(epoch, cfg.epochs, self.step, train_loss,
                          correct / n if self.runner.counts_correct and n else None,
                          val.get("loss"), val.get("accuracy"), extra, self.runner.lr(),
                          time.monotonic() - t0, n / max(self._train_seconds, 1e-9), best,
                          terms, dict(val.get("terms", {})))
        self.history.append(dict(vars(end)))
        yield end
        for watcher in self.watchers:
            yield from watcher.epoch_end(self, val)

    def _track_best(self, best: bool, metric: float, epoch: int) -> None:
        if not best:
            self._bad_epochs += 1
            return
        self._best_metric, self.best_epoch, self._bad_epochs = metric, epoch, 0
        if self.config.keep_best or self.on_best:
            state = {k: v.detach().clone() for k, v in self.setup.model.state_dict().items()}
            self.best_state = state if self.config.keep_best else None
            if self.on_best:
                self.on_best(state, epoch)

    # -- the end ------------------------------------------------------------------------------
    def _failure(self, exc: Exception) -> ev.RunFinished:
        return run_failure(self.setup, self.config, exc)

    def _finish(self, finished: ev.RunFinished) -> ev.RunFinished:
        s = self.setup
        if self.best_state is not None:
            s.model.load_state_dict(self.best_state)
        if finished.reason != "error" and len(s.test[0]):
            try:
                test = self.runner.evaluate(*s.test)
                finished.test_loss, finished.test_accuracy = test.get("loss"), test.get("accuracy")
                finished.test_terms = dict(test.get("terms", {}))
            except Exception as exc:  # evaluation must not turn a finished run into a crash
                finished.message = finished.message or first_line(exc)
        # after a failure the model holds the best epoch's weights, or nothing worth keeping
        finished.weights_kept = finished.reason != "error" or self.best_state is not None
        finished.epochs_done, finished.steps = len(self.history), self.step
        finished.best_epoch = self.best_epoch
        finished.best_val_loss = None if self.best_epoch is None else self._best_metric
        finished.history = list(self.history)
        return finished
