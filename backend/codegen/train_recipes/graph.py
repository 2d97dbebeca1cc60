"""Graph runs in train.py: node classification and link prediction with a graph autoencoder.

The whole graph (node features and the dense adjacency) goes through the network at every
step; a batch is all the training nodes, or all the training edges, at once. Under torchrun
every process runs the whole graph and scores its share of the batch, and
DistributedDataParallel averages the gradients. Splits, negatives and metrics come from the
app's own code (graph_core.py and ranking.py, copied into train.py).
"""

import numpy as np
import torch
import torch.nn.functional as F

from backend.codegen.train_runtime import Run  # noqa: F401
from backend.data.graph_core import (  # noqa: F401
    dense_adjacency,
    edge_split,
    feature_scaling,
    node_split,
)
from backend.training.ranking import average_precision, roc_auc  # noqa: F401


class GraphRun(Run):
    """The graph on the device; `prepare` also sets the batch to the whole training split."""

    def graph_setup(self):
        """The node features (scaled with the training nodes' statistics) and the node
        masks: from the file, or drawn with the dataset's seed as the app draws them."""
        g, s, seed = self.info["graph"], self.s, self.dataset.get("seed", 0)
        self.graph, self.num_nodes = g, len(g["x"])
        masks = None
        if g["masks"] is not None:
            masks = {k: np.flatnonzero(m) for k, m in g["masks"].items()}
        elif (g["y"] >= 0).any() and self.info["num_classes"]:
            masks = node_split(g["y"], self.info["num_classes"], s["val_fraction"],
                               s["test_fraction"], seed, g["train_per_class"])
        rows = masks["train"] if masks and len(masks["train"]) else np.arange(self.num_nodes)
        shift, scale = feature_scaling(g["x"], rows, self.dataset.get("normalise", "none"))
        x = ((g["x"] - shift) / scale).astype(np.float32)
        self.features = torch.from_numpy(x).to(self.device)
        return masks

    def see_edges(self, edges):
        self.adjacency = torch.from_numpy(dense_adjacency(edges, self.num_nodes)).to(
            self.device)

    def full_batch(self):
        self.s["batch_size"] = len(self.train_x)  # one step per epoch over the whole split

    def make_optimisers(self):
        self.main = self.slot(self.train_nets["model"], self.s)

    def scores(self):
        """The network on the whole graph in evaluation mode."""
        model = self.model.eval()
        with torch.no_grad():
            out = model(self.features, self.adjacency).float()
        model.train()
        return out


class NodeClassificationRun(GraphRun):
    """Cross-entropy and accuracy on the training nodes only; the graph is seen whole."""

    def prepare(self, splits):
        self.loss_name = "cross_entropy"
        masks = self.graph_setup()
        self.see_edges(self.graph["edges"])
        self.labels = torch.from_numpy(self.graph["y"]).to(self.device)
        tensors = [(torch.from_numpy(m), torch.from_numpy(self.graph["y"][m]))
                   for m in (masks["train"], masks["val"], masks["test"])]
        (self.train_x, self.train_y), self.val, self.test = tensors
        self.full_batch()

    def train_step(self, nodes, _labels):
        out = self.train_nets["model"](self.features, self.adjacency)
        loss = F.cross_entropy(out[nodes], self.labels[nodes])
        self.update(self.main, loss, self.train_nets["model"])
        return {"loss": loss.item()}

    def evaluate(self, nodes, _labels):
        if len(nodes) == 0:
            return {}
        nodes = nodes.to(self.device)
        logits, target = self.scores()[nodes], self.labels[nodes]
        return {"loss": float(F.cross_entropy(logits, target)),
                "accuracy": float((logits.argmax(dim=1) == target).float().mean())}


class LinkPredictionRun(GraphRun):
    """Binary cross-entropy on the training edges and as many random non-edges per step;
    ROC AUC and average precision on the held-out edges and non-edges."""

    def prepare(self, splits):
        self.loss_name = self.s["loss"]
        self.logits = self.loss_name == "bce_with_logits"
        self.graph_setup()
        seed = self.dataset.get("seed", 0)
        train, val, test = edge_split(self.graph["edges"], self.num_nodes,
                                      self.s["val_fraction"], self.s["test_fraction"], seed)
        self.see_edges(train)  # the network sees the training edges only
        eye = torch.eye(self.num_nodes, device=self.device)
        self.taken = (self.adjacency + eye).clamp(max=1)  # pairs never drawn as non-edges
        self.train_x = torch.from_numpy(train)
        self.train_y = torch.ones(len(train))
        self.val, self.test = ((torch.from_numpy(p), torch.from_numpy(t)) for p, t in (val, test))
        self.full_batch()

    def pair_loss(self, scores, targets, weights=None):
        fn = F.binary_cross_entropy_with_logits if self.logits else F.binary_cross_entropy
        each = fn(scores.float(), targets, reduction="none")
        if weights is None:
            return each.mean()
        return (each * weights).sum() / weights.sum().clamp(min=1)

    def train_step(self, pairs, _targets):
        scores = self.train_nets["model"](self.features, self.adjacency)
        neg = torch.randint(0, self.num_nodes, pairs.shape, device=pairs.device)
        keep = 1 - self.taken[neg[:, 0], neg[:, 1]]  # a drawn edge is no negative
        pos_s, neg_s = scores[pairs[:, 0], pairs[:, 1]], scores[neg[:, 0], neg[:, 1]]
        ones = torch.ones_like(pos_s, dtype=torch.float32)
        loss = self.pair_loss(pos_s, ones) + self.pair_loss(neg_s, torch.zeros_like(ones), keep)
        self.update(self.main, loss, self.train_nets["model"])
        both = torch.cat([pos_s.detach(), neg_s.detach()]).float()
        weights = torch.cat([ones, keep])
        targets = torch.cat([ones, torch.zeros_like(ones)])
        return {"loss": loss.item(), "auc": float(roc_auc(both, targets, weights)),
                "ap": float(average_precision(both, targets, weights))}

    def evaluate(self, pairs, targets):
        if len(pairs) == 0:
            return {}
        pairs, targets = pairs.to(self.device), targets.to(self.device).float()
        scores = self.scores()[pairs[:, 0], pairs[:, 1]]
        pos = targets == 1
        loss = self.pair_loss(scores[pos], targets[pos]) + self.pair_loss(scores[~pos],
                                                                          targets[~pos])
        guess = (scores > (0.0 if self.logits else 0.5)).float()
        return {"loss": float(loss), "accuracy": float((guess == targets).float().mean()),
                "terms": {"auc": float(roc_auc(scores, targets)),
                          "ap": float(average_precision(scores, targets))}}
