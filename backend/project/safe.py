"""Reading untrusted bytes safely: bounded JSON and safetensors headers checked without torch.

Everything here only parses; nothing is executed, unpickled or written. Each reader raises
`ProjectFileError` (a `DesignFileError`) with one sentence, never anything else.
"""

from __future__ import annotations

import json
import math
import re
import struct

from backend.project.design import DesignFileError

MAX_JSON_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 64
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
    check_depth(data, source)
    return data


def _reject(name: str):
    raise ValueError(f"{name} is not allowed")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text[:20]} is too large")
    return value


def check_depth(data: object, source: str, limit: int = MAX_DEPTH) -> None:
    """Refuse JSON nested deeper than `limit` (iteratively: no recursion)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            raise ProjectFileError(f"{source} is nested more than {limit} levels deep: "
                                   "the file is damaged")
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)


def check_safetensors(raw: bytes, source: str) -> dict[str, tuple[str, list[int]]]:
    """Validate a safetensors blob's header; returns tensor name -> (dtype, shape)."""
    if len(raw) < 8:
        raise ProjectFileError(f"{source} is too short to be a safetensors file")
    (size,) = struct.unpack("<Q", raw[:8])
    if size > MAX_SAFETENSORS_HEADER or 8 + size > len(raw):
        raise ProjectFileError(f"{source} has a broken safetensors header: the file is damaged")
    header = parse_json(raw[8:8 + size], source)
    if not isinstance(header, dict):
        raise ProjectFileError(f"{source} has a broken safetensors header: the file is damaged")
    data_len = len(raw) - 8 - size
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        tensors[name] = _tensor_entry(name, entry, data_len, source)
    return tensors


def _tensor_entry(name: str, entry: object, data_len: int, source: str):
    bad = ProjectFileError(f"{source}: tensor '{name[:60]}' has a broken description: "
                           "the file is damaged")
    if not isinstance(entry, dict):
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
    return dtype, shape
