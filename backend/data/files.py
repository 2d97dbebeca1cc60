"""User data files: shared file handling plus the CSV and NumPy .npz sources.

Owns where user files are looked up (`data_folder`: relative paths start at the design's
folder), the size caps, reading files safely (plain or .gz) and turning labels into class
indices. Every bad file is a `DatasetError` of one sentence with the fix, never a traceback.
IDX and CIFAR-10 live in `backend.data.idx`, image folders in `backend.data.images`.
"""

from __future__ import annotations

import contextlib
import contextvars
import csv
import gzip
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from backend.data.base import Dataset, DatasetError, DatasetInfo, quoted
from backend.data.sources import DataSource, register_source

MAX_FILE_BYTES = 1 << 30  # 1 GiB read into memory at most (CIFAR-10 is 180 MB)
MAX_CSV_BYTES = 256 << 20  # CSV is parsed in Python: keep it to a few million cells
USER_TASKS = ("classification", "regression")
MAX_CLASSES = 1000

_BASE: contextvars.ContextVar[Path | None] = contextvars.ContextVar("data_base", default=None)


@contextlib.contextmanager
def data_folder(folder: str | Path | None) -> Iterator[None]:
    """Resolve relative dataset paths against `folder` (the design file's folder)."""
    token = _BASE.set(Path(folder) if folder is not None else None)
    try:
        yield
    finally:
        _BASE.reset(token)


def resolve(path: str, what: str = "path") -> Path:
    """The file a dataset option names; missing paths are one sentence with the fix."""
    if not isinstance(path, str) or not path.strip():
        raise DatasetError(f"the dataset needs a {what}: set \"{what}\" to your data file's "
                           "path (relative to the design's folder)")
    p = Path(path).expanduser()
    if not p.is_absolute():
        p = (_BASE.get() or Path.cwd()) / p
    if not p.exists():
        raise DatasetError(f"data file {p} does not exist: check the dataset's {what} "
                           "(relative paths start at the design's folder)")
    return p


def _size_text(n: int) -> str:
    return f"{n / (1 << 30):.1f} GB" if n >= 1 << 30 else f"{n / (1 << 20):.0f} MB"


def check_size(path: Path, cap: int = MAX_FILE_BYTES) -> None:
    """Refuse folders and files over `cap` bytes."""
    if path.is_dir():
        raise DatasetError(f"{path} is a folder: point the dataset at a file")
    if not path.is_file():
        raise DatasetError(f"{path} is not a regular file: point the dataset at a data file")
    size = path.stat().st_size
    if size > cap:
        raise DatasetError(f"{path.name} is {_size_text(size)}, more than the "
                           f"{_size_text(cap)} Netwright reads: use a smaller part of it")


def read_bytes(path: Path, cap: int = MAX_FILE_BYTES) -> bytes:
    """A file's bytes (gunzipped when it ends in .gz), refusing files over `cap`."""
    check_size(path, cap)
    try:
        if path.suffix.lower() != ".gz":
            return path.read_bytes()
        with gzip.open(path, "rb") as fh:
            data = fh.read(cap + 1)
    except (OSError, EOFError, zipfile.BadZipFile) as exc:
        raise DatasetError(f"{path.name} cannot be read ({exc}): check that the file is "
                           "complete, or download it again") from None
    if len(data) > cap:
        raise DatasetError(f"{path.name} unpacks to more than {_size_text(cap)}, the most "
                           "Netwright reads: use a smaller part of it")
    return data


def check_task(name: str, task: str) -> None:
    if task not in USER_TASKS:
        raise DatasetError(f"dataset '{name}' task must be one of {', '.join(USER_TASKS)}, "
                           f"not {task!r}")


def class_indices(labels: np.ndarray) -> tuple[np.ndarray, tuple[str, ...]]:
    """Labels of any kind -> (int64 indices into the sorted class names, class names)."""
    names, idx = np.unique(labels, return_inverse=True)
    return idx.reshape(-1).astype(np.int64), tuple(_name(v) for v in names)


