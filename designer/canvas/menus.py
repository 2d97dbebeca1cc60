"""Right-click menus on the canvas: what can be done here, with the keyboard shortcut shown.

`context_menu(view, scene_pos)` builds the menu for what lies under the cursor (a layer, a
wire, a comment or empty canvas); every entry calls a CanvasView method, so a menu never
does anything the keyboard cannot.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMenu

from designer.canvas.comment_item import CommentItem
from designer.canvas.node_item import NodeItem
from designer.canvas.wire_item import WireItem

SK = QKeySequence.StandardKey
# Other features add entries for the selected layers: callables (view, menu, node_ids).
NODE_EXTRAS: list = []


def _add(menu: QMenu, text: str, slot, shortcut=None) -> None:
    action = menu.addAction(text)
    action.triggered.connect(slot)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutVisibleInContextMenu(True)


def _item_at(view, scene_pos: QPointF):
    for item in view.canvas.items(scene_pos):
        while item is not None and not isinstance(item, NodeItem | WireItem | CommentItem):
            item = item.parentItem()
        if item is not None:
            return item
    return None


def context_menu(view, scene_pos: QPointF) -> QMenu:
    """The menu for the item under `scene_pos` (selecting it first, like a left click)."""
    menu = QMenu(view)
    item = _item_at(view, scene_pos)
    if item is not None and not item.isSelected():
        view.canvas.clearSelection()
        item.setSelected(True)
    if isinstance(item, NodeItem):
        _node_entries(view, menu)
    elif isinstance(item, WireItem):
        _add(menu, "Delete Wire", view.delete_selection, SK.Delete)
    elif isinstance(item, CommentItem):
        _add(menu, "Edit Text", item.start_editing)
        _add(menu, "Delete Comment", view.delete_selection, SK.Delete)
    else:
        _canvas_entries(view, menu, scene_pos)
    return menu


def _node_entries(view, menu: QMenu) -> None:
    nodes = [i for i in view.canvas.selection_order if i in view.canvas.nodes]
    if len(nodes) == 1:
        _add(menu, "Rename", view.rename_selected, "F2")
        _add(menu, "Add Layer After…", view.quick_add, "Tab")
    if len(nodes) >= 2:
        _add(menu, "Connect in Selection Order", view.connect_selected, "C")
    for extra in NODE_EXTRAS:
        extra(view, menu, nodes)
    menu.addSeparator()
    _add(menu, "Cut", view.cut, SK.Cut)
    _add(menu, "Copy", view.copy, SK.Copy)
    _add(menu, "Duplicate", view.duplicate, "Ctrl+D")
    _add(menu, "Delete", view.delete_selection, SK.Delete)


def _canvas_entries(view, menu: QMenu, scene_pos: QPointF) -> None:
    view.editor.set_selection([])
    view.menu_pos = scene_pos  # bound methods, not lambdas: no cycle holds the view alive
    _add(menu, "Add Layer…", view.quick_add_at_menu, "Tab")
    _add(menu, "Add Comment", view.add_comment_at_menu)
    _add(menu, "Paste", view.paste, SK.Paste)
    menu.addSeparator()
    _add(menu, "Select All", view.select_all, SK.SelectAll)
    _add(menu, "Auto-layout", view.auto_layout)
    _add(menu, "Fit to View", view.fit_all, "0")
