"""Python identifiers for nodes, shared by the model builder and the Python exporter.

Names come from node titles, sanitised to `[a-z_][a-z0-9_]*`, made unique, and kept clear of
Python keywords and nn.Module attributes, so a title can never inject code and the built
model's state_dict keys equal the exported module's.
"""

from __future__ import annotations

import keyword
import re

from backend.graph.document import GraphDocument

_RESERVED = {
    "forward", "training", "eval", "train", "parameters", "modules", "children", "state_dict",
    "load_state_dict", "to", "cuda", "cpu", "type", "float", "double", "half", "apply",
    "zero_grad", "register_buffer", "add_module", "self", "torch", "nn", "x", "xs", "super",
    "dump_patches", "call_super_init", "inputs", "outputs", "bfloat16", "requires_grad_",
    "get_submodule", "named_modules", "buffers", "extra_repr", "share_memory", "ipu", "xpu",
    "mtia", "compile", "get_buffer", "get_extra_state", "get_parameter", "named_buffers",
    "named_children", "named_parameters", "register_backward_hook", "register_forward_hook",
    "register_forward_pre_hook", "register_full_backward_hook",
    "register_full_backward_pre_hook", "register_load_state_dict_post_hook",
    "register_load_state_dict_pre_hook", "register_module", "register_parameter",
    "register_state_dict_post_hook", "register_state_dict_pre_hook", "set_extra_state",
    "set_submodule", "to_empty",
    # attributes of the built GraphModel (backend/build.py)
    "input_ids", "output_ids", "node_attrs",
}


def identifier(text: str, fallback: str = "layer") -> str:
    name = re.sub(r"[^0-9a-zA-Z_]+", "_", text).strip("_").lower()
    name = re.sub(r"_+", "_", name)
    if not name:
        name = fallback
    if name[0].isdigit():
        name = f"{fallback}_{name}"
    if keyword.iskeyword(name) or name in _RESERVED or name.startswith("_"):
        name = f"{name}_"
    return name[:60]


def attribute_names(doc: GraphDocument) -> dict[str, str]:
    """node id -> unique identifier, in document order (deterministic)."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for nid, node in doc.nodes.items():
        base = identifier(node.title or nid, identifier(node.type))
        name, k = base, 2
        while name in taken:
            name, k = f"{base}_{k}", k + 1
        taken.add(name)
        names[nid] = name
    return names
