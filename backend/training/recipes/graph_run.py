"""The graph recipes' runtime: the graph on the device, and node classification's step.

`GraphRun` keeps the node features (N, F) and the dense adjacency (N, N) of the edges the
network may see on the device, and runs the whole graph through the network at every step.
Batches are node indices (node classification) or node pairs (link prediction), all of the
training split at once (the recipes are full-batch).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from backend.data.graph_core import dense_adjacency
from backend.training.recipes.run import RecipeRun


class GraphRun(RecipeRun):
    def __init__(self, setup, config, recipe) -> None:
        super().__init__(setup, config, recipe)
        graph = setup.splits.graph
        self.num_nodes = graph.num_nodes
        self.features = torch.from_numpy(graph.x).to(setup.device)
        self.adjacency = torch.from_numpy(
            dense_adjacency(setup.splits.message_edges, graph.num_nodes)).to(setup.device)
        self.main = self.make_slot("model", setup.model)
        self.embedding = (recipe.embedding_node(setup.design, setup.analysis, config)
                          if setup.design is not None else None)

    def outputs(self) -> torch.Tensor:
        """The network on the whole graph (training mode, autocast)."""
        return self.forward(self.setup.model, self.features, self.adjacency)

    def evaluated(self) -> torch.Tensor:
        """The network on the whole graph in evaluation mode (no dropout), as float32."""
        model = self.setup.model
        was = model.training
        model.eval()
        try:
            with torch.no_grad(), self.autocast():
                return model(self.features, self.adjacency).float()
        finally:
            model.train(was)

    def probe_target(self, node: str):
        return None  # feature maps are for images; the graph views show the nodes

    def split_of_nodes(self) -> np.ndarray:
        """0/1/2 per node for training, validation and test nodes, -1 for the others."""
        out = np.full(self.num_nodes, -1, np.int8)
        s = self.setup.splits
        for code, part in enumerate((s.train, s.val, s.test)):
            if part.x.ndim == 1:
                out[part.x] = code
        return out


class NodeClassificationRun(GraphRun):
    def __init__(self, setup, config, recipe) -> None:
        super().__init__(setup, config, recipe)
        self.labels = torch.from_numpy(setup.splits.graph.y).to(setup.device)

    @property
    def counts_correct(self) -> bool:
        return True

    def step(self, xb: torch.Tensor, yb: torch.Tensor):
        out = self.outputs()
        logits = out[xb].float()
        target = self.labels[xb]
        loss = F.cross_entropy(logits, target)
        self.update(loss, self.main)
        return loss.detach(), (), (logits.detach().argmax(dim=1) == target).sum()

    def evaluate(self, x: torch.Tensor, y: torch.Tensor, confusion: bool = False) -> dict:
        if len(x) == 0:
            return {}
        idx = x.to(self.setup.device)
        logits, target = self.evaluated()[idx], self.labels[idx]
        pred = logits.argmax(dim=1)
        result = {"loss": float(F.cross_entropy(logits, target)),
                  "accuracy": float((pred == target).float().mean())}
        if confusion:
            k = self.setup.num_classes
            matrix = torch.bincount(target * k + pred, minlength=k * k)
            result["confusion"] = matrix.cpu().numpy().reshape(k, k).astype(np.int64)
        return result

    def watchers(self, probes) -> list:
        from backend.training.recipes import graph_views

        if probes.samples_every_s <= 0:
            return []
        found = [graph_views.GraphPicture(self, probes.samples_every_s)]
        if self.embedding is not None:
            found.append(graph_views.Embeddings(self, self.embedding, probes.samples_every_s))
        return found
