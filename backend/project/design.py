"""Design files: plain, versioned, diff-friendly JSON.

Loading runs in phases (read -> parse -> migrate -> build) and reports the first problem as
one `DesignFileError` sentence; it never executes anything from the file. Values out of range
are kept and reported as design problems by shape inference; wrong types are refused here.
Saving is atomic: a temp file in the same folder, fsync, then rename over the target.

Format history (`version`):
- 1: name, nodes, edges, comments, and settings sections (any other key holding an object).
- 2: adds "blocks", the block definitions (backend/graph/definition.py): each with id,
  title, note, params, sequential, and its own nodes, edges and comments. Written only when
  the design has blocks; a version 1 file opens unchanged (its "blocks" section, if it had
  one, is kept as the section "blocks_section").
"""

from __future__ import annotations

import copy
import json
import math
import os
from pathlib import Path

from backend.graph import GraphDocument
from backend.project.design_parts import (
    DesignFileError,
    block_to_dict,
    graph_parts,
    graph_to_dict,
    parse,
    parts_to_dict,
)

FORMAT = "netwright-design"
VERSION = 2
MAX_BYTES = 64 * 1024 * 1024
# The largest design Netwright opens, layers and wires counted over the design and its block
# definitions. Measured on a 2-core machine: 10,000 layers open in the designer in a few
# seconds and check in half a second; 50,000 take about five times that; beyond, a design
# would spend minutes before the user sees anything, so it is refused at once instead.
MAX_NODES = 50_000
MAX_EDGES = 150_000


def doc_to_dict(doc: GraphDocument) -> dict:
    data = {"format": FORMAT, "version": VERSION, "name": doc.name, **graph_to_dict(doc)}
    if doc.blocks:
        data["blocks"] = [block_to_dict(d) for d in doc.blocks.values()]
    for key, value in doc.sections.items():
        data[key] = value
    return data


def snapshot(doc: GraphDocument) -> tuple:
    """The design as it is now, cheap to take (see `graph_parts`); `snapshot_to_dict` gives
    what `doc_to_dict` gave then, on any thread."""
    blocks = [block_to_dict(d) for d in doc.blocks.values()]
    return (doc.name, graph_parts(doc), copy.deepcopy(blocks),
            copy.deepcopy(doc.sections))


def snapshot_to_dict(snap: tuple) -> dict:
    name, parts, blocks, sections = snap
    data = {"format": FORMAT, "version": VERSION, "name": name, **parts_to_dict(parts)}
    if blocks:
        data["blocks"] = blocks
    data.update(sections)
    return data


def dumps(doc: GraphDocument) -> str:
    """The design file's text; refuses (one sentence) what the loader could not read back."""
    return dumps_data(doc_to_dict(doc))


def dumps_data(data: dict) -> str:
    """The design file's text of `doc_to_dict`'s result (see `dumps`)."""
    from backend.project.safe import MAX_DESIGN_DEPTH, ProjectFileError, check_structure

    try:
        check_structure(data, "the design", MAX_DESIGN_DEPTH)
        text = json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False)
    except ProjectFileError as exc:
        raise DesignFileError(f"cannot save: {exc}".replace(": the file is damaged",
                                                            ": change that value first")) from None
    except (TypeError, ValueError) as exc:
        raise DesignFileError(f"cannot save: the design holds a value a design file cannot "
                              f"store ({_short(exc)}): change that value first") from None
    return text + "\n"


def save_design(doc: GraphDocument, path: str | os.PathLike, backup: bool = True) -> None:
    """Save atomically; an existing file is kept as NAME.bak (`backup`)."""
    from backend.project.atomic import write_bytes

    write_bytes(Path(path), dumps(doc).encode("utf-8"), backup)


def plain_file_mode(tmp: str | os.PathLike) -> None:
    """Give a mkstemp file (private 0600) the mode a normally created file would have."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` atomically, keeping the target's permissions (no backup)."""
    from backend.project.atomic import write_bytes

    write_bytes(Path(path), data, backup=False)


def load_design(path: str | os.PathLike) -> GraphDocument:
    from backend.project.safe import read_regular

    path = Path(path)
    raw = read_regular(path, MAX_BYTES, "a design file")
    return loads(raw, path.name)


def loads(raw: bytes | str, source: str = "the file") -> GraphDocument:
    """A design from its text: JSON with finite numbers, valid Unicode and at most
    MAX_DESIGN_DEPTH levels (what `dumps` can write back), migrated and checked."""
    from backend.project.safe import MAX_DESIGN_DEPTH, ProjectFileError, check_structure

    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw.lstrip("\ufeff")
        data = json.loads(text, parse_constant=_reject_constant, parse_float=_finite)
    except UnicodeDecodeError:
        raise DesignFileError(f"{source} is not a text file: open a .json design") from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise DesignFileError(f"{source} is not valid JSON ({_short(exc)}): "
                              "open a Netwright design file") from None
    check_size(data, source)
    try:
        check_structure(data, source, MAX_DESIGN_DEPTH)
    except ProjectFileError as exc:
        raise DesignFileError(str(exc)) from None
    return from_dict(migrate(data, source), source)


def _count(data: object, key: str) -> int:
    """How many `key` entries (nodes or edges) a design dict holds, its blocks' bodies too."""
    if not isinstance(data, dict):
        return 0
    own = data.get(key)
    blocks = data.get("blocks")
    inner = sum(_count(b, key) for b in blocks if isinstance(b, dict)) \
        if isinstance(blocks, list) and data.get("version") != 1 else 0
    return (len(own) if isinstance(own, list) else 0) + inner


def check_size(data: object, source: str = "the file") -> None:
    """Refuse, before any other work, a design larger than Netwright opens (MAX_NODES)."""
    for key, limit, what in (("nodes", MAX_NODES, "layers"), ("edges", MAX_EDGES, "wires")):
        n = _count(data, key)
        if n > limit:
            raise DesignFileError(
                f"{source} has {n:,} {what}, more than the {limit:,} Netwright opens: split "
                "it into smaller designs, or group repeated layers into blocks (a block's "
                "layers count once however often it is used)")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text[:20]} is too large")
    return value


def _reject_constant(name):
    raise ValueError(f"{name} is not allowed")


def _short(exc) -> str:
    return str(exc).split("\n")[0][:120]


def migrate(data, source: str) -> dict:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise DesignFileError(f"{source} is not a Netwright design (no \"format\": "
                              f"\"{FORMAT}\"): open a design saved by Netwright")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise DesignFileError(f"{source} has no valid format version: the file is damaged")
    if version > VERSION:
        raise DesignFileError(f"{source} uses format version {version}, newer than this "
                              f"Netwright understands ({VERSION}): update Netwright")
    if version < 1:
        raise DesignFileError(f"{source} uses unknown format version {version}: the file is "
                              "damaged; open a design saved by Netwright")
    while version < VERSION:
        data = _MIGRATIONS[version](data)
        version = data["version"]
    return data


def _v1_to_v2(data: dict) -> dict:
    """Version 1 -> 2: "blocks" becomes the list of block definitions; a settings section
    of that name (an object) moves to "blocks_section"."""
    out = dict(data)
    if "blocks" in out:
        out["blocks_section"] = out.pop("blocks")
    out["version"] = 2
    return out


_MIGRATIONS = {1: _v1_to_v2}


def from_dict(data: dict, source: str = "the file") -> GraphDocument:
    """A migrated design dict -> GraphDocument; one DesignFileError sentence on failure."""
    check_size(data, source)
    return parse(data, source)


