"""Live views of the graph recipes, as watchers (backend/training/watchers.py).

`GraphPicture` lays the graph out once (networkx spring layout, seeded) and then sends every
node's predicted class; `Embeddings` sends a chosen layer's output for every node in 2-D (PCA,
each axis's sign kept from one picture to the next so the cloud does not flip); `LinkView`
sends the ROC curve of the validation pairs and the best-scored pairs that are no training
edge. All run the network in evaluation mode on the whole graph, at most every `every_s`
seconds and at the last epoch.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from backend.training.graph_events import (
    GraphLayout,
    LinkScores,
    NodeEmbeddings,
    NodePredictions,
)
from backend.training.probes import node_modules
from backend.training.watchers import Watcher

MAX_DRAWN = 3000  # larger graphs are not drawn (the layout alone would take minutes)
TOP_PAIRS = 10
FRAME_S = 0.25  # at most this long between pictures: a small graph trains in seconds


class _Throttled(Watcher):
    """`emit` at an epoch's end when `every_s` passed since the last one, and at the last."""

    def __init__(self, every_s: float) -> None:
        self.every_s, self.t_last = min(every_s, FRAME_S), -math.inf

    def epoch_end(self, trainer, val):
        import time

        now = time.monotonic()
        last = trainer.epoch >= trainer.config.epochs
        if not (last or now - self.t_last >= self.every_s):
            return
        self.t_last = now
        yield from self.emit(trainer)

    def emit(self, trainer):
        raise NotImplementedError


def layout(edges: np.ndarray, n: int, seed: int = 0) -> np.ndarray:
    """Spring layout of the graph, scaled into [-1, 1] (float32 (N, 2))."""
    import networkx as nx

    g = nx.Graph()
    g.add_nodes_from(range(n))
    g.add_edges_from(map(tuple, edges.tolist()))
    iterations = 50 if n <= 500 else 30
    pos = nx.spring_layout(g, seed=seed, iterations=iterations)
    xy = np.array([pos[i] for i in range(n)], np.float32)
    xy -= xy.mean(axis=0)
    return xy / max(float(np.abs(xy).max()), 1e-6)


class GraphPicture(_Throttled):
    def __init__(self, run, every_s: float) -> None:
        super().__init__(every_s)
        self.run, self.sent = run, False

    def live(self, trainer, now, force):
        if not self.sent:
            self.sent = True
            event = self.layout_event(trainer)
            if event is not None:
                yield event

    def epoch_end(self, trainer, val):
        yield from self.live(trainer, 0.0, False)  # an epoch can end before a log point
        yield from super().epoch_end(trainer, val)

    def layout_event(self, trainer) -> GraphLayout | None:
        s = trainer.setup.splits
        graph = s.graph
        if graph.num_nodes > MAX_DRAWN:
            return None
        hidden = None
        if s.info.task == "link_prediction":
            held = [p.x[p.y == 1] for p in (s.val, s.test)]
            hidden = np.concatenate(held).astype(np.int64)
        drawn = np.concatenate([s.message_edges, hidden]) if hidden is not None \
            else s.message_edges
        return GraphLayout(trainer.step, trainer.epoch, layout(drawn, graph.num_nodes),
                           s.message_edges.astype(np.int64), graph.y.astype(np.int64),
                           self.run.split_of_nodes(), tuple(graph.names),
                           tuple(graph.info.class_names), hidden)

    def emit(self, trainer):
        if trainer.setup.splits.info.task != "node_classification":
            return
        probs = torch.softmax(self.run.evaluated(), dim=1)
        confidence, predicted = probs.max(dim=1)
        predicted = predicted.cpu().numpy().astype(np.int64)
        y, split = trainer.setup.splits.graph.y, self.run.split_of_nodes()
        accuracy = {name: float((predicted[split == code] == y[split == code]).mean())
                    for code, name in enumerate(("train", "val", "test"))
                    if (split == code).any()}
        yield NodePredictions(trainer.step, trainer.epoch, predicted,
                              confidence.cpu().numpy().astype(np.float32), accuracy)


