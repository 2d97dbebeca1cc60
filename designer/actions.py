"""The main window's actions, menus and toolbar.

Menus are kept in `window.menus` ("file", "recent", "import", "export", "edit", "view", "panels",
"help") so other parts of the app can add to them; `window.menu(title)` adds a top-level menu
before Help (e.g. "Train"). Canvas actions call the canvas by method name, so they work with
the placeholder canvas too. Every action uses the platform's standard shortcut where one exists.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMessageBox, QSizePolicy, QToolBar, QWidget

from designer import icons, settings

Key = QKeySequence.StandardKey


def make_action(window, text: str, slot: Callable | None = None, icon: str = "",
                shortcut=None, tip: str = "") -> QAction:
    action = QAction(text, window)
    if icon:
        action.setProperty("nw_icon", icon)
        action.setIcon(icons.icon(icon))
    if shortcut is not None:
        if isinstance(shortcut, QKeySequence.StandardKey):
            action.setShortcuts(shortcut)
        else:
            action.setShortcut(QKeySequence(shortcut))
    keys = action.shortcut().toString(QKeySequence.NativeText)
    action.setToolTip(f"{tip or text.rstrip('…')}" + (f" ({keys})" if keys else ""))
    if slot is not None:
        action.triggered.connect(lambda _checked=False: slot())
    return action


def build(window) -> dict[str, QAction]:
    """Create every action, the menus and the toolbar of `window`; returns actions by name."""
    acts: dict[str, QAction] = {}
    acts.update(_file_actions(window))
    acts.update(_edit_actions(window))
    acts.update(_block_actions(window))
    acts.update(_view_actions(window))
    _menus(window, acts)
    _toolbar(window, acts)
    return acts


def _canvas(window, method: str) -> Callable[[], None]:
    def call() -> None:
        func = getattr(window.canvas, method, None)
        if callable(func):
            func()
    return call


def _file_actions(window) -> dict[str, QAction]:
    f = window.files
    quit_ = make_action(window, "&Quit", window.close, "", Key.Quit)
    _also(quit_, "Ctrl+Q")
    return {
        "new": make_action(window, "&New from Template…", f.new_from_template, "new", Key.New,
                           "New design from a template"),
        "open": make_action(window, "&Open…", f.open, "open", Key.Open, "Open a design"),
        "save": make_action(window, "&Save", f.save, "save", Key.Save, "Save the design"),
        "save_as": make_action(window, "Save &As…", f.save_as, "", Key.SaveAs),
        "quit": quit_,
    }


def _edit_actions(window) -> dict[str, QAction]:
    stack = window.editor.undo_stack
    undo = stack.createUndoAction(window, "&Undo")
    redo = stack.createRedoAction(window, "&Redo")
    for action, name, key in ((undo, "undo", Key.Undo), (redo, "redo", Key.Redo)):
        action.setShortcuts(key)
        action.setProperty("nw_icon", name)
        action.setIcon(icons.icon(name))
    _also(redo, "Ctrl+Y")  # X11 binds only Ctrl+Shift+Z
    c = lambda m: _canvas(window, m)  # noqa: E731
    return {
        "undo": undo, "redo": redo,
        "cut": make_action(window, "Cu&t", c("cut"), "cut", Key.Cut),
        "copy": make_action(window, "&Copy", c("copy"), "copy", Key.Copy),
        "paste": make_action(window, "&Paste", c("paste"), "paste", Key.Paste),
        "duplicate": make_action(window, "D&uplicate", c("duplicate"), "duplicate", "Ctrl+D"),
        # not Key.Delete: on X11 it also claims Ctrl+D, which would make Duplicate ambiguous
        "delete": make_action(window, "&Delete and Reconnect", c("delete_selection"), "delete",
                              "Del", "Delete the selection; what fed a deleted chain is wired "
                              "to what it fed"),
        # not Shift+Del: X11 and Windows bind it to Cut
        "delete_plain": make_action(window, "Delete &Without Reconnecting", c("delete_plain"),
                                    "", "Ctrl+Del", "Delete the selection and its wires"),
        "replace": make_action(window, "&Replace Layer Type…", c("replace_selected"), "",
                               "Ctrl+R", "Turn the selected layers into another type, keeping "
                               "their wires and the parameters that still apply"),
        "replace_all": make_action(window, "Replace All Layers of This T&ype…",
                                   c("replace_all_like"), "", None,
                                   "Turn every layer of the selected layer's type into another"),
        "select_type": make_action(window, "Select Same T&ype", c("select_same_type"), "",
                                   "Ctrl+Shift+A", "Select every layer of the selected type"),
        "select_all": make_action(window, "Select &All", c("select_all"), "select-all",
                                  Key.SelectAll),
        "quick_add": make_action(window, "&Quick Add Layer…", c("quick_add"), "quick-add",
                                 "Ctrl+K", "Search for a layer to add (Tab on the canvas)"),
        "comment": make_action(window, "Add &Comment", c("add_comment"), "comment",
                               "Ctrl+Shift+M", "Add a comment box"),
    }


def _block_actions(window) -> dict[str, QAction]:
    c = lambda m: _canvas(window, m)  # noqa: E731
    return {
        "group": make_action(window, "&Group into Block", c("group_selected"), "", "Ctrl+G",
                             "Put the selected layers into a new block used in their place"),
        "save_block": make_action(window, "Save Selection as &Block…", c("save_as_block"), "",
                                  "Ctrl+Alt+G", "Group the selection into a named block, "
                                  "listed in the palette to be used again"),
        "ungroup": make_action(window, "U&ngroup Block", c("ungroup_selected"), "",
                               "Ctrl+Shift+G", "Put the layers of the selected blocks back"),
        "expand": make_action(window, "E&xpand or Collapse Block", c("toggle_expand"), "",
                              None, "Show the selected blocks' layers in place, or fold them "
                              "again (E on the canvas)"),
    }


def _view_actions(window) -> dict[str, QAction]:
    c = lambda m: _canvas(window, m)  # noqa: E731
    dark = make_action(window, "&Dark Theme", None, "theme", "Ctrl+Shift+T",
                       "Switch between the light and dark theme")
    dark.setCheckable(True)
    dark.setChecked(settings.dark_theme())
    dark.toggled.connect(window.set_dark)
    zoom_in = make_action(window, "Zoom &In", c("zoom_in"), "zoom-in", Key.ZoomIn)
    _also(zoom_in, "Ctrl+=")  # the + key without Shift
    return {
        "zoom_in": zoom_in,
        "zoom_out": make_action(window, "Zoom &Out", c("zoom_out"), "zoom-out", Key.ZoomOut),
        "fit": make_action(window, "&Fit to Window", c("fit_all"), "fit", "Ctrl+0",
                           "Fit the whole design in view"),
        "enter_block": make_action(window, "&Enter Block", c("enter_block"), "", "Alt+Down",
                                   "Show the inside of the selected block (or double-click it)"),
        "leave_block": make_action(window, "&Leave Block", c("leave_block"), "", "Alt+Up",
                                   "Go back out of the block shown"),
        "layout": make_action(window, "&Auto-layout", c("auto_layout"), "layout", "Ctrl+L",
                              "Arrange the layers left to right"),
        "dark": dark,
        "shortcuts": make_action(window, "&Keyboard Shortcuts", lambda: show_shortcuts(window),
                                 "", Key.HelpContents),
        "about": make_action(window, "&About Netwright", lambda: show_about(window)),
    }


def _also(action: QAction, keys: str) -> None:
    """Add `keys` to the action's shortcuts unless the platform already binds them."""
    extra = QKeySequence(keys)
    if extra not in action.shortcuts():
        action.setShortcuts([*action.shortcuts(), extra])


