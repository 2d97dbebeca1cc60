"""The GPU fast path: what it turns on for a run, and the CUDA-graph training step.

Only a CUDA run is ever changed; on the CPU `decide` returns the plain path. bf16 autocast
and channels-last are chosen where the run is set up (`backend.training.setup`); this module
adds the two things that remove Python and launch overhead:

- CUDA-graph capture of the whole training step (forward, loss, backward, clipping and the
  optimiser step) for small static models, where kernel launches dominate: after a few eager
  warm-up steps on a side stream, one full-size step is captured and then replayed with the
  next batch copied into its static inputs. A batch of another size (the last one of an
  epoch) and steps that probe gradient flow run eagerly. It needs a constant learning rate
  (schedule "none") and an optimiser that can be captured (SGD, Adam, AdamW; they are switched
  to `capturable`).
- `torch.compile` of the model when the run asks for it (`compile: true`), with the
  "reduce-overhead" mode (Inductor plus its own CUDA graphs) for small models instead of ours.

`decide(...)` is pure (no torch, no device) so the choice is unit-tested on any machine;
`GraphedStep` takes its capture and stream machinery as arguments for the same reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

GRAPH_MAX_STEP_FLOPS = 2e11  # above this per step, launches are a small share of the time
GRAPH_OPTIMIZERS = ("sgd", "sgd_momentum", "nesterov", "adam", "adamw")
WARMUP_STEPS = 3


@dataclass
class FastPath:
    graph: bool = False
    compile: str | None = None  # None, "default" or "reduce-overhead"
    reasons: list[str] = field(default_factory=list)  # why a part is off (for the run's notes)

    @property
    def plain(self) -> bool:
        return not self.graph and self.compile is None


def decide(device_type: str, optimizer: str, schedule: str, macs_per_sample: int,
           batch_size: int, *, compile_requested: bool = False, graphs: str = "auto",
           probing: bool = False, networks: int = 1) -> FastPath:
    """What the fast path uses for a run (see the module docstring)."""
    path = FastPath()
    if device_type != "cuda":
        if compile_requested:
            path.reasons.append("the run trains on the CPU (it is used on CUDA GPUs only)")
        return path
    flops = 3 * macs_per_sample * batch_size
    small = 0 < flops <= GRAPH_MAX_STEP_FLOPS
    if compile_requested:
        path.compile = "reduce-overhead" if small else "default"
        return path  # Inductor captures its own graphs; ours would fight it
    blockers = []
    if graphs == "off":
        blockers.append("CUDA graphs are turned off")
    if not small:
        blockers.append("the model is large enough that kernel launches do not dominate")
    if schedule != "none":
        blockers.append(f"the {schedule} schedule changes the learning rate during the run")
    if optimizer not in GRAPH_OPTIMIZERS:
        blockers.append(f"the {optimizer} optimiser cannot be captured")
    if networks != 1:
        blockers.append("the recipe trains several networks")
    if probing:
        blockers.append("gradient flow is probed during the run")
    path.graph = not blockers
    path.reasons = blockers
    return path


class GraphedStep:
    """A training step replayed from a CUDA graph once captured (see the module docstring).

    `step(xb, yb)` is the recipe's eager step returning device tensors (loss, terms, correct);
    `capture(fn)` records `fn()` into a graph and returns (replay, outputs); `warmup(fn)` runs
    `fn()` on a side stream; `copy(dst, src)` fills a static input. The real ones come from
    `cuda_machinery()`; tests pass plain functions.
    """

    def __init__(self, step: Callable, capture: Callable, warmup: Callable,
                 copy: Callable, is_probing: Callable[[], bool] = lambda: False,
                 warmup_steps: int = WARMUP_STEPS) -> None:
        self.eager, self.capture, self.warmup, self.copy = step, capture, warmup, copy
        self.is_probing, self.warmup_steps = is_probing, warmup_steps
        self.replay = self.outputs = self.shape = None
        self.static: tuple | None = None
        self.seen = 0
        self.replays = 0

    def __call__(self, xb, yb):
        if self.is_probing() or (self.shape is not None and _shape(xb, yb) != self.shape):
            return self.eager(xb, yb)
        if self.replay is not None:
            self.copy(self.static[0], xb)
            self.copy(self.static[1], yb)
            self.replay()
            self.replays += 1
            return self.outputs
        self.seen += 1
        if self.seen <= self.warmup_steps:
            return self.warmup(lambda: self.eager(xb, yb))
        self.shape, self.static = _shape(xb, yb), (xb.clone(), yb.clone())
        self.replay, self.outputs = self.capture(lambda: self.eager(*self.static))
        self.replay()  # capturing records the step without running it: run it now
        self.replays += 1
        return self.outputs


def _shape(xb, yb) -> tuple:
    return tuple(xb.shape), tuple(yb.shape), str(xb.dtype), str(yb.dtype)


def cuda_machinery():
    """(capture, warmup, copy) for GraphedStep on the current CUDA device."""
    import torch

    side = torch.cuda.Stream()
    pool = torch.cuda.graph_pool_handle()

    def warmup(fn):
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):
            out = fn()
        torch.cuda.current_stream().wait_stream(side)
        return out

    def capture(fn):
        graph = torch.cuda.CUDAGraph()
        torch.cuda.synchronize()
        with torch.cuda.graph(graph, pool=pool):
            outputs = fn()
        return graph.replay, outputs

    def copy(dst, src):
        dst.copy_(src, non_blocking=True)

    return capture, warmup, copy


def make_capturable(optimizers) -> None:
    """Let Adam/AdamW run inside a captured graph (their step counters live on the GPU)."""
    for opt in optimizers:
        for group in opt.param_groups:
            if "capturable" in group:
                group["capturable"] = True


def install(trainer) -> FastPath:
    """Apply the fast path to a prepared trainer (a no-op off CUDA); returns what it chose."""
    s, cfg = trainer.setup, trainer.config
    runner = getattr(trainer, "runner", None)
    networks = len(getattr(s, "networks", {}) or {"model": None})
    path = decide(s.device.type, cfg.optimizer, cfg.schedule, s.macs_per_sample,
                  cfg.batch_size, compile_requested=bool(getattr(cfg, "compile", False)),
                  graphs=getattr(cfg, "cuda_graphs", "auto"),
                  probing=bool(trainer.probes.gradient_every), networks=networks)
    if path.compile is not None:
        import torch

        s.model = torch.compile(s.model, mode=path.compile)
    elif path.graph and runner is not None:
        make_capturable(slot.opt for slot in runner.slots)
        runner.step = GraphedStep(runner.step, *cuda_machinery(),
                                  is_probing=lambda: runner.probing)
    if path.reasons and (s.device.type == "cuda" or cfg.compile):
        what = "torch.compile" if cfg.compile else "the CUDA-graph training step"
        s.warnings.append(f"{what} is not used: {path.reasons[0]}")
    return path


def uninstall_graph(trainer) -> None:
    """Back to the eager step (several processes: DDP's all-reduce stays out of graphs)."""
    runner = getattr(trainer, "runner", None)
    if runner is not None and isinstance(runner.step, GraphedStep):
        runner.step = runner.step.eager
