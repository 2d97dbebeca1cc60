"""Reading untrusted bytes safely: bounded JSON and safetensors headers checked without torch.

Everything here only parses; nothing is executed, unpickled or written. Each reader raises
`ProjectFileError` (a `DesignFileError`) with one sentence, never anything else.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
import struct
from pathlib import Path

from backend.project.design_parts import DesignFileError

MAX_JSON_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 64  # project.json and run records: a design (at most 32) plus their own levels
MAX_DESIGN_DEPTH = 32
MAX_SAFETENSORS_HEADER = 64 * 1024 * 1024
NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}")
_DTYPE_BYTES = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2,
                "I8": 1, "U8": 1, "U16": 2, "U32": 4, "U64": 8, "BOOL": 1,
                "F8_E4M3": 1, "F8_E5M2": 1}


class ProjectFileError(DesignFileError):
    """A project file cannot be opened or saved; the message is one sentence with the fix."""


def safe_name(name: object) -> bool:
    """True for names usable as a weights/run entry: letters, digits, '_', '.', '-'."""
    return isinstance(name, str) and bool(NAME_RE.fullmatch(name)) and ".." not in name


def open_regular(path: str | os.PathLike, what: str = "a Netwright file") -> int:
    """An OS file descriptor for reading `path`, refused at once (one sentence) when it is
    missing, a folder, or not a regular file (a pipe named x.json would block a plain open
    forever; a device could be endless). The caller closes it."""
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise ProjectFileError(f"{path} does not exist: check the path") from None
    except IsADirectoryError:
        raise ProjectFileError(f"{path} is a folder: choose {what}") from None
    except PermissionError:
        raise ProjectFileError(f"{path} cannot be read (permission denied): check its "
                               "permissions") from None
    except OSError as exc:
        raise ProjectFileError(f"cannot read {path}: {exc.strerror or exc}") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file (a pipe, device or " \
            "socket)"
        raise ProjectFileError(f"{path} is {kind}: choose {what}")
    if hasattr(os, "set_blocking"):
        os.set_blocking(fd, True)
    return fd


def read_regular(path: str | os.PathLike, limit: int, what: str = "a Netwright file") -> bytes:
    """The bytes of a regular file of at most `limit` bytes; one sentence otherwise."""
    path = Path(path)
    fd = open_regular(path, what)
    try:
        if os.fstat(fd).st_size > limit:
            raise ProjectFileError(f"{path.name} is larger than {_size(limit)}: it is not "
                                   f"{what}")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            raw = fh.read(limit + 1)
    except OSError as exc:
        raise ProjectFileError(f"cannot read {path}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if len(raw) > limit:
        raise ProjectFileError(f"{path.name} is larger than {_size(limit)}: it is not {what}")
    return raw


def _size(limit: int) -> str:
    return f"{limit // 1024**3} GB" if limit >= 1024**3 else f"{limit // 1024**2} MB"


def parse_json(raw: bytes, source: str) -> object:
    """Decode UTF-8 JSON with size, depth and finiteness limits."""
    if len(raw) > MAX_JSON_BYTES:
        raise ProjectFileError(f"{source} is larger than 64 MB: the file is damaged")
    try:
        text = raw.decode("utf-8-sig")
        data = json.loads(text, parse_constant=_reject, parse_float=_finite)
    except UnicodeDecodeError:
        raise ProjectFileError(f"{source} is not UTF-8 text: the file is damaged") from None
    except (ValueError, RecursionError, MemoryError, OverflowError) as exc:
        reason = str(exc).split("\n")[0][:100]
        raise ProjectFileError(f"{source} is not valid JSON ({reason}): "
                               "the file is damaged") from None
    check_structure(data, source)
    return data


def _reject(name: str):
    raise ValueError(f"{name} is not allowed")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text[:20]} is too large")
    return value


def check_structure(data: object, source: str, limit: int = MAX_DEPTH) -> None:
    """Refuse JSON nested deeper than `limit` and text that is not valid Unicode (a lone
    surrogate such as "\\ud800" parses, but can never be written back as UTF-8). Iterative:
    no recursion, whatever the depth."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            raise ProjectFileError(f"{source} is nested more than {limit} levels deep: "
                                   "the file is damaged")
        if isinstance(value, str):
            _check_text(value, source)
        elif isinstance(value, dict):
            for key, item in value.items():
                _check_text(key, source)
                stack.append((item, depth + 1))
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)


