"""What the graph templates reach with their own settings, over several seeds.

For each seed (the graph, the split and the initial weights all change with it):
  * GCN on the karate club (4 labelled members per faction): held-out accuracy;
  * GCN against the MLP that ignores the edges, on the same 300-node block model: test
    accuracy of both;
  * the graph autoencoder on its 8-community block model: test ROC AUC and average precision,
    beside the AUC a predictor that knew the true communities would reach on the same pairs
    (score 1 inside a community, 0 across).

    .venv/bin/python bench/graph_tasks.py [--seeds 5]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch

from backend.data import load_dataset
from backend.templates import make_template
from backend.training import Trainer
from backend.training.ranking import roc_auc


def run(name: str, seed: int):
    doc = make_template(name)
    doc.sections["training"].update(seed=seed, device="cpu")
    doc.sections["dataset"]["seed"] = seed
    trainer = Trainer(doc)
    finished = trainer.run()
    assert finished.reason == "completed", finished.message
    return finished, trainer


def community_auc(trainer) -> float:
    """ROC AUC on the test pairs of a predictor that knows the true communities."""
    s = trainer.setup.splits
    y = s.graph.y
    same = (y[s.test.x[:, 0]] == y[s.test.x[:, 1]]).astype(np.float32)
    return float(roc_auc(torch.from_numpy(same), torch.from_numpy(s.test.y)))


def spread(values: list[float]) -> str:
    mean = statistics.fmean(values)
    dev = statistics.pstdev(values) if len(values) > 1 else 0.0
    return f"{mean:.3f} ± {dev:.3f} (min {min(values):.3f}, max {max(values):.3f})"


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--seeds", type=int, default=5)
    seeds = range(p.parse_args().seeds)
    torch.set_num_threads(1)
    t0 = time.monotonic()
    rows: dict[str, list[float]] = {k: [] for k in (
        "karate GCN test accuracy", "SBM GCN test accuracy", "SBM MLP test accuracy",
        "SBM GCN - MLP", "GAE test ROC AUC", "GAE test average precision",
        "communities known: ROC AUC")}
    for seed in seeds:
        karate, _ = run("gcn-karate", seed)
        gcn, _ = run("gcn-sbm", seed)
        mlp, _ = run("mlp-sbm", seed)
        gae, trainer = run("graph-autoencoder", seed)
        rows["karate GCN test accuracy"].append(karate.test_accuracy)
        rows["SBM GCN test accuracy"].append(gcn.test_accuracy)
        rows["SBM MLP test accuracy"].append(mlp.test_accuracy)
        rows["SBM GCN - MLP"].append(gcn.test_accuracy - mlp.test_accuracy)
        rows["GAE test ROC AUC"].append(gae.test_terms["auc"])
        rows["GAE test average precision"].append(gae.test_terms["ap"])
        rows["communities known: ROC AUC"].append(community_auc(trainer))
        print(f"seed {seed}: karate {karate.test_accuracy:.3f}  GCN {gcn.test_accuracy:.3f}  "
              f"MLP {mlp.test_accuracy:.3f}  GAE AUC {gae.test_terms['auc']:.3f}", flush=True)
    data = load_dataset(make_template("gcn-sbm").sections["dataset"])
    print(f"\n{len(list(seeds))} seeds, {time.monotonic() - t0:.0f} s; block model: "
          f"{data.num_nodes} nodes, {data.num_edges} edges")
    for key, values in rows.items():
        print(f"{key:32s} {spread(values)}")


if __name__ == "__main__":
    main()
