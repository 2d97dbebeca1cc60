"""The Training dock: Train/Pause/Stop, progress, data and settings, runs, and the live views.

The dock owns the current `TrainingRun` (worker + thread). Worker signals arrive in slots of
this GUI-thread object (queued); the event batches that arrive within one turn of the event
loop are handled together at the next turn (views, progress, other features: one update).
Each run trains a snapshot of the design; when the document changes afterwards, a line says so.
Train refuses at once, with the first error and its one-click fix, when the design, its
settings or its fit to the data have errors (the same problems the Problems list shows).
Errors from a run become a message in the dock (and select the node they were traced to); the
app stays usable and the next run starts fresh.

After a run, selecting a node still updates the views: feature maps come from the run's
kept weights (computed where the run trained, never on the GUI thread). `reset()` forgets
everything of the previous design — views, messages, progress, gradient colours, the trained
model — and runs when another design is opened or created. The frame and its staged
building live in dock_frame.py.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtWidgets import QWidget

from backend.graph.problems import Problem
from backend.module_paths import probe_labels, with_block_heat
from designer.editor import DocumentEditor
from designer.training.dock_frame import IDLE_TEXT, DockFrame
from designer.training.live_view import RunPlan

GRADIENT_EVERY = 20  # steps between gradient-flow probes
SAMPLES_EVERY_S = 1.0  # reconstructions, generated samples, a VAE's traversal
LATENT_POINTS = 500  # validation samples in the latent scatter, once an epoch
HEAT_MS = 1000  # gradient colours on the canvas change at most once a second
__all__ = ["IDLE_TEXT", "TrainingDock"]


def _design_key(editor: DocumentEditor) -> tuple:
    """The design's content without positions (moving nodes does not change the model)."""
    snap = editor.doc.snapshot()
    return (tuple((n[0], n[1], repr(n[2])) for n in snap["nodes"]), tuple(snap["edges"]),
            repr(snap["sections"]))


