"""Design files: plain, versioned, diff-friendly JSON.

Loading runs in phases (read -> parse -> migrate -> build) and reports the first problem as
one `DesignFileError` sentence; it never executes anything from the file. Values out of range
are kept and reported as design problems by shape inference; wrong types are refused here.
Saving is atomic: a temp file in the same folder, fsync, then rename over the target.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path

from backend.graph import Comment, Edge, GraphDocument, Node
from backend.layers import get_spec, layer_types
from backend.layers.params import type_problem

FORMAT = "netwright-design"
VERSION = 1
MAX_BYTES = 64 * 1024 * 1024
_RESERVED = {"format", "version", "name", "nodes", "edges", "comments"}


class DesignFileError(ValueError):
    """A design file cannot be opened; the message is one sentence with the fix.

    Text quoted from the file (ids, types, titles) may hold line breaks or other control
    characters; they are shown escaped so the message stays on one line."""

    def __init__(self, message: str) -> None:
        super().__init__("".join(c if c.isprintable() else repr(c)[1:-1] for c in message))


def doc_to_dict(doc: GraphDocument) -> dict:
    data = {
        "format": FORMAT, "version": VERSION, "name": doc.name,
        "nodes": [{"id": n.id, "type": n.type, "title": n.title, "params": n.params,
                   "pos": [round(n.pos[0], 2), round(n.pos[1], 2)]} for n in doc.nodes.values()],
        "edges": [{"from": e.src, "from_port": e.src_port, "to": e.dst, "to_port": e.dst_port}
                  for e in doc.edges],
        "comments": [{"id": c.id, "text": c.text, "pos": list(c.pos), "size": list(c.size)}
                     for c in doc.comments.values()],
    }
    for key, value in doc.sections.items():
        data[key] = value
    return data


def dumps(doc: GraphDocument) -> str:
    return json.dumps(doc_to_dict(doc), sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def save_design(doc: GraphDocument, path: str | os.PathLike) -> None:
    atomic_write(Path(path), dumps(doc).encode("utf-8"))


def plain_file_mode(tmp: str | os.PathLike) -> None:
    """Give a mkstemp file (private 0600) the mode a normally created file would have."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)


def atomic_write(path: Path, data: bytes) -> None:
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        plain_file_mode(tmp)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def load_design(path: str | os.PathLike) -> GraphDocument:
    path = Path(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise DesignFileError(f"{path.name} is larger than 64 MB: it is not a design file")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DesignFileError(f"{path} does not exist: check the path") from None
    except IsADirectoryError:
        raise DesignFileError(f"{path} is a folder: give a design file") from None
    except OSError as exc:
        raise DesignFileError(f"cannot read {path}: {exc.strerror}") from None
    return loads(raw, path.name)


def loads(raw: bytes | str, source: str = "the file") -> GraphDocument:
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw.lstrip("\ufeff")
        data = json.loads(text, parse_constant=_reject_constant)
    except UnicodeDecodeError:
        raise DesignFileError(f"{source} is not a text file: open a .json design") from None
    except (ValueError, RecursionError) as exc:
        raise DesignFileError(f"{source} is not valid JSON ({_short(exc)}): "
                              "open a Netwright design file") from None
    return from_dict(migrate(data, source), source)


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
    return data


def from_dict(data: dict, source: str = "the file") -> GraphDocument:
    doc = GraphDocument(_text(data.get("name", "Untitled"), "name", source))
    for i, raw in enumerate(_list(data, "nodes", source)):
        node = _node(raw, i, source)
        if node.id in doc.nodes:
            raise DesignFileError(f"{source}: two nodes share the id '{node.id}'")
        doc.nodes[node.id] = node
    seen: set[Edge] = set()
    for i, raw in enumerate(_list(data, "edges", source)):
        edge = _edge(raw, i, doc, source)
        if edge in seen:
            raise DesignFileError(f"{source}: wire {i + 1} duplicates an earlier wire: "
                                  "remove one of them")
        seen.add(edge)
        doc.edges.append(edge)
    for i, raw in enumerate(_list(data, "comments", source)):
        c = _comment(raw, i, source)
        if c.id in doc.comments or c.id in doc.nodes:
            raise DesignFileError(f"{source}: two items share the id '{c.id}': give the "
                                  "comment another id")
        doc.comments[c.id] = c
    for key, value in data.items():
        if key not in _RESERVED:
            if not isinstance(value, dict):
                raise DesignFileError(f"{source}: section '{key}' must be an object")
            doc.sections[key] = value
    return doc


def _list(data, key, source):
    value = data.get(key, [])
    if not isinstance(value, list):
        raise DesignFileError(f"{source}: '{key}' must be a list")
    return value


def _text(value, what, source):
    if not isinstance(value, str) or len(value) > 10_000:
        raise DesignFileError(f"{source}: {what} must be text")
    return value


def _pos(value, what, source):
    if (not isinstance(value, list) or len(value) != 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool)
                       and math.isfinite(v) and abs(v) < 1e7 for v in value)):
        raise DesignFileError(f"{source}: {what} must be two numbers [x, y]")
    return (float(value[0]), float(value[1]))


def _node(raw, i, source) -> Node:
    where = f"node {i + 1}"
    if not isinstance(raw, dict):
        raise DesignFileError(f"{source}: {where} must be an object")
    nid = _text(raw.get("id"), f"{where}'s id", source)
    if not nid:
        raise DesignFileError(f"{source}: {where} has an empty id")
    kind = _text(raw.get("type"), f"{where}'s type", source)
    spec = get_spec(kind)
    if spec is None:
        raise DesignFileError(f"{source}: node '{nid}' has unknown layer type '{kind}' "
                              f"(known: {', '.join(layer_types())})")
    params = raw.get("params", {})
    if not isinstance(params, dict):
        raise DesignFileError(f"{source}: node '{nid}' params must be an object")
    problem = type_problem(spec, params)
    if problem:
        raise DesignFileError(f"{source}: node '{nid}' ({kind}): {problem}")
    title = _text(raw.get("title", nid), f"node '{nid}' title", source)
    return Node(nid, kind, params, title, _pos(raw.get("pos", [0, 0]), f"node '{nid}' pos",
                                               source))


def _edge(raw, i, doc, source) -> Edge:
    where = f"wire {i + 1}"
    if not isinstance(raw, dict):
        raise DesignFileError(f"{source}: {where} must be an object")
    src = _text(raw.get("from"), f"{where}'s 'from'", source)
    dst = _text(raw.get("to"), f"{where}'s 'to'", source)
    for end in (src, dst):
        if end not in doc.nodes:
            raise DesignFileError(f"{source}: {where} refers to a missing node '{end}'")
    return Edge(src, dst, _text(raw.get("from_port", "out"), f"{where}'s port", source),
                _text(raw.get("to_port", "in"), f"{where}'s port", source))


def _comment(raw, i, source) -> Comment:
    if not isinstance(raw, dict):
        raise DesignFileError(f"{source}: comment {i + 1} must be an object")
    cid = _text(raw.get("id"), f"comment {i + 1}'s id", source)
    return Comment(cid, _text(raw.get("text", ""), "comment text", source),
                   _pos(raw.get("pos", [0, 0]), "comment pos", source),
                   _pos(raw.get("size", [240, 120]), "comment size", source))
