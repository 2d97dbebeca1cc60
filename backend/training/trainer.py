"""The training loop: a Qt-free generator of events that the CLI, the tests and the GUI share.

    trainer = Trainer(doc)                 # settings from doc.sections, or pass them
    for event in trainer.events(): ...     # or trainer.run(callback)
    trainer.control.stop()                 # from any thread; pause()/resume() likewise

The hot loop never waits for the device: each step's loss (and correct count) is written into
a preallocated device buffer and read back only at log points (every `metrics_interval`
seconds, when the buffer is full and at the end of an epoch); a non-finite loss is found
there, with its exact step number. Stop and pause are checked before every step. Every run
ends with exactly one RunFinished, also when something fails (the message says what to do).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from contextlib import nullcontext

import torch
from torch import nn

from backend.graph.document import GraphDocument
from backend.training import events as ev
from backend.training.components import (
    current_lr,
    make_loss,
    make_optimizer,
    make_schedule,
    predicted_class,
    true_class,
)
from backend.training.config import TrainingConfig
from backend.training.evaluation import evaluate
from backend.training.failures import (
    NonFiniteLoss,
    diverged,
    first_line,
    is_out_of_memory,
    layer_message,
    loss_message,
    out_of_memory_message,
    trace_node,
)
from backend.training.probes import GradientProbe, feature_maps, weight_histograms
from backend.training.setup import RunSetup, cpu_threads, prepare

BUFFER = 1024  # steps between forced read-backs of the loss buffer


class _LayerFailure(RuntimeError):
    pass


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
        self.step = 0
        self.history: list[dict] = []
        self.best_state: dict | None = None
        self.best_epoch: int | None = None
        self._best_metric = math.inf
        self._bad_epochs = 0
        self._initial_loss: float | None = None
        self._watched: str | None = None
        self._t_feature = -math.inf
        self.epoch = 0

    @property
    def model(self) -> nn.Module:
        return self.prepare().model

    def prepare(self) -> RunSetup:
        """Load data, check the fit, build the model (raises ValueError with the fix)."""
        if self.setup is None:
            self.setup = prepare(self.design, self.dataset, self.config, self.data_path)
            s, cfg = self.setup, self.config
            self.loss_fn = make_loss(s.loss)
            self.opt = make_optimizer(cfg, s.model.parameters(), fused=True)
            self.schedule = make_schedule(cfg, self.opt, len(s.train))
            self.params = [p for p in s.model.parameters() if p.requires_grad]
            self.grad_probe = GradientProbe(s.model) if self.probes.gradient_every else None
            self._losses = torch.zeros(BUFFER, device=s.device)
            self._correct = torch.zeros(BUFFER, dtype=torch.long, device=s.device)
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
                             self._class_names(), s.amp_dtype is not None, s.train.name,
                             list(s.warnings), tuple(s.splits.info.input_shape))

    def _class_names(self) -> tuple[str, ...]:
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
            if cfg.early_stopping and self._bad_epochs >= cfg.early_stopping:
                return ev.RunFinished("early-stopped", f"the validation loss has not improved "
                                      f"for {self._bad_epochs} epochs")
        return ev.RunFinished("completed", "")

    def _train_epoch(self):
        s = self.setup
        s.model.train()
        self._window_start(time.monotonic())
        self._epoch_sums = [0.0, 0, 0]  # loss·n, correct, samples
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
                yield from self._feature_probe(now)
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
        s, cfg = self.setup, self.config
        self._last_x = xb
        amp = torch.autocast(s.device.type, s.amp_dtype) if s.amp_dtype else nullcontext()
        with amp:
            try:
                out = s.model(xb)
            except Exception as exc:
                raise _LayerFailure(str(exc)) from exc
        try:
            loss = self.loss_fn(out.float() if s.amp_dtype else out, yb)
        except Exception as exc:
            raise ValueError(loss_message(s.loss, out.shape[1:], yb.shape[1:], exc)) from exc
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        if cfg.clip_value:
            nn.utils.clip_grad_value_(self.params, cfg.clip_value)
        if cfg.clip_norm:
            nn.utils.clip_grad_norm_(self.params, cfg.clip_norm)
        probe = self.grad_probe if (self.grad_probe and
                                    (self.step + 1) % self.probes.gradient_every == 0) else None
        if probe:
            probe.before_step()
        self.opt.step()
        self.schedule.after_step()
        self._record(loss, out, yb)
        if probe:
            mean, peak, ratio = probe.after_step()
            return ev.GradientFlow(self.step, self.epoch, probe.nodes, mean, peak, ratio)
        return None

    def _record(self, loss: torch.Tensor, out: torch.Tensor, yb: torch.Tensor) -> None:
        """Keep the step's loss and correct count on the device (read back at log points)."""
        fmt = self.setup.target_fmt
        self._losses[self._k] = loss.detach()
        if fmt != "value":
            self._correct[self._k] = (predicted_class(out.detach(), fmt)
                                      == true_class(yb, fmt)).sum()
        self._sizes.append(len(yb))
        self._k += 1
        self.step += 1

    # -- log points ---------------------------------------------------------------------------
    def _window_start(self, now: float) -> None:
        self._k, self._sizes, self._t_emit = 0, [], now

    def _flush(self, now: float) -> ev.StepMetrics:
        s, k = self.setup, self._k
        losses = self._losses[:k].tolist()
        first = self.step - k + 1
        if self._initial_loss is None and losses and math.isfinite(losses[0]):
            self._initial_loss = losses[0]
        for i, value in enumerate(losses):
            if diverged(value, self._initial_loss):
                raise NonFiniteLoss(first + i, value, current_lr(self.opt),
                                    bool(self.config.clip_norm or self.config.clip_value),
                                    self._initial_loss)
        n = sum(self._sizes)
        correct = int(self._correct[:k].sum()) if s.target_fmt != "value" else None
        sums = self._epoch_sums
        sums[0] += sum(v * b for v, b in zip(losses, self._sizes, strict=True))
        sums[1] += correct or 0
        sums[2] += n
        metrics = ev.StepMetrics(
            self.epoch, self.step, self.config.epochs * len(s.train), losses,
            sum(losses) / k, None if correct is None else correct / n, current_lr(self.opt),
            n / max(now - self._t_emit, 1e-9), self._eta(now))
        self._window_start(now)
        return metrics

    def _eta(self, now: float) -> float:
        total = self.config.epochs * len(self.setup.train)
        per_step = (now - self._t_run) / max(self.step, 1)
        return per_step * (total - self.step)

    # -- end of epoch -------------------------------------------------------------------------
    def _end_epoch(self, epoch: int, t0: float):
        s, cfg = self.setup, self.config
        val = self._evaluate(*s.val, confusion=self.probes.confusion)
        loss_n, correct, n = self._epoch_sums
        train_loss = loss_n / max(n, 1)
        metric = val.get("loss", train_loss)
        best = math.isfinite(metric) and metric < self._best_metric
        self._track_best(best, metric, epoch)
        self.schedule.after_epoch(metric)
        extra = {k: v for k, v in val.items() if k.startswith("top_") or k == "mae"}
        end = ev.EpochEnd(epoch, cfg.epochs, self.step, train_loss,
                          correct / n if s.target_fmt != "value" and n else None,
                          val.get("loss"), val.get("accuracy"), extra, current_lr(self.opt),
                          time.monotonic() - t0, n / max(self._train_seconds, 1e-9), best)
        self.history.append(dict(vars(end)))
        yield end
        yield from self._epoch_probes(val)

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

    def _evaluate(self, x, y, confusion: bool = False) -> dict:
        s, cfg = self.setup, self.config
        return evaluate(s.model, self.loss_fn, x, y, device=s.device, fmt=s.target_fmt,
                        num_classes=s.num_classes,
                        top_k=cfg.top_k if "top_k" in cfg.metrics else 0,
                        mae="mae" in cfg.metrics or s.target_fmt == "value",
                        confusion=confusion, amp_dtype=s.amp_dtype,
                        batch_size=max(cfg.batch_size, 256))

    # -- probes -------------------------------------------------------------------------------
    def _feature_probe(self, now: float, force: bool = False):
        changed, node = self.control.take_feature_node()
        if changed:
            self._watched = node
        node = self._watched
        due = now - self._t_feature >= self.probes.feature_every_s
        if node is None or not (changed or due or force):
            return
        self._t_feature = now
        p, s = self.probes, self.setup
        result = feature_maps(s.model, node, s.probe_sample, p.max_channels, p.max_size)
        if result is not None:
            maps, shape = result
            sample = s.probe_sample[0].float().cpu().numpy()
            yield ev.FeatureMaps(self.step, self.epoch, node, maps, sample, shape)

    def _epoch_probes(self, val: dict):
        if "confusion" in val:
            yield ev.ConfusionMatrix(self.step, self.epoch, val["confusion"],
                                     self._class_names())
        if self.probes.weights_every_epoch:
            nodes, counts, edges = weight_histograms(self.setup.model, self.probes.histogram_bins)
            yield ev.WeightHistograms(self.step, self.epoch, nodes, counts, edges)
        yield from self._feature_probe(time.monotonic(), force=True)

    # -- the end ------------------------------------------------------------------------------
    def _failure(self, exc: Exception) -> ev.RunFinished:
        s, node = self.setup, None
        if is_out_of_memory(exc):
            message = out_of_memory_message(s.device, self.config.batch_size)
        elif isinstance(exc, _LayerFailure):
            node = trace_node(s.model, self._last_x)
            label = s.labels.get(node, f"'{node}'") if node else "of the model"
            message = layer_message(node, label, exc.__cause__ or exc)
        else:
            message = first_line(exc)
        return ev.RunFinished("error", message, node=node)

    def _finish(self, finished: ev.RunFinished) -> ev.RunFinished:
        s = self.setup
        if self.best_state is not None:
            s.model.load_state_dict(self.best_state)
        if finished.reason != "error" and len(s.test[0]):
            try:
                test = self._evaluate(*s.test)
                finished.test_loss, finished.test_accuracy = test["loss"], test.get("accuracy")
            except Exception as exc:  # evaluation must not turn a finished run into a crash
                finished.message = finished.message or first_line(exc)
        finished.epochs_done, finished.steps = len(self.history), self.step
        finished.best_epoch = self.best_epoch
        finished.best_val_loss = None if self.best_epoch is None else self._best_metric
        finished.history = list(self.history)
        return finished
