"""An imported design that keeps the author's modules: each module class becomes a block.

`nest(flat, origins, gm, arguments)` regroups a flat import (one node per traced operation)
by the module calls recorded while tracing (scopes.py): every module that computes several
layers becomes a Block node using a definition shared by all calls of that class with the
same structure (block_params.py turns the numbers that differ into the block's parameters).
`nn.Sequential` modules become sequential definitions, numbered like torch numbers them; a
sequence of identical blocks becomes one Block node repeated n times (`layer1` -> `layer1.0`,
`layer1.1`), so the built model's state_dict names are the original's. A class that would
need more than `MAX_VARIANTS` definitions (DenseNet's layers, each with one more input) is
left flat. The caller checks the nested design against the original and keeps the flat one
if anything differs.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field

from backend.graph.definition import (
    BLOCK,
    BLOCK_INPUT,
    BLOCK_OUTPUT,
    BlockDef,
    block_params,
)
from backend.graph.document import GraphDocument
from backend.graph.model import Edge, Node
from backend.graph.naming import identifier
from backend.importer import block_params as bp
from backend.importer.scopes import Graph, Placement, Scope, items, scope_tree, settle
from backend.importer.sequences import collapse, merge_repeats, sequential
from backend.layers import get_spec
from backend.shape_blocks import is_repeated

MAX_VARIANTS = 6


@dataclass
class Nested:
    doc: GraphDocument
    paths: dict[str, tuple]  # flat node id -> its id path in `doc` ("layer1", 0, "conv1")


@dataclass(eq=False)
class Instance:
    """One module call as a body: its layers and the Block nodes of the modules it calls."""

    scope: Scope
    graph: GraphDocument
    local: dict[str, str]  # flat layer id -> body node id
    child_node: dict[Scope, str]  # called module -> its Block node id
    ports_in: list[str]  # flat ids of the values flowing in, in port order
    ports_out: list[str]  # flat ids of the values flowing out, in port order
    height: int = 0
    copies: dict[str, list[Instance]] = field(default_factory=dict)  # Block node -> calls
    sequential: bool = False
    definition: str = ""
    args: dict = field(default_factory=dict)
    repeat: int = 1
    kids: list[Instance] | None = None  # a sequence of identical blocks: its calls


def nest(flat: GraphDocument, origins: dict, gm, arguments: dict[str, dict]) -> Nested | None:
    """The design with the author's modules as blocks, or None when nothing nests."""
    refused: set[str] = set()
    for _ in range(4):
        root, place = scope_tree(flat, origins, gm)
        graph = Graph(flat)
        settle(root, place, graph, refused)
        if not root.children:
            return None
        work = _Nesting(flat, graph, place, arguments)
        again = work.run(root)
        if not again:
            return work.result(root)
        refused |= again
    return None


