"""The user's graphs: an edge-list CSV (plus an optional node table) or a NumPy .npz file.

`graph_csv`: `path` is an edge list, one edge per line as two node ids (comma, tab or
spaces between them; `#` comment lines and a header line naming the two columns are
skipped). `nodes` is an optional CSV table with a header line: the `id_column` (default the
first column), the `label_column` (default `label`; empty cells are unlabelled nodes), an
optional `split` column (train, val or test) and numeric feature columns (`features`: a list
of column names, default every other column). Without a node table the nodes are the ids in
the edge list and have no labels (link prediction only).

`graph_npz`: arrays `edge_index` (2, E) of node indices, optional `x` (N, F), `y` (N,) with
-1 for unlabelled nodes, and optional `train_mask`, `val_mask`, `test_mask` (N,) booleans.

Nodes without features get the one-hot identity. Every bad file is one sentence naming the
line or array and the fix: an edge to a node that does not exist, a self-loop (refused
unless `self_loops` is drop), a masked node without a label.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np

from backend.data.base import DatasetError
from backend.data.files import MAX_CLASSES, MAX_CSV_BYTES, _npz_arrays, read_bytes, resolve
from backend.data.graphs import (
    SPLIT_NAMES,
    GraphDataset,
    clean_edges,
    edge_text,
    graph_dataset,
    identity_features,
    with_split_options,
)
from backend.data.sources import DataSource, register_source

SELF_LOOPS = ("error", "drop")


def _text(path: Path) -> str:
    raw = read_bytes(path, MAX_CSV_BYTES)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _fields(line: str) -> list[str]:
    if "," in line:
        return next(csv.reader([line]))
    if "\t" in line:
        return line.split("\t")
    return line.split()


def read_edge_list(path: Path, known: dict | None = None
                   ) -> tuple[list[tuple[str, str]], list[int]]:
    """(pairs of node ids, their line numbers). A first line whose entries are not node ids
    (of the node table `known`; without one: not numbers) is a header and skipped."""
    pairs, lines = [], []
    for number, line in enumerate(_text(path).splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        fields = [f.strip() for f in _fields(line)]
        if len(fields) < 2 or not fields[0] or not fields[1]:
            raise DatasetError(f"{path.name} line {number} holds {line[:40]!r}: each line "
                               "needs the two node ids of one edge, like 3,17")
        pairs.append((fields[0], fields[1]))
        lines.append(number)
    def is_id(v: str) -> bool:
        return v in known if known is not None else v.lstrip("-").isdigit()

    if pairs and not is_id(pairs[0][0]) and not is_id(pairs[0][1]):
        pairs, lines = pairs[1:], lines[1:]  # a header such as source,target
    if not pairs:
        raise DatasetError(f"{path.name} holds no edges: write one edge per line as two "
                           "node ids, like 3,17")
    return pairs, lines


def _node_order(pairs: list[tuple[str, str]]) -> list[str]:
    ids = list(dict.fromkeys(v for pair in pairs for v in pair))
    if all(v.lstrip("-").isdigit() for v in ids):
        return sorted(ids, key=int)
    return ids


class NodeTable:
    """A node table CSV: ids in file order, features, labels and splits per node."""

    def __init__(self, path: Path, o: dict) -> None:
        self.path = path
        rows = [(i, r) for i, r in enumerate(csv.reader(io.StringIO(_text(path))), 1) if r]
        if len(rows) < 2:
            raise DatasetError(f"{path.name} has no node rows: the first line must name the "
                               "columns (id, label, features) and each further line hold one "
                               "node")
        self.header = [h.strip() for h in rows[0][1]]
        self.rows, self.lines = [r for _, r in rows[1:]], [i for i, _ in rows[1:]]
        for line, row in zip(self.lines, self.rows, strict=True):
            if len(row) != len(self.header):
                raise DatasetError(f"{path.name} line {line} has {len(row)} values but the "
                                   f"header names {len(self.header)} columns: fix that line")
        self.id_col = self._column(o["id_column"]) if o["id_column"] else 0
        self.ids = [row[self.id_col].strip() for row in self.rows]
        seen: dict[str, int] = {}
        for line, node in zip(self.lines, self.ids, strict=True):
            if node in seen:
                raise DatasetError(f"{path.name} lists node {node!r} twice (lines "
                                   f"{seen[node]} and {line}): keep one line per node")
            seen[node] = line
        self.index = {node: i for i, node in enumerate(self.ids)}
        label = o["label_column"]
        self.label_col = self._column(label) if label and (
            label in self.header or label != "label") else None
        self.split_col = self.header.index("split") if "split" in self.header else None
        self.feature_cols = self._feature_columns(o["features"])

    def _column(self, name: str) -> int:
        if name not in self.header:
            raise DatasetError(f"{self.path.name} has no column {name!r}: its columns are "
                               f"{', '.join(self.header)}")
        return self.header.index(name)

    def _feature_columns(self, feats) -> list[int]:
        taken = {self.id_col, self.label_col, self.split_col}
        if feats is None:
            return [i for i in range(len(self.header)) if i not in taken]
        if feats == "identity":
            return []
        if isinstance(feats, list) and all(isinstance(f, str) for f in feats):
            return [self._column(f) for f in feats]
        raise DatasetError(f"graph_csv features must be a list of column names, \"identity\" "
                           f"or null (every other column), not {feats!r}")

    def features(self) -> np.ndarray:
        if not self.feature_cols:
            return identity_features(len(self.ids))
        out = np.zeros((len(self.ids), len(self.feature_cols)), np.float32)
        for i, (line, row) in enumerate(zip(self.lines, self.rows, strict=True)):
            for j, col in enumerate(self.feature_cols):
                try:
                    out[i, j] = float(row[col])
                except ValueError:
                    raise DatasetError(
                        f"{self.path.name} line {line} column {self.header[col]!r} holds "
                        f"{row[col]!r}, not a number: fix it or leave the column out of the "
                        "dataset's features") from None
        return out

    def labels(self) -> tuple[np.ndarray, tuple[str, ...]]:
        if self.label_col is None:
            return np.full(len(self.ids), -1, np.int64), ()
        raw = [row[self.label_col].strip() for row in self.rows]
        known = sorted({v for v in raw if v}, key=_label_key)
        if len(known) > MAX_CLASSES:
            raise DatasetError(f"{self.path.name} column {self.header[self.label_col]!r} has "
                               f"{len(known):,} different labels, too many classes: choose "
                               "the right label_column")
        index = {v: i for i, v in enumerate(known)}
        return np.array([index.get(v, -1) for v in raw], np.int64), tuple(known)

    def masks(self, y: np.ndarray) -> dict[str, np.ndarray] | None:
        if self.split_col is None:
            return None
        out = {name: np.zeros(len(self.ids), bool) for name in SPLIT_NAMES}
        for i, (line, row) in enumerate(zip(self.lines, self.rows, strict=True)):
            split = row[self.split_col].strip().lower()
            if not split:
                continue
            if split not in out:
                raise DatasetError(f"{self.path.name} line {line} has split {split!r}: use "
                                   "train, val, test or leave it empty")
            if y[i] < 0:
                raise DatasetError(f"{self.path.name} line {line} puts node {self.ids[i]!r} "
                                   f"in the {split} split but gives it no label: label it or "
                                   "clear its split")
            out[split][i] = True
        return out


def _label_key(v: str):
    try:
        return (0, float(v), v)
    except ValueError:
        return (1, 0.0, v)


def load_graph_csv(o: dict) -> GraphDataset:
    _check_policy(o)
    path = resolve(o["path"])
    table = NodeTable(resolve(o["nodes"], "nodes"), o) if o["nodes"] else None
    pairs, lines = read_edge_list(path, table.index if table else None)
    if table is not None:
        index, names = table.index, tuple(table.ids)
        for (a, b), line in zip(pairs, lines, strict=True):
            missing = a if a not in index else b if b not in index else None
            if missing is not None:
                raise DatasetError(f"{path.name} line {line} joins {a!r} and {b!r}, but "
                                   f"{missing!r} is not in the node table {table.path.name}: "
                                   "add a line for it or remove the edge")
        x, (y, classes) = table.features(), table.labels()
        masks = table.masks(y)
    else:
        names = tuple(_node_order(pairs))
        index = {v: i for i, v in enumerate(names)}
        x, y, classes, masks = identity_features(len(names)), np.full(
            len(names), -1, np.int64), (), None
    idx = np.array([(index[a], index[b]) for a, b in pairs], np.int64)
    edges = clean_edges(idx, len(names), o["self_loops"],
                        lambda k: f"{path.name} line {lines[k]}")
    return graph_dataset("graph_csv", x, y, edges, classes,
                         f"{path.name}: {edge_text(len(names), len(edges))}"
                         + (f", {len(classes)} classes." if classes else ", no labels."),
                         names, masks)


def _check_policy(o: dict) -> None:
    if o["self_loops"] not in SELF_LOOPS:
        raise DatasetError(f"self_loops must be error or drop, not {o['self_loops']!r}")


# --- .npz -------------------------------------------------------------------------------------

def _optional(path: Path, key: str):
    with np.load(path, allow_pickle=False) as archive:
        return archive[key] if key in archive.files else None


def _edge_index(path: Path) -> np.ndarray:
    (ei,) = _npz_arrays(path, ("edge_index",))
    if ei.ndim != 2 or ei.shape[0] != 2 or ei.dtype.kind not in "iu":
        raise DatasetError(f"{path.name}: edge_index has shape {ei.shape} and type {ei.dtype}, "
                           "but it must hold whole numbers in shape (2, E): row 0 the source "
                           "nodes, row 1 the targets")
    return ei.T.astype(np.int64)


def _npz_labels(path: Path, y, n: int) -> tuple[np.ndarray, tuple[str, ...]]:
    if y is None:
        return np.full(n, -1, np.int64), ()
    y = np.asarray(y).reshape(-1) if y.ndim > 1 and y.shape[1] == 1 else np.asarray(y)
    if y.shape != (n,) or y.dtype.kind not in "iu":
        raise DatasetError(f"{path.name}: y has shape {y.shape} and type {y.dtype}, but it "
                           f"must hold one whole-number class per node, shape ({n},), with -1 "
                           "for unlabelled nodes")
    if (y < -1).any():
        raise DatasetError(f"{path.name}: y holds {int(y.min())} for node "
                           f"{int(np.argmin(y))}: classes are 0, 1, 2, ... and -1 marks a "
                           "node without a label")
    k = int(y.max()) + 1 if (y >= 0).any() else 0
    if k > MAX_CLASSES:
        raise DatasetError(f"{path.name}: y has {k:,} classes, too many: check the labels")
    return y.astype(np.int64), tuple(str(c) for c in range(k))


def _npz_masks(path: Path, y: np.ndarray) -> dict[str, np.ndarray] | None:
    found = {name: _optional(path, f"{name}_mask") for name in SPLIT_NAMES}
    if all(m is None for m in found.values()):
        return None
    masks = {}
    for name, m in found.items():
        m = np.zeros(len(y), bool) if m is None else np.asarray(m)
        if m.shape != y.shape:
            raise DatasetError(f"{path.name}: {name}_mask has shape {m.shape} but the graph "
                               f"has {len(y)} nodes: give one true/false per node")
        m = m.astype(bool)
        bad = np.flatnonzero(m & (y < 0))
        if len(bad):
            raise DatasetError(f"{path.name}: {name}_mask includes node {int(bad[0])}, whose "
                               "label y is -1 (missing): label it or leave it out of "
                               f"{name}_mask")
        masks[name] = m
    return masks


def load_graph_npz(o: dict) -> GraphDataset:
    _check_policy(o)
    path = resolve(o["path"])
    pairs = _edge_index(path)
    x, y = _optional(path, "x"), _optional(path, "y")
    n = len(x) if x is not None else len(y) if y is not None else int(pairs.max()) + 1
    if x is None:
        x = identity_features(n)
    elif x.ndim != 2 or x.dtype.kind not in "biuf":
        raise DatasetError(f"{path.name}: x has shape {x.shape} and type {x.dtype}, but it "
                           "must hold numbers, one row of features per node: shape (N, F)")
    labels, classes = _npz_labels(path, y, n)
    edges = clean_edges(pairs, n, o["self_loops"],
                        lambda k: f"{path.name}: edge_index column {k}")
    return graph_dataset("graph_npz", x.astype(np.float32), labels, edges, classes,
                         f"{path.name}: {edge_text(n, len(edges))}"
                         + (f", {len(classes)} classes." if classes else ", no labels."),
                         masks=_npz_masks(path, labels))


_COMMON = {"normalise": "none", "train_per_class": 0, "self_loops": "error"}

for _src in (
    DataSource("graph_csv", "Your graph: an edge-list CSV and a node table (features, "
               "label, split).", with_split_options(load_graph_csv),
               {**_COMMON, "path": "", "nodes": "", "id_column": "", "label_column": "label",
                "features": None}),
    DataSource("graph_npz", "Your graph as .npz: edge_index (2, E), x, y and optional "
               "train/val/test masks.", with_split_options(load_graph_npz),
               {**_COMMON, "path": ""}),
):
    register_source(_src)