def _name(v) -> str:
    if isinstance(v, float | np.floating) and float(v).is_integer():
        return str(int(v))
    return str(v)


def is_multi_hot(y: np.ndarray) -> bool:
    """(N, K) zeros and ones where some sample has more or fewer than one 1: multi-label."""
    if y.ndim != 2 or y.shape[1] < 2 or y.dtype.kind not in "biuf":
        return False
    return bool(np.isin(y, (0, 1)).all() and (y.sum(axis=1) != 1).any())


def multi_label_dataset(name: str, x: np.ndarray, y: np.ndarray, description: str) -> Dataset:
    """Multi-hot targets stay multi-hot: one yes/no per class, trained with a sigmoid each."""
    k = y.shape[1]
    kind = "image" if x.ndim == 4 and x.shape[1] in (1, 3) else "tabular"
    info = DatasetInfo(name, "classification", tuple(x.shape[1:]), k,
                       tuple(f"label {i}" for i in range(k)), target_shape=(k,), kind=kind,
                       description=description, multi_label=True)
    return Dataset(info, np.ascontiguousarray(x, np.float32),
                   np.ascontiguousarray(y, np.float32))


def table_dataset(name: str, x: np.ndarray, y: np.ndarray, task: str, kind: str,
                  description: str, where: Callable[[int], str] | None = None) -> Dataset:
    """A Dataset from numeric features and raw targets, for classification or regression.
    `where(i)` names sample i in the file ("d.csv row 12") for messages about labels."""
    where = where or (lambda i: f"the {name} data's sample {i}")
    for what, a in (("x", x), ("y", y)):
        if a.dtype.kind == "f" and not np.isfinite(a).all():
            raise DatasetError(f"the {name} data's {what} holds NaN or infinite values in "
                               f"sample {int(np.argwhere(~np.isfinite(a))[0][0])}: fill them "
                               "in or drop those samples")
    if task == "classification":
        raw = y
        y, classes = class_indices(y)
        if len(classes) > MAX_CLASSES:
            raise DatasetError(f"the {name} target has {len(classes):,} different values, too "
                               "many classes: set the dataset's task to regression for "
                               "numeric targets")
        _check_whole(raw, where)
        first = np.unique(y, return_index=True)[1] if raw.ndim == 1 else ()
        info = DatasetInfo(name, task, tuple(x.shape[1:]), len(classes), classes,
                           kind=kind, description=description,
                           class_rows=tuple(where(int(i)) for i in first))
        return Dataset(info, np.ascontiguousarray(x, np.float32), y)
    y = y.astype(np.float32).reshape(len(y), -1)
    info = DatasetInfo(name, task, tuple(x.shape[1:]), target_shape=tuple(y.shape[1:]),
                       kind=kind, description=description)
    return Dataset(info, np.ascontiguousarray(x, np.float32), np.ascontiguousarray(y))


def _check_whole(y: np.ndarray, where: Callable[[int], str]) -> None:
    """Numeric class labels must be whole numbers: 1.5 is a quantity (or a typo)."""
    if y.dtype.kind != "f" or y.ndim != 1:
        return
    fractions = np.flatnonzero(y != np.round(y))
    if len(fractions):
        i = int(fractions[0])
        raise DatasetError(f"{where(i)} has the label {y[i]:g}, which is not a whole number: "
                           "class labels are whole numbers or text; correct it, or set the "
                           "dataset's task to regression if the target is a quantity")


# --- CSV -------------------------------------------------------------------------------

@dataclass
class _Table:
    path: Path
    header: list[str]
    rows: list[list[str]]
    lines: list[int]  # each row's line number in the file, for error messages


