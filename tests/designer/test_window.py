"""The main window: files, the unsaved-changes guard, themes, menus and start-up."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon
from PySide6.QtWidgets import QApplication, QLabel

from backend.graph import SetParams
from backend.project import save_design
from backend.templates import make_template
from designer import files as files_module
from designer import icons, theme
from designer.files import CANCEL, DISCARD, SAVE
from designer.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("NETWRIGHT_SETTINGS", str(tmp_path / "settings.ini"))
    monkeypatch.setenv("NETWRIGHT_RECOVERY_DIR", str(tmp_path / "recovery"))
    win = MainWindow()
    qtbot.addWidget(win)
    win.warnings = []
    win.files.warn = lambda title, sentence: win.warnings.append(sentence)
    win.files.ask_save_changes = lambda: DISCARD
    win.show()
    yield win
    win.files.ask_save_changes = lambda: DISCARD


@pytest.fixture
def lenet_file(tmp_path) -> Path:
    path = tmp_path / "lenet5.json"
    save_design(make_template("lenet5"), path)
    return path


def edit_filters(window, value: int = 8) -> None:
    node = window.editor.doc.nodes["c1_1"]
    window.editor.push(SetParams("c1_1", {**node.params, "filters": value}), "Set filters")


def test_open_edit_save_reopen_keeps_everything(window, qtbot, lenet_file, tmp_path):
    assert window.files.open_path(str(lenet_file))
    window.editor.set_selection(["c1_1"])
    box = window.inspector.fields["filters"].widget
    box.setFocus()
    box.lineEdit().selectAll()
    qtbot.keyClicks(box, "8")
    qtbot.keyClick(box, Qt.Key_Return)
    assert window.editor.doc.nodes["c1_1"].params["filters"] == 8
    window.inspector.title_edit.setText("first conv")
    window.inspector.title_edit.editingFinished.emit()
    before = window.editor.doc.snapshot()
    target = tmp_path / "saved.json"
    window.files.ask_save_path = lambda: str(target)
    assert window.files.save_as()
    assert not window.isWindowModified()
    assert "saved.json" in window.windowTitle()
    window.files.new_design("")
    assert window.editor.doc.nodes == {}
    assert window.files.open_path(str(target))
    assert window.editor.doc.snapshot() == before
    assert window.editor.doc.nodes["c1_1"].title == "first conv"


def test_title_shows_file_name_and_unsaved_changes(window, lenet_file):
    window.files.open_path(str(lenet_file))
    assert window.windowTitle().startswith("lenet5.json")
    assert not window.isWindowModified()
    edit_filters(window)
    assert window.isWindowModified()
    assert window.history.model().rowCount() == 2  # the opened state and the edit
    window.editor.undo_stack.undo()
    assert not window.isWindowModified()


@pytest.mark.parametrize("answer, closes", [(CANCEL, False), (DISCARD, True)])
def test_closing_with_unsaved_changes_asks_first(window, lenet_file, answer, closes):
    window.files.open_path(str(lenet_file))
    original = lenet_file.read_bytes()
    edit_filters(window)
    asked = []
    window.files.ask_save_changes = lambda: asked.append(1) or answer
    assert window.close() is closes
    assert asked == [1]
    assert window.isVisible() is not closes
    assert window.editor.doc.nodes["c1_1"].params["filters"] == 8
    assert lenet_file.read_bytes() == original


def test_closing_with_save_writes_the_file(window, lenet_file):
    window.files.open_path(str(lenet_file))
    edit_filters(window, 12)
    window.files.ask_save_changes = lambda: SAVE
    assert window.close()
    saved = json.loads(lenet_file.read_text())
    c1 = next(n for n in saved["nodes"] if n["id"] == "c1_1")
    assert c1["params"]["filters"] == 12


def test_closing_without_changes_does_not_ask(window, lenet_file):
    window.files.open_path(str(lenet_file))
    window.files.ask_save_changes = lambda: pytest.fail("asked without changes")
    assert window.close()


def test_opening_with_unsaved_changes_asks_and_cancel_keeps_the_design(window, lenet_file,
                                                                        tmp_path):
    window.files.new_design("mlp")
    window.editor.push(SetParams("hidden_1", {"units": 32}), "Set units")
    window.files.ask_save_changes = lambda: CANCEL
    assert not window.files.open_path(str(lenet_file))
    assert window.editor.doc.nodes["hidden_1"].params == {"units": 32}
    window.files.ask_save_changes = lambda: DISCARD
    assert window.files.open_path(str(lenet_file))
    assert "c1_1" in window.editor.doc.nodes


@pytest.mark.parametrize("content, words", [
    ("{not json", "not valid JSON"),
    ('{"format": "netwright-design", "version": 99, "nodes": []}', "version 99"),
    ("", "bad.json"),
    ('{"format": "netwright-design", "version": 2, "nodes": [' + ",".join(["{}"] * 50_001) + "]}",
     "bad.json has 50,001 layers, more than the 50,000 Netwright opens"),
])
def test_opening_a_bad_file_shows_one_sentence_and_keeps_the_design(window, lenet_file,
                                                                     tmp_path, content, words):
    window.files.open_path(str(lenet_file))
    edit_filters(window)
    before = window.editor.doc.snapshot()
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    window.files.ask_save_changes = lambda: DISCARD
    assert not window.files.open_path(str(bad))
    assert len(window.warnings) == 1
    assert words in window.warnings[0]
    assert window.warnings[0].count("\n") == 0
    assert window.editor.doc.snapshot() == before
    assert window.editor.path == str(lenet_file)
    assert window.isWindowModified()


def test_a_failed_save_says_why_and_keeps_the_changes(window, lenet_file, tmp_path):
    window.files.open_path(str(lenet_file))
    edit_filters(window)
    window.files.ask_save_path = lambda: str(tmp_path / "missing-folder" / "x.json")
    assert not window.files.save_as()
    assert len(window.warnings) == 1 and "Save As" in window.warnings[0]
    assert window.isWindowModified()
    assert window.editor.path == str(lenet_file)


def test_new_from_template_creates_an_untitled_design(window):
    assert window.files.new_design("lenet5")
    assert len(window.editor.doc.nodes) == 13
    assert window.editor.path == ""
    assert window.windowTitle().startswith("LeNet-5")


def test_recent_files_menu_lists_opened_files(window, lenet_file):
    window.files.open_path(str(lenet_file))
    texts = [a.text() for a in window.menus["recent"].actions()]
    assert any("lenet5.json" in t for t in texts)


def test_theme_switch_changes_colours_and_is_remembered(window, monkeypatch):
    told = []
    monkeypatch.setattr(window.canvas, "set_dark", told.append, raising=False)
    window.actions["dark"].setChecked(True)
    app = QApplication.instance()
    assert app.palette().window().color().lightness() < 80
    assert told[-1] is True
    assert files_module.settings.dark_theme()
    window.actions["dark"].setChecked(False)
    assert app.palette().window().color().lightness() > 200
    assert told[-1] is False and not files_module.settings.dark_theme()


def test_extension_points_for_other_features(window):
    train = window.menu("&Train")
    assert window.menus["train"] is train
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles.index("&Train") == titles.index("&Help") - 1
    dock = window.add_dock(QLabel("runs"), window.dockWidgetArea(window.problems_dock), "Runs")
    assert dock.toggleViewAction() in window.menus["panels"].actions()
    assert "export" in window.menus


def test_standard_shortcuts_are_set(window):
    acts = window.actions
    for name in ("new", "open", "save", "undo", "redo", "copy", "paste", "cut", "delete",
                 "zoom_in", "zoom_out", "select_all"):
        assert not acts[name].shortcut().isEmpty(), name


def test_a_file_given_on_the_command_line_is_opened(qtbot, lenet_file, tmp_path, monkeypatch):
    from designer.app import create_window

    monkeypatch.setenv("NETWRIGHT_SETTINGS", str(tmp_path / "settings.ini"))
    monkeypatch.setenv("NETWRIGHT_RECOVERY_DIR", str(tmp_path / "recovery"))
    win = create_window([str(lenet_file)])
    qtbot.addWidget(win)
    assert win.isVisible() and win.editor.path == str(lenet_file)
    assert len(win.editor.doc.nodes) == 13


def run_fresh(script: str, tmp_path) -> subprocess.CompletedProcess:
    """Run `script` in a new interpreter, as a user's launch, with settings kept in tmp_path."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           "NETWRIGHT_SETTINGS": str(tmp_path / "s.ini"),
           "NETWRIGHT_RECOVERY_DIR": str(tmp_path / "recovery")}
    return subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, text=True,
                          capture_output=True, timeout=120)


