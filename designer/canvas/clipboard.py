"""Copy/paste data: a selection as plain JSON and the ops that paste it with fresh ids.

The payload uses the design-file data style (backend/project/design.py) under its own
format name, so it travels through the system clipboard between windows and is validated by
the same loader before anything is pasted. Only wires between copied nodes are kept.
"""

from __future__ import annotations

import json
import re

from backend.graph import AddComment, AddNode, Batch, Comment, Connect, Edge, GraphDocument, Node
from backend.project.design import FORMAT, VERSION, DesignFileError, doc_to_dict, from_dict

MIME = "application/x-netwright-nodes"
CLIP_FORMAT = "netwright-nodes"


def selection_payload(doc: GraphDocument, ids: list[str]) -> dict:
    """The selected nodes, the wires among them and the selected comments."""
    part = GraphDocument(doc.name)
    wanted = set(ids)
    part.nodes = {nid: n.copy() for nid, n in doc.nodes.items() if nid in wanted}
    part.edges = [e for e in doc.edges if e.src in part.nodes and e.dst in part.nodes]
    part.comments = {cid: c.copy() for cid, c in doc.comments.items() if cid in wanted}
    data = doc_to_dict(part)
    data["format"] = CLIP_FORMAT
    return data


def to_text(payload: dict) -> str:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False)


def parse(text: str) -> GraphDocument | None:
    """The copied part as a document, or None when the text is not copied Netwright nodes."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or data.get("format") != CLIP_FORMAT:
        return None
    data = dict(data, format=FORMAT, version=VERSION)
    try:
        return from_dict(data, "the clipboard")
    except DesignFileError:
        return None


def _unique(base: str, taken: set[str]) -> str:
    if base not in taken:
        return base
    stem = base.rstrip("0123456789") or base
    k = 1
    while f"{stem}{k}" in taken:
        k += 1
    return f"{stem}{k}"


def paste_ops(doc: GraphDocument, part: GraphDocument, offset: tuple[float, float]
              ) -> tuple[Batch, list[str]]:
    """Ops adding `part` to `doc` with new ids and titles, shifted by `offset`; new ids."""
    titles = {n.title for n in doc.nodes.values()}
    mapping: dict[str, str] = {}
    ops: list = []
    for nid, node in part.nodes.items():
        new_id = doc.new_id(re.sub(r"_\d+$", "", nid) or node.type)
        while new_id in mapping.values():
            new_id = doc.new_id(node.type)
        mapping[nid] = new_id
        title = _unique(node.title or new_id, titles)
        titles.add(title)
        pos = (node.pos[0] + offset[0], node.pos[1] + offset[1])
        ops.append(AddNode(Node(new_id, node.type, node.params, title, pos)))
    for e in part.edges:
        ops.append(Connect(Edge(mapping[e.src], mapping[e.dst], e.src_port, e.dst_port)))
    new_ids = list(mapping.values())
    for c in part.comments.values():
        cid = doc.new_id("comment")
        while cid in new_ids:
            cid = doc.new_id("comment")
        new_ids.append(cid)
        pos = (c.pos[0] + offset[0], c.pos[1] + offset[1])
        ops.append(AddComment(Comment(cid, c.text, pos, tuple(c.size))))
    return Batch(tuple(ops)), new_ids
