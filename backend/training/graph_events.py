"""Events of the graph recipes' live views: the graph's layout, the predicted class of every
node, the nodes' learned embeddings in 2-D, and link prediction's ROC curve and best-scored
pairs. Plain numbers and numpy arrays, like every event (backend/training/events.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from backend.training.events import ProbeResult


@dataclass
class GraphLayout(ProbeResult):
    """The graph as the views draw it, laid out once per run (networkx spring layout)."""

    positions: np.ndarray  # float32 (N, 2), within [-1, 1]
    edges: np.ndarray  # int64 (E, 2): the edges the network sees
    labels: np.ndarray  # int64 (N,): true class, -1 when unknown
    split: np.ndarray  # int8 (N,): 0 training, 1 validation, 2 test node, -1 none
    names: tuple[str, ...]
    class_names: tuple[str, ...]
    hidden_edges: np.ndarray | None = None  # link prediction: held-out edges (E', 2)


@dataclass
class NodePredictions(ProbeResult):
    """Every node's predicted class and the probability the network gives it."""

    predicted: np.ndarray  # int64 (N,)
    confidence: np.ndarray  # float32 (N,)
    accuracy: dict[str, float]  # per split with labels: train, val, test


@dataclass
class NodeEmbeddings(ProbeResult):
    """A layer's output for every node in 2-D (PCA when wider), coloured by true class."""

    node: str
    points: np.ndarray  # float32 (N, 2)
    labels: np.ndarray  # int64 (N,): -1 when unknown
    width: int  # the layer's number of features
    explained: tuple[float, ...] = ()  # PCA: share of the variance on each axis
    class_names: tuple[str, ...] = ()


@dataclass
class LinkScores(ProbeResult):
    """Link prediction on the validation pairs, and the pairs the network likes best among
    those that are no training edge (held-out edges among them are marked)."""

    fpr: np.ndarray  # float32: the ROC curve's false-positive rates
    tpr: np.ndarray  # float32: its true-positive rates
    auc: float
    ap: float
    top_pairs: np.ndarray  # int64 (K, 2)
    top_scores: np.ndarray  # float32 (K,): σ(z_i · z_j)
    top_hidden: np.ndarray  # bool (K,): the pair is a held-out edge
    names: tuple[str, ...] = ()