def _csv_table(path: Path, delimiter: str) -> _Table:
    text = read_bytes(path, MAX_CSV_BYTES)
    try:
        decoded = text.decode("utf-8-sig")
    except UnicodeDecodeError:
        decoded = text.decode("latin-1")
    csv.field_size_limit(max(csv.field_size_limit(), MAX_CSV_BYTES))  # any field the file holds
    reader = csv.reader(io.StringIO(decoded), delimiter=delimiter)
    rows, lines = [], []
    try:
        for row in reader:
            if row:  # blank lines are skipped
                rows.append(row)
                lines.append(reader.line_num)
    except csv.Error as exc:
        raise DatasetError(f"{path.name} line {reader.line_num + 1} cannot be read as CSV "
                           f"({exc}): fix that line") from None
    if len(rows) < 2:
        raise DatasetError(f"{path.name} has no data rows: the first line must name the "
                           "columns and each further line hold one sample")
    header = [h.strip() for h in rows[0]]
    for line, row in zip(lines[1:], rows[1:], strict=True):
        if len(row) != len(header):
            raise DatasetError(f"{path.name} row {line} has {len(row)} values but the header "
                               f"names {len(header)} columns: fix that row")
    return _Table(path, header, rows[1:], lines[1:])


def _csv_columns(o: dict, header: list[str], path: Path) -> tuple[list[int], int]:
    def index(col) -> int:
        if col not in header:
            shown = ", ".join(h if len(h) <= 30 else h[:29] + "…" for h in header[:12])
            more = f" and {len(header) - 12:,} more" if len(header) > 12 else ""
            raise DatasetError(f"{path.name} has no column {quoted(col)}: available columns are "
                               f"{shown}{more}")
        return header.index(col)

    target = index(o["target"]) if o["target"] else len(header) - 1
    feats = o["features"]
    if feats in (None, "all-but-target"):
        cols = [i for i in range(len(header)) if i != target]
    elif isinstance(feats, list) and feats and all(isinstance(f, str) for f in feats):
        cols = [index(f) for f in feats]
    else:
        raise DatasetError("csv features must be a list of column names or "
                           f"\"all-but-target\", not {feats!r}")
    if not cols:
        raise DatasetError(f"{path.name} has no feature columns besides the target: add "
                           "columns or choose another target")
    return cols, target


def _csv_numbers(t: _Table, col: int) -> np.ndarray:
    def bad(i: int, why: str) -> DatasetError:
        return DatasetError(f"{t.path.name} column {quoted(t.header[col])} row {t.lines[i]} "
                            f"holds {quoted(t.rows[i][col])}{why}")

    try:  # numpy parses a whole column at once; a bad value is then found row by row
        out = np.array([row[col] for row in t.rows]).astype(np.float32)
    except ValueError:
        for i, row in enumerate(t.rows):
            try:
                float(row[col])
            except ValueError:
                raise bad(i, ", not a number: fix the value or leave the column out of the "
                             "features") from None
        out = np.array([float(row[col]) for row in t.rows], np.float32)
    nonfinite = np.flatnonzero(~np.isfinite(out))
    if len(nonfinite):
        raise bad(int(nonfinite[0]), ": fill in a finite number or drop the row")
    return out


def load_csv(o: dict) -> Dataset:
    """A CSV table with a header line: chosen feature columns -> the target column."""
    check_task("csv", o["task"])
    if len(o["delimiter"]) != 1:
        raise DatasetError(f"csv delimiter must be one character such as \",\" or \";\", "
                           f"not {o['delimiter']!r}")
    path = resolve(o["path"])
    table = _csv_table(path, o["delimiter"])
    header, rows = table.header, table.rows
    cols, target = _csv_columns(o, header, path)
    x = np.stack([_csv_numbers(table, c) for c in cols], axis=1)
    raw = [row[target].strip() for row in rows]
    if o["task"] == "regression":
        y = _csv_numbers(table, target)
    else:
        try:
            y = np.array([float(v) for v in raw], np.float64)
        except ValueError:
            y = np.array(raw)  # text labels: classes in sorted order
    return table_dataset("csv", x, y, o["task"], "tabular",
                         f"{path.name}: {len(rows)} rows, {len(cols)} feature columns, "
                         f"target {quoted(header[target])}.",
                         lambda i: f"{path.name} row {table.lines[i]}")


# --- NumPy .npz -------------------------------------------------------------------------

