"""Big designs: how analysis, Python export and the designer scale with the number of nodes.

Run: `QT_QPA_PLATFORM=offscreen .venv/bin/python bench/large_designs.py [--no-designer]`.

A chain of Dense and ReLU layers of 1,000 / 10,000 / 100,000 nodes. For each: the CPU time of
loading the file and analysing it (what `netwright validate` does) and of writing the Python
module, as a ratio to the 1,000-node figure (10.0 would be linear); 100,000 nodes are past the
design-file limit (50,000 layers), so the figure is the time to refuse the file and the
sentence it is refused with. Then, in the designer's window, the CPU time of File > Open and
of four edits until every panel shows the re-check (change a Dense's units, add a layer,
delete a layer, undo), for 1,000 and 10,000 nodes (issue 16 asks open <= 5 s and each edit
<= 200 ms at 10,000), and of drawing the canvas's overview again, which a big design does once
the user pauses editing rather than inside each edit. CPU time of this process, so a shared
machine changes the figures little.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_TMP = tempfile.mkdtemp()  # the user's settings and recovered work stay out of the figures
os.environ["NETWRIGHT_SETTINGS"] = os.path.join(_TMP, "settings.ini")
os.environ["NETWRIGHT_RECOVERY_DIR"] = os.path.join(_TMP, "recovery")

from backend.graph import Edge, GraphDocument, Node  # noqa: E402

SIZES = (1_000, 10_000, 100_000)
DESIGNER_SIZES = (1_000, 10_000)


def chain(n: int) -> GraphDocument:
    doc = GraphDocument(f"chain of {n}")
    doc.nodes["in"] = Node("in", "Input", {"shape": [16]}, "in", (0.0, 0.0))
    prev = "in"
    for i in range(n - 1):
        nid = f"n{i}"
        kind, params = ("Dense", {"units": 16}) if i % 2 == 0 else ("ReLU", {})
        doc.nodes[nid] = Node(nid, kind, params, nid, (i % 100 * 200.0, i // 100 * 150.0))
        doc.edges.append(Edge(prev, nid))
        prev = nid
    return doc


def cpu_s(func) -> float:
    t0 = time.process_time()
    func()
    return time.process_time() - t0


def backend_figures(folder: Path) -> None:
    from backend.export.python import export_python
    from backend.project import DesignFileError, open_any, save_design
    from backend.project.design import MAX_NODES
    from backend.shapes import analyse

    base = None
    print(f"{'nodes':>8} {'load+analyse s':>15} {'ratio':>7} {'python export s':>16} {'ratio':>7}")
    for n in SIZES:
        path = folder / f"chain{n}.json"
        save_design(chain(n), path)
        if n > MAX_NODES:
            t0 = time.process_time()
            try:
                open_any(path)
            except DesignFileError as exc:
                print(f"{n:>8,} refused in {time.process_time() - t0:.2f} s: {exc}", flush=True)
            continue
        check = cpu_s(lambda p=path: analyse(open_any(p).doc))
        doc = open_any(path).doc
        export = cpu_s(lambda d=doc, n=n: export_python(d, folder / f"m{n}.py"))
        base = base or (check, export)
        print(f"{n:>8,} {check:>15.2f} {check / base[0]:>7.1f} {export:>16.2f} "
              f"{export / base[1]:>7.1f}", flush=True)


def designer_figures(folder: Path) -> None:
    from PySide6.QtWidgets import QApplication

    from designer.app import create_window

    window = create_window([])
    app = QApplication.instance()
    window.resize(1440, 900)
    window.show()
    app.processEvents()
    print(f"{'nodes':>8} {'open s':>8} {'units ms':>9} {'add ms':>7} {'delete ms':>10} "
          f"{'undo ms':>8} {'overview ms':>12}")
    for n in DESIGNER_SIZES:
        path = folder / f"chain{n}.json"
        opened = cpu_s(lambda p=path: (window.files.open_path(str(p), confirm=False),
                                       app.processEvents(), window.repaint()))
        edits = [timed_edit(window, app, edit) for edit in EDITS]
        overview = window.canvas.overview
        drawn = cpu_s(lambda o=overview: (o.measure(), o.repaint())) * 1000
        print(f"{n:>8,} {opened:>8.2f} {edits[0]:>9.0f} {edits[1]:>7.0f} {edits[2]:>10.0f} "
              f"{edits[3]:>8.0f} {drawn:>12.0f}", flush=True)
    window.files.ask_save_changes = lambda: "discard"
    sys.stdout.flush()
    os._exit(0)  # skip the window's shutdown (nothing to keep)


def timed_edit(window, app, edit) -> float:
    """CPU ms of an edit until its re-check is shown, the better of two; what the user did
    before (selecting the layer) is not counted."""
    times = []
    for _ in range(2):
        act = edit(window)
        app.processEvents()
        times.append(cpu_s(lambda a=act: (a(), settle(window, app))) * 1000)
    return min(times)


def settle(window, app) -> None:
    """Until the re-check is shown: the analysis and every panel's refresh."""
    window.editor.reanalyse()
    app.processEvents()


def middle(window, kind: str) -> str:
    ids = [nid for nid, node in window.editor.doc.nodes.items() if node.type == kind]
    return ids[len(ids) // 2]


def edit_units(window):
    """Select a Dense in the middle; the edit: set its units."""
    from backend.graph import SetParams

    doc, nid = window.editor.doc, middle(window, "Dense")
    window.editor.set_selection([nid])
    units = 17 if doc.nodes[nid].params["units"] == 16 else 16
    return lambda: window.editor.push(
        SetParams(nid, {**doc.nodes[nid].params, "units": units}), "Units")


def add_layer(window):
    from backend.graph import AddNode, Node

    nid = window.editor.doc.new_id("extra")
    return lambda: window.editor.push(
        AddNode(Node(nid, "Dropout", {"p": 0.1}, nid, (0.0, -300.0))), "Add")


def delete_layer(window):
    """Select a ReLU in the middle; the edit: press Delete (its neighbours are reconnected)."""
    window.editor.set_selection([middle(window, "ReLU")])
    return window.canvas.delete_selection


def undo(window):
    return window.editor.undo_stack.undo


EDITS = (edit_units, add_layer, delete_layer, undo)


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    backend_figures(folder)
    if "--no-designer" not in sys.argv:
        designer_figures(folder)


if __name__ == "__main__":
    main()
