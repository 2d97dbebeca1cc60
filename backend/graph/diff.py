"""Model diff: what changed between two designs (layers added, removed, changed, rewired).

`diff_designs(a, b)` compares two designs in their file form (`doc_to_dict(doc)`, or a run's
stored "design"), Qt-free. Nodes are matched in stages:

1. by id (a replaced layer type keeps its id, so it shows as a changed type);
2. by structure: a node of the same type fed by nodes already matched (repeated until nothing
   more matches, so whole chains with renamed ids line up);
3. by position: the still unmatched nodes of each side, in traversal order, aligned by type;
4. by structure across types: a node fed exactly like an unmatched node of another type is
   that node with its type changed ("ReLU instead of Sigmoid" with new ids).

Matched nodes report a changed type, changed parameters (from -> to; a layer's defaults are
filled in first, so writing a default value down is no change), a changed title, and changed
inputs (rewired). Positions and comments are not part of the model and are ignored. Any
parameter value that holds a nested graph (a dict with "nodes" and "edges" lists), and any
top-level entry holding graphs (block definitions: a list of graphs with ids, as design files
store them, or a dict of graphs by name) is compared recursively, a definition's header
(title, parameters) as its settings; parameters holding objects (a block's arguments) are
compared key by key, as are the design's other sections (training, dataset). The result is
plain data (`DesignDiff`), turned into text by `backend.graph.diff_text`.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from backend.graph.document import GraphDocument
from backend.graph.model import Edge, Node
from backend.graph.traverse import topological_order
from backend.layers import get_spec

_NOT_SETTINGS = {"format", "version", "name", "nodes", "edges", "comments"}


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()  # a parameter or setting one side does not have


@dataclass(frozen=True)
class Change:
    """One value that differs: a parameter (`name`) or a setting (dotted path)."""

    name: str
    old: Any
    new: Any
    label: str = ""  # how a person calls it ("kernel size"); defaults to the name

    def to_json(self) -> dict:
        return {"name": self.name, "from": _json_value(self.old), "to": _json_value(self.new)}


@dataclass
class NodeChange:
    """A node added (only `new_*`), removed (only `old_*`) or changed (both)."""

    old_id: str | None = None
    new_id: str | None = None
    old_type: str | None = None
    new_type: str | None = None
    old_title: str | None = None
    new_title: str | None = None
    params: list[Change] = field(default_factory=list)
    old_inputs: list[str] | None = None  # titles of the nodes feeding it, when rewired
    new_inputs: list[str] | None = None
    nested: dict[str, DesignDiff] = field(default_factory=dict)  # param -> inner graph's diff

    @property
    def kind(self) -> str:
        return "added" if self.old_id is None else "removed" if self.new_id is None \
            else "changed"

    @property
    def type_changed(self) -> bool:
        return self.kind == "changed" and self.old_type != self.new_type

    @property
    def renamed(self) -> bool:
        return self.kind == "changed" and self.old_title != self.new_title

    @property
    def rewired(self) -> bool:
        return self.old_inputs is not None

    @property
    def title(self) -> str:
        return (self.new_title if self.new_id is not None else self.old_title) or ""

    @property
    def type(self) -> str:
        return (self.new_type if self.new_id is not None else self.old_type) or ""

    def to_json(self) -> dict:
        out: dict[str, Any] = {"kind": self.kind, "from_id": self.old_id, "to_id": self.new_id,
                               "from_type": self.old_type, "to_type": self.new_type,
                               "from_title": self.old_title, "to_title": self.new_title}
        if self.params:
            out["params"] = [c.to_json() for c in self.params]
        if self.rewired:
            out["inputs"] = {"from": self.old_inputs, "to": self.new_inputs}
        if self.nested:
            out["nested"] = {k: d.to_json() for k, d in self.nested.items()}
        return out


@dataclass
class DesignDiff:
    added: list[NodeChange] = field(default_factory=list)
    removed: list[NodeChange] = field(default_factory=list)
    changed: list[NodeChange] = field(default_factory=list)
    unchanged: int = 0  # matched nodes with no difference
    settings: list[Change] = field(default_factory=list)  # training, dataset, other sections
    nested: dict[str, DesignDiff] = field(default_factory=dict)  # top-level graphs (blocks)

    @property
    def model_changed(self) -> bool:
        """True when the networks differ (settings and titles aside)."""
        return bool(self.added or self.removed or self.nested or any(
            c.type_changed or c.params or c.rewired or c.nested for c in self.changed))

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.settings or self.nested)

    def to_json(self) -> dict:
        return {"added": [c.to_json() for c in self.added],
                "removed": [c.to_json() for c in self.removed],
                "changed": [c.to_json() for c in self.changed],
                "unchanged": self.unchanged,
                "settings": [c.to_json() for c in self.settings],
                "nested": {k: d.to_json() for k, d in self.nested.items()}}


def is_graph(value: Any) -> bool:
    """A nested graph: a dict with a list of nodes (objects with an id) and a list of edges."""
    return (isinstance(value, dict) and isinstance(value.get("nodes"), list)
            and isinstance(value.get("edges", []), list)
            and all(isinstance(n, dict) and isinstance(n.get("id"), str) for n in value["nodes"]))


def diff_designs(a: dict, b: dict, depth: int = 0) -> DesignDiff:
    """The difference from design `a` to design `b` (both in file form)."""
    old, new = _Graph(a), _Graph(b)
    match = _match(old, new)
    diff = DesignDiff()
    matched_new = set(match.values())
    for aid in old.order:
        if aid not in match:
            diff.removed.append(_removed(old, aid))
    for bid in new.order:
        if bid not in matched_new:
            diff.added.append(_added(new, bid))
    for aid in old.order:
        if aid in match:
            change = _compare(old, new, aid, match[aid], match, depth)
            if change is None:
                diff.unchanged += 1
            else:
                diff.changed.append(change)
    if depth < 8:
        _compare_sections(a, b, diff, depth)
    return diff


# -- the two sides ---------------------------------------------------------------------------------
class _Graph:
    """One design's nodes, wires into each node and traversal order, read defensively."""

    def __init__(self, data: Any):
        data = data if isinstance(data, dict) else {}
        raw = data.get("nodes") if isinstance(data.get("nodes"), list) else []
        self.nodes: dict[str, dict] = {}
        for n in raw:
            if isinstance(n, dict) and isinstance(n.get("id"), str) and n["id"] not in self.nodes:
                self.nodes[n["id"]] = n
        self.inputs: dict[str, list[tuple[str, str, str]]] = {nid: [] for nid in self.nodes}
        edges = data.get("edges") if isinstance(data.get("edges"), list) else []
        for e in edges:
            if isinstance(e, dict) and isinstance(e.get("from"), str) \
                    and isinstance(e.get("to"), str) \
                    and e["from"] in self.nodes and e["to"] in self.nodes:
                self.inputs[e["to"]].append((e["from"], str(e.get("from_port", "out")),
                                             str(e.get("to_port", "in"))))
        for wires in self.inputs.values():
            wires.sort(key=lambda w: w[2])  # by port; wire order kept within a port
        self.order = self._order()

    def _order(self) -> list[str]:
        doc = GraphDocument()
        doc.nodes = {nid: Node(nid, self.type(nid)) for nid in self.nodes}
        doc.edges = [Edge(src, dst) for dst, wires in self.inputs.items() for src, _, _ in wires]
        order, blocked = topological_order(doc)
        return order + [nid for nid in self.nodes if nid in blocked]

    def type(self, nid: str) -> str:
        kind = self.nodes[nid].get("type")
        return kind if isinstance(kind, str) else "?"

    def title(self, nid: str) -> str:
        title = self.nodes[nid].get("title")
        return title if isinstance(title, str) and title else nid

    def params(self, nid: str) -> dict:
        params = self.nodes[nid].get("params")
        return params if isinstance(params, dict) else {}


