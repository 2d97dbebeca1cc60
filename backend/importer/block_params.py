"""What the uses of one module class share, and what becomes the block's parameters.

Two calls of a module class become uses of one block definition when their bodies are the
same graph up to numbers (`signature`: layer types, names, wiring and every non-numeric
parameter equal). The numbers that differ between the uses (`slots`) become the block's
parameters: numbers that are equal in every use share one parameter, named after the
constructor argument that holds that value in every use (`out_channels`), else after the
layer parameter (`filters`, `conv1_stride`); a number that is a fixed multiple or fraction
of another parameter in every use is written as an expression over it (`{planes * 4}`).
Numbers that are the same in every use stay plain numbers.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass

from backend.graph.definition import BLOCK, BlockParam
from backend.graph.document import GraphDocument

Slot = tuple[str, tuple]  # (body node id, key path inside its params)


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _walk(value, path: tuple, out: list) -> object:
    """The value's structure with numbers replaced by '#'; numbers' paths go to `out`."""
    if _is_number(value):
        out.append(path)
        return "#"
    if isinstance(value, dict):
        return tuple((k, _walk(value[k], (*path, k), out)) for k in sorted(value))
    if isinstance(value, list | tuple):
        return tuple(_walk(v, (*path, i), out) for i, v in enumerate(value))
    return value


def _numbers(node) -> tuple[object, list[tuple]]:
    paths: list[tuple] = []
    params = node.params
    if node.type == BLOCK:  # the definition is structure; its arguments and repeat are not
        params = {"args": params.get("args", {}), "repeat": params.get("repeat", 1),
                  "definition": params.get("definition")}
    return _walk(params, (), paths), paths


def signature(graph: GraphDocument, kind: object, sequential: bool) -> tuple:
    """The body with every number blanked out (uses with equal signatures share a class)."""
    nodes = tuple((nid, n.type, n.title, _numbers(n)[0]) for nid, n in graph.nodes.items())
    edges = tuple((e.src, e.dst, e.src_port, e.dst_port) for e in graph.edges)
    return kind, sequential, nodes, edges


def slots(graph: GraphDocument) -> list[Slot]:
    return [(nid, path) for nid, n in graph.nodes.items() for path in _numbers(n)[1]]


def _params_of(node) -> dict:
    if node.type != BLOCK:
        return node.params
    return {"args": node.params.get("args", {}), "repeat": node.params.get("repeat", 1)}


def get_slot(graph: GraphDocument, slot: Slot):
    value = _params_of(graph.nodes[slot[0]])
    for key in slot[1]:
        value = value[key]
    return value


def set_slot(graph: GraphDocument, slot: Slot, new) -> None:
    node = graph.nodes[slot[0]]
    path = slot[1]
    if node.type == BLOCK and path[0] == "repeat":
        node.params["repeat"] = new
        return
    value = node.params
    for key in path[:-1]:
        value = value[key]
    value[path[-1]] = new


@dataclass
class Parameters:
    params: tuple[BlockParam, ...]
    values: dict[int, str]  # slot index -> expression written into the body
    args: list[dict]  # per use: parameter -> value


def parameters(graph: GraphDocument, uses: list[GraphDocument], known: list[dict],
               owner: str) -> Parameters:
    """The block's parameters from the numbers that differ between `uses` (their bodies);
    `known` gives each use's constructor arguments (name -> number) for naming them."""
    found = slots(graph)
    vectors = [tuple(get_slot(use, slot) for use in uses) for slot in found]
    clusters: dict[tuple, list[int]] = {}
    for i, vector in enumerate(vectors):
        if any(v != vector[0] for v in vector):
            clusters.setdefault(vector, []).append(i)
    named: dict[tuple, str] = {}
    result = Parameters((), {}, [{} for _ in uses])
    taken: set[str] = set()
    params: list[BlockParam] = []
    for vector, members in clusters.items():
        relation = _relation(vector, named) if not _argument(vector, known) else None
        if relation is not None:
            for i in members:
                result.values[i] = "{" + relation + "}"
            continue
        name = _unique(_name(vector, members, found, graph, known), taken)
        named[vector] = name
        kind = "int" if all(isinstance(v, int) for v in vector) else "float"
        params.append(BlockParam(name, kind, vector[0], _doc(owner, vector)))
        for i in members:
            result.values[i] = "{" + name + "}"
        for k, value in enumerate(vector):
            result.args[k][name] = value
    result.params = tuple(params)
    return result


