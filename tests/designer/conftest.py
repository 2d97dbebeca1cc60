"""Fixtures shared by the designer tests.

`window` is the main window as a user gets it: shown, with its extensions (the Training dock,
runs, explore hooks) installed, settings and the recovery folder in the test's own folder,
and "discard" answered to every question about unsaved changes. At the end it waits for a
run still training, so no thread outlives its window.
"""

from __future__ import annotations

import pytest

from designer.files import DISCARD
from designer.main_window import MainWindow


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("NETWRIGHT_SETTINGS", str(tmp_path / "settings.ini"))
    monkeypatch.setenv("NETWRIGHT_RECOVERY_DIR", str(tmp_path / "recovery"))
    win = MainWindow()
    qtbot.addWidget(win)
    win.files.ask_save_changes = lambda: DISCARD
    win.show()
    win.install_extensions()
    yield win
    win.training.shutdown()
    win.files.ask_save_changes = lambda: DISCARD
