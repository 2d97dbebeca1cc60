"""Graph network templates: the classic 2-layer GCN on the karate club and on a stochastic
block model, an MLP on the same nodes that ignores the edges (the baseline a GCN should
beat), and a graph autoencoder for link prediction.

Every graph layer takes the Graph input's adjacency on its adj port; `GraphBuilder` wires it
so the templates read as the chains they are.
"""

from __future__ import annotations

from backend.graph import Edge
from backend.templates.builder import DesignBuilder

GRAPH_TYPES = ("GCNConv", "SAGEConv", "GATConv")
# Kipf & Welling's settings: Adam at 0.01 with weight decay 5e-4, full batch, 200 epochs
_GCN = {"task": "node_classification", "loss": "cross_entropy", "optimizer": "adam",
        "lr": 0.01, "weight_decay": 5e-4, "epochs": 200, "schedule": "none"}
_GAE = {"task": "link_prediction", "loss": "bce", "optimizer": "adam", "lr": 0.01,
        "epochs": 200, "schedule": "none", "val_fraction": 0.1, "test_fraction": 0.1}
# 20 labelled nodes per community (the Planetoid benchmarks' share); the rest validate/test
SBM = {"name": "sbm", "train_per_class": 20}
# 8 tight communities: a held-out edge joins one community 9 times in 10, a random pair 1 in
# 8, so knowing the communities alone ranks edges with ROC AUC ≈ 0.89
LINKS = {"name": "sbm", "sizes": [40] * 8, "p_in": 0.25, "p_out": 0.004}


class GraphBuilder(DesignBuilder):
    """A DesignBuilder whose graph layers take node features on x and the adjacency on adj."""

    def __init__(self, name: str, features: int) -> None:
        super().__init__(name)
        self.graph = super().add("GraphInput", "graph", after=None, features=features)
        self.features: tuple[str, str] = (self.graph, "x")

    def add(self, kind: str, title: str, after="last", row: float = 0.0,
            col: float | None = None, **params) -> str:
        src, port = self.features if self.last == self.graph else (self.last, "out")
        nid = super().add(kind, title, after=None, row=row, col=col, **params)
        if kind in GRAPH_TYPES:
            self.doc.edges += [Edge(src, nid, port, "x"), Edge(self.graph, nid, "adj", "adj")]
        else:
            self.doc.edges.append(Edge(src, nid, port, "in"))
        return nid


def _two_layers(title: str, features: int, layer: str, hidden: int, classes: int,
                dataset: dict) -> GraphBuilder:
    """layer(hidden) -> ReLU -> Dropout(0.5) -> layer(classes), trained like Kipf and Welling."""
    b = GraphBuilder(title, features)
    prefix = "gcn" if layer == "GCNConv" else layer.lower()
    b.add(layer, f"{prefix}1", units=hidden)
    b.add("ReLU", "relu")
    b.add("Dropout", "dropout", p=0.5)
    b.add(layer, f"{prefix}2", units=classes)
    b.section("dataset", dict(dataset))
    b.section("training", dict(_GCN))
    return b


def gcn_karate() -> GraphBuilder:
    """GCN(16) -> ReLU -> Dropout -> GCN(2) on the 34 one-hot node identities."""
    return _two_layers("GCN on the karate club", 34, "GCNConv", 16, 2,
                       {"name": "karate", "train_per_class": 4})


def gcn_sbm() -> GraphBuilder:
    """GCN(32) -> ReLU -> Dropout -> GCN(3) on a 3-community block model's noisy features."""
    return _two_layers("GCN on a stochastic block model", 16, "GCNConv", 32, 3, SBM)


def mlp_sbm() -> GraphBuilder:
    """The same layers as Dense ones: each node on its own features, the edges unused."""
    return _two_layers("MLP on the block model's nodes (no edges)", 16, "Dense", 32, 3, SBM)


def graph_autoencoder() -> GraphBuilder:
    """Encoder GCN(32) -> ReLU -> GCN(16) gives Z; the decoder scores every pair σ(Z Zᵀ)."""
    b = GraphBuilder("Graph autoencoder (link prediction)", 16)
    b.add("GCNConv", "gcn1", units=32)
    b.add("ReLU", "relu")
    b.add("GCNConv", "embedding", units=16)
    b.add("InnerProductDecoder", "decoder")
    b.section("dataset", dict(LINKS))
    b.section("training", dict(_GAE))
    return b