def _argument(vector: tuple, known: list[dict]) -> list[str]:
    """Constructor arguments holding exactly these numbers in every use, input sizes last."""
    if not known or any(not k for k in known):
        return []
    names = [n for n in known[0] if all(n in k and k[n] == v and type(k[n]) is type(v)
                                        for k, v in zip(known, vector, strict=True))]
    return sorted(names, key=_looks_like_input)  # stable: input sizes go last


def _looks_like_input(name: str) -> bool:
    """`in_channels`, `inplanes`, `inp`, `x1_channels`: the size of what flows in (the
    exported class derives those from its inputs anyway)."""
    return bool(re.match(r"^(in|inp|input|n_in|num_in|x\d*|c_in|cin)(_|$|planes|channels|"
                         r"features|put|c$)", name))


_FORMS = ([(f"{{}} * {f}", lambda b, f=f: b * f) for f in range(2, 9)]
          + [(f"{{}} // {f}", lambda b, f=f: b // f) for f in range(2, 9)]
          + [(f"({{}} - {c}) // {f}", lambda b, c=c, f=f: (b - c) // f)
             for c in (1, 2) for f in (2, 4)]
          + [(f"{{}} - {c}", lambda b, c=c: b - c) for c in (1, 2)]
          + [(f"{{}} + {c}", lambda b, c=c: b + c) for c in (1, 2)])


def _relation(vector: tuple, named: dict[tuple, str]) -> str | None:
    """`planes * 4`, `kernel_size // 2` or `(kernel_size - 1) // 2` when `vector` follows
    from a parameter's numbers in every use. Only sizes serve as the base (some use above
    2), so strides and flags are not mistaken for the sizes they happen to match."""
    if not all(isinstance(v, int) and v >= 0 for v in vector):
        return None
    for base, name in named.items():
        if not all(isinstance(b, int) and b >= 1 for b in base) or max(base) < 3:
            continue
        for form, apply in _FORMS:
            if all(v == apply(b) for v, b in zip(vector, base, strict=True)):
                return form.format(name)
    return None


def _name(vector, members, found, graph, known) -> str:
    args = _argument(vector, known)
    if args:
        return args[0]
    keys = {found[i][1][1] if found[i][1][0] == "args" else found[i][1][0] for i in members}
    first = found[members[0]]
    if first[1][0] == "repeat":
        return "blocks"
    if len(keys) == 1:
        return str(next(iter(keys)))
    title = graph.nodes[first[0]].title or first[0]
    return f"{title}_{first[1][0]}"


def _unique(name: str, taken: set[str]) -> str:
    base = re.sub(r"\W+", "_", name).strip("_").lower() or "size"
    if base[0].isdigit() or keyword.iskeyword(base) or base in ("self", "x"):
        base = f"p_{base}"
    candidate, k = base, 2
    while candidate in taken:
        candidate, k = f"{base}_{k}", k + 1
    taken.add(candidate)
    return candidate


def _doc(owner: str, vector: tuple) -> str:
    values = ", ".join(str(v) for v in dict.fromkeys(vector))
    return f"Differs between the uses of {owner} ({values})."


def camel(text: str) -> str:
    """'double_conv' -> 'DoubleConv', 'layer' -> 'Layer'."""
    return "".join(p[:1].upper() + p[1:] for p in re.findall(r"[A-Za-z0-9]+", text))


def common_title(titles: list[str]) -> str:
    """The name shared by a sequence's uses: layer2, layer3, layer4 -> 'Layer' ('' for
    entries of a sequence: 0, 1)."""
    stems = {re.sub(r"[_\d]+$", "", t) for t in titles}
    stem = next(iter(stems)) if len(stems) == 1 else ""
    return camel(stem)
