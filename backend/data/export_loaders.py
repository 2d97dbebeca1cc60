"""Loaders for user data files, copied into exported `train.py` files (numpy only).

Standalone on purpose, like backend.codegen.train_data: each loader takes the dataset
options and returns (x float32 (N, ...), y, info) exactly as the backend source of the same
name does for a good file (a test compares them). Relative paths start at train.py's folder,
then the current folder. Image folders need Pillow, so train.py leaves that loader to the user.
"""

import numpy as np


def data_file(path):
    """The data file a dataset option names: beside train.py, else from the current folder."""
    import os

    here = os.path.dirname(os.path.abspath(__file__))
    for candidate in (os.path.join(here, path), path):
        if os.path.exists(candidate):
            return candidate
    raise SystemExit(f"data file {path} not found: put it beside train.py or set its path "
                     "in DATASET")


def classes_of(labels):
    """Labels of any kind -> int64 indices into the sorted distinct labels."""
    return np.unique(labels, return_inverse=True)[1].reshape(-1).astype(np.int64)


def load_csv(o):
    """A CSV table with a header line: feature columns -> the target column."""
    import csv

    csv.field_size_limit(max(csv.field_size_limit(), 1 << 28))  # fields of any size
    with open(data_file(o["path"]), newline="", encoding="utf-8-sig") as fh:
        rows = [r for r in csv.reader(fh, delimiter=o["delimiter"]) if r]
    header, rows = [h.strip() for h in rows[0]], rows[1:]
    target = header.index(o["target"]) if o["target"] else len(header) - 1
    feats = o["features"]
    cols = ([i for i in range(len(header)) if i != target]
            if feats in (None, "all-but-target") else [header.index(f) for f in feats])
    x = np.array([[float(r[c]) for c in cols] for r in rows], np.float32)
    raw = [r[target].strip() for r in rows]
    if o["task"] == "regression":
        y = np.array(raw, np.float64).astype(np.float32)[:, None]
        return x, y, {"task": "regression", "num_classes": 0, "kind": "tabular"}
    try:
        labels = np.array([float(v) for v in raw])
    except ValueError:
        labels = np.array(raw)
    y = classes_of(labels)
    return x, y, {"task": "classification", "num_classes": int(y.max()) + 1,
                  "kind": "tabular"}


def load_npz(o):
    """Arrays x (N, ...) and y from a NumPy .npz file (never unpickled)."""
    with np.load(data_file(o["path"]), allow_pickle=False) as archive:
        x, y = archive[o["x"]].astype(np.float32), archive[o["y"]]
    kind = "image" if x.ndim == 4 and x.shape[1] in (1, 3) else "tabular"
    if o["task"] == "regression":
        y = y.astype(np.float32).reshape(len(y), -1)
        return x, y, {"task": "regression", "num_classes": 0, "kind": kind}
    multi_hot = (y.ndim == 2 and y.shape[1] > 1 and np.isin(y, (0, 1)).all()
                 and (y.sum(axis=1) != 1).any())
    if multi_hot:  # several classes per sample: one yes/no target per class
        return x, y.astype(np.float32), {"task": "classification", "num_classes": y.shape[1],
                                         "kind": kind, "multi_label": True}
    y = y.argmax(axis=1) if y.ndim == 2 and y.shape[1] > 1 else y.reshape(len(y))
    y = classes_of(y)
    return x, y, {"task": "classification", "num_classes": int(y.max()) + 1, "kind": kind}


def read_idx(path):
    """The array of an IDX file (MNIST format, plain or .gz)."""
    import gzip
    import struct

    opener = gzip.open if path.endswith(".gz") else open
    with opener(data_file(path), "rb") as fh:
        data = fh.read()
    types = {8: ">u1", 9: ">i1", 11: ">i2", 12: ">i4", 13: ">f4", 14: ">f8"}
    ndim, dtype = data[3], np.dtype(types[data[2]])
    dims = struct.unpack(f">{ndim}I", data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype, int(np.prod(dims)), 4 + 4 * ndim).reshape(dims)


def load_idx(o):
    """MNIST-format images (N, H, W) -> (N, 1, H, W) in 0..1, and their labels."""
    images, labels = read_idx(o["images"]), read_idx(o["label_file"])
    x = images.astype(np.float32)
    x = x / 255.0 if images.dtype == np.uint8 else x
    x = x[:, None] if x.ndim == 3 else x
    kind = "image" if x.ndim == 4 else "tabular"
    return (np.ascontiguousarray(x), labels.astype(np.int64),
            {"task": "classification", "num_classes": int(labels.max()) + 1, "kind": kind})


def load_cifar10(o):
    """CIFAR-10 binary batches -> (N, 3, 32, 32) images in 0..1 and 10 classes."""
    import glob
    import os

    folder = data_file(o["folder"])
    train = sorted(glob.glob(os.path.join(folder, "data_batch_*.bin")))
    test = sorted(glob.glob(os.path.join(folder, "test_batch*.bin")))
    files = {"train": train, "test": test, "all": train + test}[o["part"]]
    rec = np.concatenate([np.fromfile(f, np.uint8).reshape(-1, 3073) for f in files])
    x = rec[:, 1:].reshape(-1, 3, 32, 32).astype(np.float32) / 255.0
    return x, rec[:, 0].astype(np.int64), {"task": "classification", "num_classes": 10,
                                           "kind": "image"}


# dataset name -> (loader, helpers it needs, in order)
LOADERS = {
    "csv": ("load_csv", ("data_file", "classes_of")),
    "npz": ("load_npz", ("data_file", "classes_of")),
    "idx": ("load_idx", ("data_file", "read_idx")),
    "cifar10": ("load_cifar10", ("data_file",)),
}
