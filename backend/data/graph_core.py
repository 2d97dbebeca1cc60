"""The graph algorithms the app and the exported train.py share (numpy only).

Standalone on purpose, like backend/codegen/train_runtime.py: it imports nothing from
Netwright, and the exporter copies it verbatim into the train.py of a graph design, so the
script draws exactly the app's graph, node masks, edge split and negatives for the same seed.
Bad values raise `ValueError` with a sentence; the app's data sources check user input first
(backend/data/graphs.py, graph_files.py) and turn the sentences into dataset errors.
"""

import numpy as np


def unique_edges(pairs):
    """Undirected edges as sorted unique pairs (i < j), self-loops left out."""
    pairs = np.sort(np.asarray(pairs, np.int64).reshape(-1, 2), axis=1)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    return np.unique(pairs, axis=0) if len(pairs) else np.zeros((0, 2), np.int64)


def dense_adjacency(edges, n):
    """The symmetric 0/1 adjacency (N, N), float32, of undirected edges (E, 2)."""
    a = np.zeros((n, n), np.float32)
    a[edges[:, 0], edges[:, 1]] = 1.0
    a[edges[:, 1], edges[:, 0]] = 1.0
    return a


def sbm_graph(sizes, probs, feature_dim, signal, identity, seed):
    """(x, y, edges) of a stochastic block model: each pair i < j is an edge with the
    probability of its two communities. Features: the community's mean (a random direction
    of length `signal`) plus standard normal noise, drawn after the edges; or the identity."""
    rng = np.random.default_rng(seed)
    probs = np.asarray(probs, np.float64)
    y = np.repeat(np.arange(len(sizes)), sizes)
    n = len(y)
    rows = []
    for start in range(0, n, 512):  # 512 rows at a time: the memory stays small
        block = rng.random((min(512, n - start), n)) < probs[y[start:start + 512]][:, y]
        i, j = np.nonzero(block)
        keep = j > i + start
        rows.append(np.stack([i[keep] + start, j[keep]], axis=1))
    edges = np.concatenate(rows).astype(np.int64)
    means = rng.normal(size=(len(sizes), feature_dim))
    means *= signal / np.linalg.norm(means, axis=1, keepdims=True)
    x = means[y] + rng.normal(size=(n, feature_dim))
    if identity:
        x = np.eye(n)
    return x.astype(np.float32), y.astype(np.int64), edges


def shuffled_split(n, val_fraction, test_fraction, seed):
    """A seeded permutation of range(n) cut into (train, val, test) index arrays."""
    perm = np.random.default_rng(seed).permutation(n)
    n_test, n_val = int(round(n * test_fraction)), int(round(n * val_fraction))
    if n - n_test - n_val < 1:
        raise ValueError(f"only {n} labelled nodes, too few for these validation and test "
                         "fractions: lower val_fraction or test_fraction")
    return perm[n_test + n_val:], perm[n_test:n_test + n_val], perm[:n_test]


def node_split(y, num_classes, val_fraction, test_fraction, seed, train_per_class=0):
    """{"train", "val", "test"}: sorted indices of labelled nodes (y >= 0). With
    `train_per_class` > 0 that many nodes of each class train (at least one of each class is
    left over) and the rest are shared between validation and test in the fractions'
    proportion; otherwise the labelled nodes are shuffled and cut by the fractions."""
    labelled = np.flatnonzero(np.asarray(y) >= 0)
    if train_per_class <= 0:
        parts = shuffled_split(len(labelled), val_fraction, test_fraction, seed)
        names = ("train", "val", "test")
        return {k: np.sort(labelled[i]) for k, i in zip(names, parts, strict=True)}
    rng = np.random.default_rng(seed)
    train, rest = [], []
    for c in range(num_classes):
        members = rng.permutation(labelled[y[labelled] == c])
        take = min(train_per_class, max(len(members) - 1, 1))
        train.append(members[:take])
        rest.append(members[take:])
    rest = rng.permutation(np.concatenate(rest))
    total = val_fraction + test_fraction
    n_val = int(round(len(rest) * (val_fraction / total if total else 0.0)))
    return {"train": np.sort(np.concatenate(train)), "val": np.sort(rest[:n_val]),
            "test": np.sort(rest[n_val:])}


def non_edges(edges, n, count, rng):
    """`count` distinct pairs (i < j) that are no edge of the graph, drawn with `rng`."""
    possible = n * (n - 1) // 2 - len(edges)
    if count > possible:
        raise ValueError(f"the graph has only {possible} node pairs without an edge but link "
                         f"prediction needs {count} as negatives: lower val_fraction and "
                         "test_fraction")
    taken = set(map(tuple, np.asarray(edges).tolist()))
    found, seen = [], set()
    while len(found) < count:
        pairs = np.sort(rng.integers(0, n, size=(2 * (count - len(found)) + 16, 2)), axis=1)
        for i, j in pairs.tolist():
            if i != j and (i, j) not in taken and (i, j) not in seen:
                seen.add((i, j))
                found.append((i, j))
                if len(found) == count:
                    break
    return np.array(found, np.int64).reshape(-1, 2)


def edge_split(edges, n, val_fraction, test_fraction, seed):
    """Link prediction: (training edges, (val pairs, val targets), (test pairs, test
    targets)). Validation and test hold out a share of the edges (targets 1) and as many
    node pairs that are no edge (targets 0); the training edges are sorted."""
    rng = np.random.default_rng(seed)
    perm = rng.permutation(len(edges))
    n_val = int(round(len(edges) * val_fraction))
    n_test = int(round(len(edges) * test_fraction))
    if len(edges) - n_val - n_test < 1:
        raise ValueError(f"the graph has only {len(edges)} edges, too few to hold out "
                         "validation and test edges: lower val_fraction and test_fraction")
    shuffled = edges[perm]
    train = shuffled[n_val + n_test:]
    train = train[np.lexsort((train[:, 1], train[:, 0]))]
    negatives = non_edges(edges, n, n_val + n_test, rng)

    def scored(pos, neg):
        pairs = np.concatenate([pos, neg]).astype(np.int64)
        return pairs, np.concatenate([np.ones(len(pos)), np.zeros(len(neg))]).astype(np.float32)

    return (train, scored(shuffled[:n_val], negatives[:n_val]),
            scored(shuffled[n_val:n_val + n_test], negatives[n_val:]))


def feature_scaling(x, rows, mode):
    """(shift, scale) per feature from the nodes `rows` (the training nodes); x' = (x -
    shift) / scale. mode: standard, minmax or none."""
    if mode == "none" or not len(rows):
        return np.zeros(1, np.float32), np.ones(1, np.float32)
    part = x[rows]
    if mode == "standard":
        shift, scale = part.mean(axis=0, keepdims=True), part.std(axis=0, keepdims=True)
    else:
        shift = part.min(axis=0, keepdims=True)
        scale = part.max(axis=0, keepdims=True) - shift
    scale = np.where(scale < 1e-8, 1.0, scale)
    return shift[0].astype(np.float32), scale[0].astype(np.float32)
