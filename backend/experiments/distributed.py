"""One run trained by several processes: DistributedDataParallel around the same engine.

`check_processes(n, device)` refuses, in one sentence, more processes than the machine has
(CPU cores on the CPU, GPUs on CUDA). `launch(spec, n)` starts n copies of
`backend.experiments.ddp_worker` with torchrun's launcher (`torch.distributed.launcher`, what
the `torchrun` command runs; rendezvous on localhost like `torchrun --standalone`): gloo on
the CPU, NCCL on GPUs, one GPU per process.

In each process `distribute(trainer, rank, world)` wraps the prepared model in
DistributedDataParallel (gradients are averaged across processes after every backward) and
gives each process every world-th sample of each batch, so the n processes together take the
same steps on the same global batches as one process would: the result compares with a
one-process run of the same settings (the batch size stays the global one). Every process
evaluates the whole validation split with the same weights, so early stopping and the best
epoch agree; BatchNorm statistics are broadcast from rank 0. Rank 0 reports and writes the
run; the others are silent.
"""

from __future__ import annotations

import os


def available_processes(device: str) -> tuple[int, str]:
    """(how many processes this machine can run, what it counts)."""
    if device == "cuda":
        import torch

        return torch.cuda.device_count(), "GPU"
    return os.cpu_count() or 1, "CPU core"


def resolve_device(device: str) -> str:
    if device in ("auto", None):
        import torch

        return "cuda" if torch.cuda.is_available() and torch.cuda.device_count() > 1 else "cpu"
    return device


def check_processes(n: int, device: str, fix: str = "use --nproc-per-node {have} or fewer"
                    ) -> None:
    """Refuse (ValueError, one sentence ending with `fix`) more processes than the machine has."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"--nproc-per-node must be a whole number of at least 1, not {n!r}")
    have, what = available_processes(device)
    if have == 0 and n > 1:  # device cuda on a machine without a CUDA GPU
        raise ValueError(f"{n} processes on GPUs were asked for but this machine has no CUDA "
                         "GPU: set the device to cpu (or auto) to train them on CPU cores")
    if n > have:
        raise ValueError(f"{n} processes were asked for but this machine has {have} {what}"
                         f"{'s' if have != 1 else ''}: {fix.format(have=have)}")


def machine_processes() -> tuple[int, str]:
    """(the most processes one run can use here, what they run on), without importing torch:
    the CPU cores this process may use, or the GPUs when there are several (what the
    designer offers in its settings)."""
    gpus = _visible_gpus()
    if gpus > 1:
        return gpus, "GPU"
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return cores, "CPU core"


def _visible_gpus() -> int:
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    try:
        present = len(os.listdir("/proc/driver/nvidia/gpus"))
    except OSError:
        return 0
    if visible is None:
        return present
    return min(present, len([v for v in visible.split(",") if v.strip() and v.strip() != "-1"]))


def launch(spec_path: str, n: int) -> None:
    """Run the workers to the end; raises RuntimeError (one sentence) if one of them failed."""
    import logging
    import uuid

    from torch.distributed.elastic.multiprocessing.errors import ChildFailedError
    from torch.distributed.launcher.api import LaunchConfig, elastic_launch

    for name in ("torch.distributed.elastic", "torch.distributed.launcher"):
        logging.getLogger(name).setLevel(logging.CRITICAL)  # its failure lines: ours say it
    config = LaunchConfig(min_nodes=1, max_nodes=1, nproc_per_node=n, run_id=str(uuid.uuid4()),
                          rdzv_backend="c10d", rdzv_endpoint="localhost:0", max_restarts=0,
                          monitor_interval=0.1)
    threads = os.environ.get("OMP_NUM_THREADS")  # the workers' share of the cores
    os.environ["OMP_NUM_THREADS"] = threads or str(max(1, (os.cpu_count() or 1) // n))
    try:
        elastic_launch(config, _python())(
            "-u", "-m", "backend.experiments.ddp_worker", spec_path)
    except ChildFailedError as exc:
        # the process that failed first is the cause; the others lost their connection to it
        rank, failure = min(exc.failures.items(), key=lambda item: item[1].timestamp)
        code = failure.exitcode
        how = f"killed by signal {-code}" if code < 0 else f"exit code {code}"
        raise RuntimeError(f"training process {rank} of {n} stopped ({how}); the run ended") \
            from None
    finally:
        if threads is None:
            os.environ.pop("OMP_NUM_THREADS", None)


def _python() -> str:
    import sys

    return sys.executable


def distribute(trainer, rank: int, world: int, local_rank: int = 0) -> None:
    """Wrap a prepared trainer's model in DDP and shard its batches (see the docstring)."""
    from torch.nn.parallel import DistributedDataParallel

    class _Distributed(DistributedDataParallel):
        """DDP whose state dict is the model's own (no "module." prefix), so best weights
        and the stored run are the same as from one process."""

        def state_dict(self, *args, **kwargs):
            return self.module.state_dict(*args, **kwargs)

        def load_state_dict(self, state, strict: bool = True, assign: bool = False):
            return self.module.load_state_dict(state, strict=strict, assign=assign)

        @property
        def node_attrs(self) -> dict | None:  # the probes find the model's layers by these
            attrs = getattr(self.module, "node_attrs", None)
            return None if attrs is None else {k: f"module.{v}" for k, v in attrs.items()}

        @property
        def layer_paths(self) -> dict | None:
            paths = getattr(self.module, "layer_paths", None)
            return None if paths is None else {k: f"module.{v}" for k, v in paths.items()}

    from backend.experiments.fastpath import uninstall_graph

    uninstall_graph(trainer)
    s = trainer.setup
    cuda = s.device.type == "cuda"
    s.model = _Distributed(s.model, device_ids=[local_rank] if cuda else None)
    s.train = ShardedBatches(s.train, rank, world)


class ShardedBatches:
    """Every world-th sample of each batch of `batches` (one process's share of it)."""

    def __init__(self, batches, rank: int, world: int) -> None:
        self.batches, self.rank, self.world = batches, rank, world
        self.name = f"{batches.name}, shard {rank + 1} of {world}"

    def __len__(self) -> int:
        return len(self.batches)

    def __getattr__(self, name: str):
        return getattr(self.batches, name)

    def epoch(self):
        for xb, yb in self.batches.epoch():
            if len(xb) < self.world:  # too few samples to give every process one: skip it
                continue             # (every process skips the same batch)
            yield xb[self.rank::self.world], yb[self.rank::self.world]
