"""Netwright's plain-torch graph layers beside PyTorch Geometric's, in the same run.

Measures what the choice between them rests on:
  * start-up: CPU seconds of `import torch` alone and with `torch_geometric` (child processes,
    median of 3; CPU time, so other processes on a shared machine matter less);
  * equality: PyG's GCNConv, SAGEConv and GATConv loaded with Netwright's state dicts give
    the same outputs (the parameter names match);
  * speed: one training step (forward + backward) of a 2-layer GCN on graphs of 34, 300 and
    2,000 nodes, Netwright's dense layer against PyG's sparse one (median of 20);
  * ONNX: whether each exports and runs in onnxruntime with the same outputs.

PyTorch Geometric is not a dependency of Netwright; install it beside to compare:
    .venv/bin/pip install -c constraints.txt torch-geometric
    .venv/bin/python bench/graph_layers.py
"""

from __future__ import annotations

import io
import resource
import statistics
import subprocess
import sys
import time

import numpy as np
import torch
from torch import nn

from backend.data.graphs import sbm_graph
from backend.layers import graph_modules as ours

SIZES = (34, 300, 2000)


def import_seconds(code: str, rounds: int = 3) -> float:
    """Median CPU seconds (user + system) of a fresh interpreter running `code`."""
    times = []
    for _ in range(rounds):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([sys.executable, "-c", code], check=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        times.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(times)


def graph(n: int, seed: int = 0):
    sizes = [n // 2, n - n // 2]
    p_in = min(1.0, 8.0 / n * 2)
    probs = np.array([[p_in, p_in / 8], [p_in / 8, p_in]])
    x, y, edges = sbm_graph(sizes, probs, 16, 1.0, False, seed)
    adj = torch.zeros(n, n)
    e = torch.from_numpy(edges)
    adj[e[:, 0], e[:, 1]] = 1.0
    adj[e[:, 1], e[:, 0]] = 1.0
    edge_index = torch.cat([e.T, e.T.flip(0)], dim=1)
    return torch.from_numpy(x), adj, edge_index


class TwoLayers(nn.Module):
    def __init__(self, conv1, conv2):
        super().__init__()
        self.conv1, self.conv2 = conv1, conv2

    def forward(self, x, structure):
        return self.conv2(torch.relu(self.conv1(x, structure)), structure)


def step_ms(model: nn.Module, x, structure, rounds: int = 20) -> float:
    times = []
    for _ in range(rounds + 3):
        t0 = time.perf_counter()
        model(x, structure).square().mean().backward()
        times.append(time.perf_counter() - t0)
    return statistics.median(times[3:]) * 1000


def onnx_check(model: nn.Module, x, structure) -> str:
    try:
        import onnxruntime as ort

        buf = io.BytesIO()
        torch.onnx.export(model, (x, structure), buf, input_names=["x", "s"], dynamo=False)
        sess = ort.InferenceSession(buf.getvalue())
        got = sess.run(None, {"x": x.numpy(), "s": structure.numpy()})[0]
        with torch.no_grad():
            want = model(x, structure).numpy()
        return "exports, same outputs" if np.allclose(got, want, atol=1e-4) else \
            "exports, different outputs"
    except Exception as exc:  # report, do not stop the bench
        return f"fails ({type(exc).__name__}: {str(exc).splitlines()[0][:90]})"


def main() -> None:
    try:
        import torch_geometric.nn as pyg
    except ImportError:
        sys.exit("PyTorch Geometric is not installed: .venv/bin/pip install -c constraints.txt "
                 "torch-geometric")
    torch.set_num_threads(1)
    bare = import_seconds("import torch")
    with_pyg = import_seconds("import torch, torch_geometric.nn")
    print(f"start-up CPU s: torch {bare:.2f}, torch + torch_geometric {with_pyg:.2f} "
          f"(+{with_pyg - bare:.2f} s, ×{with_pyg / bare:.2f})")
    x, adj, edge_index = graph(34)
    for name, mine, theirs in (
            ("GCNConv", ours.GCNConv(16, 8), pyg.GCNConv(16, 8)),
            ("SAGEConv", ours.SAGEConv(16, 8), pyg.SAGEConv(16, 8)),
            ("GATConv", ours.GATConv(16, 8, heads=3), pyg.GATConv(16, 8, heads=3))):
        theirs.load_state_dict(mine.state_dict())
        with torch.no_grad():
            same = torch.allclose(mine(x, adj), theirs(x, edge_index), atol=1e-5)
        print(f"{name}: PyG loads Netwright's state dict, same outputs: {same}")
    print("\nnodes | Netwright dense ms/step | PyG sparse ms/step | ratio")
    for n in SIZES:
        x, adj, edge_index = graph(n)
        torch.manual_seed(0)
        mine = TwoLayers(ours.GCNConv(16, 16), ours.GCNConv(16, 2))
        theirs = TwoLayers(pyg.GCNConv(16, 16), pyg.GCNConv(16, 2))
        a, b = step_ms(mine, x, adj), step_ms(theirs, x, edge_index)
        print(f"{n:5d} | {a:8.2f} | {b:8.2f} | {a / b:.2f}")
    x, adj, edge_index = graph(34)
    print("\nONNX, Netwright GCN:", onnx_check(TwoLayers(ours.GCNConv(16, 16),
                                                         ours.GCNConv(16, 2)), x, adj))
    print("ONNX, PyG GCN:", onnx_check(TwoLayers(pyg.GCNConv(16, 16), pyg.GCNConv(16, 2)),
                                       x, edge_index))


if __name__ == "__main__":
    main()