def _menus(window, acts: dict[str, QAction]) -> None:
    bar = window.menuBar()
    m = window.menus
    m["file"] = bar.addMenu("&File")
    m["file"].addActions([acts["new"], acts["open"]])
    m["recent"] = m["file"].addMenu("Open &Recent")
    m["import"] = m["file"].addMenu("&Import")  # filled by designer.import_actions
    m["file"].addSeparator()
    m["file"].addActions([acts["save"], acts["save_as"]])
    m["export"] = m["file"].addMenu("&Export")
    m["export"].menuAction().setVisible(False)
    m["file"].aboutToShow.connect(lambda: m["export"].menuAction().setVisible(
        bool(m["export"].actions())))
    m["file"].addSeparator()
    m["file"].addAction(acts["quit"])
    m["edit"] = bar.addMenu("&Edit")
    _add(m["edit"], acts, "undo redo | cut copy paste duplicate delete delete_plain | "
                          "replace replace_all | group save_block ungroup | select_all "
                          "select_type | "
                          "quick_add comment")
    m["view"] = bar.addMenu("&View")
    _add(m["view"], acts, "zoom_in zoom_out fit | enter_block leave_block expand | layout | "
                          "dark |")
    m["panels"] = m["view"].addMenu("&Panels")
    m["help"] = bar.addMenu("&Help")
    _add(m["help"], acts, "shortcuts about")
    update_recent_menu(window, settings.recent_files())


