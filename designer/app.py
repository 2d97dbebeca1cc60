"""`netwright` with no sub-command: start the designer window.

`main([])` opens the bundled example (resources/examples/mlp-digits.json) as an untitled
copy; `main([FILE])` opens FILE. Nothing here imports torch: the window shows first and
training or export import torch when they are used.
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication

from designer import collector, settings, theme
from designer.canvas import network_frames
from designer.main_window import MainWindow


def application() -> QApplication:
    """The QApplication, created once with Netwright's names and saved theme."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
        app.setApplicationName("Netwright")
        app.setOrganizationName("Netwright")
        app.setApplicationDisplayName("Netwright")
    collector.install(app)  # Qt objects are only ever freed on this thread
    theme.apply(app, settings.dark_theme())
    return app


def create_window(argv: list[str]) -> MainWindow:
    """A shown main window with FILE (argv[0]) or the example design open."""
    application()
    with network_frames.held():  # roles are found once the window has painted
        window = MainWindow()
        if not argv:
            window.files.open_example()
        window.show()
        QApplication.processEvents()  # paint the window before the heavier features load
    window.install_extensions()
    collector.settle()  # the window and the modules it loaded live as long as the app
    recovery = getattr(window, "recovery", None)
    recovered = recovery is not None and recovery.offer()
    if argv and not recovered:
        window.files.open_path(argv[0], confirm=False)
    return window


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    app = application()
    window = create_window(argv[:1])
    window.raise_()
    return int(app.exec())


if __name__ == "__main__":
    sys.exit(main())
