"""WireItem: one edge drawn as a cubic Bézier curve, labelled with the tensor shape it carries.

`DragWire` is the temporary curve that follows the cursor while a connection is being drawn.
Both only paint; the scene owns which ports they join and refreshes them when nodes move.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFontMetricsF, QPainter, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem

from backend.graph import Edge
from backend.kinds import ADJACENCY, GRAPHS, NODES, SQUARE, shape_text
from designer.canvas import style as st
from designer.canvas.node_paint import fonts


def curve(a: QPointF, b: QPointF) -> QPainterPath:
    """A left-to-right S curve from output `a` to input `b` (loops round when b is behind a)."""
    ax, ay, bx, by = a.x(), a.y(), b.x(), b.y()
    dx, dy = bx - ax, by - ay
    path = QPainterPath(a)
    if dx >= 0:
        reach = max(40.0, dx * 0.5)
        path.cubicTo(ax + reach, ay, bx - reach, by, bx, by)  # numbers: no points to build
        return path
    # backwards: swing out of the ports, then across between the rows (the next band of a
    # wrapped layout) or round below the nodes (a loop on one row), never through nodes
    # the turns happen right of the source and left of the target (where no layer sits);
    # the wire runs back along the lane between them
    reach = min(120.0, 60.0 - dx * 0.05)
    if abs(dy) > 2 * st.NODE_H:
        low = (a.y() + b.y()) / 2
    else:
        low = max(a.y(), b.y()) + st.NODE_H / 2 + 40.0
    turn = min(reach, abs(low - a.y()) / 2 + 20)
    path.cubicTo(QPointF(a.x() + turn, a.y()), QPointF(a.x() + turn, low), QPointF(a.x(), low))
    path.lineTo(QPointF(b.x(), low))
    turn = min(reach, abs(low - b.y()) / 2 + 20)
    path.cubicTo(QPointF(b.x() - turn, low), QPointF(b.x() - turn, b.y()), b)
    return path


LANE_GAP = 22.0  # how far a detour runs above (or below) the layers it goes around


def detour(a: QPointF, b: QPointF, lane: float) -> QPainterPath:
    """A wire from `a` to `b` that rises (or drops) to the horizontal `lane` and runs along it,
    so a skip connection goes visibly around the layers it skips instead of through them."""
    reach = min(60.0, max(24.0, (b.x() - a.x()) / 6))
    path = QPainterPath(a)
    path.cubicTo(QPointF(a.x() + reach, a.y()), QPointF(a.x() + reach / 2, lane),
                 QPointF(a.x() + 1.5 * reach, lane))
    path.lineTo(QPointF(b.x() - 1.5 * reach, lane))
    path.cubicTo(QPointF(b.x() - reach / 2, lane), QPointF(b.x() - reach, b.y()), b)
    return path


def crosses(path: QPainterPath, rects: list[QRectF], step: float = 12.0) -> list[QRectF]:
    """The rectangles the path runs through (tested at points about `step` apart)."""
    box = path.boundingRect().adjusted(-1, -1, 1, 1)  # a level wire's box has no height,
    near = [r for r in rects if r.intersects(box)]  # and an empty box intersects nothing
    if not near:
        return []
    import numpy as np  # only for wires that may cross a layer, never at start-up

    pts = path_points(path, step)
    r = np.array([(q.left(), q.top(), q.right(), q.bottom()) for q in near])
    x, y = pts[:, 0:1], pts[:, 1:2]
    inside = (x >= r[:, 0]) & (x <= r[:, 2]) & (y >= r[:, 1]) & (y <= r[:, 3])
    return [q for q, hit in zip(near, inside.any(axis=0), strict=True) if hit]


def path_points(path: QPainterPath, step: float):
    """Points along a path of lines and cubic curves, about `step` apart (a numpy array)."""
    import numpy as np

    out, k, n = [], 0, path.elementCount()
    start = None
    while k < n:
        e = path.elementAt(k)
        here = np.array([e.x, e.y])
        if e.isMoveTo() or start is None:
            out.append(here[None])
        elif e.isLineTo():
            count = max(2, int(np.abs(here - start).max() // step) + 2)
            out.append(start + (here - start) * np.linspace(0, 1, count)[:, None])
        else:  # a cubic: this element and the next two hold its control points
            c1, c2 = here, np.array([path.elementAt(k + 1).x, path.elementAt(k + 1).y])
            here = np.array([path.elementAt(k + 2).x, path.elementAt(k + 2).y])
            count = max(8, int(np.abs(here - start).max() // step) + 8)
            t = np.linspace(0, 1, count)[:, None]
            out.append((1 - t) ** 3 * start + 3 * (1 - t) ** 2 * t * c1
                       + 3 * (1 - t) * t ** 2 * c2 + t ** 3 * here)
            k += 2
        start = here
        k += 1
    return np.concatenate(out)


def route(a: QPointF, b: QPointF, blocks: list[QRectF]) -> tuple[QPainterPath, bool]:
    """The wire's path among the layers `blocks` (node rectangles near it, its own two
    excluded), and whether it had to detour around some of them."""
    path = curve(a, b)
    if b.x() - a.x() < st.NODE_W or not blocks:
        return path, False
    hit = crosses(path, blocks)
    if not hit:
        return path, False
    span = [r for r in blocks if r.right() > a.x() + 20 and r.left() < b.x() - 20]
    best = None
    for sign in (-1, 1):  # above first (the usual way a skip connection is drawn), else below
        lane = _lane(hit, sign)
        for _ in range(4):  # clear what the lane itself would run through
            on_lane = [r for r in span if r.top() - LANE_GAP / 2 < lane < r.bottom()
                       + LANE_GAP / 2]
            if not on_lane:
                break
            lane = _lane(on_lane, sign)
        candidate = detour(a, b, lane)
        misses = len(crosses(candidate, blocks))
        if best is None or misses < best[0]:
            best = (misses, candidate)
        if misses == 0:
            break
    return best[1], True


def _lane(rects: list[QRectF], sign: int) -> float:
    return min(r.top() for r in rects) - LANE_GAP if sign < 0 else \
        max(r.bottom() for r in rects) + LANE_GAP


_LABEL_SIZES: dict[str, tuple[float, float]] = {}


def label_size(text: str) -> tuple[float, float]:
    """Width and height of a wire label's pill (memoised: the same shapes recur)."""
    size = _LABEL_SIZES.get(text)
    if size is None:
        fm = QFontMetricsF(fonts()["label"])
        size = _LABEL_SIZES[text] = (fm.horizontalAdvance(text) + 10, fm.height() + 4)
    return size


