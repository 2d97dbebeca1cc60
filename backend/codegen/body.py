"""The `__init__` and `forward` lines of one graph: the model's class or a block's class.

`BodyWriter` walks a graph with the shared traversal and writes one `__init__` line per layer
and one `forward` line per node. It reads parameters and input shapes from `analysis` (the
design's, or a symbolic run of a block's body, so sizes print as `channels` rather than 64)
and the real shapes for comments from `concrete`. A Block node is a call of its definition's
class (backend/codegen/blocks.py); a repeat is `nn.Sequential` of calls, written as a loop
where the calls agree (`*[Block(...) for _ in range(n)]`).
"""

from __future__ import annotations

from backend.codegen.symbolic import collect, plain, progression, strict, with_index
from backend.graph.definition import BLOCK, BLOCK_INPUT, BLOCK_OUTPUT, uses
from backend.graph.document import GraphDocument
from backend.graph.naming import attribute_names
from backend.graph.traverse import plan
from backend.layers import get_spec
from backend.shape_blocks import is_repeated
from backend.shapes import Analysis

ENTRY = ("Input", BLOCK_INPUT)


class BodyWriter:
    def __init__(self, classes, graph: GraphDocument, analysis: Analysis,
                 concrete: Analysis) -> None:
        self.classes, self.graph = classes, graph
        self.analysis, self.concrete = analysis, concrete
        self.names = attribute_names(graph)
        self.init: list[str] = []
        self.forward: list[tuple[str, str | None]] = []  # (line, node whose shape it makes)
        self.entries: list[tuple[str, str, str]] = []  # sequential: (expression, node, count)
        self.post: list[tuple[str, str]] = []  # sequential: (statement over {self}, node id)
        self.helpers: list[str] = []
        self.var: dict[tuple[str, str], str] = {}
        self.args: list[str] = []  # forward arguments, in order
        self.used: set[str] = set()

    def steps(self):
        order = [n for n in self.analysis.order if n in self.graph.nodes]
        return plan(self.graph, order)

    def walk(self) -> None:
        with strict(), collect() as used:
            for step in self.steps():
                self._step(step)
        self.used = used

    def returns(self, node_ids: list[str]) -> list[str]:
        """Variables a block returns: what reaches each BlockOutput."""
        out = []
        for oid in node_ids:
            step = next(s for s in self.steps() if s.node.id == oid)
            out.append(self.var[(step.sources[0], step.ports[0])])
        return out

    def _step(self, step) -> None:
        node, nid = step.node, step.node.id
        name = self.names[nid]
        if node.type == "GraphInput":
            for port in ("x", "adj"):
                var = _graph_argument(name, port, self.names)
                self.var[(nid, port)] = var
                self.args.append(var)
            return
        if node.type in ENTRY:
            var = _argument(name, node, self.names)
            self.var[(nid, "out")] = var
            self.args.append(var)
            return
        if node.type == BLOCK_OUTPUT:
            return
        if node.type == BLOCK:
            self._block(step, name)
        else:
            self._layer(step, name)

    def _inputs(self, step) -> list[str]:
        ports = step.ports or ("out",) * len(step.sources)
        return [self.var[(s, p)] for s, p in zip(step.sources, ports, strict=True)]

    def _layer(self, step, name: str) -> None:
        nid = step.node.id
        spec = get_spec(step.node.type)
        form = code_form(spec, self.analysis.params[nid], self.analysis.in_shapes.get(nid, []))
        for helper in form.helpers:
            if helper not in self.helpers:
                self.helpers.append(helper)
        self.var[(nid, "out")] = name
        if form.init is not None:
            self.init.append(f"self.{name} = {form.init}")
            self.init += [line.format(self=f"self.{name}") for line in form.post]
            self.entries.append((form.init, nid, "1"))
            self.post += [(line, nid) for line in form.post]
        elif form.forward == "{x}":
            self.entries.append(("nn.Identity()", nid, "1"))
        else:
            self.entries.append(("", nid, "1"))  # no module: cannot be in nn.Sequential
        args = self._inputs(step)
        expr = form.forward.format(self=f"self.{name}", x=args[0] if args else "",
                                   xs=", ".join(args), sum=" + ".join(args),
                                   prod=" * ".join(args))
        self.forward.append((f"{name} = {expr}", nid))

    def _block(self, step, name: str) -> None:
        node, nid = step.node, step.node.id
        defn = self.classes.doc.root.blocks[uses(node.params)]
        calls = self._calls(nid, defn)
        repeat = self.analysis.params[nid]["repeat"]
        if not is_repeated(node.params):
            self.init.append(f"self.{name} = {calls[0]}")
            self.entries.append((str(calls[0]), nid, "1"))
        else:
            parts = loop_entries(calls, repeat)
            self.entries += [(text, nid, count) for text, count in parts]
            container = "nn.Sequential" if len(defn.inputs()) == 1 else "RepeatedBlock"
            if container == "RepeatedBlock" and container not in self.helpers:
                self.helpers.append(container)
            items = ", ".join(t for t, _ in parts)
            if container == "RepeatedBlock":
                items = f"[{items}]"
            self.init.append(f"self.{name} = {container}({items})")
        outs = defn.outputs()
        names = [name] if len(outs) == 1 else [f"{name}_{_suffix(q)}" for q in outs]
        for q, var in zip(outs, names, strict=True):
            self.var[(nid, q)] = var
        self.forward.append((f"{', '.join(names)} = self.{name}({', '.join(self._inputs(step))})",
                             nid))

    def _calls(self, nid: str, defn) -> list:
        """One call (with its class) per copy of the block, sizes as this body sees them."""
        runs = self.concrete.instances[nid]
        sym_runs = self.analysis.instances[nid]
        args = self.concrete.params[nid]["args"]
        sym_args = self.analysis.params[nid]["args"]
        calls = []
        for run, sym_run in zip(runs, sym_runs, strict=True):
            feed = {p: (run.shapes[p], run.dtypes.get(p, "float32")) for p in defn.inputs()}
            info = self.classes.for_use(defn, run, args, feed)
            sym_feed = [sym_run.shapes[p] for p in defn.inputs()]
            calls.append(Call(info, info.arguments(sym_args, sym_feed)))
        return calls


