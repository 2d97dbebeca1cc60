"""What every data source produces, and how it becomes train/validation/test splits.

A data source (built-in set or, later, a user's CSV/NPZ/IDX file or image folder) returns a
`Dataset`: all samples as numpy arrays plus a `DatasetInfo` describing them. Invariants:
`x` is float32 with shape (N, *info.input_shape); `y` holds int64 class indices (N,) for
classification (float32 multi-hot (N, num_classes) when `info.multi_label`: several classes
per sample) and float32 (N, *info.target_shape) otherwise. `make_splits` shuffles with a
seed, splits, and normalises with statistics of the training split only, so a run is
repeatable and the validation data never leaks into preprocessing.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

TASKS = ("classification", "regression", "autoencoding", "sequence")
NORMALISATIONS = ("standard", "minmax", "none")


class DatasetError(ValueError):
    """A dataset cannot be loaded or does not fit the design; one sentence with the fix."""


def quoted(value: object, limit: int = 40) -> str:
    """A value from the user's file or settings, quoted for a message and cut to `limit`
    characters (a CSV field can hold megabytes)."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}…' ({len(str(value)):,} characters)"


@dataclass(frozen=True)
class DatasetInfo:
    """Describes a dataset's samples; shapes exclude the batch dimension."""

    name: str
    task: str
    input_shape: tuple[int, ...]
    num_classes: int = 0
    class_names: tuple[str, ...] = ()
    target_shape: tuple[int, ...] = ()
    kind: str = "tabular"  # image | tabular | points | series: how a preview shows samples
    description: str = ""
    multi_label: bool = False  # y is multi-hot: a sample may belong to several classes
    class_rows: tuple[str, ...] = ()  # where each class first occurs ("d.csv row 12"), if known

    @property
    def is_image(self) -> bool:
        return self.kind == "image"


@dataclass
class Dataset:
    info: DatasetInfo
    x: np.ndarray
    y: np.ndarray

    def __len__(self) -> int:
        return len(self.x)


@dataclass
class Split:
    x: np.ndarray
    y: np.ndarray
    labels: np.ndarray | None = None  # the class labels when `y` is something else

    @property
    def classes(self) -> np.ndarray | None:
        """Class labels (int) for colouring plots, whatever the task's targets are."""
        y = self.y if self.labels is None else self.labels
        return y if y is not None and y.ndim == 1 and y.dtype.kind in "iu" else None

    def __len__(self) -> int:
        return len(self.x)


@dataclass
class Splits:
    """Normalised train/val/test arrays; `mean`/`std` undo the normalisation for previews."""

    info: DatasetInfo
    train: Split
    val: Split
    test: Split
    mean: np.ndarray = field(default_factory=lambda: np.zeros(1, np.float32))
    std: np.ndarray = field(default_factory=lambda: np.ones(1, np.float32))

    def with_task(self, task: str) -> Splits:
        """Targets for `task`: autoencoders (autoencoding, vae) reconstruct the (normalised)
        input; the class labels stay beside them for plots."""
        if task not in ("autoencoding", "vae"):
            return self
        info = replace(self.info, task=task, target_shape=self.info.input_shape)
        parts = [Split(s.x, s.x, s.y) for s in (self.train, self.val, self.test)]
        return replace(self, info=info, train=parts[0], val=parts[1], test=parts[2])


def split_indices(n: int, val_fraction: float, test_fraction: float,
                  seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A seeded shuffle cut into train, validation and test index arrays."""
    perm = np.random.default_rng(seed).permutation(n)
    n_test = int(round(n * test_fraction))
    n_val = int(round(n * val_fraction))
    if n - n_test - n_val < 1:
        raise DatasetError(f"the dataset has only {n} samples, too few for these validation "
                           "and test fractions: lower val_fraction or test_fraction")
    return perm[n_test + n_val:], perm[n_test:n_test + n_val], perm[:n_test]


def _reduce_axes(x: np.ndarray, kind: str) -> tuple[int, ...]:
    """Axes to pool statistics over: per channel for images, per feature otherwise."""
    if kind == "image" and x.ndim >= 3:
        return (0, *range(2, x.ndim))
    return tuple(range(x.ndim - 1))


def normaliser(train_x: np.ndarray, mode: str, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """(shift, scale) computed on the training split; x' = (x - shift) / scale."""
    if mode not in NORMALISATIONS:
        raise DatasetError(f"unknown normalisation '{mode}': choose one of "
                           f"{', '.join(NORMALISATIONS)}")
    if mode == "none" or len(train_x) == 0:
        return np.zeros(1, np.float32), np.ones(1, np.float32)
    axes = _reduce_axes(train_x, kind)
    if mode == "standard":
        shift, scale = train_x.mean(axis=axes, keepdims=True), train_x.std(axis=axes,
                                                                         keepdims=True)
    else:
        shift = train_x.min(axis=axes, keepdims=True)
        scale = train_x.max(axis=axes, keepdims=True) - shift
    scale = np.where(scale < 1e-8, 1.0, scale)
    return shift[0].astype(np.float32), scale[0].astype(np.float32)


def make_splits(data: Dataset, val_fraction: float = 0.15, test_fraction: float = 0.15,
                seed: int = 0, normalise: str = "standard") -> Splits:
    """Seeded train/val/test splits, normalised with the training split's statistics.

    A graph (backend/data/graphs.py) is split into node masks instead, with the edge split
    for link prediction ready (backend/data/graph_splits.py)."""
    if getattr(data, "edges", None) is not None:
        from backend.data.graph_splits import graph_splits

        return graph_splits(data, val_fraction, test_fraction, seed, normalise,
                            getattr(data, "train_per_class", 0))
    tr, va, te = split_indices(len(data), val_fraction, test_fraction, seed)
    shift, scale = normaliser(data.x[tr], normalise, data.info.kind)

    def part(idx: np.ndarray) -> Split:
        x = ((data.x[idx] - shift) / scale).astype(np.float32)
        return Split(np.ascontiguousarray(x), np.ascontiguousarray(data.y[idx]))

    return Splits(data.info, part(tr), part(va), part(te), shift, scale)


def one_hot(y: np.ndarray, num_classes: int) -> np.ndarray:
    """int class indices (N,) -> float32 one-hot (N, num_classes)."""
    out = np.zeros((len(y), num_classes), np.float32)
    out[np.arange(len(y)), y.astype(np.int64)] = 1.0
    return out


def class_counts(y: np.ndarray, num_classes: int) -> np.ndarray:
    """How many samples each class has (for the class-balance preview)."""
    return np.bincount(y.astype(np.int64), minlength=num_classes)
