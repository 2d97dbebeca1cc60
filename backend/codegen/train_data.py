"""Loaders for the bundled datasets, copied into exported `train.py` files.

Standalone on purpose (numpy, scikit-learn and torch only): the exporter copies the one
loader a design uses, plus the helpers it lists in `NEEDS`. Each loader takes the dataset
options and returns (x float32 (N, ...), y, info) exactly as backend.data's source of the
same name does (a test compares them), so train.py sees the same samples as the app.
"""

import numpy as np


def resize_images(x, size):
    """Bilinear resize of (N, C, H, W) images to size×size."""
    import torch
    import torch.nn.functional as F

    with torch.no_grad():
        t = F.interpolate(torch.from_numpy(x), size=(size, size), mode="bilinear",
                          align_corners=False)
    return t.numpy().astype(np.float32)


def load_digits(o):
    """8×8 handwritten digits (scikit-learn), optionally resized, 3-channel or flattened."""
    from sklearn.datasets import load_digits as sk_digits

    raw = sk_digits()
    x = (raw.images.astype(np.float32) / 16.0)[:, None]
    if o.get("resize") is not None:
        x = resize_images(x, o["resize"])
    if o["channels"] == 3:
        x = np.repeat(x, 3, axis=1)
    kind = "image"
    if o["flatten"]:
        x, kind = x.reshape(len(x), -1), "tabular"
    info = {"task": "classification", "num_classes": 10, "kind": kind}
    return np.ascontiguousarray(x), raw.target.astype(np.int64), info


def load_sklearn_table(o):
    """A small scikit-learn classification table (iris, wine or breast cancer)."""
    import sklearn.datasets as skd

    raw = getattr(skd, o["loader"])()
    info = {"task": "classification", "num_classes": len(raw.target_names), "kind": "tabular"}
    return raw.data.astype(np.float32), raw.target.astype(np.int64), info


def load_diabetes(o):
    """Diabetes progression (regression): 10 features -> 1 standardised value."""
    from sklearn.datasets import load_diabetes as sk_diabetes

    raw = sk_diabetes()
    y = raw.target.astype(np.float32)[:, None]
    y = (y - y.mean()) / y.std()
    return raw.data.astype(np.float32), y, {"task": "regression", "num_classes": 0,
                                             "kind": "tabular"}


def load_moons(o):
    from sklearn.datasets import make_moons

    xy, y = make_moons(o["samples"], noise=o["noise"], random_state=o["seed"])
    return xy.astype(np.float32), y.astype(np.int64), {"task": "classification",
                                                       "num_classes": 2, "kind": "points"}


def load_circles(o):
    from sklearn.datasets import make_circles

    xy, y = make_circles(o["samples"], noise=o["noise"], factor=0.5, random_state=o["seed"])
    return xy.astype(np.float32), y.astype(np.int64), {"task": "classification",
                                                       "num_classes": 2, "kind": "points"}


def load_spirals(o):
    k, n = o["classes"], o["samples"]
    rng = np.random.default_rng(o["seed"])
    y = np.arange(n) % k
    r = rng.uniform(0.05, 1.0, n)
    theta = y * 2 * np.pi / k + r * 4.0 + rng.normal(0, o["noise"] * 2.0, n)
    xy = np.stack([r * np.sin(theta), r * np.cos(theta)], axis=1)
    return xy.astype(np.float32), y.astype(np.int64), {"task": "classification",
                                                       "num_classes": k, "kind": "points"}


def load_xor(o):
    rng = np.random.default_rng(o["seed"])
    xy = rng.uniform(-1, 1, (o["samples"], 2))
    y = (xy[:, 0] * xy[:, 1] < 0).astype(np.int64)
    xy = xy + rng.normal(0, o["noise"], xy.shape)
    return xy.astype(np.float32), y, {"task": "classification", "num_classes": 2,
                                      "kind": "points"}


def load_sine(o):
    """Sine waves: a window of past values -> the next value."""
    n, t = o["samples"], o["window"]
    rng = np.random.default_rng(o["seed"])
    freq = rng.uniform(0.1, 0.4, (n, 1))
    phase = rng.uniform(0, 2 * np.pi, (n, 1))
    steps = np.arange(t + 1)[None, :]
    wave = np.sin(freq * steps + phase) + rng.normal(0, o["noise"], (n, t + 1))
    y = wave[:, 1:, None] if o.get("per_step") else wave[:, t:]  # every step, or the last
    return (wave[:, :t, None].astype(np.float32), y.astype(np.float32),
            {"task": "sequence", "num_classes": 0, "kind": "series"})


# dataset name -> (loader, extra options the loader needs)
LOADERS = {
    "digits": ("load_digits", {}),
    "iris": ("load_sklearn_table", {"loader": "load_iris"}),
    "wine": ("load_sklearn_table", {"loader": "load_wine"}),
    "breast_cancer": ("load_sklearn_table", {"loader": "load_breast_cancer"}),
    "diabetes": ("load_diabetes", {}),
    "moons": ("load_moons", {}),
    "circles": ("load_circles", {}),
    "spirals": ("load_spirals", {}),
    "xor": ("load_xor", {}),
    "sine": ("load_sine", {}),
}
NEEDS = {"load_digits": ("resize_images",)}
SKLEARN = {"digits", "iris", "wine", "breast_cancer", "diabetes", "moons", "circles"}
