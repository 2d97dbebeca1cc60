"""Main-window benchmark: launch to window shown, and opening a 500-node design.

Run: `xvfb-run -a .venv/bin/python bench/open_large.py` (or with QT_QPA_PLATFORM=offscreen).

1. Launch: a fresh interpreter imports the designer, creates the main window with the
   example design and shows it; compared with a bare PySide6 window in a fresh interpreter
   (the floor any Qt app pays). Also reports whether torch was imported (it must not be).
2. Open: `File > Open` of DenseNet-121 with every block expanded (428 layers) and of a
   500-node design in the full window (file parse, shape analysis, canvas, palette,
   inspector, problems, summary, first paint), with LeNet-5 (13 nodes) opened the same way
   as the reference; then one parameter edit on DenseNet-121 (push, re-analysis, canvas and
   every panel refreshed: the re-check a user waits for) and a theme switch.
Times are CPU time of the measuring process (robust when the machine is shared) unless
marked wall.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_TMP = tempfile.mkdtemp()
os.environ["NETWRIGHT_SETTINGS"] = os.path.join(_TMP, "settings.ini")
os.environ["NETWRIGHT_RECOVERY_DIR"] = os.path.join(_TMP, "recovery")

LAUNCH = """
import sys, time
from designer.app import application
from designer.main_window import MainWindow
app = application()
w = MainWindow()
w.files.open_example()
w.show()
app.processEvents()
w.repaint()
shown = (time.time(), time.process_time())
w.install_extensions()
app.processEvents()
print(time.time() - shown[0], shown[0], shown[1], 'torch' in sys.modules, w.isVisible())
"""
BARE = """
import sys, time
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
w = QMainWindow(); w.resize(1440, 900); w.show(); app.processEvents(); w.repaint()
print(0.0, time.time(), time.process_time(), False, w.isVisible())
"""


def launch(code: str) -> tuple[float, float, float, bool]:
    """(wall s from spawn to shown, child CPU s to shown, wall s for the extras, torch)."""
    t0 = time.time()
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, env=os.environ, check=True)
    extras, shown, cpu, torch, visible = out.stdout.split()[-5:]
    assert visible == "True"
    return float(shown) - t0, float(cpu), float(extras), torch == "True"


def median_launch(code: str, runs: int = 3) -> tuple[float, float, float, bool]:
    results = [launch(code) for _ in range(runs)]
    return (*(statistics.median(r[i] for r in results) for i in range(3)),
            any(r[3] for r in results))


def cpu_ms(func) -> float:
    t0 = time.process_time()
    func()
    return (time.process_time() - t0) * 1000


def open_in_window(window, app, path: Path) -> float:
    def run():
        assert window.files.open_path(str(path), confirm=False)
        app.processEvents()
        window.repaint()
    return cpu_ms(run)


def measure_open() -> dict:
    from canvas_large import residual_design
    from designs import densenet121_flat, lenet5
    from PySide6.QtWidgets import QApplication

    from backend.project import save_design
    from designer.app import create_window

    folder = Path(tempfile.mkdtemp())
    files = {"small": folder / "lenet5.json", "dense": folder / "densenet121.json",
             "big": folder / "big.json"}
    save_design(lenet5(), files["small"])
    save_design(densenet121_flat(), files["dense"])
    save_design(residual_design(500), files["big"])
    window = create_window([])
    app = QApplication.instance()
    app.processEvents()
    open_in_window(window, app, files["small"])  # warm-up (first-use caches)
    result = {f"{k}_ms": open_in_window(window, app, files[k]) for k in ("small", "big")}
    result["dense_ms"] = open_in_window(window, app, files["dense"])
    result["nodes"] = len(window.editor.doc.nodes)
    result["edit_ms"], result["edit_wall_ms"] = edit_times(window, app)
    result["theme_ms"] = cpu_ms(lambda: (window.set_dark(True), app.processEvents()))
    window.files.ask_save_changes = lambda: "discard"
    window.close()
    return result


def edit_times(window, app) -> tuple[float, float]:
    """CPU and wall ms of one parameter edit in the middle of the open design, until the
    re-check is shown (analysis, canvas, problems, summary, inspector); median of 5."""
    from backend.graph import SetParams

    doc = window.editor.doc
    convs = [nid for nid, n in doc.nodes.items() if n.type == "Conv2d"]
    nid = convs[len(convs) // 2]
    cpu, wall = [], []
    for k in range(5):
        params = {**doc.nodes[nid].params, "kernel_size": 3 if k % 2 else 1,
                  "padding": 1 if k % 2 else 0}
        t0, c0 = time.perf_counter(), time.process_time()
        window.editor.set_selection([nid])
        window.editor.push(SetParams(nid, params), "Set kernel size")
        window.editor.reanalyse()
        app.processEvents()
        cpu.append((time.process_time() - c0) * 1000)
        wall.append((time.perf_counter() - t0) * 1000)
    return statistics.median(cpu), statistics.median(wall)


def main() -> None:
    bare = median_launch(BARE)
    ours = median_launch(LAUNCH)
    print("== launch to window shown (median of 3 fresh interpreters)")
    print(f"  bare PySide6 window     {bare[0] * 1000:7.0f} ms wall  {bare[1] * 1000:6.0f} ms CPU")
    print(f"  netwright (example)     {ours[0] * 1000:7.0f} ms wall  {ours[1] * 1000:6.0f} ms CPU"
          f"   torch imported: {ours[3]}")
    print(f"  then Training dock      {ours[2] * 1000:7.0f} ms wall (after the window shows)")
    print(f"  ratio netwright / bare  {ours[0] / bare[0]:.1f}x wall  {ours[1] / bare[1]:.1f}x CPU")
    r = measure_open()
    print("== open a design in the full window")
    print(f"  LeNet-5, 13 nodes (reference)     {r['small_ms']:7.0f} ms CPU")
    print(f"  DenseNet-121 expanded, {r['nodes']} nodes {r['dense_ms']:7.0f} ms CPU"
          f"   ratio {r['dense_ms'] / r['small_ms']:.1f}x   (goal <= 1000 ms)")
    print(f"  500 nodes                         {r['big_ms']:7.0f} ms CPU"
          f"   ratio {r['big_ms'] / r['small_ms']:.1f}x")
    print(f"  parameter edit on DenseNet-121    {r['edit_ms']:7.0f} ms CPU"
          f"  {r['edit_wall_ms']:5.0f} ms wall (re-check shown; goal <= 100 ms)")
    print(f"  theme switch with DenseNet-121    {r['theme_ms']:7.0f} ms CPU")


if __name__ == "__main__":
    main()