check_depth = check_structure  # the earlier name


def _check_text(text: str, source: str) -> None:
    bad = _SURROGATE.search(text)
    if bad:
        raise ProjectFileError(f"{source} holds text that is not valid Unicode (a lone "
                               f"surrogate \\u{ord(bad.group()):04x}): the file is damaged")


_SURROGATE = re.compile("[\ud800-\udfff]")


def check_safetensors(raw: bytes, source: str) -> dict[str, tuple[str, list[int]]]:
    """Validate a safetensors blob's header; returns tensor name -> (dtype, shape)."""
    return check_safetensors_head(raw[:8 + header_size(raw, len(raw), source)], len(raw),
                                  source)


def header_size(head: bytes, total: int, source: str) -> int:
    """The header length a safetensors blob of `total` bytes declares in its first 8 bytes."""
    if total < 8 or len(head) < 8:
        raise ProjectFileError(f"{source} is too short to be a safetensors file")
    (size,) = struct.unpack("<Q", head[:8])
    if size > MAX_SAFETENSORS_HEADER or 8 + size > total:
        raise ProjectFileError(f"{source} has a broken safetensors header: the file is damaged")
    return size


def check_safetensors_head(head: bytes, total: int, source: str
                           ) -> dict[str, tuple[str, list[int]]]:
    """Check a safetensors header (`head` = the 8 length bytes and the header) against a blob
    of `total` bytes, as strictly as the safetensors library reads it: a JSON object, string
    metadata, known dtypes, and tensors that tile the data exactly (no gap, no overlap)."""
    size = header_size(head, total, source)
    broken = ProjectFileError(f"{source} has a broken safetensors header: the file is damaged")
    if len(head) < 8 + size or head[8:9] != b"{":
        raise broken
    try:
        header = json.loads(head[8:8 + size].decode("utf-8"), object_pairs_hook=_unique,
                            parse_constant=_reject)
    except (ValueError, RecursionError, UnicodeDecodeError):
        raise broken from None
    if not isinstance(header, dict):
        raise broken
    check_structure(header, source, 4)
    meta = header.pop("__metadata__", {})
    if not isinstance(meta, dict) or not all(isinstance(v, str) for v in meta.values()):
        raise broken
    data_len = total - 8 - size
    tensors = {name: _tensor_entry(name, entry, data_len, source)
               for name, entry in header.items()}
    end = 0
    for start, stop in sorted(offsets for _, _, offsets in tensors.values()):
        if start != end:
            raise ProjectFileError(f"{source}: tensors leave a gap or overlap in the data: "
                                   "the file is damaged")
        end = stop
    if end != data_len:
        raise ProjectFileError(f"{source}: the data is longer or shorter than its tensors: "
                               "the file is damaged")
    return {name: (dtype, shape) for name, (dtype, shape, _) in tensors.items()}


def _unique(pairs: list) -> dict:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise ValueError("a name appears twice")
    return out


def _tensor_entry(name: str, entry: object, data_len: int, source: str):
    bad = ProjectFileError(f"{source}: tensor '{name[:60]}' has a broken description: "
                           "the file is damaged")
    if not isinstance(entry, dict) or set(entry) != {"dtype", "shape", "data_offsets"}:
        raise bad
    dtype, shape, offsets = entry.get("dtype"), entry.get("shape"), entry.get("data_offsets")
    if dtype not in _DTYPE_BYTES or not isinstance(shape, list) or not isinstance(offsets, list):
        raise bad
    if not all(isinstance(d, int) and not isinstance(d, bool) and 0 <= d < 2**40 for d in shape):
        raise bad
    if (len(offsets) != 2 or not all(isinstance(o, int) and not isinstance(o, bool)
                                     for o in offsets)):
        raise bad
    start, end = offsets
    if not 0 <= start <= end <= data_len or end - start != math.prod(shape) * _DTYPE_BYTES[dtype]:
        raise bad
    return dtype, shape, (start, end)
