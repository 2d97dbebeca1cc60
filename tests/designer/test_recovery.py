"""Autosave and the recovery dialog: unsaved work left by a crash comes back exactly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtWidgets import QPushButton

from backend.graph import AddComment, Comment, Move, Rename, SetParams, SetSection
from backend.project import save_design
from backend.project.autosave import RecoverySession, list_sessions
from backend.templates import make_template
from designer import app as app_module
from designer.files import DISCARD
from designer.main_window import MainWindow
from designer.recovery import AUTOSAVE_SECONDS, RecoveryDialog


@pytest.fixture(autouse=True)
def folders(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("NETWRIGHT_SETTINGS", str(tmp_path / "settings.ini"))
    monkeypatch.setenv("NETWRIGHT_RECOVERY_DIR", str(tmp_path / "recovery"))
    return tmp_path / "recovery"


@pytest.fixture
def lenet_file(tmp_path) -> Path:
    path = tmp_path / "lenet5.json"
    save_design(make_template("lenet5"), path)
    return path


def make_window(qtbot) -> MainWindow:
    win = MainWindow()
    qtbot.addWidget(win)
    win.files.ask_save_changes = lambda: DISCARD
    win.show()
    win.install_extensions()
    return win


def edit_a_lot(window) -> None:
    """Parameters, a rename, a move, a comment and a section: everything must come back."""
    editor = window.editor
    node = editor.doc.nodes["c1_1"]
    editor.push(SetParams("c1_1", {**node.params, "filters": 11}), "Set filters")
    editor.push(Rename("c1_1", "first conv"), "Rename")
    editor.push(Move((("c1_1", (123.5, -40.0)),)), "Move")
    editor.push(AddComment(Comment("note", "try 11 filters", (10.0, 20.0), (200.0, 80.0))),
                "Comment")
    editor.push(SetSection("training", {**editor.doc.sections.get("training", {}),
                                        "epochs": 7}), "Epochs")


def crash(window) -> None:
    """Leave the recovery folder behind as a killed process would (its pid no longer runs)."""
    info_path = window.recovery.session.folder / "session.json"
    info = json.loads(info_path.read_text())
    info["pid"] = 2**22 + 12345  # above the default pid_max: no such process
    info_path.write_text(json.dumps(info))
    window.recovery.timer.stop()
    window.recovery._on_closed = lambda: None  # a killed window never cleans up
    window.closed.disconnect()


def click_in_dialog(monkeypatch, *buttons: str) -> list[list[str]]:
    """RecoveryDialog.exec clicks `buttons` in turn (one per dialog); returns the lists shown."""
    shown, queue = [], list(buttons)

    def exec_(dialog: RecoveryDialog) -> int:
        shown.append([dialog.list.item(i).text() for i in range(dialog.list.count())])
        dialog.findChild(QPushButton, f"recovery_{queue.pop(0)}").click()
        return dialog.result()

    monkeypatch.setattr(RecoveryDialog, "exec", exec_)
    return shown


def test_the_timer_autosaves_changes_and_nothing_while_clean(qtbot, lenet_file):
    window = make_window(qtbot)
    window.files.open_path(str(lenet_file))
    timer = window.recovery.timer
    assert timer.isActive() and timer.interval() == AUTOSAVE_SECONDS * 1000
    timer.timeout.emit()
    assert not window.recovery.session.folder.exists()
    edit_a_lot(window)
    timer.timeout.emit()  # the design is written on a thread of its own
    window.recovery.wait()
    saved = json.loads((window.recovery.session.folder / "design.json").read_text())
    assert any(n["params"].get("filters") == 11 for n in saved["nodes"])
    assert saved["comments"][0]["text"] == "try 11 filters"
    while window.editor.undo_stack.canUndo():  # back to the saved state: nothing to recover
        window.editor.undo_stack.undo()
    assert not window.recovery.session.folder.exists()


def test_a_design_being_autosaved_when_it_is_saved_leaves_nothing_to_recover(
        qtbot, monkeypatch, lenet_file):
    import threading

    from backend.project import autosave

    window = make_window(qtbot)
    window.files.open_path(str(lenet_file))
    edit_a_lot(window)
    writing, go_on = threading.Event(), threading.Event()
    text = autosave.dumps_data

    def slow(data):  # a big design takes a while to turn into text
        writing.set()
        go_on.wait(10)
        return text(data)

    monkeypatch.setattr(autosave, "dumps_data", slow)
    window.recovery.timer.timeout.emit()
    assert writing.wait(10)
    edit_a_lot(window)  # the window goes on while the design is written
    assert window.editor.doc.nodes["c1_1"].title == "first conv"
    assert window.files.save_to(str(lenet_file))  # saved meanwhile: nothing to recover
    go_on.set()
    window.recovery.wait()
    qtbot.wait(10)
    assert not window.recovery.session.folder.exists()
    assert list_sessions() == []
    assert "Autosave failed" not in window.statusBar().currentMessage()


def test_a_crash_is_offered_at_start_and_recovered_exactly(qtbot, monkeypatch, lenet_file):
    first = make_window(qtbot)
    first.files.open_path(str(lenet_file))
    edit_a_lot(first)
    expected = first.editor.doc.snapshot()
    first.recovery.autosave()
    crash(first)
    shown = click_in_dialog(monkeypatch, "recover")
    second = app_module.create_window([])
    qtbot.addWidget(second)
    second.files.ask_save_changes = lambda: DISCARD
    assert len(shown) == 1 and "lenet5.json" in shown[0][0]
    assert second.editor.doc.snapshot() == expected
    assert second.editor.path == str(lenet_file) and second.isWindowModified()
    assert list_sessions() == []
    assert second.files.save()  # Save writes where the work came from
    assert json.loads(lenet_file.read_text())["training"]["epochs"] == 7


def test_the_dialog_lists_every_crashed_session_discard_and_later(qtbot, monkeypatch,
                                                                 lenet_file):
    for filters in (5, 6):
        window = make_window(qtbot)
        window.files.new_design("mlp")
        window.editor.doc.name = f"design {filters}"
        window.editor.push(Rename(next(iter(window.editor.doc.nodes)), f"n{filters}"), "Rn")
        window.recovery.autosave()
        crash(window)
    shown = click_in_dialog(monkeypatch, "discard", "later")
    window = make_window(qtbot)
    assert not window.recovery.offer()
    assert len(shown[0]) == 2 and "never saved" in shown[0][0]
    assert len(shown[1]) == 1 and shown[1][0] == shown[0][1]
    assert len(list_sessions()) == 1  # Later keeps it for the next start
    assert not window.isWindowModified()


def test_recover_of_untitled_work_keeps_it_untitled_and_modified(qtbot, monkeypatch):
    first = make_window(qtbot)
    first.files.new_design("mlp")
    node = next(iter(first.editor.doc.nodes))
    first.editor.push(Move(((node, (1.0, 2.0)),)), "Move")
    expected = first.editor.doc.snapshot()
    first.recovery.autosave()
    crash(first)
    click_in_dialog(monkeypatch, "recover")
    second = make_window(qtbot)
    assert second.recovery.offer()
    assert second.editor.doc.snapshot() == expected
    assert second.editor.path == "" and second.isWindowModified()


def test_long_paths_fit_the_dialog_elided_in_the_middle_in_full_in_the_tooltip(qtbot, folders):
    long_path = ("/home/student/courses/deep-learning-2026/week-07-convolutional-networks/"
                 "assignments/lab-3-lenet-variants/experiments/lenet5-batchnorm-final-v2.nwproj")
    for path in (long_path, "/home/student/mlp.json"):
        session = RecoverySession(path, root=folders)
        session.autosave(make_template("mlp"))
        info = json.loads((session.folder / "session.json").read_text())
        info["pid"] = 2**22 + 12345  # a crashed session: no such process
        (session.folder / "session.json").write_text(json.dumps(info))
    dialog = RecoveryDialog(sorted(list_sessions(), key=lambda s: s.original_path))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.width() <= dialog.screen().availableGeometry().width()
    assert dialog.list.horizontalScrollBar().maximum() == 0  # nothing hides to the right
    metrics, room = dialog.list.fontMetrics(), dialog.list.viewport().width()
    rows = [dialog.list.item(i) for i in range(dialog.list.count())]
    assert all(metrics.horizontalAdvance(line) <= room
               for row in rows for line in row.text().split("\n"))
    long, short = (row.text().split("\n")[1] for row in rows)
    assert short == "/home/student/mlp.json"  # short paths in full
    assert long.startswith("/home/student/") and "…" in long
    assert long.endswith("lenet5-batchnorm-final-v2.nwproj")  # the file name stays in sight
    assert long_path in rows[0].toolTip()
    dialog.resize(dialog.width() + 200, dialog.height())  # wider: more of the path shows
    qtbot.waitUntil(lambda: len(rows[0].text().split("\n")[1]) > len(long))
