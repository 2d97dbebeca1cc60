"""Trained results belong to the open project: each finished training run goes into it.

`install(window)` follows the Training dock (`window.training`). When a run starts, the
design goes into the window's recovery folder at once and the trainer's best weights are
written there whenever they improve (`RecoverySession.keep_best`), so killing the app
mid-run loses neither. When a run ends (completed, stopped, stopped early, or failed after it
started: marked failed with its reason, its curves up to the fault and the best weights so
far, if an epoch was best) its record (`run_record`: settings, per-epoch history, final
metrics and the design that was trained) and the weights are added to the project behind the
window
(`window.files.current_project()`), and the design counts as modified: Save writes them into
the .nwproj (a .json save refuses with `json_drops`' sentence), autosave keeps them, and
closing asks first. A run that ends after another design was opened (New, Open) is not
added to that one. Nothing here imports torch until a run has finished.
"""

from __future__ import annotations

import logging
import time

from PySide6.QtCore import QObject, Signal, Slot

log = logging.getLogger(__name__)


class ProjectState(QObject):
    """Moves finished training runs (and their weights) into the window's project."""

    run_added = Signal(str)  # the new run's id in the project

    def __init__(self, window, dock):
        super().__init__(window)
        self.window, self.dock = window, dock
        self.started_at: float | None = None
        self.orphaned = False  # another design was opened while the run trained
        dock.run_started.connect(self._on_started)
        dock.run_finished.connect(self._on_finished)
        window.editor.document_replaced.connect(self._on_document_replaced)
        requested = getattr(dock, "run_requested", None)
        if requested is not None:
            requested.connect(self._on_requested)
        dock.on_best = self.keep_best

    def keep_best(self, state: dict, epoch: int) -> None:
        """The trainer's on_best (training thread): the best weights into the recovery folder.

        A failure to write them is logged, never allowed to stop the run.
        """
        recovery = getattr(self.window, "recovery", None)
        if recovery is None:
            return
        try:
            recovery.session.keep_best(state, epoch)
        except Exception:
            log.exception("could not write the best weights to the recovery folder")

    @Slot(object)
    def _on_started(self, _event) -> None:
        self.started_at = time.time()
        recovery = getattr(self.window, "recovery", None)
        if recovery is None:
            return
        recovery.autosave(force=True)  # the design these weights belong to

    @Slot()
    def _on_requested(self) -> None:
        self.orphaned = False  # a new run, for the design open now
        self.started_at = None  # a run that fails before it starts is no run of the project

    @Slot()
    def _on_document_replaced(self) -> None:
        if getattr(self.dock, "state", "idle") != "idle":
            self.orphaned = True

    @Slot(object)
    def _on_finished(self, event) -> None:
        orphaned, self.orphaned = self.orphaned, False
        if getattr(event, "reason", "error") == "error" and self.started_at is None:
            return  # it failed while preparing (its sentence is in the dock): nothing ran
        if orphaned:
            self.window.statusBar().showMessage(
                "The run ended after its design was closed, so it was not added to the "
                "design open now.", 15000)
            return
        try:
            run_id = self.add_run(event)
        except Exception as exc:  # the run's results are shown anyway; say what was not kept
            log.exception("could not keep the run")
            self.window.statusBar().showMessage(
                f"The run's weights could not be kept in the project ({exc}).", 15000)
            return
        if run_id is not None:
            self.run_added.emit(run_id)

    def add_run(self, event) -> str | None:
        """Add the dock's finished run to the project; its id, or None without a model."""
        from backend.project.runs import default_name, run_record

        worker = getattr(getattr(self.dock, "run", None), "worker", None)
        if worker is None:
            return None
        design = worker.snapshot  # the design as it was trained
        meta = {"design": design.name, "epochs": str(event.epochs_done),
                "best_epoch": str(event.best_epoch)}
        failed = event.reason == "error"
        weights = worker.final_weights(meta) if event.weights_kept else None
        if weights is None and not failed:
            return None
        project = self.window.files.current_project()
        record = run_record(design, event, self.started_at)
        record.update(getattr(worker, "record_extra", {}))  # e.g. the processes that trained it
        run_id = project.add_run(record, weights)
        self.window.editor.undo_stack.resetClean()  # unsaved until the project is saved
        self.window.statusBar().showMessage(_added_text(default_name(run_id), event,
                                                        weights is not None), 15000)
        return run_id


    @Slot()
    def install_run_history(self) -> None:
        """The Runs list follows the project's runs (plots are imported by then)."""
        from designer.training.run_history import install as install_run_history

        install_run_history(self.window)


def _added_text(name: str, event, weights: bool) -> str:
    if event.reason != "error":
        return (f"The run and its trained weights are in the project as {name}: save it as "
                ".nwproj to keep them.")
    kept = (f"with the best weights so far (epoch {event.best_epoch})" if weights
            else "without weights (no epoch was best before it failed)")
    return f"The failed run is in the project as {name}, {kept}: save it as .nwproj to keep it."


def install(window) -> ProjectState | None:
    """Follow `window.training` (if the Training dock is installed); kept as
    `window.project_state`."""
    dock = getattr(window, "training", None)
    if dock is None:
        return None
    window.project_state = ProjectState(window, dock)
    if callable(getattr(dock, "is_built", None)) and not dock.is_built():
        # the dock builds its panels after the window opened: the Runs list follows them
        dock.built.connect(window.project_state.install_run_history)
    else:
        window.project_state.install_run_history()
    return window.project_state
