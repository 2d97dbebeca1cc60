"""One exported class per block definition, with the constructor arguments its uses need.

For every use of a definition (every copy, at any depth) the body is analysed again over
symbolic numbers (backend/codegen/symbolic.py): the block's parameters and the sizes of its
inputs are named (`channels`, `in_channels`), so the layers' code forms print expressions.
The names the code really uses become the constructor's arguments, input sizes first. Uses
whose class text comes out identical share the class; a use whose text differs (a layer
chose its code by a value that changes between uses) gets a class of its own, so the export
is always exactly the built model. Classes are listed before the classes that call them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from backend.codegen.body import BodyWriter
from backend.codegen.symbolic import SymFloat, SymInt, plain, render
from backend.graph.definition import BlockDef
from backend.graph.document import GraphDocument
from backend.graph.naming import identifier
from backend.layers import Shape
from backend.layers._common import fmt
from backend.shapes import Analyser, Analysis

INDENT = "    "
AXES = {1: ("features",), 2: ("channels", "length"), 3: ("channels", "height", "width")}


@dataclass
class ClassInfo:
    name: str
    definition: BlockDef
    signature: list[str]  # constructor arguments, in order
    sources: dict[str, tuple]  # argument -> ("param", name) or ("dim", port index, axis)
    kinds: dict[str, str]
    body: BodyWriter
    shapes: dict[str, list] = field(default_factory=dict)  # node -> shapes of every use
    symbolic: dict[str, object] = field(default_factory=dict)  # node -> symbolic shape

    def arguments(self, args: dict, feed: list[Shape]) -> dict:
        """Argument name -> value for one call, from the block's args and input shapes."""
        out = {}
        for name in self.signature:
            kind, *where = self.sources[name]
            out[name] = args[where[0]] if kind == "param" else feed[where[0]][where[1]]
        return out

    def add_use(self, concrete: Analysis) -> None:
        for nid, shape in concrete.shapes.items():
            self.shapes.setdefault(nid, []).append(shape)


class BlockClasses:
    """The classes of one export, found use by use."""

    def __init__(self, doc: GraphDocument, taken: set[str]) -> None:
        self.doc = doc
        self.taken = set(taken)
        self.by_use: dict[tuple, ClassInfo] = {}
        self.by_text: dict[tuple, ClassInfo] = {}
        self.order: list[ClassInfo] = []

    def for_use(self, defn: BlockDef, run: Analysis, args: dict, feed: dict) -> ClassInfo:
        key = (defn.id, tuple(args.items()), tuple(sorted(feed.items())))
        info = self.by_use.get(key)
        if info is None:
            info = self.by_use[key] = self._make(defn, run, args, feed)
            info.add_use(run)
        return info

    def _make(self, defn: BlockDef, run: Analysis, args: dict, feed: dict) -> ClassInfo:
        sym_args, sym_feed, sources, kinds = symbolize(defn, args, feed)
        with plain():
            sym = Analyser(self.doc, cache=False).instance(defn, sym_feed, sym_args,
                                                           defn.label)
            if not sym.ok:  # cannot happen for a valid use; numbers are always right
                sym, sources = run, {}
            body = BodyWriter(self, defn.graph, sym, run)
            body.walk()
        signature = [n for n in sources if n in body.used]
        text = (defn.id, tuple(signature), tuple(body.init), tuple(body.forward),
                tuple(body.entries), tuple(body.post), tuple(body.args))
        info = self.by_text.get(text)
        if info is None:
            info = ClassInfo(self._name(defn), defn, signature, sources, kinds, body)
            info.symbolic = dict(sym.shapes)
            self.by_text[text] = info
            self.order.append(info)
        return info

    def _name(self, defn: BlockDef) -> str:
        from backend.codegen.model import class_name

        base = class_name(defn.title or defn.id)
        name, k = base, 2
        if name in self.taken:
            name = base if base.endswith("Block") else base + "Block"
        while name in self.taken:
            name, k = f"{base}{k}", k + 1
        self.taken.add(name)
        return name

    def helpers(self) -> list[str]:
        out: list[str] = []
        for info in self.order:
            out += [h for h in info.body.helpers if h not in out]
        return out

    def sources(self) -> list[str]:
        return [class_source(info) for info in self.order]


