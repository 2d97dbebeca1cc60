"""Image folders: one sub-folder per class, every image resized to one size.

Decoding needs Pillow, an optional extra (`pip install netwright[images]`); without it the
source says so in one sentence. Class names are the sub-folder names in sorted order.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from backend.data.base import Dataset, DatasetError, DatasetInfo
from backend.data.files import MAX_FILE_BYTES, resolve
from backend.data.sources import DataSource, register_source

SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".pgm", ".ppm", ".pbm", ".tif",
            ".tiff", ".webp"}
MAX_IMAGES = 200_000


def _pillow():
    try:
        from PIL import Image
    except ImportError:
        raise DatasetError("install Pillow to read image folders: pip install Pillow "
                           "(or pip install netwright[images])") from None
    return Image


def _size(o: dict) -> tuple[int, int]:
    size = o["size"]
    if not (isinstance(size, list) and len(size) == 2
            and all(isinstance(s, int) and not isinstance(s, bool) and 4 <= s <= 512
                    for s in size)):
        raise DatasetError(f"image-folder size must be [height, width] with whole numbers "
                           f"from 4 to 512, not {size!r}")
    return size[0], size[1]


def _files(folder: Path) -> tuple[list[tuple[Path, int]], tuple[str, ...]]:
    classes = sorted(d.name for d in folder.iterdir() if d.is_dir()
                     and not d.name.startswith("."))
    files = [(f, i) for i, c in enumerate(classes) for f in sorted((folder / c).rglob("*"))
             if f.suffix.lower() in SUFFIXES and f.is_file()]
    if len(classes) < 2 or not files:
        raise DatasetError(f"{folder} needs one sub-folder of images per class (at least two "
                           f"classes); it has {len(classes)} sub-folder(s) and {len(files)} "
                           "image(s)")
    if len(files) > MAX_IMAGES:
        raise DatasetError(f"{folder} holds {len(files):,} images, more than the "
                           f"{MAX_IMAGES:,} Netwright reads: use a smaller part of them")
    return files, tuple(classes)


def _read(image_mod, path: Path, hw: tuple[int, int], grey: bool) -> np.ndarray:
    try:
        with image_mod.open(path) as im:
            im = im.convert("L" if grey else "RGB").resize((hw[1], hw[0]))
            a = np.asarray(im, np.float32) / 255.0
    except (OSError, ValueError, SyntaxError) as exc:
        raise DatasetError(f"image {path} cannot be read ({exc}): remove or replace it") \
            from None
    return a[None] if grey else a.transpose(2, 0, 1)


def load_image_folder(o: dict) -> Dataset:
    """Images in `path/<class>/*.png` -> (N, C, H, W) in 0..1 with sorted class names."""
    hw = _size(o)
    folder = resolve(o["path"])
    if not folder.is_dir():
        raise DatasetError(f"{folder} is a file: set path to a folder with one sub-folder "
                           "per class")
    image_mod = _pillow()
    files, classes = _files(folder)
    channels = 1 if o["grayscale"] else 3
    if len(files) * channels * hw[0] * hw[1] * 4 > MAX_FILE_BYTES:
        raise DatasetError(f"{len(files):,} images of {hw[0]}×{hw[1]} need more than 1 GB: "
                           "choose a smaller size or fewer images")
    x = np.stack([_read(image_mod, f, hw, o["grayscale"]) for f, _ in files])
    y = np.array([c for _, c in files], np.int64)
    info = DatasetInfo("image-folder", "classification", (channels, *hw), len(classes),
                       classes, kind="image",
                       description=f"{len(x):,} images in {len(classes)} class folders.")
    return Dataset(info, x, y)


register_source(DataSource(
    "image-folder", "Your images, one sub-folder per class (needs Pillow).", load_image_folder,
    {"path": "", "size": [32, 32], "grayscale": False}))
