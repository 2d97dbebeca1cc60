"""Canvas benchmark: open DenseNet-121 fully expanded (428 layers) and a 500-node design,
then pan and zoom them; prints times, frames per second and ratios.

Run: `xvfb-run -a .venv/bin/python bench/canvas_large.py` (or with QT_QPA_PLATFORM=offscreen).
LeNet-5 (13 layers) is measured first in the same process as the reference, so the ratios
say how the canvas scales with design size on this machine. Frames are painted
synchronously (`viewport().repaint()`, the whole viewport), so a frame time is the cost of
drawing one full frame (60 frames per second needs at most 16.7 ms); times are CPU time of
this process, so other work on the machine does not inflate them.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication  # noqa: E402

from backend.graph import Edge, GraphDocument, Node  # noqa: E402

BLOCK = (("Conv2d", {"filters": 16, "kernel_size": 3, "padding": "same"}),
         ("BatchNorm2d", {}), ("ReLU", {}),
         ("Conv2d", {"filters": 16, "kernel_size": 3, "padding": "same"}), ("Add", {}))
BRANCHES = 4  # parallel residual towers, merged at the end, so the design is not one long line


def residual_design(n_nodes: int) -> GraphDocument:
    """An Input feeding parallel towers of residual blocks (conv-bn-relu-conv + skip Add),
    concatenated at the end; positions from the canvas's own auto-layout."""
    from designer.canvas.layout import layered_positions

    doc = GraphDocument(f"{n_nodes} nodes")
    doc.nodes["x"] = Node("x", "Input", {"shape": [16, 32, 32]}, "x")
    tails, k = [], 1
    per_tower = (n_nodes - 2) // BRANCHES
    for _ in range(BRANCHES):
        last, count = "x", 0
        while count < per_tower:
            block_in = last
            for kind, params in BLOCK:
                nid = f"n{k}"
                doc.nodes[nid] = Node(nid, kind, dict(params), nid)
                doc.edges.append(Edge(last, nid))
                if kind == "Add":
                    doc.edges.append(Edge(block_in, nid))
                last, k, count = nid, k + 1, count + 1
        tails.append(last)
    doc.nodes["cat"] = Node("cat", "Concatenate", {"dim": 1}, "cat")
    doc.edges += [Edge(t, "cat") for t in tails]
    for nid, pos in layered_positions(doc).items():
        doc.nodes[nid].pos = pos
    return doc


def frames(app, view, moves) -> list[float]:
    """CPU milliseconds per frame (process time: robust when the machine is shared)."""
    times = []
    for move in moves:
        move()
        t0 = time.process_time()
        view.viewport().repaint()
        times.append((time.process_time() - t0) * 1000)
    app.processEvents()
    return times


def measure(app, doc: GraphDocument) -> dict:
    from designer.canvas.view import CanvasView
    from designer.editor import DocumentEditor

    t0 = time.process_time()
    editor = DocumentEditor(doc)  # includes the first shape analysis
    t1 = time.process_time()
    view = CanvasView(editor)
    view.resize(1400, 860)
    view.show()
    view.fit_all()
    view.viewport().repaint()
    app.processEvents()
    t2 = time.process_time()
    result = {"analysis_ms": (t1 - t0) * 1000, "open_ms": (t2 - t1) * 1000,
              **pan_and_zoom(app, view)}
    view.close()
    view.deleteLater()
    app.processEvents()
    return result


def pan_and_zoom(app, view) -> dict:
    h, v = view.horizontalScrollBar(), view.verticalScrollBar()

    def pan(dx, dy):
        return lambda: (h.setValue(h.value() + dx), v.setValue(v.value() + dy))

    fit_pan = frames(app, view, [pan(15, 6)] * 60)
    view.set_zoom(1.0)
    view.centerOn(view.scene().itemsBoundingRect().center())
    app.processEvents()
    near_pan = frames(app, view, [pan(12, 4)] * 60)
    centre = view.viewport().rect().center()
    zooms = [lambda f=f: view.set_zoom(view.zoom * f, centre)
             for f in [0.93] * 30 + [1 / 0.93] * 30]
    return {"pan_fit_ms": fit_pan, "pan_100_ms": near_pan, "zoom_ms": frames(app, view, zooms)}


def summary(times: list[float]) -> str:
    times = sorted(times)
    p95 = times[int(len(times) * 0.95) - 1]
    median = statistics.median(times)
    return f"median {median:6.1f} ms  p95 {p95:6.1f} ms  ({1000 / median:5.0f} fps)"


def main() -> None:
    from designs import densenet121_flat, lenet5

    app = QApplication.instance() or QApplication(sys.argv)
    measure(app, lenet5())  # warm-up: first-use caches (fonts, numpy for wire routing)
    cases = (("LeNet-5, 13 nodes (reference)", measure(app, lenet5())),
             ("DenseNet-121 expanded, 428 nodes", measure(app, densenet121_flat())),
             ("500 nodes", measure(app, residual_design(500))))
    print(f"platform: {app.platformName()}")
    for name, r in cases:
        print(f"== {name}")
        print(f"  shape analysis on load   {r['analysis_ms']:7.1f} ms")
        print(f"  open (scene + first paint) {r['open_ms']:6.1f} ms")
        print(f"  pan, whole design in view  {summary(r['pan_fit_ms'])}")
        print(f"  pan at 100 % zoom          {summary(r['pan_100_ms'])}")
        print(f"  zoom steps                 {summary(r['zoom_ms'])}")
    ref = cases[0][1]
    for name, big in cases[1:]:
        print(f"== ratio {name} / LeNet-5")
        pan = statistics.median(big["pan_fit_ms"]) / statistics.median(ref["pan_fit_ms"])
        zoom = statistics.median(big["zoom_ms"]) / statistics.median(ref["zoom_ms"])
        print(f"  open {big['open_ms'] / ref['open_ms']:.1f}x   pan {pan:.1f}x   zoom {zoom:.1f}x")


if __name__ == "__main__":
    main()
