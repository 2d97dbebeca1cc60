"""ViewEdits: the canvas view's editing entry points, delegated to the scene.

Mixed into CanvasView. Menus, keys and window actions call these by name: add, copy, cut,
paste, duplicate, delete (reconnecting a chain, or plainly), replace layer type (the quick-add
popup picks the new type), apply a problem's fix, rename, connect, auto-layout and quick-add.
Nothing here is refused silently: a refusal reaches the user as a toast through the editor.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QGraphicsTextItem

from designer.canvas import style as st


class ViewEdits:
    _replacing: list[str] | None = None  # the nodes the quick-add popup picks a type for

    # -- edits (delegated to the scene) ---------------------------------------------------------
    def add_layer(self, layer_type: str, scene_pos: QPointF, after: str | None = None
                  ) -> str | None:
        """Add a layer (or a palette block: "library:NAME", "design:ID") at `scene_pos`."""
        if layer_type.startswith(("library:", "design:")):
            return self.canvas.add_palette_block(layer_type, scene_pos)
        return self.canvas.add_layer(layer_type, scene_pos, after)

    def add_comment(self, scene_pos: QPointF | None = None) -> str | None:
        pos = scene_pos if scene_pos is not None else self._cursor_scene_pos()
        return self.canvas.add_comment(pos)

    def _typing(self) -> bool:
        """True while an inline editor (title, comment text) has the keyboard focus."""
        return isinstance(self.scene().focusItem(), QGraphicsTextItem)

    def copy(self) -> bool:
        return False if self._typing() else self.canvas.copy()

    def cut(self) -> bool:
        return False if self._typing() else self.canvas.cut()

    def paste(self) -> list[str]:
        return [] if self._typing() else self.canvas.paste()

    def duplicate(self) -> list[str]:
        return [] if self._typing() else self.canvas.duplicate()

    def delete_selection(self) -> bool:
        """Delete the selected layers, wires and comments (not while text is being typed)."""
        return False if self._typing() else self.canvas.delete_selection()

    def group_selected(self) -> str | None:
        return None if self._typing() else self.canvas.group_selection()

    def save_as_block(self) -> str | None:
        """Group the selection into a block under a name the user gives; the block is then
        listed in the palette (Blocks in this design) to be used again."""
        from PySide6.QtWidgets import QInputDialog

        if self._typing() or not self._need_selection():
            return None
        name, ok = QInputDialog.getText(self, "Save as Block", "Name of the new block "
                                        "(it is listed in the palette to be used again):",
                                        text="my block")
        name = " ".join(name.split())
        return self.canvas.group_selection(name) if ok and name else None

    def ungroup_selected(self) -> list[str]:
        return [] if self._typing() else self.canvas.ungroup_selection()

    def toggle_expand(self) -> bool:
        """Expand the selected blocks in place (or collapse them): E."""
        return False if self._typing() else self.canvas.toggle_expanded(self._selected_nodes())

    def delete_plain(self) -> bool:
        """Delete the selection without reconnecting the chain around it (Ctrl+Delete)."""
        return False if self._typing() else self.canvas.delete_selection(bridge=False)

    def apply_fix(self, problem) -> bool:
        return self.canvas.apply_fix(problem)

    def offer_fix(self, problem) -> int:
        """Keep `problem` for a menu entry; returns the key the entry's data holds."""
        if getattr(self, "_offered", None) is None:
            self._offered: list = []
        self._offered.append(problem)
        return len(self._offered) - 1

    def apply_offered_fix(self) -> bool:
        """Slot of a menu's fix entry: apply the problem it was offered for."""
        action = self.sender()
        offered = getattr(self, "_offered", None) or []
        key = action.data() if action is not None else None
        problem = offered[key] if isinstance(key, int) and 0 <= key < len(offered) else None
        self._offered = []
        return self.apply_fix(problem) if problem is not None else False

    def select_all(self) -> None:
        if not self._typing():
            self.canvas.select_all()

    def auto_layout(self) -> bool:
        done = self.canvas.auto_layout(max(1.0, self.width() / max(1, self.height())))
        if done:
            self.fit_all()
        return done

    def connect_selected(self) -> bool:
        return self.canvas.connect_selected()

    def rename_selected(self) -> bool:
        ids = [i for i in self.canvas.selection_order if i in self.canvas.nodes]
        if len(ids) != 1:
            return False
        self.center_on_node(ids[0]) if not self._visible(ids[0]) else None
        self.canvas.nodes[ids[0]].start_rename()
        return True

    def _visible(self, node_id: str) -> bool:
        rect = self.mapToScene(self.viewport().rect()).boundingRect()
        return rect.contains(self.canvas.nodes[node_id].sceneBoundingRect())

    # -- replace layer type ---------------------------------------------------------------------
    def _selected_nodes(self) -> list[str]:
        return [i for i in self.canvas.selection_order if i in self.canvas.nodes]

    def _need_selection(self) -> list[str]:
        ids = self._selected_nodes()
        if not ids:
            self.editor.refused.emit("select a layer first")
        return ids

    def replace_selected(self) -> None:
        """Ask for a layer type and turn every selected layer into it (one undo step)."""
        ids = self._need_selection()
        if ids and not self._typing():
            self._open_replace(ids)

    def replace_all_like(self) -> None:
        """Ask for a layer type for every layer of the selected layer's type."""
        ids = self._need_selection()
        if ids and not self._typing():
            self._open_replace(self.canvas.nodes_like(ids[0]))

    def select_same_type(self) -> None:
        """Select every layer of the selected layers' types."""
        ids = self._need_selection()
        kinds = {self.editor.graph.nodes[n].type for n in ids}
        self.editor.set_selection([n for n, node in self.editor.graph.nodes.items()
                                   if node.type in kinds])

    def _open_replace(self, ids: list[str]) -> None:
        from designer.canvas.connect import name_of

        doc, analysis = self.editor.graph, self.editor.view_analysis
        kinds = {doc.nodes[n].type for n in ids}
        kind = f" {next(iter(kinds))}" if len(kinds) == 1 else ""
        what = name_of(doc, ids[0]) if len(ids) == 1 else f"{len(ids)}{kind} layers"
        shapes = {tuple(analysis.in_shapes[n][0]) if analysis.in_shapes.get(n) else None
                  for n in ids}
        self.popup.set_input_shape(next(iter(shapes)) if len(shapes) == 1 else None)
        self.popup.set_choice(_category(kinds), _cannot_replace(doc, ids, kinds))
        if not self._visible(ids[0]):
            self.center_on_node(ids[0])
        self._quick_from = None
        anchor = self.canvas.nodes[ids[0]].pos() + QPointF(0, st.NODE_H + 6)
        self._open_quick_add(anchor, f"Replace {what} with…")
        self._replacing = list(ids)

    # -- quick add ------------------------------------------------------------------------------
    def _cursor_scene_pos(self) -> QPointF:
        local = self.viewport().mapFromGlobal(QCursor.pos())
        if not self.viewport().rect().contains(local):
            local = self.viewport().rect().center()
        return self.mapToScene(local)

    def quick_add(self, scene_pos: QPointF | None = None) -> None:
        """Open the search popup at the cursor; Enter adds the layer there."""
        self._quick_from = self._replacing = None
        self.popup.set_choice()
        ids = [i for i in self.canvas.selection_order if i in self.canvas.nodes]
        self.popup.set_input_shape(self.editor.view_analysis.shapes.get(ids[0])
                                   if len(ids) == 1 else None)  # it will follow that layer
        self._open_quick_add(scene_pos)

    def _wire_released(self, node_id: str, port: str, is_input: bool, pos: QPointF) -> None:
        """A wire dropped on empty canvas: offer a layer to put at its end, wired in."""
        shapes = self.editor.view_analysis.shapes
        self.popup.set_input_shape(None if is_input else shapes.get(node_id))
        self._replacing = None
        self.popup.set_choice()
        self._open_quick_add(pos)
        self._quick_from = (node_id, port, is_input)

    def _open_quick_add(self, scene_pos: QPointF | None, prompt: str = "") -> None:
        self._quick_pos = scene_pos if scene_pos is not None else self._cursor_scene_pos()
        local = self.mapFromScene(self._quick_pos)
        self.popup.open_at(self.viewport().mapToGlobal(local), prompt)

    def _quick_add_chosen(self, layer_type: str) -> None:
        replacing, self._replacing = self._replacing, None
        if replacing:
            self.canvas.replace_type(replacing, layer_type)
            self.setFocus()
            return
        origin, self._quick_from = self._quick_from, None
        if origin is not None and origin[0] in self.canvas.nodes:
            node_id, port, is_input = origin
            self.canvas.add_layer(layer_type, self._quick_pos,
                                  after=None if is_input else node_id,
                                  before=(node_id, port) if is_input else None)
            self.setFocus()
            return
        ids = [i for i in self.canvas.selection_order if i in self.canvas.nodes]
        after = ids[0] if len(ids) == 1 else None
        pos = self._quick_pos
        if after is not None:
            src = self.canvas.nodes[after]
            pos = src.pos() + QPointF(st.COL_STEP + st.NODE_W / 2, st.NODE_H / 2)
        nid = self.add_layer(layer_type, pos, after)
        if nid is not None and not self._visible(nid):
            self.center_on_node(nid)
        self.setFocus()


def _category(kinds: set[str]) -> str:
    """The category all `kinds` share ('' when they differ): its layers are listed first."""
    from backend.layers import get_spec

    cats = {get_spec(k).category if get_spec(k) else "" for k in kinds}
    return cats.pop() if len(cats) == 1 else ""


def _cannot_replace(doc, ids: list[str], kinds: set[str]) -> tuple[str, ...]:
    """Types not worth offering: the layers' own type, and input-less types for wired ones."""
    from backend.layers import all_specs

    wired = any(e.dst in set(ids) for e in doc.edges)
    sourceless = tuple(s.type for s in all_specs() if not s.inputs) if wired else ()
    return (*(kinds if len(kinds) == 1 else ()), *sourceless)
