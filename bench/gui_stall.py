"""Does the GUI stall? Launch, the Training tab, and training runs (a benchmark, not a test).

Three measures, each beside a bare-Qt reference taken in the same run on the same machine:

- launch to window: from starting the process to the main window's first paint, for
  Netwright (the real `create_window` path) and for a bare QMainWindow of the same size
  (median of `--repeat` interleaved launches). Goal: ≤ 1 s on an idle machine.
- Training tab: from asking for the Training dock right after the window shows (its tab
  raised) to its first paint, and to its plots being in; the reference raises the Problems
  dock, a plain Qt list. Goal: visible ≤ 300 ms.
- stalls while training: the longest gap between 5 ms timer ticks while a run trains,
  split into start-up (the worker imports torch and loads the data) and training; the
  reference is an idle stretch before the run. Goal: ≤ 50 ms during training, on both
  bundled examples (mlp-digits and lenet5).

    .venv/bin/python bench/gui_stall.py                 # all of it (a few minutes on 2 cores)
    .venv/bin/python bench/gui_stall.py stall [DESIGN] [--epochs N] [--select NODE]
    .venv/bin/python bench/gui_stall.py launch | tab
    xvfb-run -a -s "-screen 0 1440x900x24" .venv/bin/python bench/gui_stall.py

The machine's load average is printed beside the figures: other processes sharing the CPU
inflate every number. Beside each longest stall the bench prints the GUI thread's CPU time
within the worst gap: the work Netwright itself did there, which load does not inflate.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
EXAMPLES = ("resources/examples/mlp-digits.json", "resources/examples/lenet5.json")
PROBE_MS = 5
SETTLE_MS = 1500  # let the window open and lay out before measuring


def _private_settings() -> None:
    """A private settings file and recovery folder: no saved layout, no recovery dialog."""
    scratch = tempfile.mkdtemp(prefix="netwright-bench-")
    os.environ["NETWRIGHT_SETTINGS"] = os.path.join(scratch, "settings.ini")
    os.environ["NETWRIGHT_RECOVERY_DIR"] = os.path.join(scratch, "recovery")


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (5 min {five:.1f}) on {os.cpu_count()} CPUs"


# -- launch to window ---------------------------------------------------------------------------
FIRST_PAINT = """
import os, sys, time
from PySide6.QtCore import QEvent, QObject
class First(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            print(time.time(), flush=True)
            os._exit(0)
        return False
"""
BARE = FIRST_PAINT + """
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
w = QMainWindow(); w.resize(1440, 900); f = First(); w.installEventFilter(f); w.show()
app.exec()
"""
NETWRIGHT = FIRST_PAINT + """
from designer import app as designer_app
from designer.main_window import MainWindow
shown = MainWindow.show
def show(self):
    self._bench = First(); self.installEventFilter(self._bench); shown(self)
MainWindow.show = show
designer_app.main([])
"""


def launch_seconds(code: str) -> float:
    # as installed: compiled bytecode is cached (some shells set PYTHONDONTWRITEBYTECODE)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    t0 = time.time()
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=120, env=env).stdout.strip().splitlines()
    return float(out[-1]) - t0 if out else float("nan")


def bench_launch(repeat: int) -> None:
    launch_seconds(BARE), launch_seconds(NETWRIGHT)  # warm the bytecode and file caches
    bare, ours = [], []
    for _ in range(repeat):  # interleaved, so both see the same load
        bare.append(launch_seconds(BARE))
        ours.append(launch_seconds(NETWRIGHT))
    b, n = statistics.median(bare), statistics.median(ours)
    print(f"launch to window: Netwright {n * 1000:6.0f} ms, bare Qt window {b * 1000:6.0f} ms "
          f"(median of {repeat}; {n / b:.1f}x)  goal ≤ 1000 ms: "
          f"{'met' if n <= 1.0 else 'NOT met'}")


# -- the Training tab ---------------------------------------------------------------------------
def bench_tab() -> None:
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication

    from designer.app import application, create_window

    app = application()
    times: dict[str, float] = {}

    class Painted(QObject):
        def __init__(self, name: str):
            super().__init__()
            self.name = name

        def eventFilter(self, obj, event) -> bool:  # noqa: N802  (Qt API)
            if event.type() == QEvent.Type.Paint and self.name not in times:
                times[self.name] = time.perf_counter()
            return False

    window = create_window([])
    # the dock builds its parts in stages from the moment the window shows: they may all be
    # in before the tab is asked for (then "plots in" is the tab's first paint)
    window.training.built.connect(lambda: times.setdefault("plots", time.perf_counter()))
    if window.training.is_built():
        times["plots"] = time.perf_counter()
    problems_paint, dock_paint = Painted("problems"), Painted("training")
    window.problems.installEventFilter(problems_paint)
    window.training.installEventFilter(dock_paint)
    window.summary_dock.raise_()  # away from Problems, so raising it repaints it
    app.processEvents()
    times.pop("problems", None)
    t_problems = time.perf_counter()
    window.problems_dock.raise_()
    while "problems" not in times:
        app.processEvents()
    t_ask = time.perf_counter()
    window.training_dock.raise_()  # asked for the moment the window is there
    deadline = t_ask + 60
    while not ("training" in times and "plots" in times) and time.perf_counter() < deadline:
        app.processEvents()
        QApplication.sendPostedEvents()
    if "training" not in times or "plots" not in times:
        print(f"Training tab: not shown within 60 s (seen: {sorted(times)})")
        os._exit(1)
    plots = max(times["plots"], times["training"]) - t_ask
    print(f"Training tab visible {(times['training'] - t_ask) * 1000:6.0f} ms after it is "
          f"asked for, plots in after {plots * 1000:6.0f} ms; bare-Qt "
          f"reference (raising the Problems list) {(times['problems'] - t_problems) * 1000:5.0f}"
          f" ms  goal ≤ 300 ms: {'met' if times['training'] - t_ask <= 0.3 else 'NOT met'}")
    os._exit(0)


# -- stalls while training ----------------------------------------------------------------------
def stall_probe():
    from PySide6.QtCore import QObject, QTimer

    class StallProbe(QObject):
        """Records the gaps between 5 ms timer ticks, per named phase."""

        def __init__(self):
            super().__init__()
            self.timer = QTimer(self)
            self.timer.setInterval(PROBE_MS)
            self.timer.timeout.connect(self.tick)
            self.phase = "settle"  # window opening; not reported
            self.gaps: dict[str, list[float]] = {}
            self.cpu: dict[str, list[float]] = {}  # GUI-thread CPU time within each gap
            self._last = self._last_cpu = 0.0
            self.t_phase = 0.0
            self.long: list[tuple[str, float, float]] = []  # (phase, s into it, gap ms)

        def start(self) -> None:
            self._last, self._last_cpu = time.perf_counter(), time.thread_time()
            self.t_phase = self._last
            self.timer.start()

        def set_phase(self, phase: str) -> None:
            self.phase = phase
            self.t_phase = self._last = time.perf_counter()
            self._last_cpu = time.thread_time()

        def tick(self) -> None:
            now, cpu = time.perf_counter(), time.thread_time()
            gap = (now - self._last) * 1000.0
            self.gaps.setdefault(self.phase, []).append(gap)
            self.cpu.setdefault(self.phase, []).append((cpu - self._last_cpu) * 1000.0)
            self._last_cpu = cpu
            if gap > 100:
                self.long.append((self.phase, now - self.t_phase, gap))
            self._last = now

        def report(self, phase: str) -> tuple[float, float, int, int]:
            gaps = sorted(self.gaps.get(phase, [0.0]))
            p99 = gaps[min(len(gaps) - 1, int(0.99 * len(gaps)))]
            return gaps[-1], p99, sum(g > 50 for g in gaps), len(gaps)

        def longest_cpu(self, phase: str) -> float:
            return max(self.cpu.get(phase, [0.0]))

    return StallProbe()


def bench_stall(design: str, epochs: int, idle: float, select: str) -> None:
    from PySide6.QtCore import QTimer

    from backend.graph import SetSection
    from designer.app import application, create_window

    app = application()
    window = create_window([design] if design else [])
    dock = window.training
    dock.ensure_built()
    window.training_dock.raise_()
    editor = window.editor
    training = dict(editor.doc.sections.get("training") or {}, epochs=epochs)
    editor.push(SetSection("training", training), "Set epochs")
    probe = stall_probe()
    t0 = time.perf_counter()

    def begin_training() -> None:
        probe.set_phase("start-up")
        if select:
            editor.set_selection([select])
        dock.start()

    def end(event=None) -> None:
        # Report and leave at once: closing the window would ask to save the new run.
        probe.timer.stop()
        print_report(design or EXAMPLES[0], probe, event,
                     time.perf_counter() - t0 - idle - SETTLE_MS / 1000)
        sys.stdout.flush()
        dock.shutdown()
        os._exit(0)

    dock.run_started.connect(lambda _e: probe.set_phase("training"))
    dock.run_finished.connect(end)
    probe.start()
    QTimer.singleShot(SETTLE_MS, lambda: probe.set_phase("idle"))
    QTimer.singleShot(SETTLE_MS + int(idle * 1000), begin_training)
    QTimer.singleShot(600_000, end)
    app.exec()


def print_report(design: str, probe, result, wall: float) -> None:
    print(f"{Path(design).stem}: {result.reason if result else 'did not finish'}, "
          f"{result.steps if result else 0} steps, {wall:.1f} s")
    idle_max = probe.report("idle")[0]
    for phase in ("idle", "start-up", "training"):
        worst, p99, over, n = probe.report(phase)
        ratio = worst / idle_max if idle_max else float("nan")
        print(f"  {phase:9s} longest stall {worst:7.1f} ms  p99 {p99:6.1f} ms  "
              f"ticks > 50 ms: {over:4d} of {n:6d}  (longest / idle longest: {ratio:.1f}x)"
              f"  most GUI-thread CPU between ticks: {probe.longest_cpu(phase):6.1f} ms")
    for phase, at, gap in probe.long:
        if phase != "settle":  # the window opening is measured by the launch figure
            print(f"    stall of {gap:6.1f} ms in {phase}, {at:5.2f} s after it began")
    worst = probe.report("training")[0]
    print(f"  goal ≤ 50 ms during training: {'met' if worst <= 50 else 'NOT met'} "
          f"({worst:.1f} ms; of it at most {probe.longest_cpu('training'):.1f} ms of work on "
          "the GUI thread, the rest waiting for a CPU)")


def run_all(args) -> None:
    """Each measure in a process of its own (a fresh interpreter, as a user starts it)."""
    print(load())
    bench_launch(args.repeat)
    me = [sys.executable, str(Path(__file__).resolve())]
    subprocess.run([*me, "tab"], cwd=ROOT, check=False)
    for design in EXAMPLES:
        subprocess.run([*me, "stall", design, "--epochs", str(args.epochs)], cwd=ROOT,
                       check=False)
    print(load())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", nargs="?", default="all", choices=("all", "launch", "tab",
                                                                    "stall"))
    parser.add_argument("design", nargs="?", default="")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--idle", type=float, default=2.0, help="seconds of idle reference")
    parser.add_argument("--select", default="", help="node to probe for feature maps")
    parser.add_argument("--repeat", type=int, default=3, help="launches of each kind")
    args = parser.parse_args()
    _private_settings()
    if args.what == "launch":
        print(load())
        bench_launch(args.repeat)
    elif args.what == "tab":
        bench_tab()
    elif args.what == "stall":
        bench_stall(args.design, args.epochs, args.idle, args.select)
    else:
        run_all(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
