"""Regenerate the window screenshots in docs/ (run under Xvfb, see the README).

    xvfb-run -a -s "-screen 0 1440x900x24" .venv/bin/python docs/make_screenshots.py

Writes docs/window-{empty,lenet5,problem}-{light,dark}.png from the real main window.
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

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402

from backend.graph import Connect, Edge, Move, RemoveNode  # noqa: E402
from backend.templates import make_template  # noqa: E402
from designer.app import application, create_window  # noqa: E402


def wait(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def rows(doc) -> None:
    """Arrange the design as View > Auto-layout does on this window's canvas (wrapped rows)."""
    from designer.canvas.layout import layered_positions

    doc.apply(Move(tuple(layered_positions(doc, aspect=1.45).items())))


def lenet5():
    doc = make_template("lenet5")
    rows(doc)
    return doc, "c1_1"


def problem():
    doc = make_template("course-cnn")
    doc.apply(RemoveNode("flatten_1"))
    doc.apply(Connect(Edge("pool2_1", "fc1_1")))
    rows(doc)
    return doc, "fc1_1"


def shoot(window, name: str, dark: bool, make=None) -> None:
    window.set_dark(dark)
    if make is None:
        window.files.new_design("")
    else:
        doc, selected = make()
        window.editor.replace_document(doc, "")
        window.editor.set_selection([selected])
    wait(300)
    window.canvas.fit_all()
    wait(300)
    path = ROOT / "docs" / f"window-{name}-{'dark' if dark else 'light'}.png"
    window.grab().save(str(path))
    print(path.relative_to(ROOT))


def main() -> int:
    app = application()
    window = create_window([])
    window.resize(1440, 900)
    for dark in (False, True):
        shoot(window, "empty", dark)
        shoot(window, "lenet5", dark, lenet5)
        shoot(window, "problem", dark, problem)
    window.set_dark(False)
    window.files.ask_save_changes = lambda: "discard"
    window.close()
    app.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
