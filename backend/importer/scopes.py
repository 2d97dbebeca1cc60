"""Which of the author's modules each layer of an imported design was computed in.

torch.fx records, for every traced operation, the stack of module calls it happened in
(`nn_module_stack`: `layer1` > `layer1.0` > `layer1.0.conv1`). `scope_tree` turns that
into a tree of `Scope`s, one per module *call* (a parameterless module called twice is two
scopes), with each flat design node placed in the innermost module that computed it and
named relative to it (`conv1`, `relu_2` for a module's second call, `add` for an operation
written in forward). An `nn.ModuleList` or `nn.ModuleDict` is never called, so its entries
get a scope of its own in between, kept only when forward runs its entries as one chain.

`settle(root, ...)` keeps the scopes that can become blocks and dissolves the others into
their parent (their layers are then named with the scope's name as a prefix, `block_conv`):
a scope must compute something, be convex in the graph (nothing outside it lies between two
of its layers) and, for a module list, chain its entries in order. A module that only wraps
one operation written in forward (a custom `Flatten`, a noise layer) stays a layer named
after the module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from backend.graph.document import GraphDocument


@dataclass(eq=False)
class Scope:
    key: str  # the call: "layer1.0", or "act@1" for a module's second call
    path: str  # the module path: "layer1.0" ("" for the model itself)
    module: object
    synthetic: bool = False  # a module list's entries (the list itself is never called)
    parent: Scope | None = None
    children: list[Scope] = field(default_factory=list)
    members: list[str] = field(default_factory=list)  # flat node ids directly inside
    title: str = ""  # its name inside the parent scope
    keep: bool = True

    def all_members(self) -> list[str]:
        out = list(self.members)
        for child in self.children:
            out += child.all_members()
        return out

    def descendants(self) -> list[Scope]:
        out = []
        for child in self.children:
            out += [child, *child.descendants()]
        return out


@dataclass
class Placement:
    """Where each flat design node sits: its scope, its name there, whether a module call."""

    owner: dict[str, Scope] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    module_call: dict[str, bool] = field(default_factory=dict)


def _call_suffix(key: str) -> str:
    """'relu@1' (the second call of self.relu) -> '_2'."""
    match = re.search(r"@(\d+)$", key)
    return f"_{int(match.group(1)) + 1}" if match else ""


def _relative(path: str, base: str) -> str:
    rel = path[len(base) + 1:] if base and path.startswith(base + ".") else path
    return rel.replace(".", "_")


def _is_list(module) -> bool:
    from torch import nn

    return isinstance(module, nn.ModuleList | nn.ModuleDict)


def _chain(stack: list[tuple[str, str]], leaf: str | None, gm) -> list[tuple[str, str, bool]]:
    """(key, path, synthetic) of every scope around an operation, outermost first, with the
    module lists it was reached through inserted where they belong."""
    out: list[tuple[str, str, bool]] = []
    seen = {p for _, p in stack}
    for key, path in [*stack, *([("", leaf)] if leaf else [])]:
        parts = path.split(".")
        for i in range(1, len(parts)):
            above = ".".join(parts[:i])
            if above not in seen and _is_list(_module(gm, above)):
                seen.add(above)
                out.append((above, above, True))
        if key:
            out.append((key, path, False))
    return out


def _module(gm, path: str):
    try:
        return gm.get_submodule(path)
    except AttributeError:
        return None


def scope_tree(doc: GraphDocument, origins: dict, gm) -> tuple[Scope, Placement]:
    """The tree of module calls, and where each flat node of `doc` sits in it."""
    root = Scope("", "", gm.module, title="")
    scopes: dict[str, Scope] = {"": root}
    place = Placement()
    for nid, node in doc.nodes.items():
        fx_node = origins.get(nid)
        stack = [(k, v[0]) for k, v in ((fx_node.meta.get("nn_module_stack") or {}).items()
                                        if fx_node is not None else [])]
        call = fx_node is not None and fx_node.op == "call_module"
        leaf_key, leaf = (stack.pop() if call and stack else ("", None))
        where = root
        for key, path, synthetic in _chain(stack, leaf, gm):
            scope = scopes.get(key)
            if scope is None:
                scope = Scope(key, path, _module(gm, path), synthetic, where,
                              title=_relative(path, where.path) + _call_suffix(key))
                scopes[key] = scope
                where.children.append(scope)
            where = scope
        where.members.append(nid)
        place.owner[nid] = where
        place.module_call[nid] = call
        if call and leaf is not None:
            place.names[nid] = _relative(leaf, where.path) + _call_suffix(leaf_key)
        else:
            place.names[nid] = _operation_name(node, fx_node)
    return root, place


def _operation_name(node, fx_node) -> str:
    """An operation written in forward, named like torch.fx names it ('add', 'cat')."""
    if fx_node is None or fx_node.op == "placeholder":
        return node.title
    if node.type == "GaussianNoise":
        return "noise"
    if node.type in ("Flatten", "Reshape"):
        return node.type.lower()
    return re.sub(r"_\d+$", "", fx_node.name) or node.type.lower()


class Graph:
    """The flat design's wiring, for convexity and chain checks."""

    def __init__(self, doc: GraphDocument) -> None:
        self.order = {nid: i for i, nid in enumerate(doc.nodes)}
        self.succ: dict[str, list[str]] = {nid: [] for nid in doc.nodes}
        self.pred: dict[str, list[str]] = {nid: [] for nid in doc.nodes}
        for e in doc.edges:
            self.succ[e.src].append(e.dst)
            self.pred[e.dst].append(e.src)
        self.sinks = {nid for nid, out in self.succ.items() if not out}

    def convex(self, members: set[str]) -> bool:
        """No node outside `members` is both fed by them and feeds them."""
        last = max(self.order[m] for m in members)
        frontier = [d for m in members for d in self.succ[m] if d not in members]
        seen: set[str] = set()
        while frontier:
            nid = frontier.pop()
            if nid in seen or self.order[nid] > last:
                continue
            seen.add(nid)
            for d in self.succ[nid]:
                if d in members:
                    return False
                frontier.append(d)
        return True