def code_form(spec, params: dict, ins: list):
    """The layer's code form over (symbolic) values; a form that needs plain comparisons
    (a Reshape with a -1 to fill in) gets them, and the numbers decide."""
    try:
        return spec.code(params, ins)
    except Exception:
        with plain():
            return spec.code(params, ins)


class Call:
    """One constructor call: the class and the value of each of its arguments."""

    def __init__(self, info, values: dict) -> None:
        self.info, self.values = info, values

    def text(self, values: dict | None = None) -> str:
        values = self.values if values is None else values
        args = ", ".join(f"{k}={v!r}" for k, v in values.items())
        return f"{self.info.name}({args})"

    def __str__(self) -> str:
        return self.text()


def loop_entries(calls: list[Call], repeat) -> list[tuple[str, str]]:
    """`nn.Sequential` entries (text, how many modules) for a repeat's calls: one loop when
    they agree (or differ by a fixed step, `in_channels + i * growth`), else runs of equal
    calls."""
    texts = [c.text() for c in calls]
    count = repr(repeat)
    if len(set(texts)) == 1:
        return [(f"*[{texts[0]} for _ in range({count})]", count)]
    if len({c.info.name for c in calls}) == 1:
        steps = {k: progression([c.values[k] for c in calls]) for k in calls[0].values}
        if all(steps[k] is not None or len({repr(c.values[k]) for c in calls}) == 1
               for k in steps):
            index = "i" if "i" not in calls[0].values else "k"
            values = {k: with_index(*steps[k], index) if steps[k] else calls[0].values[k]
                      for k in calls[0].values}
            return [(f"*[{calls[0].text(values)} for {index} in range({count})]", count)]
    out: list[tuple[str, str]] = []
    k = 0
    while k < len(texts):
        j = k
        while j < len(texts) and texts[j] == texts[k]:
            j += 1
        out.append((texts[k], "1") if j - k == 1 else
                   (f"*[{texts[k]} for _ in range({j - k})]", str(j - k)))
        k = j
    return out


def _argument(name: str, node, names: dict) -> str:
    """A forward argument: a block input titled `x` is `x` (not the reserved-name `x_`)."""
    plain = name.rstrip("_")
    if node.type == BLOCK_INPUT and plain in ("x", "xs") and plain not in names.values():
        return plain
    return name


def _graph_argument(name: str, port: str, names: dict) -> str:
    """A Graph input's arguments are `x` and `adj`, as practitioners write them (`graph_x`,
    `graph_adj` when a layer already has the name)."""
    taken = set(names.values())
    return port if port not in taken and f"{port}_" not in taken else f"{name}_{port}"


def _suffix(port: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in port).strip("_") or "out"
