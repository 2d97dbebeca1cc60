"""The run history of the open project, kept in the Runs list, the curves and the Compare view.

`RunHistory` is the controller between the window's project (`window.files.current_project()`,
which finished runs join through `window.project_state`) and the widgets: it fills the Runs
list from the project's runs (and a live row, under the number the run will get, while one
trains), and turns the list's selection into overlaid curves in colours the live run never
uses, a legend under the plots and the Compare view. Rename, note and delete are
`RunEditCommand`s on the window's undo stack; "Open design" is one undoable `ReplaceDesign`
edit of the document, so Undo returns to the design that was open. Nothing here imports torch.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Slot
from PySide6.QtWidgets import QMessageBox

from backend.project.design import DesignFileError, doc_to_dict
from backend.project.project import design_from_data
from backend.project.run_edits import DeleteRun, ReplaceDesign, RunEditError, SetRunText
from backend.project.run_labels import run_labels
from backend.project.runs import (
    default_name,
    finished_text,
    run_curves,
    run_name,
    run_score,
    sorted_runs,
)
from designer.plots.base import colour
from designer.plots.curves import Overlay, overlay_colour
from designer.training.compare import RunComparison
from designer.training.run_commands import RunEditCommand
from designer.training.run_dialogs import ask_run_name, ask_run_note
from designer.training.runs import RunEntry


def _tooltip(run: dict) -> str:
    from backend.project.run_labels import comparable_settings, setting_phrase

    values = comparable_settings(run)
    keys = ("optimizer", "lr", "loss", "batch_size", "epochs", "seed", "data:name")
    rows = [" · ".join(setting_phrase(k, values[k]) for k in keys if k in values)]
    final = run.get("final") if isinstance(run.get("final"), dict) else {}
    if final.get("reason"):
        reason = "failed" if final["reason"] == "error" else final["reason"]
        rows.append(f"ended: {reason}" + (f" ({final['message']})"
                                          if final.get("message") else ""))
    if isinstance(run.get("processes"), int) and run["processes"] > 1:
        rows.append(f"trained by {run['processes']} processes")
    if run.get("note"):
        rows.append(str(run["note"]))
    rows.append(f"stored in the project as {run.get('id')}")
    return "\n".join(rows)


class RunHistory(QObject):
    """Keeps the Runs list, the compared curves and the Compare view in step with the project."""

    def __init__(self, window, dock):
        super().__init__(window)
        self.window, self.dock = window, dock
        self.panel = dock.runs_panel
        self.curves = dock.views.curves
        self.compare = RunComparison()
        tabs = getattr(dock.views, "tabs", None)
        if tabs is not None:
            tabs.addTab(self.compare, "Compare")
        self.live_id: str | None = None  # the run being prepared or trained
        self.live_text = ""
        self.labels: dict[str, str] = {}
        self._shown: tuple[list, dict, dict] = ([], {}, {})  # what the Compare view shows
        self._connect()
        self.reload()

    def _connect(self) -> None:
        p = self.panel
        p.selection_changed.connect(self._on_selection)
        p.rename_requested.connect(self.rename)
        p.note_requested.connect(self.annotate)
        p.delete_requested.connect(self.delete)
        p.open_design_requested.connect(self.open_design)
        p.export_requested.connect(self.export_weights)
        self.window.editor.document_replaced.connect(self._reload_soon)
        self.window.editor.analysis_changed.connect(self._on_design_analysed)
        self.dock.run_requested.connect(self._on_run_requested)
        self.dock.run_started.connect(self._on_run_started)
        self.dock.run_finished.connect(self._on_run_finished)
        state = getattr(self.window, "project_state", None)
        if state is not None:
            state.run_added.connect(self._on_run_added)
        self.dock.next_run_name = self.next_run_name

    # -- the project --------------------------------------------------------------------------
    @property
    def project(self):
        return self.window.files.current_project()

    def runs(self) -> list[dict]:
        return sorted_runs(self.project.runs)

    def run(self, run_id: str) -> dict | None:
        return next((r for r in self.project.runs if r.get("id") == run_id), None)

    def next_run_name(self) -> str:
        return default_name(self.project.next_run_id())

    # -- filling the list ---------------------------------------------------------------------
    @Slot()
    def _reload_soon(self) -> None:
        """Another design was opened: nothing of the previous one stays selected; the list is
        refilled once every other handler of the new document has run."""
        self.panel.select([])
        self.live_id = None  # a run still training belongs to the design that was closed
        self.curves.set_live_visible(True)
        QTimer.singleShot(0, self.reload)

    @Slot()
    def reload(self) -> None:
        runs = self.runs()
        self.labels = run_labels(runs) if runs else {}
        entries = [self._entry(r) for r in runs]
        if self.live_id is not None and self.run(self.live_id) is None:
            entries.append(RunEntry(self.live_id, default_name(self.live_id),
                                    self.live_text, live=True,
                                    tooltip="training now; it joins the project when it ends"))
        self.panel.set_entries(entries)
        self._show_selection(self.panel.selected_ids())

    def _entry(self, run: dict) -> RunEntry:
        score = run_score(run)
        final = run.get("final") if isinstance(run.get("final"), dict) else {}
        ended = {"stopped": "stopped", "early-stopped": "stopped early",
                 "error": "failed"}.get(final.get("reason"))
        figure = " · ".join(p for p in (score.text if score else "", ended) if p)
        return RunEntry(run["id"], run_name(run), self.labels.get(run["id"], ""),
                        figure, finished_text(run, short=True),
                        run.get("note", "") if isinstance(run.get("note"), str) else "",
                        tooltip=_tooltip(run))

    @Slot()
    def _on_run_requested(self) -> None:
        self.live_id, self.live_text = self.project.next_run_id(), "preparing…"
        self.reload()

    @Slot(object)
    def _on_run_started(self, _event) -> None:
        self.live_id, self.live_text = self.project.next_run_id(), "training…"
        self.curves.set_live_visible(True)
        self.reload()

    @Slot(object)
    def _on_run_finished(self, _event) -> None:
        self.live_id = None
        self.reload()

    @Slot(str)
    def _on_run_added(self, _run_id: str) -> None:
        self.reload()

    # -- comparing ----------------------------------------------------------------------------
    @Slot(list)
    def _on_selection(self, run_ids: list) -> None:
        """The user selected runs: show them (without the live run's curves unless one is
        training), and bring the Compare view forward."""
        self._show_selection(run_ids)
        training = getattr(self.dock, "state", "idle") in ("starting", "running", "paused")
        self.curves.set_live_visible(training or not run_ids)
        tabs = getattr(self.dock.views, "tabs", None)
        if run_ids and tabs is not None:
            tabs.setCurrentWidget(self.compare)

    @Slot()
    def _on_design_analysed(self) -> None:
        """The open design changed: "changes since this run" follows (the curves stay)."""
        runs, labels, colours = self._shown
        if len(runs) == 1 and self.compare.isVisible():
            self.compare.show_runs(runs, labels, colours, doc_to_dict(self.window.editor.doc))

    def _show_selection(self, run_ids: list) -> None:
        runs = [r for r in (self.run(i) for i in run_ids) if r is not None]
        labels = run_labels(runs) if len(runs) > 1 else {
            r["id"]: self.labels.get(r["id"], "") for r in runs}
        overlays, colours = [], {}
        for i, run in enumerate(runs):
            index = overlay_colour(i)
            colours[run["id"]] = colour(index)
            text = " · ".join(p for p in (run_name(run), labels.get(run["id"], "")) if p)
            curves = {k: (list(xs), list(ys)) for k, (xs, ys) in run_curves(run).items()}
            overlays.append(Overlay(text, index, curves, width=1.5 + i // 5))
        self.curves.set_overlays(overlays)
        self.panel.set_colours(colours)
        self.compare.show_runs(runs, labels, colours, doc_to_dict(self.window.editor.doc))
        self._shown = (runs, labels, colours)

    # -- edits (undoable) ---------------------------------------------------------------------
    def edit(self, op, text: str) -> bool:
        """Apply a run edit as one undo step; a refusal is one sentence in a message box."""
        try:
            command = RunEditCommand.apply(self.project, op, text, self.reload)
        except RunEditError as exc:
            self.warn("Run not changed", f"{exc}.")
            return False
        self.window.editor.undo_stack.push(command)
        return True

    @Slot(str)
    def rename(self, run_id: str, name: str | None = None) -> bool:
        run = self.run(run_id)
        if run is None:
            return False
        name = ask_run_name(self.window, run) if name is None else name
        if name is None:
            return False
        return self.edit(SetRunText(run_id, "name", name), f"Rename {run_name(run)}")

    @Slot(str)
    def annotate(self, run_id: str, note: str | None = None) -> bool:
        run = self.run(run_id)
        if run is None:
            return False
        note = ask_run_note(self.window, run) if note is None else note
        if note is None:
            return False
        return self.edit(SetRunText(run_id, "note", note), f"Note on {run_name(run)}")

    @Slot(list)
    def delete(self, run_ids: list) -> bool:
        runs = [r for r in (self.run(i) for i in run_ids) if r is not None]
        if not runs:
            return False
        stack = self.window.editor.undo_stack
        names = ", ".join(run_name(r) for r in runs)
        stack.beginMacro(f"Delete {names}")
        for run in runs:
            self.edit(DeleteRun(run["id"]), f"Delete {run_name(run)}")
        stack.endMacro()
        self.window.statusBar().showMessage(
            f"Deleted {names} and {'its' if len(runs) == 1 else 'their'} weights; Undo "
            "(Ctrl+Z) brings them back.", 10000)
        return True

    @Slot(str)
    def open_design(self, run_id: str) -> bool:
        """Make the design this run trained the open design, as one undoable edit."""
        run = self.run(run_id)
        if run is None:
            return False
        name = run_name(run)
        if not isinstance(run.get("design"), dict):
            self.warn("Cannot open the design", f"{name} does not record the design it "
                      "trained (it comes from an older Netwright).")
            return False
        try:
            design = design_from_data(run["design"], f"the design of {name}")
        except DesignFileError as exc:
            self.warn("Cannot open the design", str(exc))
            return False
        editor = self.window.editor
        editor.set_selection([])
        if not editor.push(ReplaceDesign(design), f"Open the design of {name}"):
            return False
        QTimer.singleShot(0, self._fit)
        self.window.statusBar().showMessage(
            f"The design {name} trained is open; Undo (Ctrl+Z) goes back to the previous "
            "one.", 10000)
        return True

    @Slot()
    def _fit(self) -> None:
        from designer.canvas_slot import fit_readable

        fit_readable(self.window.canvas)

    @Slot(str)
    def export_weights(self, run_id: str) -> bool:
        exporter = getattr(self.window, "exporter", None)
        return bool(exporter is not None and exporter.export_weights(run_id))

    def warn(self, title: str, sentence: str) -> None:
        QMessageBox.warning(self.window, title, sentence)


def install(window) -> RunHistory | None:
    """Follow the Training dock's Runs list (kept as `window.run_history`)."""
    dock = getattr(window, "training", None)
    if dock is None:
        return None
    window.run_history = RunHistory(window, dock)
    return window.run_history