def _add(menu: QMenu, acts: dict[str, QAction], names: str) -> None:
    for name in names.split():
        if name == "|":
            menu.addSeparator()
        else:
            menu.addAction(acts[name])


def _toolbar(window, acts: dict[str, QAction]) -> None:
    bar = QToolBar("Main toolbar", window)
    bar.setObjectName("main_toolbar")
    bar.setMovable(False)
    bar.setIconSize(QSize(20, 20))
    bar.setToolButtonStyle(Qt.ToolButtonIconOnly)
    for name in "new open save | undo redo | quick_add duplicate delete comment | layout " \
                "zoom_in zoom_out fit".split():
        if name == "|":
            bar.addSeparator()
        else:
            bar.addAction(acts[name])
    spacer = QWidget()
    spacer.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Preferred)
    bar.addWidget(spacer)
    bar.addAction(acts["dark"])
    window.addToolBar(Qt.TopToolBarArea, bar)
    window.toolbar = bar
    window.menus["panels"].addAction(bar.toggleViewAction())


def update_recent_menu(window, files: list[str]) -> None:
    menu = window.menus["recent"]
    menu.clear()
    for i, path in enumerate(files):
        action = menu.addAction(f"&{i + 1}  {os.path.basename(path)}")
        action.setToolTip(path)
        action.setStatusTip(path)
        action.triggered.connect(lambda _c=False, p=path: window.files.open_path(p))
    if files:
        menu.addSeparator()
        menu.addAction("Clear Recent", lambda: (settings.clear_recent_files(),
                                                update_recent_menu(window, [])))
    menu.setEnabled(bool(files))


def refresh_icons(window) -> None:
    """Re-tint every action icon after a theme switch."""
    for action in window.findChildren(QAction):
        name = action.property("nw_icon")
        if name:
            action.setIcon(icons.icon(name))


def show_shortcuts(window) -> None:
    rows = []
    for action in window.findChildren(QAction):
        keys = action.shortcut().toString(QKeySequence.NativeText)
        if keys and action.text():
            rows.append(f"<tr><td>{action.text().replace('&', '')}</td><td><b>{keys}</b></td></tr>")
    canvas = ("<tr><td>Quick add on the canvas</td><td><b>Tab</b> or double-click</td></tr>"
              "<tr><td>Rename the selected layer</td><td><b>F2</b></td></tr>")
    QMessageBox.information(window, "Keyboard shortcuts",
                            f"<table cellspacing=6>{''.join(sorted(set(rows)))}{canvas}</table>")


def show_about(window) -> None:
    QMessageBox.about(window, "About Netwright",
                      "<b>Netwright</b><br>Design, check, train and export neural networks "
                      "visually.")
