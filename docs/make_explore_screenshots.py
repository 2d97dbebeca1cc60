"""Regenerate the Explore screenshots in docs/ (run under Xvfb, see docs/explore.md).

    xvfb-run -a -s "-screen 0 1440x900x24" .venv/bin/python docs/make_explore_screenshots.py

Writes docs/explore-{page}-{light,dark}.png from the real Explore window, each page in the
state a student would reach with a few clicks (the worked examples; XOR at the end of its
run; an LSTM and a small CNN after a short training run, so their pages show learned weights),
and docs/training-activations-{light,dark}.png: the main window after a run whose learning
rate is far too high, its Training dock on the Saturation tab; and
docs/inspector-output-{light,dark}.png: the inspector of a small CNN's output layer after a
short run. Names given as arguments shoot only those (e.g. `recurrent inspector-output`).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
_TMP = tempfile.mkdtemp()
os.environ["NETWRIGHT_SETTINGS"] = os.path.join(_TMP, "settings.ini")
os.environ["NETWRIGHT_RECOVERY_DIR"] = os.path.join(_TMP, "recovery")

from PySide6.QtCore import QEventLoop, Qt, QTimer  # noqa: E402

from backend.templates import make_template  # noqa: E402
from backend.templates.builder import DesignBuilder  # noqa: E402
from designer.app import application, create_window  # noqa: E402


def wait(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def small_cnn():
    b = DesignBuilder("Small CNN on the digits")
    b.add("Input", "digit", after=None, shape=[1, 8, 8])
    b.add("Conv2d", "c1", filters=6, kernel_size=3)
    b.add("ReLU", "r1")
    b.add("MaxPool2d", "p1", kernel_size=2)
    b.add("Flatten", "flat")
    b.add("Dense", "out", units=10)
    b.section("dataset", {"name": "digits"})
    b.section("training", {"epochs": 3, "batch_size": 64})
    return b.doc


def too_fast():
    b = DesignBuilder("Too high a learning rate")
    b.add("Input", "points", after=None, shape=[2])
    b.add("Dense", "fc1", units=32)
    b.add("ReLU", "relu1")
    b.add("Dense", "fc2", units=32)
    b.add("Tanh", "tanh2")
    b.add("Dense", "out", units=2)
    b.section("dataset", {"name": "moons", "samples": 1000})
    b.section("training", {"epochs": 4, "batch_size": 32, "optimizer": "sgd", "lr": 3.0})
    return b.doc


def shoot_dock(window, dark: bool) -> None:
    """Train through the dock (as F5 does) and show its Saturation tab."""
    from backend.graph import Move
    from designer.canvas.layout import layered_positions
    from designer.explore.activation_stats_view import ActivationsView

    doc = too_fast()
    doc.apply(Move(tuple(layered_positions(doc, aspect=2.5).items())))
    window.editor.replace_document(doc, "")
    dock = window.training
    done = []
    dock.run_finished.connect(done.append)
    dock.start()
    while not done:
        wait(200)
    window.training_dock.raise_()
    window.editor.set_selection(["relu1_1"])
    wait(300)
    dock.views.show_view(ActivationsView)
    window.resizeDocks([window.training_dock], [430], Qt.Orientation.Vertical)
    wait(500)
    window.canvas.fit_all()
    wait(300)
    path = ROOT / "docs" / f"training-activations-{'dark' if dark else 'light'}.png"
    window.grab().save(str(path))
    print(path.relative_to(ROOT))


def shoot_inspector(window, dark: bool) -> None:
    """The inspector of the small CNN's output layer after a short run: the probe numbers."""
    from PySide6.QtWidgets import QScrollArea

    train(window, small_cnn(), 2)
    window.editor.set_selection(["out_1"])
    wait(400)
    scroll = next(s for s in window.inspector.findChildren(QScrollArea)
                  if s.widget() is not None and s.isVisible())
    path = ROOT / "docs" / f"inspector-output-{'dark' if dark else 'light'}.png"
    scroll.widget().grab().save(str(path))
    print(path.relative_to(ROOT))


def train(window, doc, epochs: int) -> None:
    """A short run whose teaching probes go to Explore, as the Training dock sends them."""
    from backend.training import Trainer
    from backend.training.events import Probes

    doc.sections["training"] = {**doc.sections.get("training", {}), "epochs": epochs}
    window.editor.replace_document(doc, "")
    events = list(Trainer(window.editor.doc, probes=Probes(teaching=True)).events())
    window.explore.forget_run()
    window.explore.receive(events)


def states(window):
    """(file name, callable putting a page in its state) in the order they are shot."""
    def conv():
        page = window.explore.open("convolution")
        page.load_example()
        page.go(4)

    def conv_learned():
        train(window, small_cnn(), 3)
        page = window.explore.open("convolution", "c1_1")
        page.filter_spin.setValue(2)
        page.go(14)

    def backprop():
        page = window.explore.open("backprop")
        page.examples.setCurrentIndex(0)
        page.load_example(0)
        page.backward()

    def perceptron():
        page = window.explore.open("perceptron")
        page.dataset.setCurrentIndex(page.dataset.findData("xor"))
        page.to_end()

    def recurrent():
        doc = make_template("lstm-sine")
        train(window, doc, 2)
        lstm = next(n for n in window.editor.doc.nodes.values() if n.type == "LSTM")
        page = window.explore.open("recurrent", lstm.id)
        page.slider.setValue(10)

    def optimisers():
        page = window.explore.open("optimisers")
        page.surface.setCurrentIndex(page.surface.findData("saddle"))

    return [("convolution", conv), ("convolution-learned", conv_learned),
            ("backprop", backprop), ("activations", lambda: window.explore.open("activations")),
            ("perceptron", perceptron), ("softmax", lambda: window.explore.open("softmax")),
            ("recurrent", recurrent), ("optimisers", optimisers)]


def main() -> int:
    app = application()
    window = create_window([])
    window.resize(1440, 900)
    window.files.ask_save_changes = lambda: "discard"
    only = set(sys.argv[1:])
    for dark in (False, True):
        window.set_dark(dark)
        for name, make in states(window):
            if only and name not in only:
                continue
            make()
            wait(400)
            explore = window.explore.explore_window
            explore.resize(1400, 860)
            wait(300)
            path = ROOT / "docs" / f"explore-{name}-{'dark' if dark else 'light'}.png"
            explore.grab().save(str(path))
            print(path.relative_to(ROOT))
        if not only or "inspector-output" in only:
            shoot_inspector(window, dark)
        if not only or "training-activations" in only:
            window.explore.explore_window.hide()
            shoot_dock(window, dark)
    window.set_dark(False)
    window.training.shutdown()  # let the last run's thread end before the window goes
    window.close()
    app.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
