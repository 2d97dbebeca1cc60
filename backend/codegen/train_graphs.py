"""Graph loaders copied into the train.py of graph designs (numpy only).

Standalone on purpose, like train_data.py: the exporter copies the one loader a design uses,
`graph_result` and backend/data/graph_core.py (whose import here is dropped on copying). Each
loader takes the dataset options and returns (x, y, info) for a good file exactly as the app's
source of the same name does (a test compares them); `info["graph"]` holds the edges, the
file's masks and train_per_class, which the graph recipes' classes split with graph_core.
"""

import numpy as np

from backend.data.export_loaders import data_file  # noqa: F401  (copied beside)
from backend.data.graph_core import sbm_graph, unique_edges  # noqa: F401  (copied beside)


def graph_result(x, y, edges, num_classes, o, masks=None):
    """(x, y, info) of one graph; info["graph"] has what the graph recipes need."""
    graph = {"x": x, "y": y, "edges": edges, "masks": masks,
             "train_per_class": o.get("train_per_class", 0)}
    return x, y, {"task": "node_classification", "num_classes": num_classes, "kind": "graph",
                  "graph": graph}


def load_karate(o):
    """Zachary's karate club (the same 78 friendships networkx ships); labels: the faction."""
    pairs = ("0-1 0-2 0-3 0-4 0-5 0-6 0-7 0-8 0-10 0-11 0-12 0-13 0-17 0-19 0-21 0-31 1-2 1-3 "
             "1-7 1-13 1-17 1-19 1-21 1-30 2-3 2-7 2-8 2-9 2-13 2-27 2-28 2-32 3-7 3-12 3-13 "
             "4-6 4-10 5-6 5-10 5-16 6-16 8-30 8-32 8-33 9-33 13-33 14-32 14-33 15-32 15-33 "
             "18-32 18-33 19-33 20-32 20-33 22-32 22-33 23-25 23-27 23-29 23-32 23-33 24-25 "
             "24-27 24-31 25-31 26-29 26-33 27-33 28-31 28-33 29-32 29-33 30-32 30-33 31-32 "
             "31-33 32-33")
    edges = np.array([p.split("-") for p in pairs.split()], np.int64)
    y = np.array([int(c) for c in "0000000001000011001010111111111111"], np.int64)
    return graph_result(np.eye(34, dtype=np.float32), y, edges, 2, o)


def load_sbm(o):
    """A stochastic block model, drawn with the app's generator and seed."""
    k = len(o["sizes"])
    probs = o["probabilities"]
    if probs is None:
        probs = np.where(np.eye(k, dtype=bool), o["p_in"], o["p_out"])
    x, y, edges = sbm_graph(o["sizes"], probs, o["feature_dim"], o["signal"],
                            o["features"] == "identity", o["seed"])
    return graph_result(x, y, edges, k, o)


def load_graph_csv(o):
    """An edge list (two node ids per line) and an optional node table (id, label, split and
    feature columns), read as the app reads them."""
    import csv

    def rows(path):
        with open(data_file(path), newline="", encoding="utf-8-sig") as fh:
            return [line for line in fh.read().splitlines() if line.strip()]

    table, index, names = None, None, []
    if o["nodes"]:
        table = [r for r in csv.reader(rows(o["nodes"]))]
        header, table = [h.strip() for h in table[0]], table[1:]
        id_col = header.index(o["id_column"]) if o["id_column"] else 0
        names = [r[id_col].strip() for r in table]
        index = {v: i for i, v in enumerate(names)}
    pairs = []
    for line in rows(o["path"]):
        line = line.strip()
        if line.startswith("#"):
            continue
        fields = next(csv.reader([line])) if "," in line else line.split("\t") \
            if "\t" in line else line.split()
        pairs.append((fields[0].strip(), fields[1].strip()))
    known = index if index is not None else {}
    is_id = (lambda v: v in known) if index is not None else (lambda v: v.lstrip("-").isdigit())
    if pairs and not is_id(pairs[0][0]) and not is_id(pairs[0][1]):
        pairs = pairs[1:]  # a header line
    if index is None:
        names = list(dict.fromkeys(v for p in pairs for v in p))
        if all(v.lstrip("-").isdigit() for v in names):
            names = sorted(names, key=int)
        index = {v: i for i, v in enumerate(names)}
    edges = unique_edges([(index[a], index[b]) for a, b in pairs])
    n = len(names)
    if table is None:
        return graph_result(np.eye(n, dtype=np.float32), np.full(n, -1, np.int64), edges, 0, o)
    return _node_table(o, header, table, id_col, edges)


def _node_table(o, header, table, id_col, edges):
    """Features, labels and split masks of a node table (the app's column rules)."""
    label = o["label_column"]
    label_col = header.index(label) if label and label in header else None
    split_col = header.index("split") if "split" in header else None
    feats = o["features"]
    if feats is None:
        cols = [i for i in range(len(header)) if i not in (id_col, label_col, split_col)]
    else:
        cols = [] if feats == "identity" else [header.index(f) for f in feats]
    n = len(table)
    x = np.array([[float(r[c]) for c in cols] for r in table], np.float32) if cols else \
        np.eye(n, dtype=np.float32)
    raw = [r[label_col].strip() for r in table] if label_col is not None else [""] * n

    def key(v):
        try:
            return (0, float(v), v)
        except ValueError:
            return (1, 0.0, v)

    classes = sorted({v for v in raw if v}, key=key)
    y = np.array([classes.index(v) if v else -1 for v in raw], np.int64)
    masks = None
    if split_col is not None:
        masks = {s: np.array([r[split_col].strip().lower() == s for r in table])
                 for s in ("train", "val", "test")}
    return graph_result(x, y, edges, len(classes), o, masks)


def load_graph_npz(o):
    """Arrays edge_index (2, E), optional x (N, F), y (N,) with -1 for unlabelled nodes and
    train/val/test masks, from a NumPy .npz file (never unpickled)."""
    with np.load(data_file(o["path"]), allow_pickle=False) as archive:
        arrays = {k: archive[k] for k in archive.files}
    pairs = arrays["edge_index"].T.astype(np.int64)
    x, y = arrays.get("x"), arrays.get("y")
    n = len(x) if x is not None else len(y) if y is not None else int(pairs.max()) + 1
    x = np.eye(n, dtype=np.float32) if x is None else x.astype(np.float32)
    y = np.full(n, -1, np.int64) if y is None else np.asarray(y).reshape(n).astype(np.int64)
    masks = None
    if any(f"{s}_mask" in arrays for s in ("train", "val", "test")):
        masks = {s: arrays.get(f"{s}_mask", np.zeros(n, bool)).astype(bool)
                 for s in ("train", "val", "test")}
    k = int(y.max()) + 1 if (y >= 0).any() else 0
    return graph_result(x, y, unique_edges(pairs), k, o, masks)


# dataset name -> (loader, the helpers it needs besides graph_core)
LOADERS = {"karate": ("load_karate", ()), "sbm": ("load_sbm", ()),
           "graph_csv": ("load_graph_csv", ("data_file", "_node_table")),
           "graph_npz": ("load_graph_npz", ("data_file",))}
