"""Autosave and crash recovery in the main window."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backend.graph import SetParams
from backend.project import save_design
from backend.project.autosave import list_sessions
from backend.templates import make_template
from designer.files import DISCARD
from designer.main_window import MainWindow
from designer.recovery import DISCARD as DROP
from designer.recovery import LATER, RECOVER


@pytest.fixture
def recovery_dir(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("NETWRIGHT_SETTINGS", str(tmp_path / "settings.ini"))
    monkeypatch.setenv("NETWRIGHT_RECOVERY_DIR", str(tmp_path / "recovery"))
    return tmp_path / "recovery"


def make_window(qtbot) -> MainWindow:
    win = MainWindow()
    qtbot.addWidget(win)
    win.warnings = []
    win.files.warn = lambda title, sentence: win.warnings.append(sentence)
    win.files.ask_save_changes = lambda: DISCARD
    win.show()
    win.install_extensions()
    return win


def crash(window) -> None:
    """Leave the window's recovery folder as a crashed process would (a dead pid)."""
    info_path = window.recovery.session.folder / "session.json"
    info = json.loads(info_path.read_text())
    info["pid"] = 2**22 + 12345  # above the default pid_max: no such process
    info_path.write_text(json.dumps(info))
    window.recovery.timer.stop()
    window.recovery._on_closed = lambda: None  # the crashed window never cleans up
    window.closed.disconnect()


@pytest.fixture
def lenet_file(tmp_path) -> Path:
    path = tmp_path / "lenet5.json"
    save_design(make_template("lenet5"), path)
    return path


def edit(window, filters: int = 8) -> None:
    node = window.editor.doc.nodes["c1_1"]
    window.editor.push(SetParams("c1_1", {**node.params, "filters": filters}), "Set filters")


def test_autosave_only_with_unsaved_changes_and_cleared_by_save(qtbot, recovery_dir,
                                                                 lenet_file):
    window = make_window(qtbot)
    window.files.open_path(str(lenet_file))
    assert not window.recovery.autosave()
    edit(window)
    assert window.recovery.autosave()
    saved = json.loads((window.recovery.session.folder / "design.json").read_text())
    assert any(n["params"].get("filters") == 8 for n in saved["nodes"])
    assert window.files.save()
    assert not window.recovery.session.folder.exists()


def test_crashed_work_is_offered_and_recovered_as_modified(qtbot, recovery_dir, lenet_file):
    first = make_window(qtbot)
    first.files.open_path(str(lenet_file))
    edit(first, 12)
    first.recovery.autosave()
    crash(first)
    second = make_window(qtbot)
    asked = []
    second.recovery.choose = lambda found: (asked.append(found[0].describe()) or RECOVER,
                                            found[0])
    assert second.recovery.offer()
    assert "lenet5.json" in asked[0]
    assert second.editor.doc.nodes["c1_1"].params["filters"] == 12
    assert second.editor.path == str(lenet_file)
    assert second.isWindowModified()
    assert [s.id for s in list_sessions()] == []


@pytest.mark.parametrize("answer, left", [(DROP, 0), (LATER, 1)])
def test_declined_recovery_is_discarded_or_kept(qtbot, recovery_dir, lenet_file, answer, left):
    first = make_window(qtbot)
    first.files.open_path(str(lenet_file))
    edit(first)
    first.recovery.autosave()
    crash(first)
    second = make_window(qtbot)
    second.recovery.choose = lambda found: (answer, found[0])
    assert not second.recovery.offer()
    assert len(list_sessions()) == left
    assert "c1_1" not in second.editor.doc.nodes


def test_closing_normally_leaves_nothing_to_recover(qtbot, recovery_dir, lenet_file):
    window = make_window(qtbot)
    window.files.open_path(str(lenet_file))
    edit(window)
    window.recovery.autosave()
    assert window.close()
    assert list_sessions() == []