def test_window_shows_before_torch_or_networkx_is_imported(tmp_path):
    script = ("import sys; from designer.app import create_window; "
              "w = create_window([]); assert w.isVisible(); "
              "print(len(w.editor.doc.nodes), 'torch' in sys.modules, "
              "'networkx' in sys.modules); w.training.shutdown()")
    out = run_fresh(script, tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[-3:] == ["5", "False", "False"]


def test_the_window_paints_before_numpy_or_the_training_recipes_load(tmp_path):
    """Launch: the first paint comes before the imports only training and plots need."""
    script = (
        "import sys\n"
        "from PySide6.QtCore import QEvent, QObject\n"
        "from designer.app import create_window\n"
        "from designer.main_window import MainWindow\n"
        "seen = []\n"
        "class First(QObject):\n"
        "    def eventFilter(self, obj, event):\n"
        "        if event.type() == QEvent.Type.Paint and not seen:\n"
        "            seen.append([m in sys.modules for m in ('numpy', 'pyqtgraph', "
        "'backend.training.recipes.parts')])\n"
        "        return False\n"
        "first = First()\n"
        "shown = MainWindow.show\n"
        "MainWindow.show = lambda self: (self.installEventFilter(first), shown(self))\n"
        "w = create_window([])\n"
        "print(seen[0], len(w.editor.doc.nodes))\n"
        "w.training.shutdown()\n")  # as quitting does
    out = run_fresh(script, tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[-2] == "[False, False, False] 5"


def test_features_install_after_the_window_shows(window):
    window.install_extensions()
    titles = [a.text() for a in window.menus["panels"].actions()]
    assert "Training" in titles
    assert "train" in window.menus
    window.install_extensions()  # idempotent
    assert [a.text() for a in window.menus["panels"].actions()].count("Training") == 1


def test_a_refused_edit_is_explained_in_the_status_bar(window, lenet_file):
    from backend.graph import Connect, Edge

    window.files.open_path(str(lenet_file))
    assert not window.editor.push(Connect(Edge("c1_1", "c1_1")), "Connect")
    assert "cannot feed itself" in window.statusBar().currentMessage()
    assert window.editor.undo_stack.count() == 0


def test_project_runs_survive_save_and_reopen_and_json_refuses_to_drop_them(window, lenet_file,
                                                                           tmp_path):
    window.files.open_path(str(lenet_file))
    project = window.files.current_project()
    project.runs.append({"id": "run_1", "final": {"accuracy": 0.9}})
    edit_filters(window, 10)
    window.files.ask_save_path = lambda: str(tmp_path / "kept.json")
    assert not window.files.save_as()
    assert "run(s)" in window.warnings[-1] and ".nwproj" in window.warnings[-1]
    assert not (tmp_path / "kept.json").exists()
    target = tmp_path / "kept.nwproj"
    assert window.files.save_to(str(target))
    window.files.new_design("")
    assert window.files.open_path(str(target))
    assert [r["id"] for r in window.files.current_project().runs] == ["run_1"]
    assert window.editor.doc.nodes["c1_1"].params["filters"] == 10


def test_every_shortcut_triggers_one_action(window):
    """Two actions on one key make Qt run neither (X11's Delete also claims Ctrl+D)."""
    owners: dict[str, list[str]] = {}
    for name, action in window.actions.items():
        for keys in action.shortcuts():
            owners.setdefault(keys.toString(), []).append(name)
    assert {k: v for k, v in owners.items() if len(v) > 1} == {}
    assert [k.toString() for k in window.actions["delete"].shortcuts()] == ["Del"]
    assert "Ctrl+D" in [k.toString() for k in window.actions["duplicate"].shortcuts()]
    assert "Ctrl+Y" in [k.toString() for k in window.actions["redo"].shortcuts()]


def test_a_long_design_opens_at_a_zoom_that_shows_the_layers_shapes(window, qtbot):
    from PySide6.QtWidgets import QStyleOptionGraphicsItem

    from backend.graph import GraphDocument, Node
    from designer.canvas import style
    from designer.canvas_slot import fit_readable

    doc = GraphDocument("long")
    for i in range(30):
        doc.nodes[f"d{i}"] = Node(f"d{i}", "Dense", {}, f"d{i}", (i * 260.0, 0.0))
    window.editor.replace_document(doc, "")
    fit_readable(window.canvas)
    lod = QStyleOptionGraphicsItem.levelOfDetailFromTransform(window.canvas.viewportTransform())
    assert lod >= style.DETAIL_LOD  # below it a layer shows only its name
    visible = window.canvas.mapToScene(window.canvas.viewport().rect()).boundingRect()
    assert visible.contains(window.canvas.canvas.nodes["d0"].sceneBoundingRect())


def test_template_dialog_names_the_networks_as_the_course_does(qtbot):
    from designer.panels.templates import TemplateDialog

    dialog = TemplateDialog()
    qtbot.addWidget(dialog)
    titles = [dialog.list.item(i).text().split("\n")[0] for i in range(dialog.list.count())]
    assert titles[0] == "Empty design" and "LeNet-5" in titles and "lenet5" not in titles
    dialog.list.setCurrentRow(titles.index("LeNet-5"))
    assert dialog.chosen() == "lenet5"


def test_disabled_icons_are_dimmed_clearly_in_both_themes(qapp, monkeypatch):
    """Undo with nothing to undo, Pause and Stop while idle: dimmed clearly, in the dark
    theme too (the icons as the toolbar draws them, over the theme's window colour)."""

    def lightness(pixmap) -> float:
        image = pixmap.toImage()
        seen = [image.pixelColor(x, y) for x in range(image.width())
                for y in range(image.height())]
        opaque = [c.lightnessF() for c in seen if c.alphaF() > 0.9]
        return sum(opaque) / len(opaque)

    for colours in (theme.DARK, theme.LIGHT):
        monkeypatch.setattr(theme, "_current", colours)
        for name in ("undo", "pause", "stop"):
            shown = icons.icon(name)
            enabled = lightness(shown.pixmap(24, QIcon.Mode.Normal))
            disabled = lightness(shown.pixmap(24, QIcon.Mode.Disabled))
            panel = QColor(colours.window).lightnessF()
            assert abs(enabled - disabled) >= 0.4 * abs(enabled - panel), (name, colours.dark)
