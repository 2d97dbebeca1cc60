"""Graph data: one graph with node features, node labels and undirected edges.

A graph source returns a `GraphDataset`: `x` holds the node features (N, F) (a one-hot
identity, F = N, when the data has none), `y` the node labels (N,) with -1 for a node without
one, and `edges` every undirected edge once as a pair (i, j) with i < j, sorted, without
self-loops (graph layers add those themselves) and without duplicates. `masks` are the
train/validation/test node masks a file brings along (None: the split is drawn with the seed,
backend/data/graph_splits.py).

Bundled graphs: Zachary's karate club (networkx; the two factions after the split are the
labels) and stochastic block models with adjustable community sizes and edge probabilities,
whose node features are noisy hints of the community (or the identity). User files live in
backend/data/graph_files.py. Graph layers use the dense (N, N) adjacency, so graphs are
limited to `MAX_NODES` nodes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from backend.data.base import Dataset, DatasetError, DatasetInfo
from backend.data.graph_core import dense_adjacency, sbm_graph, unique_edges
from backend.data.sources import DataSource, register_source

MAX_NODES = 10_000  # the dense adjacency of 10,000 nodes is 400 MB of float32
SBM_MAX_NODES = 5_000
GRAPH_TASKS = ("node_classification", "link_prediction")
SPLIT_NAMES = ("train", "val", "test")


@dataclass
class GraphDataset(Dataset):
    """One graph; `len()` is its number of nodes (the samples of node classification)."""

    edges: np.ndarray | None = None  # (E, 2) int64, i < j, unique, sorted
    names: tuple[str, ...] = ()  # node names for views and messages
    masks: dict[str, np.ndarray] | None = None  # split name -> bool (N,), from the file
    train_per_class: int = 0  # > 0: that many labelled nodes per class train

    @property
    def num_nodes(self) -> int:
        return len(self.x)

    @property
    def num_edges(self) -> int:
        return len(self.edges)

    def adjacency(self, edges: np.ndarray | None = None) -> np.ndarray:
        """The symmetric 0/1 adjacency (N, N) of `edges` (default: all of them)."""
        return dense_adjacency(self.edges if edges is None else edges, self.num_nodes)

    def labelled(self) -> np.ndarray:
        return np.flatnonzero(self.y >= 0)


def identity_features(n: int) -> np.ndarray:
    """One-hot node identities: node i has feature i (what GCNs use when nodes have none)."""
    return np.eye(n, dtype=np.float32)


def clean_edges(pairs: np.ndarray, n: int, self_loops: str = "error",
                where=None) -> np.ndarray:
    """Undirected edges (E, 2) as unique sorted pairs i < j; node indices must be < n.

    `where(k)` names the k-th input edge in messages (a file line); self-loops are refused
    (self_loops="error") or dropped ("drop")."""
    pairs = np.asarray(pairs, np.int64).reshape(-1, 2)
    name = where or (lambda k: f"edge {k}")
    bad = np.flatnonzero((pairs < 0).any(axis=1) | (pairs >= n).any(axis=1))
    if len(bad):
        k = int(bad[0])
        node = int(pairs[k][(pairs[k] < 0) | (pairs[k] >= n)][0])
        raise DatasetError(f"{name(k)} joins node {node}, but the graph has only {n} nodes "
                           f"(0 to {n - 1}): remove the edge or add the node")
    loops = np.flatnonzero(pairs[:, 0] == pairs[:, 1])
    if len(loops) and self_loops != "drop":
        k = int(loops[0])
        raise DatasetError(f"{name(k)} joins node {pairs[k, 0]} to itself: graph layers add "
                           "self-loops themselves; remove it or set the dataset's self_loops "
                           "to drop")
    return unique_edges(pairs)


def graph_dataset(name: str, x: np.ndarray, y: np.ndarray, edges: np.ndarray,
                  class_names: tuple[str, ...], description: str,
                  names: tuple[str, ...] = (), masks: dict | None = None) -> GraphDataset:
    """A checked GraphDataset: features finite, labels -1 or a class, edges clean."""
    n = len(x)
    if n > MAX_NODES:
        raise DatasetError(f"the graph has {n:,} nodes, more than the {MAX_NODES:,} that "
                           "Netwright's graph layers handle (they use the dense adjacency): "
                           "use a part of the graph")
    if n < 2:
        raise DatasetError(f"the graph has {n} node(s): a graph needs at least two nodes")
    if not np.isfinite(x).all():
        node = int(np.argwhere(~np.isfinite(x))[0][0])
        raise DatasetError(f"the features of node {_node(names, node)} hold NaN or infinite "
                           "values: fill them in")
    if len(edges) == 0:
        raise DatasetError("the graph has no edges: a graph network needs edges between "
                           "the nodes; check the edge list")
    k = len(class_names)
    info = DatasetInfo(name, "node_classification", (x.shape[1],), k, class_names,
                       kind="graph", description=description)
    return GraphDataset(info, np.ascontiguousarray(x, np.float32),
                        np.asarray(y, np.int64), edges, names or tuple(map(str, range(n))),
                        masks)


def _node(names, i: int) -> str:
    return f"'{names[i]}'" if names else str(i)


def edge_text(n: int, edges: int) -> str:
    return f"{n:,} nodes, {edges:,} edges"


# --- Zachary's karate club -------------------------------------------------------------------

KARATE_CLASSES = ("Mr. Hi", "Officer")


def _karate(o: dict) -> GraphDataset:
    import networkx as nx

    g = nx.karate_club_graph()
    order = sorted(g.nodes)
    y = np.array([KARATE_CLASSES.index(g.nodes[v]["club"]) for v in order], np.int64)
    edges = clean_edges(np.array(list(g.edges), np.int64), len(order))
    return graph_dataset("karate", identity_features(len(order)), y, edges, KARATE_CLASSES,
                         f"Zachary's karate club: {edge_text(len(order), len(edges))}; "
                         "labels: the faction each member joined after the split.")


def _karate_info(o: dict) -> DatasetInfo:
    return DatasetInfo("karate", "node_classification", (34,), 2, KARATE_CLASSES,
                       kind="graph", description="Zachary's karate club: 34 nodes, 78 edges; "
                       "labels: the faction each member joined after the split.")


# --- stochastic block models -----------------------------------------------------------------

def sbm_probabilities(o: dict) -> np.ndarray:
    """The k×k edge-probability matrix: `probabilities` when given, else p_in / p_out."""
    sizes = o["sizes"]
    if not isinstance(sizes, list) or not 2 <= len(sizes) <= 20 or not all(
            isinstance(s, int) and not isinstance(s, bool) and 2 <= s for s in sizes):
        raise DatasetError(f"sbm sizes must list 2 to 20 community sizes of at least 2 nodes, "
                           f"like [50, 50, 50], not {sizes!r}")
    if sum(sizes) > SBM_MAX_NODES:
        raise DatasetError(f"sbm sizes add up to {sum(sizes):,} nodes, more than "
                           f"{SBM_MAX_NODES:,}: use smaller communities")
    k = len(sizes)
    probs = o["probabilities"]
    if probs is None:
        for key in ("p_in", "p_out"):
            if not 0.0 <= o[key] <= 1.0:
                raise DatasetError(f"sbm {key} must be a probability from 0 to 1, not "
                                   f"{o[key]!r}")
        return np.where(np.eye(k, dtype=bool), o["p_in"], o["p_out"])
    try:
        p = np.array(probs, np.float64)
    except (TypeError, ValueError):
        p = np.zeros(0)
    if p.shape != (k, k) or not ((p >= 0) & (p <= 1)).all() or not np.allclose(p, p.T):
        raise DatasetError(f"sbm probabilities must be a symmetric {k}×{k} matrix of "
                           "probabilities from 0 to 1 (one row per community), or null to "
                           "use p_in and p_out")
    return p


def _sbm_check(o: dict) -> None:
    if o["features"] not in ("gaussian", "identity"):
        raise DatasetError(f"sbm features must be gaussian or identity, not {o['features']!r}")
    if not 1 <= o["feature_dim"] <= 1024:
        raise DatasetError(f"sbm feature_dim must be from 1 to 1024, not {o['feature_dim']}")
    if not 0.0 <= o["signal"] <= 100.0:
        raise DatasetError(f"sbm signal must be from 0 to 100, not {o['signal']}")


def _sbm(o: dict) -> GraphDataset:
    _sbm_check(o)
    probs = sbm_probabilities(o)
    x, y, edges = sbm_graph(o["sizes"], probs, o["feature_dim"], o["signal"],
                            o["features"] == "identity", o["seed"])
    classes = tuple(f"community {i}" for i in range(len(o["sizes"])))
    return graph_dataset("sbm", x, y, edges, classes,
                         f"Stochastic block model: {edge_text(len(y), len(edges))} in "
                         f"{len(classes)} communities; labels: the community.")


def _sbm_info(o: dict) -> DatasetInfo:
    _sbm_check(o)
    sizes = o["sizes"]
    sbm_probabilities(o)
    f = sum(sizes) if o["features"] == "identity" else o["feature_dim"]
    classes = tuple(f"community {i}" for i in range(len(sizes)))
    return DatasetInfo("sbm", "node_classification", (f,), len(sizes), classes, kind="graph",
                       description=f"Stochastic block model: {sum(sizes):,} nodes in "
                                   f"{len(sizes)} communities.")


def _features_hint(o: dict, want: tuple[int, ...]) -> str | None:
    if o.get("features") == "gaussian" and len(want) == 1:
        return f"set the dataset's feature_dim to {want[0]}"
    return None


GRAPH_OPTIONS = {"normalise": "none", "train_per_class": 0}


def with_split_options(load):
    """A graph loader that also keeps the dataset's split options on the graph."""
    def loader(o: dict) -> GraphDataset:
        tpc = o.get("train_per_class", 0)
        if not isinstance(tpc, int) or not 0 <= tpc <= 100_000:
            raise DatasetError(f"train_per_class must be a whole number from 0 (use the "
                               f"split fractions) up, not {tpc!r}")
        data = load(o)
        data.train_per_class = tpc
        return data
    return loader


for _src in (
    DataSource("karate", "Zachary's karate club: 34 members, 2 factions (node "
               "classification, link prediction).", with_split_options(_karate),
               dict(GRAPH_OPTIONS),
               describe=_karate_info),
    DataSource("sbm", "Stochastic block model: communities of chosen sizes and edge "
               "probabilities (node classification, link prediction).",
               with_split_options(_sbm),
               {**GRAPH_OPTIONS, "sizes": [100, 100, 100], "p_in": 0.1, "p_out": 0.01,
                "probabilities": None, "features": "gaussian", "feature_dim": 16,
                "signal": 1.0}, _features_hint, _sbm_info),
):
    register_source(_src)

import backend.data.graph_files  # noqa: E402, F401  (registers the user graph formats)