def pca_2d(h: np.ndarray, previous: np.ndarray | None) -> tuple[np.ndarray, tuple]:
    """(N, 2) points and the variance share of each axis; signs follow `previous`.

    From the eigenvectors of the smaller of HᵀH (F × F) and HHᵀ (N × N) in torch: a few
    milliseconds, where numpy's SVD of the (N, F) matrix took a fifth of a second per
    picture on a busy machine (its threads compete with torch's)."""
    h = h - h.mean(axis=0)
    if h.shape[1] <= 2:
        points = np.zeros((len(h), 2), np.float32)
        points[:, :h.shape[1]] = h
        return points, ()
    t = torch.from_numpy(np.ascontiguousarray(h)).double()
    if t.shape[1] <= t.shape[0]:
        values, vectors = torch.linalg.eigh(t.T @ t)
        points = t @ vectors[:, [-1, -2]]
    else:  # wider than tall: the Gram matrix's eigenvectors, scaled
        values, vectors = torch.linalg.eigh(t @ t.T)
        points = vectors[:, [-1, -2]] * values[[-1, -2]].clamp(min=0).sqrt()
    points = points.float().numpy()
    if previous is not None and previous.shape == points.shape:
        for axis in range(2):
            if float(points[:, axis] @ previous[:, axis]) < 0:
                points[:, axis] *= -1
    values = values.clamp(min=0)
    total = float(values.sum()) or 1.0
    return np.ascontiguousarray(points), (float(values[-1]) / total, float(values[-2]) / total)


class Embeddings(_Throttled):
    def __init__(self, run, node: str, every_s: float) -> None:
        super().__init__(every_s)
        self.run, self.node, self.previous = run, node, None

    def emit(self, trainer):
        module = node_modules(trainer.setup.model).get(self.node)
        if module is None:
            return
        kept = {}
        handle = module.register_forward_hook(
            lambda m, i, out: kept.setdefault("h", out[0] if isinstance(out, tuple) else out))
        try:
            self.run.evaluated()
        finally:
            handle.remove()
        h = kept["h"].float().reshape(self.run.num_nodes, -1).cpu().numpy()
        points, explained = pca_2d(h, self.previous)
        self.previous = points
        graph = trainer.setup.splits.graph
        yield NodeEmbeddings(trainer.step, trainer.epoch, self.node, points,
                             graph.y.astype(np.int64), h.shape[1], explained,
                             tuple(graph.info.class_names))


def roc_points(scores: np.ndarray, targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(false-positive rates, true-positive rates) at every distinct threshold."""
    order = np.argsort(-scores, kind="stable")
    s, t = scores[order], targets[order]
    ends = np.r_[np.flatnonzero(np.diff(s)), len(s) - 1]
    tp, fp = np.cumsum(t)[ends], np.cumsum(1 - t)[ends]
    tpr = np.r_[0.0, tp / max(t.sum(), 1)]
    fpr = np.r_[0.0, fp / max((1 - t).sum(), 1)]
    return fpr.astype(np.float32), tpr.astype(np.float32)


class LinkView(_Throttled):
    def __init__(self, run, every_s: float) -> None:
        super().__init__(every_s)
        self.run = run

    def emit(self, trainer):
        from backend.training.ranking import average_precision, roc_auc

        s = trainer.setup.splits
        scores = self.run.evaluated()
        part = s.val if len(s.val) else s.test
        if not len(part):
            return
        pairs, targets = torch.from_numpy(part.x), torch.from_numpy(part.y)
        picked = scores.cpu()[pairs[:, 0], pairs[:, 1]]
        fpr, tpr = roc_points(picked.numpy(), part.y)
        top, top_scores, hidden = self.best_new_pairs(scores, s)
        if self.run.logits:
            picked, top_scores = torch.sigmoid(picked), 1 / (1 + np.exp(-top_scores))
        yield LinkScores(trainer.step, trainer.epoch, fpr, tpr,
                         float(roc_auc(picked, targets)), float(average_precision(picked,
                                                                                  targets)),
                         top, top_scores.astype(np.float32), hidden, tuple(s.graph.names))

    def best_new_pairs(self, scores: torch.Tensor, s):
        """The TOP_PAIRS best-scored pairs i < j that are no training edge."""
        masked = scores.masked_fill(torch.triu(self.run.taken.new_ones(scores.shape), 1) == 0,
                                    -math.inf).masked_fill(self.run.taken > 0, -math.inf)
        values, flat = masked.flatten().topk(min(TOP_PAIRS, masked.numel()))
        n = self.run.num_nodes
        keep = torch.isfinite(values)
        pairs = torch.stack([flat // n, flat % n], dim=1)[keep].cpu().numpy().astype(np.int64)
        held = {tuple(p) for part in (s.val, s.test) for p in part.x[part.y == 1].tolist()}
        hidden = np.array([tuple(p) in held for p in pairs.tolist()], bool)
        return pairs, values[keep].cpu().numpy(), hidden