# -- matching --------------------------------------------------------------------------------------
def _match(old: _Graph, new: _Graph) -> dict[str, str]:
    """old id -> new id for the nodes that are the same layer in both designs."""
    match = {nid: nid for nid in old.nodes if nid in new.nodes}
    _by_inputs(old, new, match, same_type=True)
    _by_position(old, new, match)
    _by_inputs(old, new, match, same_type=True)
    _by_inputs(old, new, match, same_type=False)
    return match


def _signature(graph: _Graph, nid: str, rename: dict[str, str] | None) -> tuple | None:
    """The (source, ports) wires into a node, sources renamed to the new side's ids."""
    wires = []
    for src, sp, dp in graph.inputs[nid]:
        mapped = src if rename is None else rename.get(src)
        if mapped is None:
            return None
        wires.append((mapped, sp, dp))
    return tuple(wires)


def _by_inputs(old: _Graph, new: _Graph, match: dict[str, str], same_type: bool) -> None:
    """Pair unmatched nodes fed by the same (matched) nodes; repeat while pairs are found."""
    while True:
        taken = set(match.values())
        candidates: dict[tuple, list[str]] = {}
        for aid in old.order:
            sig = None if aid in match else _signature(old, aid, match)
            if sig is not None and (same_type or sig):
                candidates.setdefault(sig, []).append(aid)
        found = False
        for bid in new.order:
            sig = None if bid in taken else _signature(new, bid, None)
            pool = candidates.get(sig, []) if sig is not None else []
            pick = next((aid for aid in pool if aid not in match
                         and (not same_type or old.type(aid) == new.type(bid))), None)
            if pick is not None:
                match[pick], found = bid, True
                taken.add(bid)
        if not found:
            return


def _by_position(old: _Graph, new: _Graph, match: dict[str, str]) -> None:
    """Align the unmatched nodes of both sides, in traversal order, by type."""
    taken = set(match.values())
    left = [nid for nid in old.order if nid not in match]
    right = [nid for nid in new.order if nid not in taken]
    matcher = difflib.SequenceMatcher(None, [old.type(n) for n in left],
                                      [new.type(n) for n in right], autojunk=False)
    for i, j, size in matcher.get_matching_blocks():
        for k in range(size):
            match[left[i + k]] = right[j + k]


