"""Link prediction's step: score the training edges and as many random non-edges.

The network sees only the training edges. Each step draws one random node pair per training
edge; a drawn pair that is a training edge (or a node with itself) is left out of the loss by
a 0/1 weight, so nothing waits for the host. The loss is binary cross-entropy on the edges
(target 1) plus on the kept pairs (target 0); ROC AUC and average precision of the same
scores are the step's terms. Validation and test score their fixed held-out pairs.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from backend.training.ranking import average_precision, roc_auc
from backend.training.recipes.graph_run import GraphRun


class LinkPredictionRun(GraphRun):
    def __init__(self, setup, config, recipe) -> None:
        super().__init__(setup, config, recipe)
        self.logits = setup.loss == "bce_with_logits"
        eye = torch.eye(self.num_nodes, device=setup.device)
        self.taken = (self.adjacency + eye).clamp(max=1)  # pairs that are no negative

    def pair_loss(self, scores: torch.Tensor, targets: torch.Tensor,
                  weights: torch.Tensor | None = None) -> torch.Tensor:
        fn = F.binary_cross_entropy_with_logits if self.logits else F.binary_cross_entropy
        each = fn(scores.float(), targets, reduction="none")
        if weights is None:
            return each.mean()
        return (each * weights).sum() / weights.sum().clamp(min=1)

    def step(self, xb: torch.Tensor, yb: torch.Tensor):
        scores = self.outputs()
        neg = torch.randint(0, self.num_nodes, xb.shape, device=xb.device)
        keep = 1 - self.taken[neg[:, 0], neg[:, 1]]
        pos_s, neg_s = scores[xb[:, 0], xb[:, 1]], scores[neg[:, 0], neg[:, 1]]
        ones = torch.ones_like(pos_s, dtype=torch.float32)
        loss = self.pair_loss(pos_s, ones) + self.pair_loss(neg_s, torch.zeros_like(ones), keep)
        self.update(loss, self.main)
        both = torch.cat([pos_s.detach(), neg_s.detach()]).float()
        targets = torch.cat([ones, torch.zeros_like(ones)])
        weights = torch.cat([ones, keep])
        return loss.detach(), (roc_auc(both, targets, weights),
                               average_precision(both, targets, weights)), None

    def evaluate(self, x: torch.Tensor, y: torch.Tensor, confusion: bool = False) -> dict:
        if len(x) == 0:
            return {}
        pairs, targets = x.to(self.setup.device), y.to(self.setup.device).float()
        scores = self.evaluated()[pairs[:, 0], pairs[:, 1]]
        pos = targets == 1
        loss = self.pair_loss(scores[pos], targets[pos]) + self.pair_loss(scores[~pos],
                                                                          targets[~pos])
        guess = (scores > (0.0 if self.logits else 0.5)).float()
        return {"loss": float(loss), "accuracy": float((guess == targets).float().mean()),
                "terms": {"auc": float(roc_auc(scores, targets)),
                          "ap": float(average_precision(scores, targets))}}

    def watchers(self, probes) -> list:
        from backend.training.recipes import graph_views

        if probes.samples_every_s <= 0:
            return []
        found = [graph_views.GraphPicture(self, probes.samples_every_s),
                 graph_views.LinkView(self, probes.samples_every_s)]
        if self.embedding is not None:
            found.append(graph_views.Embeddings(self, self.embedding, probes.samples_every_s))
        return found