class _Nesting:
    def __init__(self, flat: GraphDocument, graph: Graph, place: Placement,
                 arguments: dict[str, dict]) -> None:
        self.flat, self.graph, self.place, self.arguments = flat, graph, place, arguments
        self.instances: dict[Scope, Instance] = {}
        self.defs: dict[str, BlockDef] = {}
        self.heights: dict[str, int] = {}
        self.titles: dict[str, BlockDef] = {}  # base title -> its first definition
        self.classes: set[str] = set()  # the author's module classes (their names win)

    # -- bodies ----------------------------------------------------------------------------
    def run(self, root: Scope) -> set[str]:
        """Build every definition; returns the scope keys of classes with too many variants
        (to be left flat), or an empty set when done."""
        self.classes = {type(s.module).__name__ for s in root.descendants()
                        if not type(s.module).__module__.startswith("torch.nn")}
        for scope in reversed(root.descendants()):  # children before parents
            inst = self.instances[scope] = self.body(scope)
            inst.height = 1 + max((self.instances[c].height for c in scope.children),
                                  default=-1)
        for height in sorted({i.height for i in self.instances.values()}):
            level = sorted((i for i in self.instances.values() if i.height == height),
                           key=lambda i: min(self.graph.order[m] for m in i.scope.all_members()))
            too_many = self.level(level)
            if too_many:
                return too_many
        return set()

    def body(self, scope: Scope) -> Instance:
        members = set(scope.all_members())
        within = {m: c for c in scope.children for m in c.all_members()}
        edges = [e for e in self.flat.edges if e.dst in members]
        ports_in = sorted({e.src for e in edges if e.src not in members},
                          key=self.graph.order.get)
        ports_out = sorted({m for m in members if m in self.graph.sinks or any(
            d not in members for d in self.graph.succ[m])}, key=self.graph.order.get)
        g = GraphDocument(scope.title)
        for k in range(len(ports_in)):
            port = _port("in", k)
            g.nodes[port] = Node(port, BLOCK_INPUT, {}, f"x{k + 1}" if len(ports_in) > 1 else "x")
        inst = Instance(scope, g, {}, {}, ports_in, ports_out)
        self._items(inst, g)
        src_of = {src: (_port("in", k), "out") for k, src in enumerate(ports_in)}
        seen: set[Edge] = set()
        for e in edges:
            if e.src in within and within[e.src] is within.get(e.dst):
                continue  # inside one called module
            src = src_of.get(e.src) or self._source(inst, within, e)
            dst = (inst.local[e.dst], e.dst_port) if e.dst in inst.local else \
                (inst.child_node[within[e.dst]],
                 _port("in", self.instances[within[e.dst]].ports_in.index(e.src)))
            edge = Edge(src[0], dst[0], src[1], dst[1])
            if src[0] == dst[0] or (dst[0] not in inst.local.values() and edge in seen):
                continue
            seen.add(edge)
            g.edges.append(edge)
        for k, member in enumerate(ports_out):
            port = _port("out", k)
            g.nodes[port] = Node(port, BLOCK_OUTPUT, {}, _port("out", k))
            src = self._source(inst, within, Edge(member, port))
            g.edges.append(Edge(src[0], port, src[1]))
        return inst

    def _source(self, inst: Instance, within: dict, e: Edge) -> tuple[str, str]:
        if e.src in inst.local:
            return inst.local[e.src], e.src_port
        child = within[e.src]
        index = self.instances[child].ports_out.index(e.src)
        return inst.child_node[child], _port("out", index)

    def _items(self, inst: Instance, g: GraphDocument) -> None:
        """The layers and the Block nodes of called modules, in the order they compute,
        named as the author named them (module attributes first, then operations)."""
        taken: set[str] = set()
        order = items(inst.scope, self.graph)
        titles: dict[object, str] = {}
        for _, item in order:  # attribute names win over operation names
            if isinstance(item, Scope) or self.place.module_call.get(item):
                titles[item] = _unique(item.title if isinstance(item, Scope)
                                       else self.place.names[item], taken)
        for _, item in order:
            if item not in titles:
                titles[item] = _unique(self.place.names[item], taken)
        ids: set[str] = set(g.nodes)
        for _, item in order:
            title = titles[item]
            if isinstance(item, Scope):
                nid = _unique(_node_id(title, BLOCK), ids)
                g.nodes[nid] = Node(nid, BLOCK, block_params("", {}, 1), title)
                inst.child_node[item] = nid
            else:
                node = self.flat.nodes[item]
                nid = _unique(_node_id(title, node.type), ids)
                full = {**get_spec(node.type).defaults(), **node.params}  # compare in full
                g.nodes[nid] = Node(nid, node.type, full, title)
                inst.local[item] = nid

    # -- definitions -----------------------------------------------------------------------
    def level(self, level: list[Instance]) -> set[str]:
        for inst in level:
            self.fill(inst)
            if _seqish(inst.scope):
                merge_repeats(inst)
                inst.sequential = sequential(inst.graph)
        groups: dict[tuple, list[Instance]] = {}
        for inst in level:
            parent = inst.scope.parent
            inside_sequence = parent is not None and parent.parent is not None and \
                _seqish(parent)  # torch numbers a sequence inside a sequence as one entry
            if inst.sequential and not inside_sequence and collapse(inst):
                continue
            key = bp.signature(inst.graph, _kind(inst.scope), inst.sequential)
            groups.setdefault(key, []).append(inst)
        variants: dict[object, list[list[Instance]]] = {}
        for members in groups.values():  # per author's class (sequences differ by nature)
            if not _torch_class(members[0].scope):
                variants.setdefault(_kind(members[0].scope), []).append(members)
        too_many = {i.scope.key for groups_ in variants.values() if len(groups_) > MAX_VARIANTS
                    for members in groups_ for i in members}
        if too_many:
            return too_many
        for members in groups.values():
            self.define(members)
        return set()

    def fill(self, inst: Instance) -> None:
        for child, nid in inst.child_node.items():
            kid = self.instances[child]
            inst.graph.nodes[nid].params = block_params(kid.definition, kid.args, kid.repeat)
            inst.copies[nid] = kid.kids if kid.kids is not None else [kid]

    def define(self, members: list[Instance]) -> None:
        first = members[0]
        body = first.graph.copy()
        cls = type(first.scope.module)
        title = self._title(first, body)
        known = [self._known(m.scope) for m in members]
        found = bp.parameters(body, [m.graph for m in members], known, title)
        for i, slot in enumerate(bp.slots(body)):
            if i in found.values:
                bp.set_slot(body, slot, found.values[i])
        _without_defaults(body)
        did = _unique(identifier(title, "block"), set(self.defs))
        body.name = title
        self.defs[did] = BlockDef(did, title, body, found.params, _note(cls),
                                  first.sequential)
        self.heights[did] = first.height
        for k, m in enumerate(members):
            m.definition, m.args = did, found.args[k]

    def _title(self, inst: Instance, body: GraphDocument) -> str:
        cls = type(inst.scope.module)
        if _torch_class(inst.scope):
            base = bp.common_title([inst.scope.title])
            if not base:  # an entry of a sequence: `net.1`
                parent = inst.scope.parent
                base = bp.common_title([parent.title]) + "Stage" if parent else "Stage"
            if base in self.classes:  # `self.double_conv` of class DoubleConv
                base += "Sequential"
        else:
            base = cls.__name__
        first = self.titles.setdefault(base, None)
        if first is None:
            self.titles[base] = BlockDef("", base, body)
            return base
        mine = {n.title for n in body.nodes.values()}
        extra = sorted(mine - {n.title for n in first.graph.nodes.values()})
        taken = {d.title for d in self.defs.values()}
        extra = [t for t in extra if t[:1].isalpha()]  # named parts, not entry numbers
        title = base + "With" + bp.camel(extra[0]) if extra else base + "2"
        k = 2
        while title in taken:
            k += 1
            title = f"{base}{k}"
        return title

    def _known(self, scope: Scope) -> dict:
        """The module's constructor arguments that are numbers, then its number attributes."""
        out = dict(self.arguments.get(scope.path, {}))
        for key, value in vars(scope.module).items() if scope.module is not None else ():
            if not key.startswith("_") and key != "training" and bp._is_number(value):
                out.setdefault(key, value)
        return out

    # -- the design --------------------------------------------------------------------------
    def result(self, root: Scope) -> Nested:
        top = self.body_of_root(root)
        order = sorted(self.defs, key=lambda d: -self.heights[d])
        top.blocks = {did: self.defs[did] for did in order}
        for d in top.blocks.values():
            d.graph.owner = top
        paths: dict[str, tuple] = {}
        self._assign(self.root_instance, top, (), paths)
        return Nested(top, paths)

    def body_of_root(self, root: Scope) -> GraphDocument:
        inst = self.body(root)
        self.fill(inst)
        self.root_instance = inst
        top = GraphDocument(self.flat.name)
        top.sections = {k: dict(v) for k, v in self.flat.sections.items()}
        names = {v: k for k, v in inst.local.items()}
        for nid, node in inst.graph.nodes.items():
            if node.type in (BLOCK_INPUT, BLOCK_OUTPUT):
                continue
            flat_id = names.get(nid)
            keep = flat_id if flat_id is not None else top.new_id(node.title)
            top.nodes[keep] = Node(keep, node.type, node.params, node.title)
            names[nid] = keep
        inst.local = {flat_id: flat_id for flat_id in inst.local}  # root layers keep ids
        inst.copies = {names[k]: v for k, v in inst.copies.items()}
        top.edges = [Edge(names[e.src], names[e.dst], e.src_port, e.dst_port)
                     for e in inst.graph.edges if e.dst in names and e.src in names]
        _outputs(top, self.flat, inst, names)
        _without_defaults(top)
        return top

    def _assign(self, inst: Instance, graph: GraphDocument, prefix: tuple, paths) -> None:
        for member, nid in inst.local.items():
            paths[member] = (*prefix, nid)
        for nid, kids in inst.copies.items():
            repeated = is_repeated(graph.nodes[nid].params)
            for k, kid in enumerate(kids):
                where = (*prefix, nid, k) if repeated else (*prefix, nid)
                self._assign(kid, self.defs[kid.definition].graph, where, paths)