def _check_npz(path: Path) -> None:
    """Refuse files that are not zip archives, and archives that unpack to too much."""
    check_size(path)
    with open(path, "rb") as fh:
        is_zip = fh.read(4) == b"PK\x03\x04"
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(i.file_size for i in archive.infolist()) if is_zip else 0
    except (OSError, zipfile.BadZipFile):
        is_zip = False
    if not is_zip:
        raise DatasetError(f"{path.name} is not a NumPy .npz archive: save the arrays with "
                           "np.savez(path, x=..., y=...)")
    if unpacked > MAX_FILE_BYTES:
        raise DatasetError(f"{path.name} unpacks to {_size_text(unpacked)}, more than the "
                           f"{_size_text(MAX_FILE_BYTES)} Netwright reads: use a smaller part")


def _npz_arrays(path: Path, keys: tuple[str, str]) -> list[np.ndarray]:
    _check_npz(path)
    try:
        with np.load(path, allow_pickle=False) as archive:
            missing = [k for k in keys if k not in archive.files]
            if missing:
                raise DatasetError(f"{path.name} has no array {missing[0]!r}: it holds "
                                   f"{', '.join(archive.files) or 'no arrays'}; set the "
                                   "dataset's x and y to their names")
            return [archive[k] for k in keys]
    except DatasetError:
        raise
    except ValueError as exc:
        if "pickle" in str(exc):
            raise DatasetError(f"{path.name} holds Python objects, which Netwright never "
                               "unpickles: save plain numeric arrays with np.savez") from None
        raise DatasetError(f"{path.name} cannot be read ({exc}): save it with np.savez") \
            from None
    except (OSError, EOFError, zipfile.BadZipFile) as exc:
        raise DatasetError(f"{path.name} is not a NumPy .npz archive ({exc}): save the "
                           "arrays with np.savez") from None


def load_npz(o: dict) -> Dataset:
    """Arrays `x` (N, ...) and `y` (N,) or (N, ...) from a NumPy .npz file, never pickled."""
    check_task("npz", o["task"])
    path = resolve(o["path"])
    x, y = _npz_arrays(path, (o["x"], o["y"]))
    if x.ndim < 2 or len(x) != len(y):
        raise DatasetError(f"{path.name}: x has shape {x.shape} and y {y.shape}, but x must "
                           "be (samples, ...) and y hold one target per sample: make their "
                           "first dimensions equal")
    if x.dtype.kind not in "biuf" or y.dtype.kind not in "biufUS":
        raise DatasetError(f"{path.name}: x must hold numbers (it holds {x.dtype}) and y "
                           "numbers or text: convert them before np.savez")
    if o["task"] == "classification" and is_multi_hot(y):
        return multi_label_dataset("npz", x.astype(np.float32), y, f"{path.name}: {len(x)} "
                                   f"samples of shape {tuple(x.shape[1:])}, multi-label")
    if o["task"] == "classification" and y.ndim == 2 and y.shape[1] > 1:
        y = y.argmax(axis=1)  # one-hot labels -> class indices
    elif o["task"] == "classification" and y.ndim > 1:
        y = y.reshape(len(y))
    kind = "image" if x.ndim == 4 and x.shape[1] in (1, 3) else "tabular"
    return table_dataset("npz", x.astype(np.float32), y, o["task"], kind,
                         f"{path.name}: {len(x)} samples of shape {tuple(x.shape[1:])}.",
                         lambda i: f"{path.name} sample {i}")


for _src in (
    DataSource("csv", "Your CSV table: feature columns -> a target column.", load_csv,
               {"path": "", "features": None, "target": "", "task": "classification",
                "delimiter": ","}),
    DataSource("npz", "Your NumPy .npz file with arrays x and y.", load_npz,
               {"path": "", "x": "x", "y": "y", "task": "classification"}),
):
    register_source(_src)

import backend.data.idx  # noqa: E402, F401  (registers IDX and CIFAR-10)
import backend.data.images  # noqa: E402, F401  (registers image folders)