def settle(root: Scope, place: Placement, graph: Graph, refused: set[str]) -> None:
    """Dissolve, bottom-up, every scope that cannot be a block (and those in `refused`, the
    scopes of module classes given up on), moving its layers and scopes to the parent."""
    for scope in list(root.children):
        settle(scope, place, graph, refused)
        if scope.key in refused or not _keepable(scope, place, graph):
            _dissolve(scope, place)


def _keepable(scope: Scope, place: Placement, graph: Graph) -> bool:
    members = scope.all_members()
    if not members:
        return False
    if len(members) == 1 and not scope.children and not place.module_call[members[0]]:
        place.names[members[0]] = scope.title  # a module wrapping one operation: a layer
        return False
    if not graph.convex(set(members)):
        return False
    return not scope.synthetic or _chains(scope, place, graph)


def _dissolve(scope: Scope, place: Placement) -> None:
    parent = scope.parent
    index = parent.children.index(scope)
    for nid in scope.members:
        place.owner[nid] = parent
        if place.names[nid] != scope.title:
            place.names[nid] = f"{scope.title}_{place.names[nid]}"
    for child in scope.children:
        child.parent = parent
        child.title = f"{scope.title}_{child.title}"
    parent.members += scope.members
    parent.children[index:index + 1] = scope.children
    scope.keep = False


def items(scope: Scope, graph: Graph) -> list[tuple[int, str | Scope]]:
    """(first flat position, member id or child scope) of a scope's direct items, in order."""
    found: list[tuple[int, str | Scope]] = [(graph.order[m], m) for m in scope.members]
    found += [(min(graph.order[m] for m in c.all_members()), c) for c in scope.children]
    return sorted(found, key=lambda pair: pair[0])


def _chains(scope: Scope, place: Placement, graph: Graph) -> bool:
    """A module list's entries, in index order, each feeding only the next."""
    entries = [item for _, item in items(scope, graph)]
    names = [item.title if isinstance(item, Scope) else place.names[item] for item in entries]
    if names != [str(i) for i in range(len(entries))]:
        return False
    sets = [set(item.all_members()) if isinstance(item, Scope) else {item} for item in entries]
    inside = set().union(*sets)
    for k, members in enumerate(sets):
        feeds = {d for m in members for d in graph.succ[m] if d not in members}
        fed = {s for m in members for s in graph.pred[m] if s not in members}
        if k + 1 < len(sets) and not feeds <= sets[k + 1]:
            return False
        if k > 0 and not fed <= sets[k - 1]:
            return False
        if k == 0 and fed & inside:
            return False
    return True
