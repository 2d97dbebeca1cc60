"""IDX files (MNIST / Fashion-MNIST format, plain or .gz) and CIFAR-10 binary batches.

IDX: a 4-byte magic number (0, 0, element type, number of dimensions), one big-endian uint32
per dimension, then the values. Images (N, H, W) become (N, 1, H, W) scaled to 0..1.
CIFAR-10 binary: records of 1 label byte + 3072 pixel bytes (3×32×32, channel-major).
Wrong magic numbers and truncated files are one sentence with the fix.
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

from backend.data.base import Dataset, DatasetError, DatasetInfo
from backend.data.files import read_bytes, resolve
from backend.data.sources import DataSource, register_source

IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
CIFAR_RECORD = 1 + 3 * 32 * 32
CIFAR_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse",
                 "ship", "truck")


def parse_idx(data: bytes, name: str) -> np.ndarray:
    """The array an IDX file holds; bad headers and short data raise `DatasetError`."""
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in IDX_TYPES \
            or not 1 <= data[3] <= 4:
        raise DatasetError(f"{name} is not an IDX file (magic number {data[:4].hex() or 'missing'}"
                           "): use the MNIST-format files such as train-images-idx3-ubyte.gz")
    ndim, dtype = data[3], np.dtype(IDX_TYPES[data[2]])
    if len(data) < 4 + 4 * ndim:
        raise DatasetError(f"{name} is truncated (its header is cut short): download it again")
    dims = struct.unpack(f">{ndim}I", data[4:4 + 4 * ndim])
    count = int(np.prod(dims, dtype=np.int64))
    need = 4 + 4 * ndim + count * dtype.itemsize
    if len(data) < need:
        raise DatasetError(f"{name} is truncated: its header promises {dims} values "
                           f"({need:,} bytes) but the file has {len(data):,} bytes; "
                           "download it again")
    return np.frombuffer(data, dtype, count, 4 + 4 * ndim).reshape(dims)


def _idx_file(option: str, o: dict) -> np.ndarray:
    path = resolve(o[option], option)
    return parse_idx(read_bytes(path), path.name)


def _class_names(o: dict, k: int) -> tuple[str, ...]:
    names = o.get("classes")
    if names is None:
        return tuple(str(i) for i in range(k))
    if not isinstance(names, list) or len(names) < k or not all(isinstance(n, str)
                                                                 for n in names):
        raise DatasetError(f"dataset classes must be a list of at least {k} names (one per "
                           f"label), not {names!r}")
    return tuple(names)


def load_idx(o: dict) -> Dataset:
    """MNIST-format image and label files -> (N, 1, H, W) images in 0..1 and class indices."""
    images, labels = _idx_file("images", o), _idx_file("label_file", o)
    if images.ndim not in (2, 3) or labels.ndim != 1:
        raise DatasetError(f"the IDX images must be (N, H, W) and the labels (N,), not "
                           f"{images.shape} and {labels.shape}: check which file is which")
    if len(images) != len(labels):
        raise DatasetError(f"the IDX files hold {len(images)} images but {len(labels)} "
                           "labels: use the images and labels of the same set")
    if labels.dtype.kind not in "iu" or labels.min() < 0:
        raise DatasetError("the IDX labels must be whole numbers from 0: check the labels file")
    x = images.astype(np.float32)
    x = x / 255.0 if images.dtype == np.uint8 else x
    x = x[:, None] if x.ndim == 3 else x
    k = int(labels.max()) + 1
    if k > 10_000:
        raise DatasetError(f"the IDX labels go up to {k - 1}, too many classes: check that "
                           "the labels file holds class numbers")
    info = DatasetInfo("idx", "classification", tuple(x.shape[1:]), k, _class_names(o, k),
                       kind="image" if x.ndim == 4 else "tabular",
                       description=f"{len(x):,} IDX images of shape {tuple(x.shape[1:])}.")
    return Dataset(info, np.ascontiguousarray(x), labels.astype(np.int64))


def _cifar_files(folder: Path, part: str) -> list[Path]:
    train = sorted(folder.glob("data_batch_*.bin"))
    test = sorted(folder.glob("test_batch*.bin"))
    files = {"train": train, "test": test, "all": train + test}.get(part)
    if files is None:
        raise DatasetError(f"cifar10 part must be train, test or all, not {part!r}")
    if not files:
        raise DatasetError(f"{folder} holds no CIFAR-10 {part} batches (data_batch_1.bin … "
                           "test_batch.bin): point folder at the unpacked "
                           "cifar-10-batches-bin folder")
    return files


def _cifar_batch(path: Path) -> tuple[np.ndarray, np.ndarray]:
    data = read_bytes(path)
    if len(data) == 0 or len(data) % CIFAR_RECORD:
        raise DatasetError(f"{path.name} is truncated or not a CIFAR-10 binary batch (its size "
                           f"is not a multiple of {CIFAR_RECORD} bytes): download it again")
    rec = np.frombuffer(data, np.uint8).reshape(-1, CIFAR_RECORD)
    if rec[:, 0].max() > 9:
        raise DatasetError(f"{path.name} has labels above 9, so it is not a CIFAR-10 batch "
                           "(CIFAR-100 is not supported): use cifar-10-batches-bin")
    return rec[:, 1:].reshape(-1, 3, 32, 32), rec[:, 0].astype(np.int64)


def _cifar_names(folder: Path) -> tuple[str, ...]:
    meta = folder / "batches.meta.txt"
    if meta.is_file() and meta.stat().st_size < 4096:
        names = [n.strip() for n in meta.read_text(errors="replace").splitlines() if n.strip()]
        if len(names) == 10:
            return tuple(names)
    return CIFAR_CLASSES


def load_cifar10(o: dict) -> Dataset:
    """CIFAR-10 binary batches -> (N, 3, 32, 32) images in 0..1 and 10 classes."""
    folder = resolve(o["folder"], "folder")
    if not folder.is_dir():
        raise DatasetError(f"{folder} is a file: set folder to the cifar-10-batches-bin folder")
    parts = [_cifar_batch(p) for p in _cifar_files(folder, o["part"])]
    x = np.concatenate([p[0] for p in parts]).astype(np.float32) / 255.0
    y = np.concatenate([p[1] for p in parts])
    info = DatasetInfo("cifar10", "classification", (3, 32, 32), 10, _cifar_names(folder),
                       kind="image", description=f"{len(x):,} CIFAR-10 colour images, 32×32.")
    return Dataset(info, x, y)


for _src in (
    DataSource("idx", "Your IDX files (MNIST / Fashion-MNIST format, .gz too).", load_idx,
               {"images": "", "label_file": "", "classes": None}),
    DataSource("cifar10", "Your CIFAR-10 binary batches folder (cifar-10-batches-bin).",
               load_cifar10, {"folder": "", "part": "train"}),
):
    register_source(_src)
