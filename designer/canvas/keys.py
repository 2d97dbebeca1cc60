"""Keyboard editing on the canvas, so every edit is reachable without a mouse.

Tab: quick-add (after the selected layer) · Shift+Tab, ] / [ or Alt+Right / Alt+Left: select
the next / previous layer · arrows: move the selection one grid step (Shift: five; nothing
selected: scroll) · C or Ctrl+E: connect the selected layers in selection order (one layer:
to the nearest free layer on its right) · F2: rename · R: replace the selected layers' type
(Ctrl+Shift+A selects every layer of their type) · Ctrl+G / Ctrl+Shift+G: group into a block /
ungroup · E: expand a block in place (or collapse it) · Alt+Down or double-click: enter a block,
Alt+Up or Escape with nothing selected: leave ·
Delete / Backspace: delete and reconnect the chain (with Ctrl: without reconnecting) ·
Ctrl+D: duplicate · Escape: cancel a wire or clear the selection · Space+drag: pan ·
+ / - / 0: zoom in, out, fit. The standard edit shortcuts (copy, paste, ...) work here too
when no window action claims them first.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from designer.canvas import style as st

K = Qt.Key
SK = QKeySequence.StandardKey

_ARROWS = {K.Key_Left: (-1, 0), K.Key_Right: (1, 0), K.Key_Up: (0, -1), K.Key_Down: (0, 1)}

_STANDARD = (
    (SK.Copy, "copy"), (SK.Cut, "cut"), (SK.Paste, "paste"), (SK.SelectAll, "select_all"),
    (SK.ZoomIn, "zoom_in"), (SK.ZoomOut, "zoom_out"),
)


def _plain_keys(view) -> dict:
    return {
        K.Key_Tab: view.quick_add,
        K.Key_Backtab: lambda: view.canvas.cycle_selection(False),
        K.Key_Delete: view.delete_selection,
        K.Key_Backspace: view.delete_selection,
        K.Key_F2: view.rename_selected,
        K.Key_R: view.replace_selected,
        K.Key_E: view.toggle_expand,
        K.Key_C: view.connect_selected,
        K.Key_BracketRight: lambda: view.canvas.cycle_selection(True),
        K.Key_BracketLeft: lambda: view.canvas.cycle_selection(False),
        K.Key_Escape: lambda: view.canvas.cancel_wire() or _escape(view),
        K.Key_Plus: view.zoom_in,
        K.Key_Equal: view.zoom_in,
        K.Key_Minus: view.zoom_out,
        K.Key_0: view.fit_all,
    }


def handle_key(view, event) -> bool:
    """Run the canvas action for `event`; False when the key is not a canvas key."""
    for standard, name in _STANDARD:
        if event.matches(standard):
            getattr(view, name)()
            return True
    mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
    key = event.key()
    if key in _ARROWS:
        return _arrow(view, key, mods)
    ctrl = {K.Key_E: view.connect_selected, K.Key_D: view.duplicate,
            K.Key_Delete: view.delete_plain, K.Key_Backspace: view.delete_plain,
            K.Key_G: view.group_selected}
    if key in ctrl and mods == Qt.KeyboardModifier.ControlModifier:
        ctrl[key]()
        return True
    ctrl_shift = {K.Key_A: view.select_same_type, K.Key_G: view.ungroup_selected}
    if key in ctrl_shift and mods == Qt.KeyboardModifier.ControlModifier | \
            Qt.KeyboardModifier.ShiftModifier:
        ctrl_shift[key]()
        return True
    if key == K.Key_Space and not event.isAutoRepeat() and not mods:
        view._begin_space_pan()
        return True
    action = _plain_keys(view).get(key)
    if action is not None and mods in (Qt.KeyboardModifier.NoModifier,
                                       Qt.KeyboardModifier.ShiftModifier):
        action()
        return True
    return False


def _escape(view) -> None:
    """Escape clears the selection; with nothing selected, it leaves the block shown."""
    if view.editor.selection or not view.editor.scope:
        view.editor.set_selection([])
    else:
        view.leave_block()


def _arrow(view, key, mods) -> bool:
    """Alt+Left/Right: previous/next layer; Alt+Up/Down: leave / enter a block; arrows
    (Shift: 5 steps) move the selection."""
    if mods & Qt.KeyboardModifier.AltModifier:
        if key in (K.Key_Left, K.Key_Right):
            view.canvas.cycle_selection(key == K.Key_Right)
            return True
        if key == K.Key_Up:
            return view.leave_block()
        return view.enter_block()
    if mods not in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ShiftModifier):
        return False
    dx, dy = _ARROWS[key]
    step = st.GRID * (5 if mods & Qt.KeyboardModifier.ShiftModifier else 1)
    return view.canvas.nudge(dx * step, dy * step)  # nothing selected: the view scrolls
