"""The palette's block sections: the block library, and the blocks of the open design.

Library entries come from `backend.templates.blocks_library.LIBRARY` (their data is
"library:NAME"); the design's own block definitions are listed under "Blocks in this design"
(data "design:ID") so a block made by grouping is reusable: dragging it adds another use of
the same definition. The block-port category (BlockInput, BlockOutput) is switched off
(OFF_ROLE) unless the canvas shows a block's inside, where a port can be added.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem

from designer import icons

BLOCK_ROLE = Qt.UserRole + 2
SEARCH_ROLE = Qt.UserRole + 3  # extra words the search matches (a description)
OFF_ROLE = Qt.UserRole + 4  # True: not offered here (hidden whatever the search)


def _top(tree: QTreeWidget, text: str) -> QTreeWidgetItem:
    top = QTreeWidgetItem(tree, [text])
    top.setFlags(Qt.ItemIsEnabled)
    top.setIcon(0, icons.category_icon("block"))
    font = top.font(0)
    font.setBold(True)
    top.setFont(0, font)
    return top


def _entry(top: QTreeWidgetItem, title: str, data: str, about: str, tip: str) -> None:
    item = QTreeWidgetItem(top, [title])
    item.setData(0, BLOCK_ROLE, data)
    item.setData(0, SEARCH_ROLE, about)
    item.setToolTip(0, tip)
    item.setFlags(Qt.ItemIsEnabled | Qt.ItemIsSelectable | Qt.ItemIsDragEnabled)


def block_tooltip(title: str, about: str, params) -> str:
    rows = "".join(f"<li><b>{html.escape(p.name)}</b> = {p.default}"
                   + (f" — {html.escape(p.doc)}" if p.doc else "") + "</li>" for p in params)
    body = f"<ul style='margin-left:-16px'>{rows}</ul>" if rows else "<i>No parameters.</i>"
    return (f"<p style='white-space:normal'><b>{html.escape(title)}</b> <i>(block)</i><br>"
            f"{html.escape(about)}<br>{body}Drag onto the canvas; double-click the block "
            "there to see inside.</p>")


class PaletteBlocks:
    def __init__(self, tree: QTreeWidget, ports: QTreeWidgetItem | None) -> None:
        self.tree, self.ports = tree, ports
        if ports is not None:
            ports.setText(0, "Block ports")
        self.library = _top(tree, "Block library")
        self.design = _top(tree, "Blocks in this design")
        self._fill_library()

    def groups(self) -> list[QTreeWidgetItem]:
        return [self.library, self.design]

    def _fill_library(self) -> None:
        from backend.templates.blocks_library import LIBRARY

        for entry in LIBRARY:
            params = entry.make()[0].params
            _entry(self.library, entry.title, f"library:{entry.name}", entry.description,
                   block_tooltip(entry.title, entry.description, params))

    def set_design(self, doc, inside_block: bool) -> None:
        """List the blocks `doc` defines; offer block ports only inside a block."""
        self.design.takeChildren()
        for defn in (doc.blocks.values() if doc is not None else ()):
            about = defn.note or "A block of this design."
            _entry(self.design, defn.label, f"design:{defn.id}", about,
                   block_tooltip(defn.label, about, defn.params))
        if self.ports is not None:
            for i in range(self.ports.childCount()):
                self.ports.child(i).setData(0, OFF_ROLE, not inside_block)