def _eta(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}" if seconds < 3600 else f"{seconds // 3600} h"


class TrainingDock(DockFrame):
    run_requested = Signal()  # Train was pressed and the run is being prepared
    run_started = Signal(object)  # RunStarted
    batch_handled = Signal()  # a batch of events reached the views
    events_received = Signal(list)  # every batch of a run's events, for other features
    run_finished = Signal(object)  # RunFinished
    was_reset = Signal()  # everything of the previous design is gone

    def __init__(self, editor: DocumentEditor, canvas: QWidget | None = None,
                 parent: QWidget | None = None, staged: bool = False):
        self.canvas = canvas
        self.run = None  # the current TrainingRun
        self.on_best = None  # given to each run's trainer (best weights kept on disk)
        self.next_run_name = None  # callable naming the next run (the project's numbering)
        self.run_name = ""  # the name of the run started last
        self._runs_started = 0
        self._retiring: list = []  # stopped runs whose thread has not ended yet
        self.started_event = None  # its RunStarted
        self._started_key: tuple | None = None
        self._t_start = 0.0
        self._fix: Problem | None = None
        self._heat: dict[str, float] | None = None  # waiting to be painted on the canvas
        super().__init__(editor, staged, parent)
        self._heat_timer = QTimer(self, singleShot=True, interval=HEAT_MS)
        self._heat_timer.timeout.connect(self._paint_pending_heat)
        self._pending: list = []  # events received, handled together at the next turn
        self._drain_timer = QTimer(self, singleShot=True, interval=0)
        self._drain_timer.timeout.connect(self._drain)
        self.fix_button.clicked.connect(self.apply_fix)
        self.heat_box.toggled.connect(self._on_heat_toggled)
        editor.selection_changed.connect(self._on_selection)
        editor.analysis_changed.connect(self._check_design_changed)
        editor.analysis_changed.connect(self._prepare_views)
        self.built.connect(self._prepare_views)
        editor.document_replaced.connect(self.reset)
        self._set_state("idle")
        self._prepare_views()

    def _set_state(self, state: str) -> None:
        self.state = state
        busy = state in ("starting", "running", "paused")
        self.train_action.setEnabled(not busy)
        self.pause_action.setEnabled(state in ("running", "paused"))
        self.pause_action.setText("&Resume" if state == "paused" else "&Pause")
        self.stop_action.setEnabled(busy)

    # -- commands -------------------------------------------------------------------------------
    def start(self) -> bool:
        """Train a snapshot of the design as it is now; False if refused or still running."""
        if self.state != "idle":
            return False
        self.ensure_built()
        if not self._ready_to_train():
            return False
        from backend.training.events import Probes
        from designer.workers.training import TrainingRun

        self._retire_previous_run()
        self._show_message("")
        doc = self.editor.doc
        probes = Probes(feature_node=self._feature_node(), gradient_every=GRADIENT_EVERY,
                        weights_every_epoch=True, confusion=True, feature_every_s=1.0,
                        samples_every_s=SAMPLES_EVERY_S, latent_points=LATENT_POINTS,
                        teaching=True)
        self._runs_started += 1
        self.run_name = (self.next_run_name() if callable(self.next_run_name)
                         else f"run {self._runs_started}")
        self._started_key = _design_key(self.editor)
        self.changed_label.setText("")
        self.run = TrainingRun(doc, probes, self)
        self.run.worker.on_best = self.on_best
        self.run.worker.data_dir = str(Path(self.editor.path).parent) if self.editor.path else None
        self.run.worker.events_ready.connect(self._on_events)
        self.run.worker.finished.connect(self._on_finished)
        self._t_start = time.monotonic()
        self._set_state("starting")
        self.progress.setValue(0)
        self.progress.setFormat("")
        self.progress_label.setText("Preparing the data and building the model…")
        # while the worker loads the data, the views' axes get what the run will need
        self.views.prepare(RunPlan.from_section(self.editor.doc.sections.get("training"),
                                                probe_labels(self.editor.doc,
                                                             self.editor.analysis)))
        self.run_requested.emit()  # the dock makes room while the run gets ready
        self.run.start()
        return True

    def _ready_to_train(self) -> bool:
        """Refuse at once when the design or its settings have errors (first one shown)."""
        self.checks.train_pressed()
        self.editor.reanalyse()  # edits of the last few milliseconds count too
        errors = [p for p in self.editor.analysis.problems if p.severity == "error"]
        if not errors:
            return True
        first = errors[0]
        more = f" ({len(errors) - 1} more in the Problems list)" if len(errors) > 1 else ""
        self._show_message(f"Cannot train yet: {first.message}{more}", first)
        self.progress_label.setText("Fix the problem above, then press Train again.")
        status = self.window().statusBar() if hasattr(self.window(), "statusBar") else None
        if status is not None:
            status.showMessage(f"Not trained: {first.message}", 8000)
        if first.node and first.node in self.editor.doc.nodes:
            self.editor.set_selection([first.node])
        return False

    def _show_message(self, text: str, problem: Problem | None = None) -> None:
        self.message.setText(text)
        self._fix = problem if problem is not None and problem.fix is not None else None
        self.fix_button.setText(self._fix.fix.label if self._fix else "")
        self.fix_button.setVisible(self._fix is not None)

    def apply_fix(self) -> None:
        """Apply the shown problem's fix as one undoable edit."""
        if self._fix is None:
            return
        fix = self._fix.fix
        if self.editor.push(fix.make_op(self.editor.doc), fix.label):
            self._show_message("")
            self.progress_label.setText(f"Done: {fix.label[:1].lower()}{fix.label[1:]}. "
                                        "Press Train (F5).")

    def _retire_previous_run(self) -> None:
        """Let the last run's worker go (and the model it kept for the views).

        A run stopped while it still prepares its data cannot end at once; it is kept until
        its thread has finished (a QThread destroyed while running aborts the app)."""
        self._drop_pending()  # what the last run still had on its way is not shown
        if self.run is not None:
            run, self.run = self.run, None
            run.worker.events_ready.disconnect(self._on_events)
            run.worker.close()
            if run.thread.wait(5000):
                run.deleteLater()
                return
            self._retiring.append(run)
            run.thread.finished.connect(self._free_retired)

    @Slot()
    def _free_retired(self) -> None:
        for run in [r for r in self._retiring if not r.running]:
            self._retiring.remove(run)
            run.deleteLater()

    def toggle_pause(self) -> None:
        if self.run is None or self.state not in ("running", "paused"):
            return
        if self.state == "paused":
            self.run.worker.resume()
        else:
            self.run.worker.pause()

    def stop(self) -> None:
        if self.run is not None and self.state in ("starting", "running", "paused"):
            self.run.worker.stop()
            self.progress_label.setText("Stopping after this step…")

    def shutdown(self) -> None:
        """Stop a run and wait for its thread (the window is closing)."""
        self.wait_for_imports()
        for run in [self.run, *self._retiring]:
            if run is not None and run.running:
                run.wait()

    def reset(self) -> None:
        """Forget everything of the previous design (another design was opened or created)."""
        if self.state != "idle" and self.run is not None:
            self.run.worker.finished.disconnect(self._on_finished)
            self.run.worker.stop()
        self._retire_previous_run()
        self._set_state("idle")
        self.started_event = self._started_key = None
        self.progress.setValue(0)
        self.progress.setFormat("")
        self.progress_label.setText(IDLE_TEXT)
        self.changed_label.setText("")
        self._show_message("")
        self._heat = None
        self._heat_timer.stop()
        self._paint_heat(None)
        if self.is_built():  # parts not built yet hold nothing of any design
            self.views.reset()  # (the Runs list follows the project: run_history.py)
            self._prepare_views()
        self.was_reset.emit()

    def _feature_node(self) -> str | None:
        doc = self.editor.doc
        selected = [n for n in self.editor.selection if n in doc.nodes]
        if selected:
            return selected[0]
        for nid, node in doc.nodes.items():
            if "Conv" in node.type or "Pool" in node.type:
                return nid
        dense = [nid for nid, n in doc.nodes.items() if n.type == "Dense"]
        return dense[0] if dense else None

    # -- worker signals (GUI thread) ------------------------------------------------------------
    def _from_current_run(self) -> bool:
        """False for reports of a run retired by reset() that were already on their way
        (their worker may even be gone by now: then there is no sender at all)."""
        sender = self.sender()
        return sender is not None and self.run is not None and sender is self.run.worker

    @Slot(list)
    def _on_events(self, batch: list) -> None:
        """Keep the batch; every batch that arrived before the next turn of the event loop
        is handled at once (a burst after a busy moment is one update, not one each)."""
        if not self._from_current_run():
            return
        self._pending.extend(batch)
        if not self._drain_timer.isActive():
            self._drain_timer.start()

    def _drop_pending(self) -> None:
        self._drain_timer.stop()
        self._pending = []

    @Slot()
    def _drain(self) -> None:
        from backend.training.events import Paused, Resumed, RunStarted, StepMetrics

        self._drain_timer.stop()
        batch, self._pending = self._pending, []
        if not batch or self.run is None:
            return
        for event in batch:
            if isinstance(event, RunStarted):
                self._on_started(event)
            elif isinstance(event, Paused):
                self._set_state("paused")
                self.progress_label.setText(f"Paused at step {event.step}.")
            elif isinstance(event, Resumed):
                self._set_state("running")
        try:
            heat = self.views.handle(batch)
        except Exception as exc:  # a view must never break the run's reporting
            heat = None
            self._show_message(f"A view could not show the latest results: {exc}")
        last = next((e for e in reversed(batch) if isinstance(e, StepMetrics)), None)
        if last is not None and self.state == "running":
            self._show_progress(last)
        if heat is not None and self.heat_box.isChecked():
            self._heat = heat
            if not self._heat_timer.isActive():
                self._paint_pending_heat()
                self._heat_timer.start()
        self.batch_handled.emit()
        self.events_received.emit(batch)

    def _paint_pending_heat(self) -> None:
        """Paint the latest heat (the canvas repaints its nodes: not on every probe)."""
        if self._heat is not None:
            self._paint_heat(self._heat)
            self._heat = None

    def _on_started(self, event) -> None:
        self.started_event = event
        self.views.begin(event, probe_labels(self.editor.doc, self.editor.analysis))
        self._set_state("running")
        self.progress_label.setText(f"Training on {event.device}: {event.train_samples:,} "
                                    f"samples, {event.parameters:,} parameters")
        self.run_started.emit(event)

    def _show_progress(self, m) -> None:
        self.progress.setValue(int(1000 * m.step / max(m.total_steps, 1)))
        epochs = self.started_event.epochs if self.started_event else "?"
        self.progress.setFormat(f"epoch {m.epoch}/{epochs}")
        self.progress_label.setText(f"step {m.step:,}/{m.total_steps:,} · loss {m.loss:.4f} · "
                                    f"{m.samples_per_s:,.0f} samples/s · ETA {_eta(m.eta_s)}")

    @Slot(object)
    def _on_finished(self, event) -> None:
        if not self._from_current_run():
            return
        self._drain()  # the run's last events before its end
        self._heat_timer.stop()
        self._paint_pending_heat()
        self.views.finish(event)
        self._set_state("idle")
        self._finish_text(event)
        if event.reason == "error" and event.node and event.node in self.editor.doc.nodes:
            self.editor.set_selection([event.node])
        self.run_finished.emit(event)

    def _finish_text(self, event) -> None:
        seconds = time.monotonic() - self._t_start
        if event.reason == "error":
            self._show_message(f"Training failed: {event.message}")
            self.progress_label.setText("The run stopped with an error (see above).")
            return
        acc = f", {event.test_text()}" if event.test_text() else ""
        what = {"completed": "Finished", "stopped": "Stopped",
                "early-stopped": "Stopped early"}.get(event.reason, event.reason)
        self.progress_label.setText(f"{what}: {event.epochs_done} epochs, {event.steps:,} "
                                    f"steps in {seconds:.1f} s{acc}. Select a layer to see "
                                    "its activations.")
        if event.reason == "early-stopped":
            self._show_message(event.message)

    # -- canvas and selection -------------------------------------------------------------------
    def _paint_heat(self, heat: dict[str, float] | None) -> None:
        setter = getattr(self.canvas, "set_node_heat", None)
        if callable(setter):
            setter(with_block_heat(heat) if heat else heat)

    def _on_heat_toggled(self, on: bool) -> None:
        heat = self._views.gradients.heat if self._views is not None else None
        self._paint_heat(heat if on and heat else None)

    def _on_selection(self, node_ids: list) -> None:
        nodes = [n for n in node_ids if n in self.editor.doc.nodes]
        if not nodes or self.run is None or self.started_event is None or self._views is None:
            return
        live = self.state in ("starting", "running", "paused")
        probe = self.views.select(nodes[0], live)
        if probe is None:
            return
        if live:
            self.run.worker.watch_node(probe)
        else:
            self.run.worker.inspect(probe)
        from designer.training.standard_views import FeaturesView

        self.views.show_view(FeaturesView)

    def _prepare_views(self) -> None:
        """Before any run of this design: the views' axes read as its run will (epochs 0 ..
        the settings' epochs), and a run that begins redraws less."""
        if self.started_event is None and self.state == "idle" and self.is_built():
            self.views.prepare(RunPlan.from_section(self.editor.doc.sections.get("training")))

    def _check_design_changed(self) -> None:
        if self._started_key is None:
            return
        changed = _design_key(self.editor) != self._started_key
        self.changed_label.setText(
            f"The design has changed since {self.run_name} started; the run keeps "
            "training the design as it was. Press Train again to train the new one."
            if changed else "")