# -- comparing matched nodes -----------------------------------------------------------------------
def _added(new: _Graph, bid: str) -> NodeChange:
    return NodeChange(new_id=bid, new_type=new.type(bid), new_title=new.title(bid))


def _removed(old: _Graph, aid: str) -> NodeChange:
    return NodeChange(old_id=aid, old_type=old.type(aid), old_title=old.title(aid))


def _compare(old: _Graph, new: _Graph, aid: str, bid: str, match: dict[str, str],
             depth: int) -> NodeChange | None:
    change = NodeChange(aid, bid, old.type(aid), new.type(bid), old.title(aid), new.title(bid))
    change.params, change.nested = _param_changes(change.old_type, old.params(aid),
                                                  change.new_type, new.params(bid), depth)
    if _signature(old, aid, _rename(match, old)) != _signature(new, bid, None):
        change.old_inputs = [old.title(src) for src, _, _ in old.inputs[aid]]
        change.new_inputs = [new.title(src) for src, _, _ in new.inputs[bid]]
    interesting = (change.type_changed or change.renamed or change.params or change.rewired
                   or change.nested)
    return change if interesting else None


def _rename(match: dict[str, str], old: _Graph) -> dict[str, str]:
    """Old ids to new ids; an unmatched source keeps a marker so it never equals a new id."""
    return {nid: match.get(nid, f"\0removed:{nid}") for nid in old.nodes}


def _filled(kind: str | None, params: dict) -> dict:
    spec = get_spec(kind) if isinstance(kind, str) else None
    return {**spec.defaults(), **params} if spec is not None else dict(params)


def _param_changes(type_a: str | None, pa: dict, type_b: str | None, pb: dict,
                   depth: int) -> tuple[list[Change], dict[str, DesignDiff]]:
    fa, fb = _filled(type_a, pa), _filled(type_b, pb)
    spec = get_spec(type_b) if isinstance(type_b, str) else None
    labels = {p.name: p.display for p in spec.params} if spec is not None else {}
    changes, nested = [], {}
    for key in [*fb, *(k for k in fa if k not in fb)]:
        va, vb = fa.get(key, MISSING), fb.get(key, MISSING)
        if is_graph(va) and is_graph(vb) and depth < 8:
            inner = diff_designs(va, vb, depth + 1)
            if not inner.empty:
                nested[key] = inner
        elif isinstance(va, dict) and isinstance(vb, dict):  # e.g. a block's arguments
            changes.extend(Change(c.name, c.old, c.new, c.name.replace("_", " "))
                           for c in _flat_changes(key, va, vb))
        elif not _same(va, vb):
            changes.append(Change(key, va, vb, labels.get(key, key.replace("_", " "))))
    return changes, nested


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    return type(a) is type(b) and a == b if isinstance(a, list | dict) else a == b


# -- sections and nested definitions --------------------------------------------------------------
def _compare_sections(a: dict, b: dict, diff: DesignDiff, depth: int) -> None:
    a = a if isinstance(a, dict) else {}
    b = b if isinstance(b, dict) else {}
    for key in sorted((set(a) | set(b)) - _NOT_SETTINGS):
        va, vb = a.get(key, MISSING), b.get(key, MISSING)
        if _graphs(va) or _graphs(vb):
            _compare_graphs(key, va, vb, diff, depth)
        else:
            diff.settings.extend(_flat_changes(key, va, vb))


def _by_name(value: Any) -> dict[str, dict] | None:
    """Graphs by name: a non-empty dict of graphs, or a list of graphs each with an "id"
    (block definitions as design files hold them); None for anything else."""
    if isinstance(value, dict) and value and all(is_graph(v) for v in value.values()):
        return value
    if isinstance(value, list) and value and all(
            is_graph(v) and isinstance(v.get("id"), str) for v in value):
        return {v["id"]: v for v in value}
    return None


def _graphs(value: Any) -> bool:
    return is_graph(value) or _by_name(value) is not None


def _compare_graphs(key: str, va: Any, vb: Any, diff: DesignDiff, depth: int) -> None:
    if is_graph(va) or is_graph(vb):
        pairs = {key: (va, vb)}
    else:
        da, db = _by_name(va) or {}, _by_name(vb) or {}
        pairs = {f"{key} › {name}": (da.get(name, {}), db.get(name, {}))
                 for name in [*da, *(n for n in db if n not in da)]}
    for name, (ga, gb) in pairs.items():
        inner = diff_designs(ga if is_graph(ga) else {}, gb if is_graph(gb) else {}, depth + 1)
        if not inner.empty:
            diff.nested[name] = inner


def _flat_changes(path: str, va: Any, vb: Any) -> list[Change]:
    if isinstance(va, dict) and isinstance(vb, dict):
        out = []
        for key in [*va, *(k for k in vb if k not in va)]:
            out.extend(_flat_changes(f"{path}.{key}", va.get(key, MISSING),
                                     vb.get(key, MISSING)))
        return out
    return [] if _same(va, vb) else [Change(path, va, vb)]


def _json_value(value: Any) -> Any:
    return None if value is MISSING else value
