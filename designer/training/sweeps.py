"""Sweeps in the designer: the Sweep tab's controller and the Sweep view beside the curves.

Start reads the parameter rows (one sentence under the form for a bad one), then runs
`backend.experiments.sweep.Sweep` on a snapshot of the open design in a background thread;
its trials train in their own processes, so the GUI never imports torch. What the thread
reports goes through a queue that a timer in the GUI thread drains: every trial's run joins
the project (and the Runs list) as it ends, the results table, the parallel-coordinates plot
and the importance bars follow. "Open best trial" opens the best trial's design as one
undoable edit and selects its run. The study is stored beside the design file
(`NAME.optuna.db`), or in a temporary folder while the design is unsaved.
"""

from __future__ import annotations

import queue
import tempfile
import threading
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Slot
from PySide6.QtWidgets import QApplication

from backend.project.runs import default_name
from designer.training.sweep_panel import SweepPanel
from designer.training.sweep_plots import SweepPlots

POLL_MS = 200


class SweepController(QObject):
    def __init__(self, window, dock):
        super().__init__(window)
        self.window, self.dock = window, dock
        self.panel = SweepPanel()
        dock.side.addTab(self.panel, "Sweep")
        self.plots = SweepPlots()
        tabs = getattr(dock.views, "tabs", None)
        if tabs is not None:
            tabs.addTab(self.plots, "Sweep")
        self.sweep = self.thread = self.target = None
        self.events: queue.Queue = queue.Queue()
        self.outcomes, self.run_ids, self.best = [], {}, None
        self._tmp = None
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self._poll)
        self.panel.start_requested.connect(self.start)
        self.panel.stop_requested.connect(self.stop)
        self.panel.open_best_requested.connect(self.open_best)
        window.editor.document_replaced.connect(self._on_document_replaced)
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)
        self._refresh_candidates()

    @property
    def project(self):
        return self.window.files.current_project()

    @Slot()
    def _on_document_replaced(self) -> None:
        """Another design was opened: a sweep still running belongs to the closed one."""
        if self.thread is not None:
            self.shutdown()
            self._finish()
            self.panel.say("The sweep was stopped because another design was opened; the "
                           "trials that had ended went to the design that was closed.",
                           error=True)
        self._refresh_candidates()

    @Slot()
    def _refresh_candidates(self) -> None:
        from backend.experiments.space import candidates

        doc = self.window.editor.doc
        self.panel.set_candidates(candidates(doc))
        epochs = (doc.sections.get("training") or {}).get("epochs")
        if isinstance(epochs, int) and not isinstance(epochs, bool) and epochs > 0:
            self.panel.epochs.setValue(epochs)

    # -- starting -------------------------------------------------------------------------------
    @Slot()
    def start(self) -> bool:
        from backend.experiments.space import SpaceError, parse_param
        from backend.experiments.sweep import Sweep, shown_url

        if self.thread is not None:
            return False
        doc = self.window.editor.doc.copy()
        doc.sections["training"] = {**(doc.sections.get("training") or {}),
                                    "epochs": self.panel.epochs.value()}
        events = queue.Queue()  # one per sweep: a stopped one's late reports reach nothing
        try:
            space = [parse_param(spec) for spec in self.panel.specs()]
            self.sweep = Sweep(doc, space, self._project_path(), self.panel.trials.value(),
                               self.panel.parallel.value(), data_dir=self._data_dir(),
                               keep=lambda record, weights: _keep_later(events, record,
                                                                        weights))
        except (SpaceError, ValueError) as exc:
            self.panel.say(f"{str(exc)[:1].upper()}{str(exc)[1:]}.", error=True)
            return False
        self.space, self.outcomes, self.run_ids, self.best = space, [], {}, None
        self.panel.set_busy(True)
        self.panel.best_button.setEnabled(False)
        self.panel.say(f"Starting {self.sweep.trials} trials, {self.sweep.parallel} at a "
                       f"time; the study is kept in {shown_url(self.sweep.storage)}.")
        from backend.experiments.sweep import preload

        preload()  # imported here, never in the sweep thread (see preload)
        self.target = self.project  # the runs join this project, even if another opens
        self.events = events
        self.thread = threading.Thread(target=self._run, args=(self.sweep, self.events),
                                       name="netwright-sweep", daemon=True)
        self.thread.start()
        self.timer.start()
        return True

    def _project_path(self) -> Path:
        path = self.window.editor.path
        if path:
            return Path(path).with_suffix(".nwproj")
        self._tmp = self._tmp or tempfile.mkdtemp(prefix="netwright-sweep-")
        return Path(self._tmp) / "unsaved.nwproj"

    def _data_dir(self) -> str | None:
        path = self.window.editor.path
        return str(Path(path).parent) if path else None

    @staticmethod
    def _run(sweep, events: queue.Queue) -> None:
        """The sweep thread: everything it learns goes on `events` for the GUI thread."""
        try:
            summary = sweep.run(
                on_trial=lambda o: events.put(("trial", o)),
                on_start=lambda n, params, pid: events.put(("started", n, params, pid)))
            events.put(("done", summary))
        except Exception as exc:  # the storage failed, or a bug: a sentence, never a crash
            events.put(("error", str(exc).splitlines()[0] if str(exc) else repr(exc)))

    # -- following ------------------------------------------------------------------------------
    @Slot()
    def _poll(self) -> None:
        for _ in range(200):
            try:
                message = self.events.get_nowait()
            except queue.Empty:
                return
            getattr(self, f"_on_{message[0]}")(*message[1:])

    def _on_started(self, number: int, params: dict, pid: int) -> None:
        from backend.cli.sweep_cmd import params_text

        self.panel.say(f"Trial {number} started: {params_text(params)} (process {pid}).")

    def _on_run(self, record: dict, weights: bytes | None) -> None:
        if self.target is not self.project:
            return
        run_id = self.project.add_run(record, weights)
        self.run_ids[record["sweep"]["trial"]] = run_id
        self.window.editor.undo_stack.resetClean()  # unsaved until the project is saved
        state = getattr(self.window, "project_state", None)
        if state is not None:
            state.run_added.emit(run_id)

    def _on_trial(self, outcome) -> None:
        outcome.run_id = self.run_ids.get(outcome.number)
        self.outcomes.append(outcome)
        self._show()

    def _on_done(self, summary) -> None:
        self._finish()
        self.plots.show_importance(summary.importance)
        best = summary.best
        self.best = best
        self.panel.best_button.setEnabled(best is not None and bool(self.run_ids.get(
            best.number)))
        if best is None:
            self.panel.say("No trial completed, so there is no best one; the table says why.",
                           error=True)
            return
        from backend.cli.sweep_cmd import params_text, value_text

        share = ", ".join(f"{k} {v:.0%}" for k, v in summary.importance.items())
        self.panel.say(f"Best: trial {best.number} ({default_name(self.run_ids[best.number])}"
                       f"), {params_text(best.params)} -> {value_text(summary.metric, best.value)}"
                       + (f". Importance: {share}." if share else ".")
                       + " Save the project to keep the runs.")

    def _on_error(self, text: str) -> None:
        self._finish()
        self.panel.say(f"The sweep stopped: {text}.", error=True)

    def _finish(self) -> None:
        self.timer.stop()
        self.thread = None
        self.panel.set_busy(False)

    def _show(self) -> None:
        s = self.sweep
        order = sorted(self.outcomes, key=lambda o: (o.state != "complete", -(o.value or 0)
                                                     if s.direction == "maximize"
                                                     else (o.value or 0)))
        accuracy = s.metric == "val_accuracy"
        headers = ["#", "state", *[p.name for p in self.space],
                   "val acc" if accuracy else "val loss", "run"]
        rows = [[str(o.number), o.state, *[_text(o.params.get(p.name)) for p in self.space],
                 "" if o.value is None else f"{o.value:.1%}" if accuracy else f"{o.value:.4g}",
                 default_name(o.run_id) if o.run_id else ""] for o in order]
        self.panel.show_results(headers, rows)
        self.plots.show_trials(self.space, self.outcomes, s.metric, s.direction)

    # -- commands ---------------------------------------------------------------------------------
    @Slot()
    def stop(self) -> None:
        if self.sweep is not None and self.thread is not None:
            self.sweep.stop()
            self.panel.say("Stopping: no more trials start; the running ones finish.")

    @Slot()
    def open_best(self) -> bool:
        run_id = self.run_ids.get(self.best.number) if self.best is not None else None
        history = getattr(self.window, "run_history", None)
        if not run_id or history is None or not history.open_design(run_id):
            return False
        self.dock.runs_panel.select([run_id])
        self.dock.side.setCurrentWidget(self.dock.runs_panel)
        return True

    @Slot()
    def shutdown(self) -> None:
        if self.sweep is not None and self.thread is not None:
            self.sweep.kill()
            self.thread.join(5)


def _keep_later(events: queue.Queue, record: dict, weights: bytes | None) -> str:
    """A sweep's `keep`, called in its thread: the GUI thread adds the run (see `_poll`)."""
    events.put(("run", record, weights))
    return ""


def _text(value) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def install(window, dock) -> SweepController:
    window.sweeps = SweepController(window, dock)
    return window.sweeps
