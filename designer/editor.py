"""DocumentEditor: the hub between the document and every widget.

Owns the GraphDocument, the one QUndoStack, the current selection and the derived analysis
(shapes, parameter counts, problems), re-derived on a short debounce after each change.
Widgets and canvas items never mutate the document: they call `push(op, text)`.

Features add their own checks to the analysis with `add_checker(check)`: `check(doc,
analysis)` returns more `Problem`s (the Training dock adds the design's fit to its data and
refused training settings), so the Problems list, the status bar and the node badges show
them beside the design's own problems.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoStack

from backend.graph import EditError, GraphDocument
from backend.graph.problems import Problem
from backend.shapes import Analysis, analyse
from designer.commands import EditCommand
from designer.scope import EditorScope

DEBOUNCE_MS = 60
log = logging.getLogger(__name__)
Checker = Callable[[GraphDocument, Analysis], list[Problem]]


class DocumentEditor(EditorScope, QObject):
    document_event = Signal(str, dict)  # every past-tense document event, as it happens
    graph_event = Signal(str, dict)  # events of the graph the canvas shows (see scope.py)
    scope_changed = Signal()  # the canvas entered or left a block
    analysis_changed = Signal()  # shapes/counts/problems re-derived
    selection_changed = Signal(list)  # list of selected node ids
    refused = Signal(str)  # an edit was refused; the sentence says why
    dirty_changed = Signal(bool)
    path_changed = Signal(str)
    document_replaced = Signal()  # a different design was opened or created

    def __init__(self, doc: GraphDocument | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.doc = doc or GraphDocument()
        self.undo_stack = QUndoStack(self)
        self.path: str = ""
        self._selection: list[str] = []
        self._checkers: list[Checker] = []
        self.replacing = False  # a whole design is being swapped in; its analysis follows
        self._init_scope()
        self._analysis: Analysis = analyse(self.doc)
        self._timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._timer.timeout.connect(self.reanalyse)
        self.doc.subscribe(self._on_event)
        self.undo_stack.cleanChanged.connect(self._on_clean_changed)

    # -- edits ----------------------------------------------------------------------------------
    def push(self, op, text: str, merge_key: str | None = None, root: bool = False) -> bool:
        """Apply `op` as one undoable command named `text`; False (and `refused`) if refused.

        Inside a block (see scope.py) a graph edit applies to the block shown, unless `root`."""
        op = self.scoped(op, root)
        try:
            inverse = self.doc.apply(op)
        except EditError as exc:
            self.refused.emit(str(exc))
            return False
        self.undo_stack.push(EditCommand(self.doc, op, inverse, text, merge_key))
        return True

    @property
    def dirty(self) -> bool:
        return not self.undo_stack.isClean()

    def _on_clean_changed(self, clean: bool) -> None:
        self.dirty_changed.emit(not clean)

    # -- selection ------------------------------------------------------------------------------
    @property
    def selection(self) -> list[str]:
        return list(self._selection)

    def set_selection(self, node_ids: list[str]) -> None:
        graph = self.graph
        ids = [n for n in node_ids if n in graph.nodes or n in graph.comments]
        if ids != self._selection:
            self._selection = ids
            self.selection_changed.emit(list(ids))

    # -- analysis -------------------------------------------------------------------------------
    @property
    def analysis(self) -> Analysis:
        return self._analysis

    def reanalyse(self, whole: bool = False) -> None:
        """Derive shapes, counts and problems again: after an edit only what it can change is
        inferred again (exactly what a full analysis gives); `whole` starts afresh."""
        self._timer.stop()
        analysis = analyse(self.doc, None if whole else self._analysis)
        for check in self._checkers:
            try:
                analysis.problems.extend(check(self.doc, analysis))
            except Exception:  # a broken check must not hide the design's own problems
                log.exception("a design check failed")
        self._analysis = analysis
        self.analysis_changed.emit()

    def add_checker(self, check: Checker) -> None:
        """Add problems found by `check(doc, analysis)` to every analysis from now on."""
        self._checkers.append(check)
        self._timer.start()

    def remove_checker(self, check: Checker) -> None:
        if check in self._checkers:
            self._checkers.remove(check)
            self._timer.start()

    def _on_event(self, name: str, payload: dict) -> None:
        if self._scope and name in ("node_removed", "block_removed", "block_changed", "reset"):
            self._check_scope()
        if not self._scope:
            if name == "node_removed" and payload["node_id"] in self._selection:
                self.set_selection([n for n in self._selection if n != payload["node_id"]])
            self.graph_event.emit(name, payload)
        self.document_event.emit(name, payload)
        if name not in ("nodes_moved", "comment_added", "comment_removed", "comment_changed"):
            self._timer.start()

    # -- whole documents ------------------------------------------------------------------------
    def replace_document(self, doc: GraphDocument, path: str = "") -> None:
        """Show another design (open/new): clears undo history and selection."""
        self.leave(0)
        self.set_selection([])
        self.replacing = True
        try:
            self.doc.replace_content(doc)
        finally:
            self.replacing = False
        self.undo_stack.clear()
        self.undo_stack.setClean()
        self.set_path(path)
        self.reanalyse(whole=True)
        self.document_replaced.emit()

    def set_path(self, path: str) -> None:
        self.path = path
        self.path_changed.emit(path)

    def mark_saved(self, path: str) -> None:
        self.undo_stack.setClean()
        self.set_path(path)
