"""The Runs list: every run of the project (and the one training now), newest first.

`RunsPanel` shows `RunEntry` rows (plain data the run history controller makes from the
project): the run's name, validation figure and finish time, then what sets it apart from the
other runs ("sgd lr 0.1 · ReLU ×8 instead of Sigmoid") and its note. Selecting runs (Ctrl or
Shift for several) compares them; selected runs carry their curve colour as a swatch. The
panel only reports intent (signals); the controller edits the project through undoable
commands. Delete and F2 act on the list itself (they never reach the canvas's shortcuts).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QKeyEvent, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

ID_ROLE = Qt.ItemDataRole.UserRole


@dataclass
class RunEntry:
    run_id: str
    name: str  # "run 4" or the user's name
    label: str = ""  # what sets it apart from the other runs
    score: str = ""  # "val acc 97.0%"
    finished: str = ""  # "2024-05-01 14:03"
    note: str = ""
    live: bool = False  # the run training now (not in the project yet)
    tooltip: str = ""

    def text(self) -> str:
        head = " · ".join(p for p in (self.name, self.score, self.finished) if p)
        lines = [head, self.label]
        if self.note:
            first = self.note.splitlines()[0]
            lines.append(f"“{first[:60]}{'…' if len(first) > 60 else ''}”")
        return "\n".join(line for line in lines if line)


def _swatch(hex_: str | None) -> QIcon:
    pix = QPixmap(12, 12)
    pix.fill(QColor(hex_) if hex_ else Qt.GlobalColor.transparent)
    return QIcon(pix)


class _RunList(QListWidget):
    """The list; Delete and F2 are its own keys while it has the focus."""

    key_pressed = Signal(int)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent) \
                and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace, Qt.Key.Key_F2) \
                and event.modifiers() == Qt.KeyboardModifier.NoModifier:
            event.accept()  # the window's Edit > Delete must not delete layers from here
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802  (Qt API name)
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace, Qt.Key.Key_F2):
            self.key_pressed.emit(event.key())
            return
        super().keyPressEvent(event)


class RunsPanel(QWidget):
    """The list of runs with buttons for the selected one(s)."""

    selection_changed = Signal(list)  # the selected run ids, oldest first
    rename_requested = Signal(str)
    note_requested = Signal(str)
    delete_requested = Signal(list)
    open_design_requested = Signal(str)
    export_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.entries: list[RunEntry] = []
        self.hint = QLabel("Select a run to see it; Ctrl+click a second one to compare them.")
        self.hint.setWordWrap(True)
        self.hint.setProperty("role", "caption")
        self.list = _RunList()
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setIconSize(QSize(12, 12))
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._context_menu)
        self.list.itemSelectionChanged.connect(self._on_selection)
        self.list.key_pressed.connect(self._on_key)
        self.buttons = self._buttons()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.hint)
        layout.addWidget(self.list, 1)
        grid = QGridLayout()
        grid.setSpacing(4)
        for i, key in enumerate(("rename", "note", "delete", "open", "export")):
            grid.addWidget(self.buttons[key], i // 3, i % 3, 1, 2 if key == "export" else 1)
        layout.addLayout(grid)
        self._update_buttons()

    def _buttons(self) -> dict[str, QPushButton]:
        specs = (("rename", "Rename…", "Give the selected run a name (F2)", self._rename),
                 ("note", "Note…", "Write a note on the selected run", self._note),
                 ("delete", "Delete", "Delete the selected runs and their weights (Del; "
                  "Undo brings them back)", self._delete),
                 ("open", "Open design", "Make the design this run trained the open design "
                  "(Undo goes back)", self._open),
                 ("export", "Export weights…", "Save this run's trained weights as "
                  "safetensors", self._export))
        buttons = {}
        for key, text, tip, slot in specs:
            button = QPushButton(text)
            button.setToolTip(tip)
            button.clicked.connect(slot)
            buttons[key] = button
        return buttons

    # -- contents -------------------------------------------------------------------------------
    def set_entries(self, entries: list[RunEntry]) -> None:
        """Show these runs (oldest first in `entries`; shown newest first), keeping the
        selection of runs that are still there."""
        keep = set(self.selected_ids())
        self.entries = list(entries)
        self.list.blockSignals(True)
        self.list.clear()
        for entry in reversed(entries):
            item = QListWidgetItem(_swatch(None), entry.text())
            item.setData(ID_ROLE, entry.run_id)
            item.setToolTip(entry.tooltip)
            if entry.live:
                item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            self.list.addItem(item)
            item.setSelected(entry.run_id in keep and not entry.live)
        self.list.blockSignals(False)
        self._update_buttons()
        if keep != set(self.selected_ids()):
            self._on_selection()

    def reset(self) -> None:
        """Another design: nothing of the previous one is listed or selected."""
        self.list.clearSelection()
        self.set_entries([])

    def set_colours(self, colours: dict[str, str]) -> None:
        """Swatches for the runs drawn on the curves (run id -> colour); others none."""
        for row in range(self.list.count()):
            item = self.list.item(row)
            item.setIcon(_swatch(colours.get(item.data(ID_ROLE))))

    def item_for(self, run_id: str) -> QListWidgetItem | None:
        for row in range(self.list.count()):
            if self.list.item(row).data(ID_ROLE) == run_id:
                return self.list.item(row)
        return None

    def selected_ids(self) -> list[str]:
        """The selected runs, oldest first."""
        chosen = {item.data(ID_ROLE) for item in self.list.selectedItems()}
        return [e.run_id for e in self.entries if e.run_id in chosen and not e.live]

    def select(self, run_ids: list[str]) -> None:
        self.list.blockSignals(True)
        for row in range(self.list.count()):
            item = self.list.item(row)
            item.setSelected(item.data(ID_ROLE) in run_ids)
        self.list.blockSignals(False)
        self._on_selection()

    # -- intent -----------------------------------------------------------------------------
    def _on_selection(self) -> None:
        self._update_buttons()
        self.selection_changed.emit(self.selected_ids())

    def _update_buttons(self) -> None:
        n = len(self.selected_ids())
        for key, button in self.buttons.items():
            button.setEnabled(n >= 1 if key == "delete" else n == 1)
        self.buttons["delete"].setText(f"Delete {n}" if n > 1 else "Delete")

    def _one(self) -> str | None:
        ids = self.selected_ids()
        return ids[0] if len(ids) == 1 else None

    def _emit_one(self, signal) -> None:
        run_id = self._one()
        if run_id is not None:
            signal.emit(run_id)

    def _rename(self) -> None:
        self._emit_one(self.rename_requested)

    def _note(self) -> None:
        self._emit_one(self.note_requested)

    def _open(self) -> None:
        self._emit_one(self.open_design_requested)

    def _export(self) -> None:
        self._emit_one(self.export_requested)

    def _delete(self) -> None:
        ids = self.selected_ids()
        if ids:
            self.delete_requested.emit(ids)

    def _on_key(self, key: int) -> None:
        if key == Qt.Key.Key_F2:
            self._rename()
        else:
            self._delete()

    def _context_menu(self, pos) -> None:
        if not self.selected_ids():
            return
        menu = QMenu(self)
        for key in ("rename", "note", "open", "export", "delete"):
            button = self.buttons[key]
            action = menu.addAction(button.text())
            action.setEnabled(button.isEnabled())
            action.triggered.connect(button.click)
        menu.exec(self.list.viewport().mapToGlobal(pos))
