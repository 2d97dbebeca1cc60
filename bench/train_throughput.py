"""Training throughput: Netwright's engine against the DataLoader loop every tutorial writes.

Both train the same network (same design, same initial weights, same optimiser, batch size
and thread count) on the same MNIST-sized synthetic data in this process; rounds are
interleaved and the median is reported, so a busy machine hurts both alike. Printed:
samples/s of the reference loop, of the engine without live instrumentation, and of the
engine with it (metrics ~10/s, gradient flow every 50 steps, feature maps every 2 s), and
the ratios. Samples/s count training steps only (the engine's validation pass is excluded).

On a CUDA GPU the engine runs with its fast path (bf16 autocast, channels-last, the CUDA-graph
step for small models; `backend.experiments.fastpath`) and two more columns appear: the
engine with the fast path off ("plain", same precision rules as the CPU) and the fast
engine's share of the GPU's bf16 peak (3 × forward multiply-adds × 2 FLOPs per sample;
`--peak-tflops` when the GPU is not in the table). `--compile` adds torch.compile.
Accuracy after the epoch is printed for both, so the fast path's parity shows in the same run.

    .venv/bin/python bench/train_throughput.py              # MLP + LeNet-5 (< 2 min, 2 cores)
    .venv/bin/python bench/train_throughput.py --resnet     # + a ResNet-18-sized CNN (GPU)
    .venv/bin/python bench/train_throughput.py --channels-last off --threads 2  # variants
    .venv/bin/python bench/train_throughput.py --resnet --compile      # GPU: + torch.compile
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402
from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

from backend.build import build_model  # noqa: E402
from backend.data import Dataset, DatasetInfo  # noqa: E402
from backend.templates import make_template  # noqa: E402
from backend.templates.builder import DesignBuilder  # noqa: E402
from backend.training import EpochEnd, Probes, Trainer, TrainingConfig  # noqa: E402
from backend.training.probes import GradientProbe, feature_maps  # noqa: E402
from backend.training.setup import cpu_threads  # noqa: E402


def synthetic(n: int, shape: tuple[int, ...], seed: int = 0) -> Dataset:
    """Learnable MNIST-like data: a fixed random pattern per class plus noise."""
    rng = np.random.default_rng(seed)
    patterns = rng.normal(0, 1, (10, *shape)).astype(np.float32)
    y = rng.integers(0, 10, n)
    x = patterns[y] + rng.normal(0, 2.0, (n, *shape)).astype(np.float32)
    info = DatasetInfo("synthetic", "classification", shape, 10,
                       tuple(str(i) for i in range(10)), kind="image")
    return Dataset(info, x, y.astype(np.int64))


def mlp_design():
    b = DesignBuilder("MLP 784-256-128-10")
    b.add("Input", "image", after=None, shape=[1, 28, 28])
    b.add("Flatten", "flatten")
    b.add("Dense", "fc1", units=256)
    b.add("ReLU", "relu1")
    b.add("Dense", "fc2", units=128)
    b.add("ReLU", "relu2")
    b.add("Dense", "out", units=10)
    return b.doc


class Block(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int) -> None:
        super().__init__()
        self.c1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.b1 = nn.BatchNorm2d(cout)
        self.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.b2 = nn.BatchNorm2d(cout)
        self.skip = nn.Sequential()
        if stride != 1 or cin != cout:
            self.skip = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                      nn.BatchNorm2d(cout))

    def forward(self, x):
        out = torch.relu(self.b1(self.c1(x)))
        return torch.relu(self.b2(self.c2(out)) + self.skip(x))


def resnet18() -> nn.Module:
    """ResNet-18 for 32×32 inputs (11.2 M parameters), as in CIFAR-10 baselines."""
    layers, cin = [nn.Conv2d(3, 64, 3, 1, 1, bias=False), nn.BatchNorm2d(64), nn.ReLU()], 64
    for cout, stride in ((64, 1), (128, 2), (256, 2), (512, 2)):
        layers += [Block(cin, cout, stride), Block(cout, cout, 1)]
        cin = cout
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, 10)]
    return nn.Sequential(*layers)


def reference_loop(model: nn.Module, data: Dataset, cfg: TrainingConfig,
                   device: torch.device) -> float:
    """The loop from the tutorials: DataLoader(TensorDataset), .to(device), loss.item()."""
    loader = DataLoader(TensorDataset(torch.from_numpy(data.x), torch.from_numpy(data.y)),
                        batch_size=cfg.batch_size, shuffle=True,
                        pin_memory=device.type == "cuda")
    model = model.to(device).train()
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    criterion = nn.CrossEntropyLoss()
    running, seen = 0.0, 0
    t0 = time.perf_counter()
    for xb, yb in loader:
        xb, yb = xb.to(device), yb.to(device)
        opt.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        opt.step()
        running += loss.item()
        seen += len(xb)
    if device.type == "cuda":
        torch.cuda.synchronize()
    return seen / (time.perf_counter() - t0)


def engine(design, data: Dataset, settings: dict, instrumented: bool, feature_node: str | None
           ) -> tuple[float, float]:
    """(training samples/s, validation accuracy) of one engine epoch."""
    probes = Probes(feature_node=feature_node, feature_every_s=2.0, gradient_every=50) \
        if instrumented else Probes()
    trainer = Trainer(design, data, settings, probes=probes,
                      metrics_interval=0.1 if instrumented else float("inf"))
    ends = [e for e in trainer.events() if isinstance(e, EpochEnd)]
    if not ends:
        raise SystemExit("the engine run failed")
    return ends[-1].samples_per_s, ends[-1].val_accuracy or 0.0


def make_model(kind: str, seed: int):
    torch.manual_seed(seed)
    if kind == "resnet18":
        return resnet18()
    return build_model(DESIGNS[kind]())


PEAK_BF16_TFLOPS = {"H200": 989.0, "H100": 989.0, "A100": 312.0, "L40S": 362.0, "L4": 121.0,
                    "A10": 125.0, "RTX 4090": 165.0}  # dense, without sparsity


def peak_tflops(name: str, given: float | None) -> float | None:
    if given:
        return given
    return next((v for k, v in PEAK_BF16_TFLOPS.items() if k in name), None)


DESIGNS = {"mlp": mlp_design, "lenet5": lambda: make_template("lenet5")}
SHAPES = {"mlp": (1, 28, 28), "lenet5": (1, 32, 32), "resnet18": (3, 32, 32)}
NODES = {"mlp": "fc1_1", "lenet5": "c1_1", "resnet18": "0"}


def bench_model(kind: str, args, device: torch.device) -> dict:
    data = synthetic(args.samples, SHAPES[kind])
    settings = {"epochs": 1, "batch_size": args.batch_size, "lr": 1e-3, "seed": 0,
                "val_fraction": 0.02, "test_fraction": 0.0, "device": device.type,
                "mixed_precision": "on" if args.bf16 else "auto",
                "channels_last": args.channels_last, "cpu_threads": args.threads}
    design = DESIGNS[kind]() if kind in DESIGNS else None
    probe = Trainer(design or make_model(kind, 0), data, settings)
    threads = cpu_threads(probe.config, probe.prepare().macs_per_sample)
    ref_data = Dataset(data.info, *[a[:int(len(data) * 0.98)] for a in (data.x, data.y)])
    results: dict[str, list[float]] = {"reference": [], "engine": [], "instrumented": []}
    accuracy, plain_accuracy = [], []
    cuda = device.type == "cuda"
    if cuda:
        settings["compile"] = bool(args.compile)
        results["plain"] = []
    for round_ in range(args.rounds):
        saved = torch.get_num_threads()
        torch.set_num_threads(threads if device.type == "cpu" else saved)
        results["reference"].append(reference_loop(make_model(kind, 0), ref_data,
                                                   probe.config, device))
        torch.set_num_threads(saved)
        order = (("engine", False), ("instrumented", True))
        for name, instr in order[::-1] if round_ % 2 else order:  # alternate to cancel drift
            speed, acc = engine(design or make_model(kind, 0), data, settings, instr,
                                NODES[kind])
            results[name].append(speed)
            accuracy.append(acc)
        if cuda:  # the same engine without the fast path, for speed and accuracy parity
            plain = {**settings, "cuda_graphs": "off", "compile": False,
                     "mixed_precision": "off", "channels_last": "off"}
            speed, acc = engine(design or make_model(kind, 0), data, plain, False, NODES[kind])
            results["plain"].append(speed)
            plain_accuracy.append(acc)
    med = {k: statistics.median(v) for k, v in results.items()}
    med["threads"], med["accuracy"] = threads, statistics.median(accuracy)
    med["plain_accuracy"] = statistics.median(plain_accuracy) if plain_accuracy else None
    med["flops_per_sample"] = 6 * probe.setup.macs_per_sample
    med["probe_cost"] = probe_cost(probe, NODES[kind], threads, med["engine"])
    return med


def probe_cost(trainer: Trainer, node: str, threads: int, samples_per_s: float) -> float:
    """Instrumentation cost timed directly (free of the noise between whole runs): one
    gradient-flow probe per 50 steps plus one feature-map probe per 2 s, over step time."""
    s = trainer.setup
    saved = torch.get_num_threads()
    torch.set_num_threads(threads if s.device.type == "cpu" else saved)
    xb, yb = next(iter(s.train.epoch()))
    trainer.loss_fn(s.model(xb), yb).backward()
    flow = GradientProbe(s.model)

    def timed(fn, n: int = 20) -> float:
        fn()
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        if s.device.type == "cuda":
            torch.cuda.synchronize()
        return (time.perf_counter() - t0) / n

    grad_s = timed(lambda: (flow.before_step(), flow.after_step()))
    feature_s = timed(lambda: feature_maps(s.model, node, s.probe_sample))
    torch.set_num_threads(saved)
    step_s = trainer.config.batch_size / samples_per_s
    return grad_s / (50 * step_s) + feature_s / 2.0


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"))
    p.add_argument("--samples", type=int, help="training samples per epoch (default on "
                   "CPU: 36,000 MLP, 12,000 LeNet-5; on GPU: 60,000)")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--resnet", action="store_true", help="also a ResNet-18-sized CNN")
    p.add_argument("--only", choices=("mlp", "lenet5", "resnet18"))
    p.add_argument("--bf16", action="store_true", help="engine with bf16 autocast")
    p.add_argument("--channels-last", choices=("auto", "on", "off"), default="auto",
                   help="engine memory layout for images (auto: channels-last)")
    p.add_argument("--threads", type=int, default=0, help="CPU threads (0: the engine's "
                   "choice); the reference loop always uses the same number")
    p.add_argument("--compile", action="store_true", help="GPU: the engine with torch.compile")
    p.add_argument("--peak-tflops", type=float, help="the GPU's dense bf16 peak (default: "
                   "from a table of common GPUs)")
    args = p.parse_args()
    device = torch.device("cuda" if args.device == "auto" and torch.cuda.is_available()
                          else "cpu" if args.device == "auto" else args.device)
    cpu_samples = {"mlp": 36_000, "lenet5": 12_000, "resnet18": 2_000}
    kinds = [args.only] if args.only else ["mlp", "lenet5"] + (["resnet18"] if args.resnet
                                                              else [])
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else \
        f"CPU, {torch.get_num_threads()} threads available"
    print(f"device: {name}; batch {args.batch_size}, median of {args.rounds} interleaved "
          "rounds; samples/s of training steps")
    print(f"{'model':<9} {'threads':>7} {'reference':>11} {'engine':>11} {'ratio':>6} "
          f"{'+instr.':>11} {'cost':>6} {'timed':>6} {'val acc':>7}")
    samples = args.samples
    for kind in kinds:
        args.samples = samples or (60_000 if device.type == "cuda" else cpu_samples[kind])
        r = bench_model(kind, args, device)
        print(f"{kind:<9} {r['threads']:>7} {r['reference']:>11,.0f} {r['engine']:>11,.0f} "
              f"{r['engine'] / r['reference']:>5.2f}x {r['instrumented']:>11,.0f} "
              f"{1 - r['instrumented'] / r['engine']:>6.1%} {r['probe_cost']:>6.1%} "
              f"{r['accuracy']:>7.1%}", flush=True)
        if "plain" in r:
            peak = peak_tflops(name, args.peak_tflops)
            share = "" if peak is None else \
                f", {r['engine'] * r['flops_per_sample'] / (peak * 1e12):.1%} of bf16 peak"
            print(f"{'':<9} fast path off: {r['plain']:,.0f} samples/s (fast "
                  f"{r['engine'] / r['plain']:.2f}x), val acc {r['plain_accuracy']:.1%} "
                  f"plain vs {r['accuracy']:.1%} fast{share}", flush=True)
    print("cost: throughput lost with live instrumentation between whole runs (noisy on a "
          "shared machine); timed: the probes' own time per step time, measured directly")


if __name__ == "__main__":
    main()