def _outputs(top: GraphDocument, flat: GraphDocument, inst: Instance, names: dict) -> None:
    """The design returns what the module returned, in order: a value computed inside a
    block that is not that block's only, unread output gets a sink of its own."""
    wanted: list[str] = []
    for sink in [n for n in flat.nodes if not any(e.src == n for e in flat.edges)]:
        if sink in inst.local:
            wanted.append(sink)
            continue
        child = next(c for c in inst.child_node if sink in c.all_members())
        block = names[inst.child_node[child]]
        ports = inst.copies[block][-1].ports_out
        read = any(e.src == block for e in top.edges)
        if len(ports) == 1 and not read:
            wanted.append(block)
            continue
        nid = top.new_id("output")
        top.nodes[nid] = Node(nid, "Identity", {}, flat.nodes[sink].title)
        top.edges.append(Edge(block, nid, _port("out", ports.index(sink))))
        wanted.append(nid)
    others = [n for n in top.nodes if n not in wanted]
    top.nodes = {n: top.nodes[n] for n in [*others, *wanted]}


def _without_defaults(graph: GraphDocument) -> None:
    """Leave out the parameters that have their default value (as the flat import does)."""
    for node in graph.nodes.values():
        spec = get_spec(node.type) if node.type != BLOCK else None
        if spec is not None:
            defaults = spec.defaults()
            node.params = {k: v for k, v in node.params.items() if defaults.get(k) != v}


def _port(base: str, k: int) -> str:
    return base if k == 0 else f"{base}_{k + 1}"


def _unique(name: str, taken: set[str]) -> str:
    candidate, k = name, 2
    while candidate in taken:
        candidate, k = f"{name}_{k}", k + 1
    taken.add(candidate)
    return candidate


def _node_id(title: str, kind: str) -> str:
    """'conv1' -> 'conv1'; a numbered entry '0' of a Conv2d -> 'conv2d_0'."""
    return identifier(f"{kind}_{title}" if title[:1].isdigit() else title, kind.lower())


def _seqish(scope: Scope) -> bool:
    from torch import nn

    return scope.synthetic or isinstance(scope.module, nn.Sequential)


def _torch_class(scope: Scope) -> bool:
    return scope.synthetic or type(scope.module).__module__.startswith("torch.nn")


def _kind(scope: Scope) -> object:
    return "ModuleList" if scope.synthetic else type(scope.module)


def _note(cls) -> str:
    if cls.__module__.startswith("torch"):
        return ""
    text = inspect.cleandoc(cls.__dict__.get("__doc__") or "")  # its own, not inherited
    return " ".join(text.split("\n\n")[0].split())[:200]
