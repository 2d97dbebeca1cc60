"""The original module's names for an imported design's layers, kept in the design.

An import records, in the design's `origin` section, which submodule of the original each
layer came from: `{"framework": "pytorch", "source": "net.py", "class": "Net",
"modules": {layer: "features.0"}}`, a layer named by its node id, or by its id path inside
blocks (`layer1/0/conv1`). An import that keeps the author's modules as blocks usually has
the original's names already; elsewhere layers keep their own (sanitised) attribute names
(`features_0`), and these maps turn state_dict keys from the original's names into the
design's and back, so the author's weights load into the built model and into the exported
code (`state_prefixes`, `to_design_keys`, `to_original_keys`, `OriginalNames`). A renamed
layer keeps its origin (the map is by node id); a deleted one drops out of it.
"""

from __future__ import annotations

from backend.graph.document import GraphDocument
from backend.graph.naming import attribute_names

SECTION = "origin"
# layer types whose built module holds the torch module one attribute down
WRAPPED = {"LSTM": "rnn", "GRU": "rnn", "SimpleRNN": "rnn"}


def origin_modules(doc: GraphDocument) -> dict[str, str]:
    """layer -> the original submodule path, for the layers still in the design. A layer
    is named by its id, or inside blocks by its id path (`layer1/0/conv1`)."""
    section = doc.sections.get(SECTION)
    modules = section.get("modules") if isinstance(section, dict) else None
    if not isinstance(modules, dict):
        return {}
    return {key: path for key, path in modules.items() if isinstance(key, str)
            and key.split("/")[0] in doc.nodes and isinstance(path, str) and path}


def _node_at(doc: GraphDocument, key: str):
    """The node an id path names (copy indices of repeated blocks skipped), or None."""
    graph, node = doc, None
    for part in key.split("/"):
        if node is not None and node.type == "Block" and part.isdigit() and \
                part not in graph.nodes:
            continue
        node = graph.nodes.get(part)
        if node is None:
            return None
        if node.type == "Block":
            defn = doc.root.blocks.get(node.params.get("definition"))
            graph = defn.graph if defn is not None else GraphDocument()
    return node


def state_prefixes(doc: GraphDocument, names: dict[str, str] | None = None,
                   paths: dict[str, str] | None = None) -> dict[str, str]:
    """original submodule path -> the design's module path, where the two differ. `paths`
    (backend.module_paths.layer_paths) places the layers inside blocks."""
    modules = origin_modules(doc)
    if paths is None and any("/" in key for key in modules):
        from backend.module_paths import layer_paths
        from backend.shapes import analyse

        paths = layer_paths(doc, analyse(doc))
    names = names or attribute_names(doc)
    out: dict[str, str] = {}
    for key, path in modules.items():
        node = _node_at(doc, key)
        base = names.get(key) if "/" not in key else (paths or {}).get(key)
        if node is None or base is None:
            continue
        inner = WRAPPED.get(node.type)
        ours = base + (f".{inner}" if inner else "")
        if ours != path and path not in out:
            out[path] = ours
    return out


def rename(state: dict, prefixes: dict[str, str], keep: set[str] | None = None) -> dict:
    """Keys starting with an old prefix get the new one (longest prefix wins); keys in
    `keep` (already the target's names) stay as they are. Order is kept."""
    ordered = sorted(prefixes, key=len, reverse=True)
    out = {}
    for key, value in state.items():
        new = key
        if keep is None or key not in keep:
            for old in ordered:
                if key.startswith(old + "."):
                    new = prefixes[old] + key[len(old):]
                    break
        out[new] = value
    return out


def to_design_keys(doc: GraphDocument, state: dict, own: set[str] | None = None) -> dict:
    """A state_dict in the original's names -> the design's names (others unchanged)."""
    return rename(state, state_prefixes(doc), own)


def to_original_keys(doc: GraphDocument, state: dict) -> dict:
    """The design model's state_dict -> the original's names (for the author's code)."""
    return rename(state, {v: k for k, v in state_prefixes(doc).items()})


class OriginalNames:
    """A load_state_dict pre-hook: the original's keys are renamed to this model's.

    A class (not a closure) so built models stay picklable and deep-copyable."""

    def __init__(self, prefixes: dict[str, str]):
        self.prefixes = dict(prefixes)

    def __call__(self, module, state_dict, prefix, *args) -> None:
        own = {prefix + k for k in module.state_dict()}
        local = {k[len(prefix):]: k for k in state_dict if k.startswith(prefix)}
        moved = rename({k: None for k in local}, self.prefixes,
                       {k[len(prefix):] for k in own})
        for (old, full), new in zip(local.items(), moved, strict=True):
            if new != old:
                state_dict[prefix + new] = state_dict.pop(full)


def attach(model, doc: GraphDocument, names: dict[str, str] | None = None) -> None:
    """Let `model.load_state_dict` take the original module's state_dict as it is."""
    prefixes = state_prefixes(doc, names, getattr(model, "layer_paths", None))
    if prefixes:
        model.register_load_state_dict_pre_hook(OriginalNames(prefixes))


def code_block(doc: GraphDocument, names: dict[str, str],
               paths: dict[str, str] | None = None) -> tuple[str, list[str]]:
    """(module-level source, __init__ lines) that give exported code the same hook."""
    prefixes = state_prefixes(doc, names, paths)
    if not prefixes:
        return "", []
    section = doc.sections.get(SECTION) or {}
    owner = str(section.get("class") or "original module")
    owner = "".join(ch for ch in owner if ch.isalnum() or ch == "_")[:60] or "original"
    lines = [f"# {owner}'s state_dict names -> the attributes here: load_state_dict takes "
             "both.", "ORIGINAL_NAMES = {"]
    lines += [f"    {old!r}: {new!r}," for old, new in prefixes.items()]
    lines += ["}", "", "", "def original_names(module, state_dict, prefix, *args):",
              f'    """Rename keys of a {owner} state_dict to this module\'s, in place."""',
              "    own = module.state_dict().keys()",
              "    for key in [k for k in state_dict if k.startswith(prefix)]:",
              "        local = key[len(prefix):]",
              "        old = max((o for o in ORIGINAL_NAMES if local.startswith(o + \".\")),",
              "                  key=len, default=None)",
              "        if old is not None and local not in own:",
              "            new = ORIGINAL_NAMES[old] + local[len(old):]",
              "            state_dict[prefix + new] = state_dict.pop(key)"]
    return "\n".join(lines), ["self.register_load_state_dict_pre_hook(original_names)"]
