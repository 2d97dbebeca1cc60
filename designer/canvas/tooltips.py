"""Tooltip text for nodes: what the layer does, its shapes, its problems with the fix, and the
output-size (or parameter) arithmetic with the actual numbers where backend.explain has one.
"""

from __future__ import annotations

import html

from backend.explain import explain_shape
from backend.graph.ports import node_spec
from designer.canvas import style as st


def explain(doc, analysis, node_id: str) -> str:
    """The arithmetic from backend.explain, or "" when the layer has none."""
    try:
        text = explain_shape(doc, analysis, node_id)
    except Exception:  # an explanation must never break hovering
        return ""
    if isinstance(text, list | tuple):
        text = "\n".join(str(t) for t in text)
    return str(text or "")


def node_tooltip(doc, analysis, node_id: str, heat: float | None = None) -> str:
    node = doc.nodes.get(node_id)
    if node is None:
        return ""
    spec = node_spec(doc, node)
    esc = html.escape
    lines = [f"<b>{esc(node.title or node_id)}</b> &nbsp;<i>{esc(node.type)}</i>"]
    if spec is not None:
        lines.append(esc(spec.description))
    ins = analysis.in_texts(node_id)
    out = analysis.shapes.get(node_id)
    if ins:
        lines.append("in: " + ", ".join(esc(s) for s in ins))
    lines.append("out: " + (esc(analysis.shape_text(node_id)) if out is not None
                            else "unknown"))
    if node_id in analysis.counts:
        lines.append(f"parameters: {analysis.counts[node_id]:,}")
    arithmetic = explain(doc, analysis, node_id)
    if arithmetic:
        lines.append("<pre>" + esc(arithmetic) + "</pre>")
    if heat is not None:
        lines.append(f"gradient: {heat:.2f} ({st.heat_word(heat)})")
    for problem in analysis.problems_for(node_id):
        mark = "⚠ problem" if problem.severity == "error" else "⚠ warning"
        lines.append(f"<b>{mark}:</b> {esc(problem.message)}")
    lines.append("<span style='color:gray'>F2 renames · drag a port to connect</span>")
    return "<br>".join(lines)
