"""The canvas's derived data: shapes, counts and problem badges on layers and wires.

After an edit the editor's analysis names the layers it inferred again (`Analysis.changed`);
only those, the layers whose problems changed, layers added since the last analysis, and the
wires touching them are refreshed, so an edit in a design of thousands of layers repaints a
handful of items. A full analysis (opening a design, a design with blocks, the inside of a
block) refreshes every item.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF

EXACT_WIRES = 2000  # more wires than this: their swing is covered by a margin, not measured
WIRE_MARGIN = 60.0


class SceneAnalysis:
    """Mixin of CanvasScene: keeps items' shapes, counts and badges in step with analyses."""

    def _init_analysis_state(self) -> None:
        self._unanalysed: set[str] = set()  # layers added since the last refresh
        self._badged: set[str] = set()  # layers that showed problems after the last refresh

    def refresh_analysis(self) -> None:
        analysis = self.analysis
        by_node: dict[str, list] = {}
        for problem in analysis.problems:
            by_node.setdefault(problem.node, []).append(problem)
        changed = analysis.changed
        if changed is None or self.editor.scope or self.expanded:
            ids = self.nodes.keys()
            wires = self.wires.keys()
        else:
            ids = (changed | self._unanalysed | self._badged | by_node.keys()) \
                & self.nodes.keys()
            wires = {e for nid in ids for e in self._wires_at.get(nid, ())} & self.wires.keys()
        self._unanalysed.clear()
        self._badged = set(by_node)
        for nid in ids:
            item = self.nodes[nid]
            item.set_analysis(analysis.shape_text(nid), analysis.counts.get(nid),
                              by_node.get(nid, []))
        for edge in wires:
            wire = self.wires[edge]
            shape, kind = analysis.edge_shape(edge), analysis.edge_kind(edge)
            problems = by_node.get(edge.dst)  # most layers have none: no text to compare
            wire.set_shape(shape, shape is not None and bool(problems) and refuses(
                analysis.edge_text(edge), problems), kind)
        self.frames.refresh()
        if self.expanded:  # the shapes shown inside expanded blocks
            self.apply_expansion()


def content_rect(scene, wires: bool = False) -> QRectF:
    """The extent of the layers and comments (and the wires): the layers on the outer rows
    and columns are measured, the others only located from the document (a layer being
    dragged counts where it was), so thousands of layers take a few ms."""
    rect = QRectF()
    placed = []
    nodes, moved = scene.doc.nodes, scene._offsets
    for nid, item in scene.nodes.items():
        if item.content is not None or nid not in nodes:  # an expanded block: measured
            rect = rect.united(item.sceneBoundingRect())
        else:  # where the scene placed it (display_pos; reading Qt's positions is slower)
            x, y = nodes[nid].pos
            dx, dy = moved.get(nid, (0.0, 0.0))
            placed.append((x + dx, y + dy, item))
    if placed:
        xs, ys = [p[0] for p in placed], [p[1] for p in placed]
        edges = (min(xs), max(xs)), (min(ys), max(ys))
        for x, y, item in placed:
            if x in edges[0] or y in edges[1]:
                rect = rect.united(item.sceneBoundingRect())
    for item in scene.comments.values():
        rect = rect.united(item.sceneBoundingRect())
    if wires and len(scene.wires) <= EXACT_WIRES:
        for item in scene.wires.values():  # those back to the next row swing out
            rect = rect.united(item.sceneBoundingRect())
    elif wires and not rect.isNull():
        rect = rect.adjusted(-WIRE_MARGIN, -WIRE_MARGIN, WIRE_MARGIN, WIRE_MARGIN)
    return rect


def refuses(text: str, problems) -> bool:
    """Does an error on the wire's destination name the shape the wire carries?"""
    return any(p.severity == "error" and text in p.message for p in problems or ())
