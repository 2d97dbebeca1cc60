"""The overview's picture of a big design, drawn with array operations instead of one Qt
call per layer and wire.

At thousands of layers a layer is one or two pixels in the 220×130 overview, and building a
QRectF and a QLineF per layer and wire took ~120 ms at 10,000 layers, after every edit. Here
the positions are gathered into arrays once, layers become filled pixel rectangles and wires
runs of pixels sampled along each line (one sample per pixel of length), written straight into
the image's memory. The look is the painter's: wires under layers, problem wires and layers in
the problem colour, layers in their category colours.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QImage

from designer.canvas import style as st

BIG_BOX = 24 * 24  # pixel area above which a layer's box is filled on its own (expanded blocks)


def draw(image: QImage, canvas, s: st.CanvasStyle, scale: float, dx: float, dy: float) -> None:
    """Draw `canvas`'s wires and layers into `image` (Format_RGBA8888, already holding the
    background and comments) under the scene-to-image map (x·scale + dx, y·scale + dy)."""
    import numpy as np  # only for big designs, never at start-up

    pixels = np.frombuffer(image.bits(), dtype=np.uint8)
    pixels = pixels.reshape(image.height(), image.bytesPerLine())[:, : image.width() * 4]
    pixels = pixels.reshape(image.height(), image.width(), 4)
    rects, colours, palette, where = _layer_boxes(canvas, s)
    wires = _wire_ends(canvas, where)
    if wires:
        table = np.array(wires, dtype=float)
        xy = table[:, :4] * scale + (dx, dy, dx, dy)
        for bad in (False, True):  # problem wires over the others
            pick = table[:, 4] == bad
            if pick.any():
                _lines(pixels, xy[pick], s.problem if bad else s.wire)
    if rects:
        boxes = np.array(rects, dtype=float) * scale + (dx, dy, 0.0, 0.0)
        _boxes(pixels, boxes, np.array(colours), palette)


def _wire_ends(canvas, where: dict) -> list[tuple]:
    """(x0, y0, x1, y1, bad) of each wire in the scene: its ports' places in the layers placed
    at `where` (reading each wire's Qt points is several times slower), and the wire's own
    ends for a wire to an expanded block."""
    rows = []
    nodes = canvas.nodes
    for edge, wire in canvas.wires.items():
        a, b = where.get(edge.src), where.get(edge.dst)
        out = nodes[edge.src].outputs.get(edge.src_port) if a else None
        into = nodes[edge.dst].inputs.get(edge.dst_port) if b else None
        if out is None or into is None:
            p, q = wire.ends()
            rows.append((p.x(), p.y(), q.x(), q.y(), wire.bad))
        else:
            rows.append((a[0] + out._x, a[1] + out._y, b[0] + into._x, b[1] + into._y,
                         wire.bad))
    return rows


def _layer_boxes(canvas, s: st.CanvasStyle) -> tuple[list, list, list[QColor], dict]:
    """Each layer's (x, y, width, height) in the scene and the index of its colour in the
    palette, from where the scene placed it (reading Qt's positions is slower), and that
    place by layer id for the layers not expanded."""
    palette: list[QColor] = [s.problem]
    index: dict[str, int] = {}
    rects, colours, where = [], [], {}
    nodes, moved = canvas.doc.nodes, canvas._offsets
    for nid, item in canvas.nodes.items():
        if item.problems and item.has_error():
            colour = 0
        else:
            colour = index.get(item.category)
            if colour is None:
                colour = index[item.category] = len(palette)
                palette.append(st.category_accent(item.category))
        node = nodes.get(nid)
        if node is None or item.content is not None:  # an expanded block: its own size
            r = item.sceneBoundingRect()
            rects.append((r.x(), r.y(), r.width(), r.height()))
        else:
            ox, oy = moved.get(nid, (0.0, 0.0))
            at = where[nid] = (node.pos[0] + ox, node.pos[1] + oy)
            rects.append((*at, st.NODE_W, st.NODE_H))
        colours.append(colour)
    return rects, colours, palette, where


def _rgba(colour: QColor) -> tuple[int, int, int, int]:
    return colour.red(), colour.green(), colour.blue(), colour.alpha()


def _put(pixels, ys, xs, colour: QColor) -> None:
    """Set the pixels (ys, xs) to `colour`, blended when it is translucent; points outside
    the image are skipped."""
    import numpy as np

    h, w = pixels.shape[:2]
    inside = (xs >= 0) & (xs < w) & (ys >= 0) & (ys < h)
    ys, xs = ys[inside], xs[inside]
    r, g, b, a = _rgba(colour)
    if a == 255:
        pixels[ys, xs] = (r, g, b, 255)
        return
    alpha = a / 255.0
    under = pixels[ys, xs, :3].astype(float)
    pixels[ys, xs, :3] = (under * (1 - alpha) + np.array((r, g, b)) * alpha).astype(np.uint8)


def _lines(pixels, xy, colour: QColor) -> None:
    """One-pixel lines from (x0, y0) to (x1, y1), one sample per pixel of length."""
    import numpy as np

    x0, y0, x1, y1 = xy.T
    counts = np.ceil(np.maximum(np.abs(x1 - x0), np.abs(y1 - y0))).astype(int) + 1
    which = np.repeat(np.arange(len(counts)), counts)
    start = np.cumsum(counts) - counts
    t = (np.arange(counts.sum()) - start[which]) / np.maximum(counts[which] - 1, 1)
    xs = np.floor(x0[which] + t * (x1 - x0)[which]).astype(int)
    ys = np.floor(y0[which] + t * (y1 - y0)[which]).astype(int)
    _put(pixels, ys, xs, colour)


def _boxes(pixels, boxes, colours, palette: list[QColor]) -> None:
    """Fill each box (x, y, width, height in pixels), at least one pixel, in its colour."""
    import numpy as np

    # the painter's rule: a pixel is filled when its centre lies in the box
    x0 = np.ceil(boxes[:, 0] - 0.5).astype(int)
    y0 = np.ceil(boxes[:, 1] - 0.5).astype(int)
    bw = np.maximum(np.ceil(boxes[:, 0] + boxes[:, 2] - 0.5).astype(int) - x0, 1)
    bh = np.maximum(np.ceil(boxes[:, 1] + boxes[:, 3] - 0.5).astype(int) - y0, 1)
    big = bw * bh > BIG_BOX
    h, w = pixels.shape[:2]
    for i in np.flatnonzero(big):  # few: expanded blocks, or a design seen large
        ys = slice(max(y0[i], 0), max(min(y0[i] + bh[i], h), 0))
        xs = slice(max(x0[i], 0), max(min(x0[i] + bw[i], w), 0))
        pixels[ys, xs] = _rgba(palette[colours[i]])
    small = ~big
    for c, colour in enumerate(palette):
        pick = small & (colours == c)
        if not pick.any():
            continue
        px, py, pw, ph = x0[pick], y0[pick], bw[pick], bh[pick]
        for oy in range(int(ph.max())):
            for ox in range(int(pw.max())):
                sel = (ox < pw) & (oy < ph)
                _put(pixels, py[sel] + oy, px[sel] + ox, colour)
