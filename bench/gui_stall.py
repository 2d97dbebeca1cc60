"""How long does the GUI thread freeze while a run trains? (a benchmark, not a test)

Opens the designer on the bundled example (mlp-digits unless a design is given), shows the
Training dock, and measures the event loop with a 5 ms QTimer probe: the longest gap between
two timeouts is the longest stall a user could feel. It measures an idle stretch first (the
reference, same process, same machine load), then a whole training run, split into the
start-up phase (worker imports torch and loads the data) and the training phase. Goal: the
longest stall during training ≤ 50 ms.

    .venv/bin/python bench/gui_stall.py [DESIGN.json] [--epochs N] [--select NODE]
    xvfb-run -a .venv/bin/python bench/gui_stall.py   # with a real X server
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
# A private settings file and recovery folder: no saved layout, no crash-recovery dialog.
_SCRATCH = tempfile.mkdtemp(prefix="netwright-bench-")
os.environ.setdefault("NETWRIGHT_SETTINGS", os.path.join(_SCRATCH, "settings.ini"))
os.environ.setdefault("NETWRIGHT_RECOVERY_DIR", os.path.join(_SCRATCH, "recovery"))

from PySide6.QtCore import QObject, QTimer  # noqa: E402

PROBE_MS = 5
SETTLE_MS = 1500  # let the window open and lay out before measuring


class StallProbe(QObject):
    """Records the gaps between 5 ms timer ticks, per named phase."""

    def __init__(self):
        super().__init__()
        self.timer = QTimer(self)
        self.timer.setInterval(PROBE_MS)
        self.timer.timeout.connect(self.tick)
        self.phase = "settle"  # window opening; not reported
        self.gaps: dict[str, list[float]] = {}
        self._last = 0.0
        self.t_phase = 0.0
        self.long: list[tuple[str, float, float]] = []  # (phase, seconds into it, gap ms)

    def start(self) -> None:
        self._last = time.perf_counter()
        self.timer.start()

    def set_phase(self, phase: str) -> None:
        self.phase = phase
        self.t_phase = time.perf_counter()
        self._last = time.perf_counter()

    def tick(self) -> None:
        now = time.perf_counter()
        gap = (now - self._last) * 1000.0
        self.gaps.setdefault(self.phase, []).append(gap)
        if gap > 100:
            self.long.append((self.phase, now - self.t_phase, gap))
        self._last = now

    def report(self, phase: str) -> tuple[float, float, int, int]:
        gaps = sorted(self.gaps.get(phase, [0.0]))
        p99 = gaps[min(len(gaps) - 1, int(0.99 * len(gaps)))]
        return gaps[-1], p99, sum(g > 50 for g in gaps), len(gaps)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("design", nargs="?", default="")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--idle", type=float, default=2.0, help="seconds of idle reference")
    parser.add_argument("--select", default="", help="node to probe for feature maps")
    args = parser.parse_args()

    from backend.graph import SetSection
    from designer.app import application, create_window

    app = application()
    window = create_window([args.design] if args.design else [])
    dock = window.training
    window.training_dock.raise_()
    editor = window.editor
    training = dict(editor.doc.sections.get("training") or {}, epochs=args.epochs)
    editor.push(SetSection("training", training), "Set epochs")
    probe = StallProbe()
    finished: list = []

    def begin_training() -> None:
        probe.set_phase("start-up")
        if args.select:
            editor.set_selection([args.select])
        dock.start()

    t0 = time.perf_counter()

    def end(event=None) -> None:
        # Report and leave at once: closing the window would ask to save the new run.
        probe.timer.stop()
        finished.extend([event] if event is not None else [])
        print_report(probe, finished, time.perf_counter() - t0 - args.idle - SETTLE_MS / 1000)
        sys.stdout.flush()
        dock.shutdown()
        os._exit(0)

    dock.run_started.connect(lambda _e: probe.set_phase("training"))
    dock.run_finished.connect(end)
    probe.start()
    QTimer.singleShot(SETTLE_MS, lambda: probe.set_phase("idle"))
    QTimer.singleShot(SETTLE_MS + int(args.idle * 1000), begin_training)
    QTimer.singleShot(600_000, end)
    app.exec()
    return 0


def print_report(probe: StallProbe, finished: list, wall: float) -> None:
    result = finished[0] if finished else None
    print(f"run: {result.reason if result else 'did not finish'}, "
          f"{result.steps if result else 0} steps, {wall:.1f} s")
    idle_max = probe.report("idle")[0]
    for phase in ("idle", "start-up", "training"):
        worst, p99, over, n = probe.report(phase)
        ratio = worst / idle_max if idle_max else float("nan")
        print(f"{phase:9s} longest stall {worst:7.1f} ms  p99 {p99:6.1f} ms  "
              f"ticks > 50 ms: {over:4d} of {n:6d}  (longest / idle longest: {ratio:.1f}x)")
    for phase, at, gap in probe.long:
        print(f"  stall of {gap:6.1f} ms in {phase}, {at:5.2f} s after it began")
    worst = probe.report("training")[0]
    print(f"goal ≤ 50 ms during training: {'met' if worst <= 50 else 'NOT met'} "
          f"({worst:.1f} ms)")


if __name__ == "__main__":
    sys.exit(main())