SELECTABLE = QGraphicsItem.GraphicsItemFlag.ItemIsSelectable  # looked up once
_NO_PATH, _NO_RECT = QPainterPath(), QRectF()
_NO_ENDS = (QPointF(), QPointF(), QPointF())
DEVICE_CACHE = QGraphicsItem.CacheMode.DeviceCoordinateCache


class WireItem(QGraphicsItem):
    def __init__(self, edge: Edge, style: st.CanvasStyle) -> None:
        super().__init__()
        self.edge = edge
        self.style = style
        self.label = ""
        self.bad = False  # the destination reports a problem (e.g. shape mismatch)
        self._tip: tuple | None = None  # (shape, kind): the tooltip is written when hovered
        self._tip_set = False
        self._path = _NO_PATH  # replaced, never changed in place (nor the rectangles)
        self._ends = _NO_ENDS  # start, end, half-way along
        self._label_rect = _NO_RECT
        self._label_on_wire = True
        self.hot = False  # hovered, or a layer dragged over it would be spliced in
        self._bounds = _NO_RECT
        self.setFlags(SELECTABLE)
        self.setAcceptHoverEvents(True)
        self.setCacheMode(DEVICE_CACHE)  # pans blit, not stroke
        self.setZValue(-0.5)  # under the layers (z 0), over the comments (z -1)

    def set_ends(self, a: QPointF, b: QPointF, blocks: list[QRectF] | None = None) -> bool:
        """Draw from `a` to `b`, around the node rectangles `blocks` it would cross;
        True when the wire detours."""
        self.prepareGeometryChange()
        self._path, detoured = route(a, b, blocks or [])
        # a plain left-to-right S curve is symmetric about its centre, which is therefore
        # half-way along it (measuring the curve is slow, and a design has thousands)
        mid = (a + b) / 2 if not detoured and b.x() >= a.x() else self._path.pointAtPercent(0.5)
        self._ends = (a, b, mid)
        self._place_label()
        return detoured

    def ends(self) -> tuple[QPointF, QPointF]:
        """Where the wire starts and ends (scene coordinates)."""
        return self._ends[0], self._ends[1]

    def set_shape(self, shape: tuple[int, ...] | None, bad: bool = False,
                  kind: str = "") -> None:
        """Label the wire with the tensor shape it carries (compact: 6×28×28; N×N for a
        graph's adjacency)."""
        square = shape is not None and kind in SQUARE
        text = "N×N" if square else "×".join(str(d) for d in shape) if shape else ""
        if (text, bad) != (self.label, self.bad):
            self.prepareGeometryChange()
            self.label, self.bad = text, bad
            self._place_label()
            self.update()
            self._tip = (shape, kind)
            if self._tip_set:  # hovered before: keep its tooltip current
                self.setToolTip(self.tooltip())

    def tooltip(self) -> str:
        """What the wire carries, in words (written when first hovered)."""
        if self._tip is None:
            return ""
        shape, kind = self._tip
        square = shape is not None and kind in SQUARE
        lead = {NODES: "N = nodes", GRAPHS: "1 graph"}.get(kind, "B = batch")
        tip = (f"carries {shape_text(shape, kind)} ({lead})" if shape or square else
               "shape unknown until the source layer's shape is known")
        if square:
            tip = (f"carries the graph's adjacency {shape_text(shape, kind)} (N = nodes)"
                   if kind == ADJACENCY else
                   f"carries the scores of every node pair {shape_text(shape, kind)}")
        if self.bad:
            tip += "; the layer it feeds cannot use it (see its ⚠ badge)"
        return tip

    def set_style(self, style: st.CanvasStyle) -> None:
        self.style = style
        self.update()

    def set_hot(self, hot: bool) -> None:
        if hot != self.hot:
            self.hot = hot
            self.update()

    def hoverEnterEvent(self, event) -> None:  # noqa: N802  (Qt API name)
        if not self._tip_set:
            self._tip_set = True
            self.setToolTip(self.tooltip())
        self.set_hot(True)
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event) -> None:  # noqa: N802  (Qt API name)
        self.set_hot(False)
        super().hoverLeaveEvent(event)

    def _place_label(self) -> None:
        if self.label:
            w, h = label_size(self.label)
            a, b, mid = self._ends
            fits = abs(b.x() - a.x()) > w + 28 or abs(b.y() - a.y()) > 3 * h
            self._label_on_wire = fits  # on the wire when there is room, else just above it
            dy = h / 2 if fits else h + 1
            self._label_rect = QRectF(mid.x() - w / 2, mid.y() - dy, w, h)
        else:
            self._label_rect = _NO_RECT
        self._bounds = self._path.boundingRect().adjusted(-6, -6, 6, 6).united(
            self._label_rect.adjusted(-2, -2, 2, 2))

    def path(self) -> QPainterPath:
        return self._path

    def boundingRect(self) -> QRectF:  # noqa: N802  (Qt API name)
        return self._bounds

    def shape(self) -> QPainterPath:
        stroker = QPainterPathStroker()
        stroker.setWidth(10)
        hit = stroker.createStroke(self._path)
        if not self._label_rect.isNull():
            hit.addRect(self._label_rect)
        return hit

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        s = self.style
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        colour = s.wire_selected if self.isSelected() or self.hot else \
            (s.problem if self.bad else s.wire)
        if lod < 0.6:  # zoomed out: thin aliased strokes are ten times cheaper to rasterise
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
            pen = QPen(colour, 0)
            pen.setStyle(Qt.PenStyle.DashLine if self.bad else Qt.PenStyle.SolidLine)
            painter.setPen(pen)
            painter.drawPath(self._path)
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        pen = QPen(colour, 2.6 if self.isSelected() or self.hot else 1.8)
        if self.bad:
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self._path)
        if self.label and lod >= st.DETAIL_LOD:
            if self._label_on_wire:
                painter.setPen(QPen(colour, 1.0))
                painter.setBrush(s.label_fill)
                painter.drawRoundedRect(self._label_rect, 4, 4)
            painter.setFont(fonts()["label"])
            painter.setPen(s.problem if self.bad else s.text_muted)
            painter.drawText(self._label_rect, Qt.AlignmentFlag.AlignCenter, self.label)


