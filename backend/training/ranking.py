"""Ranking metrics for link prediction, on the device: ROC AUC and average precision.

Standalone (torch only): the exported train.py of a graph autoencoder copies this file, so
the script reports the app's numbers. Neither function synchronises with the host, so a
training step can compute them. `weights` (0 or 1 per pair) leave pairs out, e.g. sampled
"negatives" that turned out to be edges. Tied scores count half, as scikit-learn counts them.
"""

import torch


def _groups(sorted_scores):
    """The index of each sorted score's group of equal scores (0, 0, 1, 2, 2, ...)."""
    changed = (sorted_scores[1:] != sorted_scores[:-1]).long()
    return torch.cat([changed.new_zeros(1), changed.cumsum(0)])


def roc_auc(scores, targets, weights=None):
    """The chance that a random edge scores above a random non-edge (the area under the
    ROC curve): 1 ranks every edge first, 0.5 is guessing."""
    w = torch.ones_like(scores) if weights is None else weights.to(scores.dtype)
    s, order = torch.sort(scores)
    t, w = targets[order].to(s.dtype), w[order]
    group = _groups(s)
    neg = (1 - t) * w
    per_group = torch.zeros_like(s).scatter_add_(0, group, neg)
    below = per_group.cumsum(0) - per_group  # non-edges scored strictly lower
    pos = t * w
    credit = below[group] + 0.5 * per_group[group]
    return (pos * credit).sum() / (pos.sum() * neg.sum()).clamp(min=1e-12)


def average_precision(scores, targets, weights=None):
    """The mean precision at the ranks where the edges are found (area under the
    precision-recall curve, stepwise)."""
    w = torch.ones_like(scores) if weights is None else weights.to(scores.dtype)
    s, order = torch.sort(scores, descending=True)
    t, w = targets[order].to(s.dtype), w[order]
    group = _groups(s)
    pos = t * w
    found = torch.zeros_like(s).scatter_add_(0, group, pos)
    seen = torch.zeros_like(s).scatter_add_(0, group, w)
    precision = found.cumsum(0) / seen.cumsum(0).clamp(min=1e-12)
    return (found * precision).sum() / pos.sum().clamp(min=1e-12)
