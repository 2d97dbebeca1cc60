"""Benchmark (not a test): `analyse` and `netwright summary` on a 1,000-node design, and on
DenseNet-121 built from blocks.

The design is a chain of residual blocks (conv -> ReLU -> conv -> Add with the block's input),
with every fourth block projecting its shortcut through a 1×1 conv, then a dense head. Prints
wall-clock figures and, as a machine-independent figure, the ratio of the 1,000-node time to
a 100-node design's time measured in the same process (linear scaling gives about 10).

The block case is DenseNet-121 as torchvision defines it (7,978,856 parameters), its ~430
layers inside dense-layer, dense-block and transition blocks, timed beside a flat design with
as many layers: the ratio says what checking through blocks costs (about 1 is free).

Run: .venv/bin/python bench/summary_large.py [--nodes N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backend.graph import BlockParam, Edge, Node  # noqa: E402
from backend.graph.block_builder import BlockBuilder  # noqa: E402
from backend.graph.definition import block_params  # noqa: E402
from backend.project import save_design  # noqa: E402
from backend.shapes import analyse  # noqa: E402
from backend.templates.builder import DesignBuilder  # noqa: E402


def large_design(nodes: int):
    """About `nodes` nodes: residual blocks on a [16, 8, 8] input, then a dense head."""
    b = DesignBuilder(f"{nodes}-node residual stack")
    b.add("Input", "image", after=None, shape=[16, 8, 8])
    block = 0
    while len(b.doc.nodes) + 5 + 4 <= nodes:
        block += 1
        start = b.last
        b.add("Conv2d", f"b{block}_conv1", filters=16, kernel_size=3, padding="same")
        b.add("ReLU", f"b{block}_relu")
        main = b.add("Conv2d", f"b{block}_conv2", filters=16, kernel_size=3, padding="same")
        short = start
        if block % 4 == 0:
            short = b.add("Conv2d", f"b{block}_project", after=start, row=1, filters=16,
                          kernel_size=1)
        b.add("Add", f"b{block}_add", after=[main, short])
    b.add("GlobalAvgPool", "gap")
    while len(b.doc.nodes) < nodes - 1:
        b.add("Dense", f"fc{len(b.doc.nodes)}", units=16)
    b.add("Dense", "classes", units=10)
    return b.doc


def densenet121():
    """DenseNet-121 (growth 32, blocks 6-12-24-16) from dense-layer, dense-block and
    transition blocks."""
    layer = BlockBuilder("dense_layer", "DenseLayer", params=(BlockParam("growth", "int", 32),))
    x = layer.input()
    for name, kind, extra in (("norm1", "BatchNorm2d", {}), ("relu1", "ReLU", {}),
                              ("conv1", "Conv2d", {"filters": "{4 * growth}", "kernel_size": 1}),
                              ("norm2", "BatchNorm2d", {}), ("relu2", "ReLU", {}),
                              ("conv2", "Conv2d", {"filters": "{growth}", "kernel_size": 3,
                                                   "padding": 1})):
        layer.add(kind, name, **extra, **({"bias": False} if kind == "Conv2d" else {}))
    layer.add("Concatenate", "cat", after=[x, layer.last])
    layer.output()
    block = BlockBuilder("dense_block", "DenseBlock", params=(BlockParam("layers", "int", 6),))
    block.input()
    block.block("dense_layer", "denselayer", repeat="{layers}")
    block.output()
    trans = BlockBuilder("transition", "Transition", params=(BlockParam("channels", "int", 1),),
                         sequential=True)
    trans.input()
    trans.add("BatchNorm2d", "norm")
    trans.add("ReLU", "relu")
    trans.add("Conv2d", "conv", filters="{channels}", kernel_size=1, bias=False)
    trans.add("AvgPool2d", "pool", kernel_size=2, stride=2)
    trans.output()
    b = DesignBuilder("DenseNet-121")
    b.add("Input", "image", after=None, shape=[3, 224, 224])
    b.add("Conv2d", "conv0", filters=64, kernel_size=7, stride=2, padding=3, bias=False)
    b.add("BatchNorm2d", "norm0")
    b.add("ReLU", "relu0")
    b.add("MaxPool2d", "pool0", kernel_size=3, stride=2, padding=1)
    for d in (layer.definition, block.definition, trans.definition):
        d.graph.owner = b.doc
        b.doc.blocks[d.id] = d
    channels = 64
    for i, count in enumerate((6, 12, 24, 16)):
        _use(b, f"denseblock{i + 1}", "dense_block", {"layers": count})
        channels += 32 * count
        if i < 3:
            channels //= 2
            _use(b, f"transition{i + 1}", "transition", {"channels": channels})
    b.add("BatchNorm2d", "norm5")
    b.add("ReLU", "relu5")
    b.add("GlobalAvgPool", "pool")
    b.add("Dense", "classifier", units=1000)
    return b.doc


def _use(b: DesignBuilder, title: str, definition: str, args: dict) -> None:
    nid = b.doc.new_id(title)
    b.doc.nodes[nid] = Node(nid, "Block", block_params(definition, args), title)
    b.doc.edges.append(Edge(b.last, nid))
    b.last = nid


def layer_count(analysis) -> int:
    """Layers in a design, counting those inside every copy of every block."""
    own = sum(1 for nid in analysis.order if nid not in analysis.instances)
    return own + sum(layer_count(run) - 2 for runs in analysis.instances.values()
                     for run in runs)  # less each copy's BlockInput and BlockOutput


def blocks_case() -> None:
    dense = densenet121()
    analysis = analyse(dense)
    assert analysis.ok, analysis.problems[:3]
    layers = layer_count(analysis)
    flat = large_design(layers)
    print(f"DenseNet-121 from blocks: {len(dense.nodes)} top-level nodes, {layers} layers "
          f"inside, {analysis.total_params:,} parameters")
    best, median = best_of(lambda: analyse(dense), 7)
    ref, _ = best_of(lambda: analyse(flat), 7)
    print(f"analyse blocks   : best {best * 1000:7.1f} ms, median {median * 1000:7.1f} ms "
          f"(flat design of {len(flat.nodes)} layers: {ref * 1000:.1f} ms; ratio "
          f"{best / ref:.2f}×)")


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=1000)
    args = parser.parse_args()
    doc, small = large_design(args.nodes), large_design(args.nodes // 10)
    analysis = analyse(doc)
    assert analysis.ok, analysis.problems[:3]
    print(f"design: {len(doc.nodes)} nodes, {len(doc.edges)} wires, "
          f"{analysis.total_params:,} parameters")
    best, median = best_of(lambda: analyse(doc), 5)
    ref, _ = best_of(lambda: analyse(small), 5)
    print(f"analyse          : best {best * 1000:7.1f} ms, median {median * 1000:7.1f} ms "
          f"({len(small.nodes)} nodes: {ref * 1000:.1f} ms; ratio {best / ref:.1f}×)")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "large.json"
        save_design(doc, path)
        exe = Path(sys.executable).with_name("netwright")
        cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "backend.cli"]

        def run(*extra):
            subprocess.run([*cmd, "summary", str(path), *extra], check=True,
                           stdout=subprocess.DEVNULL, cwd=ROOT)

        for extra in ((), ("--json",)):
            best, median = best_of(lambda extra=extra: run(*extra), 3)
            label = "summary " + " ".join(extra)
            print(f"{label:<17}: best {best * 1000:7.1f} ms, median {median * 1000:7.1f} ms "
                  "(end to end, including Python start-up)")
        startup, _ = best_of(lambda: subprocess.run(
            [sys.executable, "-c", "import backend.cli"], check=True, cwd=ROOT), 3)
        print(f"import backend.cli: best {startup * 1000:6.1f} ms (start-up share of the above)")
    blocks_case()


if __name__ == "__main__":
    main()
