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
negatives are drawn afresh every step by the recipe. The algorithms are in graph_core.py,
which the exported train.py copies.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from backend.data import graph_core
from backend.data.base import DatasetError, Split, Splits
from backend.data.graphs import GraphDataset


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
        try:
            train, val, test = graph_core.edge_split(self.graph.edges, self.graph.num_nodes,
                                                     *self.split_args)
        except ValueError as exc:
            raise DatasetError(str(exc)) from None
        info = replace(self.info, task="link_prediction", target_shape=())
        return replace(self, info=info, train=Split(train, np.ones(len(train), np.float32)),
                       val=Split(*val), test=Split(*test), message_edges=train)


def node_masks(graph: GraphDataset, val_fraction: float, test_fraction: float, seed: int,
               train_per_class: int = 0) -> dict[str, np.ndarray]:
    """Node indices per split (sorted); raises DatasetError when no labelled node trains."""
    if graph.masks is not None:
        out = {k: np.flatnonzero(m) for k, m in graph.masks.items()}
        if not len(out["train"]):
            raise DatasetError("the file's train_mask selects no node: mark the nodes to "
                               "train on")
        return out
    try:
        return graph_core.node_split(graph.y, graph.info.num_classes, val_fraction,
                                     test_fraction, seed, train_per_class)
    except ValueError as exc:
        raise DatasetError(str(exc)) from None


def graph_splits(graph: GraphDataset, val_fraction: float, test_fraction: float, seed: int,
                 normalise: str, train_per_class: int = 0) -> GraphSplits:
    """Node splits (the default task); `with_task("link_prediction")` gives edge splits."""
    problem = ""
    empty = np.zeros(0, np.int64)
    if graph.info.num_classes == 0 or not len(graph.labelled()):
        problem = ("the graph has no node labels: give the nodes labels (a label column in "
                   "the node table, y in the .npz) or set the task to link_prediction")
        masks = {"train": empty, "val": empty, "test": empty}
    else:
        masks = node_masks(graph, val_fraction, test_fraction, seed, train_per_class)
    rows = masks["train"] if len(masks["train"]) else np.arange(graph.num_nodes)
    shift, scale = graph_core.feature_scaling(graph.x, rows, normalise)
    normalised = replace(graph, x=np.ascontiguousarray((graph.x - shift) / scale,
                                                       dtype=np.float32))
    parts = [Split(m.astype(np.int64), graph.y[m]) for m in (masks["train"], masks["val"],
                                                              masks["test"])]
    return GraphSplits(graph.info, *parts, shift, scale, graph=normalised,
                       message_edges=graph.edges, problem=problem,
                       split_args=(val_fraction, test_fraction, seed))
