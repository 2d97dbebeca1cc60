"""IDX files (MNIST / Fashion-MNIST format, plain or .gz) and CIFAR-10 binary batches.

IDX: a 4-byte magic number (0, 0, element type, number of dimensions), one big-endian uint32
per dimension, then the values. Images (N, H, W) become (N, 1, H, W) scaled to 0..1.
CIFAR-10 binary: records of 1 label byte + 3072 pixel bytes (3×32×32, channel-major).
Wrong magic numbers and truncated files are one sentence with the fix.
"""

from __future__ import annotations

import math
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


def idx_header(data: bytes, name: str) -> tuple[np.dtype, tuple[int, ...], int]:
    """(element type, dimensions, data offset) of an IDX file's first bytes."""
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in IDX_TYPES \
            or not 1 <= data[3] <= 4:
        raise DatasetError(f"{name} is not an IDX file (magic number {data[:4].hex() or 'missing'}"
                           "): use the MNIST-format files such as train-images-idx3-ubyte.gz")
    ndim = data[3]
    if len(data) < 4 + 4 * ndim:
        raise DatasetError(f"{name} is truncated (its header is cut short): download it again")
    dims = struct.unpack(f">{ndim}I", data[4:4 + 4 * ndim])
    return np.dtype(IDX_TYPES[data[2]]), dims, 4 + 4 * ndim


def parse_idx(data: bytes, name: str) -> np.ndarray:
    """The array an IDX file holds; bad headers and short data raise `DatasetError`."""
    dtype, dims, offset = idx_header(data, name)
    count = math.prod(dims)  # Python ints: a hostile header cannot overflow
    need = offset + count * dtype.itemsize
    if len(data) < need:
        raise DatasetError(f"{name} is truncated: its header promises {dims} values "
                           f"({need:,} bytes) but the file has {len(data):,} bytes; "
                           "download it again")
    return np.frombuffer(data, dtype, count, offset).reshape(dims)


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


def _idx_info(o: dict, image_dims: tuple[int, ...], labels: np.ndarray) -> DatasetInfo:
    """Checks the image dimensions against the labels and describes the samples."""
    if len(image_dims) not in (2, 3) or labels.ndim != 1:
        raise DatasetError(f"the IDX images must be (N, H, W) and the labels (N,), not "
                           f"{image_dims} and {labels.shape}: check which file is which")
    if image_dims[0] != len(labels):
        raise DatasetError(f"the IDX files hold {image_dims[0]} images but {len(labels)} "
                           "labels: use the images and labels of the same set")
    if len(labels) == 0 or labels.dtype.kind not in "iu" or labels.min() < 0:
        raise DatasetError("the IDX labels must be whole numbers from 0: check the labels file")
    k = int(labels.max()) + 1
    if k > 10_000:
        raise DatasetError(f"the IDX labels go up to {k - 1}, too many classes: check that "
                           "the labels file holds class numbers")
    shape = (1, *image_dims[1:]) if len(image_dims) == 3 else tuple(image_dims[1:])
    return DatasetInfo("idx", "classification", shape, k, _class_names(o, k),
                       kind="image" if len(shape) == 3 else "tabular",
                       description=f"{len(labels):,} IDX images of shape {shape}.")


def describe_idx(o: dict) -> DatasetInfo:
    """The IDX set's description from the image header and the (small) labels file."""
    path = resolve(o["images"], "images")
    dims = idx_header(_head(path), path.name)[1]
    return _idx_info(o, dims, _idx_file("label_file", o))


def _head(path: Path) -> bytes:
    """The first bytes of a file (gunzipped when it ends in .gz)."""
    import gzip

    try:
        opener = gzip.open if path.suffix.lower() == ".gz" else open
        with opener(path, "rb") as fh:
            return fh.read(20)
    except (OSError, EOFError) as exc:
        raise DatasetError(f"{path.name} cannot be read ({exc}): check that the file is "
                           "complete, or download it again") from None


def load_idx(o: dict) -> Dataset:
    """MNIST-format image and label files -> (N, 1, H, W) images in 0..1 and class indices."""
    images, labels = _idx_file("images", o), _idx_file("label_file", o)
    info = _idx_info(o, images.shape, labels)
    x = images.astype(np.float32)
    x = x / 255.0 if images.dtype == np.uint8 else x
    return Dataset(info, np.ascontiguousarray(x.reshape(len(x), *info.input_shape)),
                   labels.astype(np.int64))


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


def _cifar_folder(o: dict) -> Path:
    folder = resolve(o["folder"], "folder")
    if not folder.is_dir():
        raise DatasetError(f"{folder} is a file: set folder to the cifar-10-batches-bin folder")
    return folder


def describe_cifar10(o: dict) -> DatasetInfo:
    """The CIFAR-10 description from the batch files' sizes, without reading them."""
    folder = _cifar_folder(o)
    n = sum(p.stat().st_size for p in _cifar_files(folder, o["part"])) // CIFAR_RECORD
    return DatasetInfo("cifar10", "classification", (3, 32, 32), 10, _cifar_names(folder),
                       kind="image", description=f"{n:,} CIFAR-10 colour images, 32×32.")


def load_cifar10(o: dict) -> Dataset:
    """CIFAR-10 binary batches -> (N, 3, 32, 32) images in 0..1 and 10 classes."""
    parts = [_cifar_batch(p) for p in _cifar_files(_cifar_folder(o), o["part"])]
    x = np.concatenate([p[0] for p in parts]).astype(np.float32) / 255.0
    y = np.concatenate([p[1] for p in parts])
    return Dataset(describe_cifar10(o), x, y)


for _src in (
    DataSource("idx", "Your IDX files (MNIST / Fashion-MNIST format, .gz too).", load_idx,
               {"images": "", "label_file": "", "classes": None}, describe=describe_idx),
    DataSource("cifar10", "Your CIFAR-10 binary batches folder (cifar-10-batches-bin).",
               load_cifar10, {"folder": "", "part": "train"}, describe=describe_cifar10),
):
    register_source(_src)
