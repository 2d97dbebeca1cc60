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


def _add(menu: QMenu, text: str, slot, shortcut=None):
    action = menu.addAction(text)
    action.triggered.connect(slot)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutVisibleInContextMenu(True)
    return action


def _item_at(view, scene_pos: QPointF):
    for item in view.canvas.items(scene_pos):
        while item is not None and not isinstance(item, NodeItem | WireItem | CommentItem):
            item = item.parentItem()
        if item is not None:
            return item
    return None


def context_menu(view, scene_pos: QPointF) -> QMenu:
    """The menu for the item under `scene_pos` (selecting it first, like a left click)."""
    view._offered = []
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
        fix_entries(view, menu, nodes[0])
        _add(menu, "Rename", view.rename_selected, "F2")
        _add(menu, "Add Layer After…", view.quick_add, "Tab")
    _replace_entries(view, menu, nodes)
    if len(nodes) >= 2:
        _add(menu, "Connect in Selection Order", view.connect_selected, "C")
    _block_entries(view, menu, nodes)
    for extra in NODE_EXTRAS:
        extra(view, menu, nodes)
    menu.addSeparator()
    _add(menu, "Cut", view.cut, SK.Cut)
    _add(menu, "Copy", view.copy, SK.Copy)
    _add(menu, "Duplicate", view.duplicate, "Ctrl+D")
    _add(menu, "Delete and Reconnect", view.delete_selection, "Del")
    _add(menu, "Delete Without Reconnecting", view.delete_plain, "Ctrl+Del")


def _block_entries(view, menu: QMenu, nodes: list[str]) -> None:
    doc = view.editor.graph
    blocks = [n for n in nodes if doc.nodes[n].type == "Block"]
    menu.addSeparator()
    if len(blocks) == 1 and len(nodes) == 1:
        _add(menu, "Enter Block", view.enter_block, "Alt+Down")
    if blocks:
        expanded = all(b in view.canvas.expanded for b in blocks)
        _add(menu, "Collapse" if expanded else "Expand in Place", view.toggle_expand, "E")
    _add(menu, "Group into Block", view.group_selected, "Ctrl+G")
    _add(menu, "Save as Block…", view.save_as_block, "Ctrl+Alt+G")
    if blocks:
        _add(menu, "Ungroup Block" if len(blocks) == 1 else f"Ungroup {len(blocks)} Blocks",
             view.ungroup_selected, "Ctrl+Shift+G")


def fix_entries(view, menu: QMenu, node_id: str, every: bool = False) -> int:
    """The node's problems that have a mechanical fix (`every`: all its problems), each
    followed by its fix; returns how many problems were listed."""
    problems = [p for p in view.canvas.problems_for(node_id)
                if every or p.fix is not None]
    for problem in problems:
        words = problem.message if len(problem.message) <= 90 else problem.message[:88] + "…"
        note = menu.addAction(("⚠ " if problem.severity == "error" else "ⓘ ") + words)
        note.setToolTip(problem.message)
        note.setEnabled(False)
        if problem.fix is not None:
            # the view keeps the problem; a bound method, not a lambda or partial, is
            # connected (a callable object connected to a menu's action crashed on delete)
            action = menu.addAction(f"Fix: {problem.fix.label}")
            action.setData(view.offer_fix(problem))
            action.triggered.connect(view.apply_offered_fix)
    if problems:
        menu.addSeparator()
    return len(problems)


def _replace_entries(view, menu: QMenu, nodes: list[str]) -> None:
    doc = view.editor.graph
    if not nodes:
        return
    _add(menu, "Replace With…" if len(nodes) == 1 else f"Replace {len(nodes)} Layers With…",
         view.replace_selected, "R")
    kinds = {doc.nodes[n].type for n in nodes}
    if len(kinds) != 1:
        return
    kind = kinds.pop()
    alike = len(view.canvas.nodes_like(nodes[0]))
    if alike > len(nodes):
        _add(menu, f"Replace All {alike} {kind} Layers With…", view.replace_all_like)
        _add(menu, f"Select All {alike} {kind} Layers", view.select_same_type, "Ctrl+Shift+A")


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
    if view.editor.scope:
        menu.addSeparator()
        _add(menu, "Leave Block", view.leave_block, "Alt+Up")


def badge_menu(view, node_id: str) -> QMenu:
    """The menu a node's problem badge opens: each problem, with its fix when it has one."""
    view._offered = []
    menu = QMenu(view)
    menu.setToolTipsVisible(True)
    fix_entries(view, menu, node_id, every=True)
    return menu
