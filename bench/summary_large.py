"""Benchmark (not a test): `analyse` and `netwright summary` on a 1,000-node design.

The design is a chain of residual blocks (conv -> ReLU -> conv -> Add with the block's input),
with every fourth block projecting its shortcut through a 1×1 conv, then a dense head. Prints
wall-clock figures and, as a machine-independent figure, the ratio of the 1,000-node time to
a 100-node design's time measured in the same process (linear scaling gives about 10).

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


if __name__ == "__main__":
    main()
