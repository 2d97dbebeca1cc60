"""Train/validation/test splits of one graph: node masks and edge splits, seeded.

Node classification trains on all nodes' features and edges but scores the loss only on
the training nodes (semi-supervised, as in Kipf & Welling): the splits' samples are node
indices with their labels. The masks come from the file when it has them; otherwise the
labelled nodes are shuffled with the seed and cut by the validation/test fractions, or, with
`train_per_class` > 0, that many labelled nodes of each class train and the rest are shared
between validation and test in the fractions' proportion.

Link prediction hides a share of the edges: validation and test positives are held-out
edges, each with as many negatives (node pairs that are no edge of the whole graph), drawn
once with the seed; the graph the network sees while training keeps only the training
edges. Its samples are node pairs (P, 2) with targets 1 (edge) or 0 (no edge); training
negatives are drawn afresh every step by the recipe.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from backend.data.base import DatasetError, Split, Splits, normaliser, split_indices
from backend.data.graphs import GraphDataset


@dataclass
class EdgeSplit:
    """Link-prediction samples: node pairs and their targets, plus the message-passing
    edges (the training positives) the network sees."""

    train: Split
    val: Split
    test: Split
    message_edges: np.ndarray  # (E_train, 2)


@dataclass
class GraphSplits(Splits):
    """Splits of one graph; train/val/test hold node indices (node classification) or node
    pairs (link prediction, after `with_task`)."""

    graph: GraphDataset | None = None  # features normalised with the training nodes' stats
    message_edges: np.ndarray | None = None  # the edges the network sees in this task
    problem: str = ""  # why node classification cannot use this graph ("" = it can)
    split_args: tuple[float, float, int] = (0.15, 0.15, 0)  # val, test fraction, seed

    def with_task(self, task: str) -> GraphSplits:
        """Link prediction: node pairs and the training edges (drawn here, with the seed)."""
        if task != "link_prediction" or self.info.task == task:
            return self
        e = edge_split(self.graph, *self.split_args)
        info = replace(self.info, task="link_prediction", target_shape=())
        return replace(self, info=info, train=e.train, val=e.val, test=e.test,
                       message_edges=e.message_edges)


def _empty() -> Split:
    return Split(np.zeros(0, np.int64), np.zeros(0, np.int64))


def node_masks(graph: GraphDataset, val_fraction: float, test_fraction: float, seed: int,
               train_per_class: int = 0) -> dict[str, np.ndarray]:
    """Node indices per split (sorted); raises DatasetError when no labelled node trains."""
    if graph.masks is not None:
        out = {k: np.flatnonzero(m) for k, m in graph.masks.items()}
        if not len(out["train"]):
            raise DatasetError("the file's train_mask selects no node: mark the nodes to "
                               "train on")
        return out
    labelled = graph.labelled()
    if train_per_class <= 0:
        tr, va, te = split_indices(len(labelled), val_fraction, test_fraction, seed)
        return {k: np.sort(labelled[i]) for k, i in zip(("train", "val", "test"), (tr, va, te),
                                                        strict=True)}
    rng = np.random.default_rng(seed)
    train, rest = [], []
    for c in range(graph.info.num_classes):
        members = rng.permutation(labelled[graph.y[labelled] == c])
        take = min(train_per_class, max(len(members) - 1, 1))
        train.append(members[:take])
        rest.append(members[take:])
    rest_all = rng.permutation(np.concatenate(rest))
    share = val_fraction / (val_fraction + test_fraction) if val_fraction + test_fraction \
        else 0.0
    n_val = int(round(len(rest_all) * share))
    return {"train": np.sort(np.concatenate(train)), "val": np.sort(rest_all[:n_val]),
            "test": np.sort(rest_all[n_val:])}


def non_edges(graph: GraphDataset, count: int, rng: np.random.Generator) -> np.ndarray:
    """`count` distinct node pairs (i < j) that are not edges of the graph."""
    n = graph.num_nodes
    possible = n * (n - 1) // 2 - graph.num_edges
    if count > possible:
        raise DatasetError(f"the graph has only {possible} node pairs without an edge but "
                           f"link prediction needs {count} as negatives: lower val_fraction "
                           "and test_fraction")
    taken = set(map(tuple, graph.edges.tolist()))
    found: list[tuple[int, int]] = []
    seen: set[tuple[int, int]] = set()
    while len(found) < count:
        pairs = np.sort(rng.integers(0, n, size=(2 * (count - len(found)) + 16, 2)), axis=1)
        for i, j in pairs.tolist():
            if i != j and (i, j) not in taken and (i, j) not in seen:
                seen.add((i, j))
                found.append((i, j))
                if len(found) == count:
                    break
    return np.array(found, np.int64).reshape(-1, 2)


def edge_split(graph: GraphDataset, val_fraction: float, test_fraction: float,
               seed: int) -> EdgeSplit:
    """Held-out positive edges with as many negatives for validation and test."""
    rng = np.random.default_rng(seed)
    perm = rng.permutation(graph.num_edges)
    n_val = int(round(graph.num_edges * val_fraction))
    n_test = int(round(graph.num_edges * test_fraction))
    if graph.num_edges - n_val - n_test < 1:
        raise DatasetError(f"the graph has only {graph.num_edges} edges, too few to hold out "
                           "validation and test edges: lower val_fraction and test_fraction")
    edges = graph.edges[perm]
    val_pos, test_pos = edges[:n_val], edges[n_val:n_val + n_test]
    train_pos = edges[n_val + n_test:]
    negatives = non_edges(graph, n_val + n_test, rng)

    def scored(pos: np.ndarray, neg: np.ndarray) -> Split:
        return Split(np.concatenate([pos, neg]).astype(np.int64),
                     np.concatenate([np.ones(len(pos)), np.zeros(len(neg))]).astype(np.float32))

    train_sorted = train_pos[np.lexsort((train_pos[:, 1], train_pos[:, 0]))]
    return EdgeSplit(Split(train_sorted, np.ones(len(train_sorted), np.float32)),
                     scored(val_pos, negatives[:n_val]), scored(test_pos, negatives[n_val:]),
                     train_sorted)


def graph_splits(graph: GraphDataset, val_fraction: float, test_fraction: float, seed: int,
                 normalise: str, train_per_class: int = 0) -> GraphSplits:
    """Node splits (the default task) with the edge splits ready for link prediction."""
    problem = ""
    if graph.info.num_classes == 0 or not len(graph.labelled()):
        problem = ("the graph has no node labels: give the nodes labels (a label column in "
                   "the node table, y in the .npz) or set the task to link_prediction")
        masks = {"train": np.zeros(0, np.int64), "val": np.zeros(0, np.int64),
                 "test": np.zeros(0, np.int64)}
    else:
        masks = node_masks(graph, val_fraction, test_fraction, seed, train_per_class)
    stats_from = masks["train"] if len(masks["train"]) else np.arange(graph.num_nodes)
    shift, scale = normaliser(graph.x[stats_from], normalise, "tabular")
    x = ((graph.x - shift) / scale).astype(np.float32)
    normalised = replace(graph, x=np.ascontiguousarray(x))
    parts = [Split(m.astype(np.int64), graph.y[m]) if len(m) else _empty()
             for m in (masks["train"], masks["val"], masks["test"])]
    return GraphSplits(graph.info, *parts, shift, scale, graph=normalised,
                       message_edges=graph.edges, problem=problem,
                       split_args=(val_fraction, test_fraction, seed))
