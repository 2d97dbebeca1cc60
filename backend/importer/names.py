"""The original module's names for an imported design's layers, kept in the design.

An import records, in the design's `origin` section, which submodule of the original each
layer came from: `{"framework": "pytorch", "source": "net.py", "class": "Net",
"modules": {node id: "features.0"}}`. Layers keep their own (sanitised) attribute names
(`features_0`); these maps turn state_dict keys from the original's names into the design's
and back, so the author's weights load into the built model and into the exported code
(`state_prefixes`, `to_design_keys`, `to_original_keys`, `OriginalNames`). A renamed layer
keeps its origin (the map is by node id); a deleted one drops out of it.
"""

from __future__ import annotations

from backend.graph.document import GraphDocument
from backend.graph.naming import attribute_names

SECTION = "origin"
# layer types whose built module holds the torch module one attribute down
WRAPPED = {"LSTM": "rnn", "GRU": "rnn", "SimpleRNN": "rnn"}


def origin_modules(doc: GraphDocument) -> dict[str, str]:
    """node id -> the original submodule path, for the nodes still in the design."""
    section = doc.sections.get(SECTION)
    modules = section.get("modules") if isinstance(section, dict) else None
    if not isinstance(modules, dict):
        return {}
    return {nid: path for nid, path in modules.items()
            if nid in doc.nodes and isinstance(path, str) and path}


def state_prefixes(doc: GraphDocument, names: dict[str, str] | None = None) -> dict[str, str]:
    """original submodule path -> the design's module path, where the two differ."""
    names = names or attribute_names(doc)
    out: dict[str, str] = {}
    for nid, path in origin_modules(doc).items():
        inner = WRAPPED.get(doc.nodes[nid].type)
        ours = names[nid] + (f".{inner}" if inner else "")
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
    prefixes = state_prefixes(doc, names)
    if prefixes:
        model.register_load_state_dict_pre_hook(OriginalNames(prefixes))


def code_block(doc: GraphDocument, names: dict[str, str]) -> tuple[str, list[str]]:
    """(module-level source, __init__ lines) that give exported code the same hook."""
    prefixes = state_prefixes(doc, names)
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
