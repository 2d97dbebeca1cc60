"""The design embedded in exported Python, so Netwright can open the file again.

The exported module ends with `NETWRIGHT_DESIGN = ("...", "...")`: the design JSON split into
one `repr()` string literal per line. `repr` always yields a valid literal that evaluates to
exactly the text, so no title can break out of it. Reading it back uses `ast` and
`ast.literal_eval` on that one assignment: the file is parsed, never executed.
"""

from __future__ import annotations

import ast
import json

from backend.graph.document import GraphDocument
from backend.project.design import doc_to_dict

MARKER = "NETWRIGHT_DESIGN"
INDENT = "    "


def design_json(doc: GraphDocument) -> str:
    """The design as JSON with one line per node, wire and comment (ASCII only)."""
    data = doc_to_dict(doc)
    lines = ["{"]
    keys = sorted(data)
    for i, key in enumerate(keys):
        comma = "," if i < len(keys) - 1 else ""
        value = data[key]
        head = json.dumps(key) + ": "
        if isinstance(value, list) and value:
            lines.append(" " + head + "[")
            items = [_compact(v) for v in value]
            lines += [f"  {item}," for item in items[:-1]] + [f"  {items[-1]}"]
            lines.append(" ]" + comma)
        else:
            lines.append(" " + head + _compact(value) + comma)
    lines.append("}")
    return "\n".join(lines) + "\n"


def _compact(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=True, allow_nan=False)


def design_block(doc: GraphDocument) -> str:
    """The Python statement holding the design (appended to the exported module)."""
    pieces = design_json(doc).splitlines(keepends=True)
    out = ["# The design this file was exported from: Netwright opens this file again by "
           "reading it.", f"{MARKER} = ("]
    out += [INDENT + repr(piece) for piece in pieces]
    out.append(")")
    return "\n".join(out) + "\n"


def find_design(tree: ast.Module) -> str | None:
    """The embedded design text from a parsed module, or None if there is none."""
    for stmt in tree.body:
        if (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
                and isinstance(stmt.targets[0], ast.Name) and stmt.targets[0].id == MARKER):
            try:
                value = ast.literal_eval(stmt.value)
            except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                return None
            return value if isinstance(value, str) else None
    return None