class DragWire(QGraphicsItem):
    """The curve that follows the cursor while the user draws a connection."""

    def __init__(self, style: st.CanvasStyle) -> None:
        super().__init__()
        self.style = style
        self.hint = ""
        self._path = QPainterPath()
        self._end = QPointF()
        self.setZValue(10)

    def set_ends(self, a: QPointF, b: QPointF, hint: str = "") -> None:
        self.prepareGeometryChange()
        self._path = curve(a, b)
        self.hint = hint
        self._end = b

    def boundingRect(self) -> QRectF:  # noqa: N802  (Qt API name)
        extra = QRectF()
        if self.hint:
            extra = QRectF(self._end.x() + 8, self._end.y() - 30, 420, 24)
        return self._path.boundingRect().adjusted(-4, -4, 4, 4).united(extra)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        pen = QPen(self.style.selection, 2.0, Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.drawPath(self._path)
        if self.hint:
            font = fonts()["body"]
            fm = QFontMetricsF(font)
            rect = QRectF(self._end.x() + 12, self._end.y() - 28,
                          fm.horizontalAdvance(self.hint) + 12, fm.height() + 6)
            painter.setPen(QPen(self.style.node_border))
            painter.setBrush(self.style.node_fill)
            painter.drawRoundedRect(rect, 4, 4)
            painter.setFont(font)
            painter.setPen(self.style.text)
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self.hint)