def symbolize(defn: BlockDef, args: dict, feed: dict):
    """Named stand-ins for a use's arguments and input sizes: (symbolic args, symbolic feed,
    argument -> where its value comes from, argument -> kind)."""
    sources: dict[str, tuple] = {}
    kinds: dict[str, str] = {}
    sym_feed = _input_symbols(defn, feed, sources, kinds)
    sym_args = {}
    for p in defn.params:
        value = args[p.name]
        sources[p.name], kinds[p.name] = ("param", p.name), p.kind
        if p.kind == "int":
            sym_args[p.name] = SymInt.name(p.name, value)
        elif p.kind == "float":
            sym_args[p.name] = SymFloat(value, p.name)
        else:
            sym_args[p.name] = value
    return sym_args, sym_feed, sources, kinds


def _input_symbols(defn: BlockDef, feed: dict, sources: dict, kinds: dict) -> dict:
    """`in_channels`, `in_height`, ... (`x_channels` with several inputs) for each size."""
    ports = defn.inputs()
    taken = {p.name for p in defn.params}
    sym_feed = {}
    for j, port in enumerate(ports):
        shape, dtype = feed[port]
        prefix = "in" if len(ports) == 1 else identifier(defn.graph.nodes[port].title, "in")
        axes = AXES.get(len(shape), ())
        dims = []
        for axis, size in enumerate(shape):
            name = f"{prefix}_{axes[axis] if axis < len(axes) else f'size{axis}'}"
            while name in taken:
                name += "_"
            taken.add(name)
            sources[name], kinds[name] = ("dim", j, axis), "int"
            dims.append(SymInt.name(name, size))
        sym_feed[port] = (tuple(dims), dtype)
    return sym_feed


def class_source(info: ClassInfo) -> str:
    from backend.codegen.model import docstring_text

    d, body = info.definition, info.body
    base = "nn.Sequential" if d.sequential else "nn.Module"
    doc = docstring_text(d.title or d.id, 100) + (f": {docstring_text(d.note, 300)}"
                                                  if d.note else "")
    args = ", ".join(f"{n}: {info.kinds[n]}" for n in info.signature)
    lines = [f"class {info.name}({base}):", f'{INDENT}"""{doc}."""', "",
             f"{INDENT}def __init__(self{', ' if args else ''}{args}):"]
    if d.sequential:
        return "\n".join(lines + _sequential_init(body))
    lines.append(f"{INDENT * 2}super().__init__()")
    lines += [INDENT * 2 + line for line in body.init]
    outs = body.returns(d.outputs())
    hint = "torch.Tensor" if len(outs) == 1 else "tuple[torch.Tensor, ...]"
    params = ", ".join(f"{a}: torch.Tensor" for a in body.args)
    lines += ["", f"{INDENT}def forward(self, {params}) -> {hint}:"]
    lines += [INDENT * 2 + line + _comment(info, nid) for line, nid in body.forward]
    lines.append(f"{INDENT * 2}return {', '.join(outs)}")
    return "\n".join(lines)


def _sequential_init(body: BodyWriter) -> list[str]:
    """`super().__init__(...)` with one entry per layer or loop, then the weight-init lines,
    each addressing its layer by position (`self[2].weight`)."""
    from backend.codegen.model import ExportError

    out = [f"{INDENT * 2}super().__init__("]
    posts: list[str] = []
    fixed, counts = 0, []
    for expr, nid, count in body.entries:
        if not expr:
            raise ExportError(f"layer '{body.graph.nodes[nid].title or nid}' has no module of "
                              "its own, so it cannot be part of a sequential block: turn "
                              "'sequential' off for that block")
        out.append(f"{INDENT * 3}{expr},")
        position = " + ".join([*counts, str(fixed)] if fixed or not counts else counts)
        posts += [f"{INDENT * 2}{line.format(self=f'self[{position}]')}"
                  for line, owner in body.post if owner == nid]
        if count.isdigit():
            fixed += int(count)
        else:
            counts.append(f"({count})" if " " in count else count)
    out.append(f"{INDENT * 2})")
    return out + posts


def _comment(info: ClassInfo, nid: str | None) -> str:
    shapes = info.shapes.get(nid) if nid else None
    if not shapes or any(s is None for s in shapes):
        return ""
    dims = []
    for axis, size in enumerate(shapes[0]):
        if all(len(s) > axis and s[axis] == size for s in shapes):
            dims.append(str(size))
            continue
        sym = info.symbolic.get(nid)
        value = sym[axis] if sym is not None and axis < len(sym) else None
        text = render(value.poly) if isinstance(value, SymInt) else "?"
        names = value.deps if isinstance(value, SymInt) else {"?"}
        dims.append(text if len(text) <= 20 and names <= set(info.signature) else "?")
    return f"  # {fmt(tuple(dims))}"
