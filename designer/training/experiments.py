"""Seed groups in the designer: the Seeds tab's controller (installed after the Runs list).

"Repeat with N seeds" trains a snapshot of the open design, or the design and settings a
stored run trained with (chosen above the button), once per seed in a "spawn" child process
(`backend.experiments.group_child`; the GUI never imports torch), polling its queue from a
timer in the GUI thread. Each finished seed joins the project as a run tagged with its group,
exactly like a run trained with Train, and the Runs list shows it at once; a seed that fails,
or a child that dies, is one sentence and the finished seeds stay. Selecting groups draws
their mean ± spread bands; selecting two shows the verdict of
`backend.experiments.groups.compare_groups`.
"""

from __future__ import annotations

import logging
import queue
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Slot
from PySide6.QtWidgets import QApplication

from backend.experiments.groups import (
    compare_groups,
    figure,
    group_labels,
    next_group_id,
    seed_groups,
)
from backend.project.design import doc_to_dict
from backend.project.project import design_from_data
from backend.project.runs import default_name, run_name, sorted_runs
from designer.training.seed_bands import SeedBands
from designer.training.seed_panel import SeedPanel

log = logging.getLogger(__name__)
POLL_MS = 200


class SeedGroups(QObject):
    def __init__(self, window, dock):
        super().__init__(window)
        self.window, self.dock = window, dock
        self.panel = SeedPanel()
        dock.side.addTab(self.panel, "Seeds")
        self.bands = SeedBands(dock.views.curves)
        self.process = self.stop_event = self.out_q = self.target = None
        self.group_id, self.kept, self.failed = "", [], []
        self.reload_timer = QTimer(self)  # a child: it dies with this object, never fires late
        self.reload_timer.setSingleShot(True)
        self.reload_timer.setInterval(0)
        self.reload_timer.timeout.connect(self.reload)
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self._poll)
        self.panel.repeat_requested.connect(self.repeat)
        self.panel.stop_requested.connect(self.stop)
        self.panel.groups_selected.connect(self._on_groups_selected)
        dock.runs_panel.selection_changed.connect(self._on_runs_selected)
        window.editor.document_replaced.connect(self._on_document_replaced)
        state = getattr(window, "project_state", None)
        if state is not None:
            state.run_added.connect(self._reload_soon)
        window.editor.undo_stack.indexChanged.connect(self._reload_soon)  # run deletes
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)
        self.reload()

    @property
    def project(self):
        return self.window.files.current_project()

    @property
    def busy(self) -> bool:
        return self.process is not None

    # -- repeating ------------------------------------------------------------------------------
    @Slot(int)
    def repeat(self, n: int) -> bool:
        """Train the open design with `n` seeds in a child process; False if refused."""
        if self.busy:
            return False
        if getattr(self.dock, "state", "idle") != "idle":
            self.panel.set_status("A run is training: repeat with seeds when it has ended.")
            return False
        from backend.training import preflight

        design = self._source_design()
        if design is None:
            return False
        errors, _warnings = preflight(design)
        if errors:
            self.panel.set_status(f"Cannot train this design yet: {errors[0]}")
            return False
        self._start(n, design)
        return True

    def _source_design(self):
        """The design to repeat: the open one, or a run's design with its settings."""
        run_id = self.panel.source_id()
        if not run_id:
            return self.window.editor.doc
        run = next((r for r in self.project.runs if r.get("id") == run_id), None)
        if run is None or not isinstance(run.get("design"), dict):
            self.panel.set_status("That run does not record the design it trained: choose "
                                  "another, or the open design.")
            return None
        try:
            design = design_from_data(run["design"], f"the design of {run_name(run)}")
        except ValueError as exc:
            self.panel.set_status(f"{exc}.")
            return None
        if isinstance(run.get("training"), dict):
            design.sections["training"] = dict(run["training"])
        if isinstance(run.get("dataset"), dict):
            design.sections["dataset"] = dict(run["dataset"])
        return design

    def _start(self, n: int, design) -> None:
        import multiprocessing

        from backend.experiments.group_child import group_main

        ctx = multiprocessing.get_context("spawn")  # never fork a Qt process
        self.out_q, self.stop_event = ctx.Queue(), ctx.Event()
        self.group_id, self.kept, self.failed = next_group_id(self.project.runs), [], []
        self.n = n
        path = self.window.editor.path
        data_dir = str(Path(path).parent) if path else None
        self.process = ctx.Process(target=group_main, name="netwright-seeds", daemon=True,
                                   args=(doc_to_dict(design), n, self.group_id,
                                         data_dir, self.out_q, self.stop_event))
        self.target = self.project  # the runs join this project, even if another opens
        self.process.start()
        self.panel.set_busy(True)
        self.dock.train_action.setEnabled(False)
        self.panel.set_status(f"Starting {n} seeds…")
        self.timer.start()

    @Slot()
    def stop(self) -> None:
        if self.stop_event is not None:
            self.stop_event.set()
            self.panel.set_status("Stopping after this epoch; finished seeds are kept…")

    @Slot()
    def _on_document_replaced(self) -> None:
        """Another design was opened: a group still training belongs to the closed one."""
        if self.busy:
            self.shutdown()
            self._done()
            self.panel.set_status("The seed group was stopped because another design was "
                                  "opened; its finished seeds went to the design that was "
                                  "closed.")
        self._reload_soon()

    @Slot()
    def shutdown(self) -> None:
        if self.process is not None:
            self.stop_event.set()
            self.process.join(2)
            if self.process.is_alive():
                self.process.kill()

    @Slot()
    def _poll(self) -> None:
        for _ in range(100):
            try:
                message = self.out_q.get_nowait()
            except queue.Empty:
                break
            if self._handle(message):
                return
        if self.process is not None and not self.process.is_alive() and self.out_q.empty():
            code = self.process.exitcode
            self.failed.append(f"the seed runs stopped unexpectedly (exit code {code})")
            self._done()

    def _handle(self, message: tuple) -> bool:
        kind = message[0]
        if kind == "started":
            _, seed, index, n = message
            self.panel.set_status(f"Seed {seed} ({index} of {n}): starting…")
        elif kind == "epoch":
            _, seed, epoch, epochs = message
            self.panel.set_status(f"Seed {seed} ({len(self.kept) + len(self.failed) + 1} of "
                                  f"{self.n}): epoch {epoch} of {epochs}")
        elif kind == "run":
            self._keep(message[1], message[2])
        elif kind == "failed":
            seed = "" if message[1] is None else f"seed {message[1]}: "
            self.failed.append(f"{seed}{message[2]}")
        elif kind == "done":
            self._done()
            return True
        return False

    def _keep(self, record: dict, weights: bytes) -> None:
        if self.target is not self.project:
            return
        run_id = self.project.add_run(record, weights)
        self.kept.append(run_id)
        self.window.editor.undo_stack.resetClean()  # unsaved until the project is saved
        state = getattr(self.window, "project_state", None)
        if state is not None:
            state.run_added.emit(run_id)

    def _done(self) -> None:
        self.timer.stop()
        if self.process is not None:
            self.process.join(1)
        self.process = None
        self.panel.set_busy(False)
        self.dock.train_action.setEnabled(getattr(self.dock, "state", "idle") == "idle")
        if self.target is not self.project:
            self.target = None
            return
        self.reload()
        self.panel.set_status(self._summary())
        self.target = None

    def _summary(self) -> str:
        parts = []
        if self.kept:
            group = next((g for g in seed_groups(self.project.runs) if g.id == self.group_id),
                         None)
            names = f"{default_name(self.kept[0])}–{default_name(self.kept[-1])}"
            parts.append(f"{group.name if group else 'The group'}: {len(self.kept)} of "
                         f"{self.n} seeds kept as {names}{_figure(group)}; save the project "
                         f"to keep them.")
        else:
            parts.append("No seed finished, so no group was added.")
        parts += [f"Not kept: {text}." for text in self.failed]
        return " ".join(parts)

    # -- groups -----------------------------------------------------------------------------------
    @Slot()
    def _reload_soon(self, *_args) -> None:
        self.reload_timer.start()

    @Slot()
    def reload(self) -> None:
        groups = seed_groups(self.project.runs)
        self.labels = group_labels(groups)
        rows = [(g.id, f"{g.name}{_figure(g)}" + (f"\n{self.labels[g.id]}"
                                                    if self.labels.get(g.id) else ""),
                 "runs " + ", ".join(default_name(r["id"]) for r in g.runs)) for g in groups]
        self.panel.set_groups(rows)
        self.panel.set_sources([(r["id"], run_name(r)) for r in reversed(sorted_runs(
            self.project.runs)) if isinstance(r.get("design"), dict)])

    @Slot(list)
    def _on_groups_selected(self, group_ids: list) -> None:
        groups = [g for g in seed_groups(self.project.runs) if g.id in group_ids]
        if not groups:
            self.bands.clear()
            self.panel.set_verdict("")
            return
        self.dock.runs_panel.select([])  # the bands replace the compared runs
        self.dock.views.curves.set_live_visible(False)
        self.bands.show(groups, self.labels)
        self.panel.set_verdict(compare_groups(*groups).text if len(groups) == 2 else
                               "Select two groups to compare them." if len(groups) == 1 else
                               "Select exactly two groups to compare them.")

    @Slot(list)
    def _on_runs_selected(self, run_ids: list) -> None:
        if run_ids and self.panel.selected_ids():
            self.bands.clear()
            self.panel.clear_selection()


def _figure(group) -> str:
    if group is None:
        return ""
    metric, values = group.scores()
    s = group.summary()
    if not values:
        return ""
    spread = f" ± {figure(metric, s.std, True)}" if s.n > 1 else ""
    what = "val acc" if metric == "val_accuracy" else "val loss"
    return f" · {what} {figure(metric, s.mean)}{spread} · {s.n} seeds"


def install(window) -> SeedGroups | None:
    """The Seeds and Sweep tabs beside the Runs list (`window.seed_groups`, `window.sweeps`)."""
    dock = getattr(window, "training", None)
    if dock is None or not hasattr(dock, "side"):
        return None
    getattr(dock, "ensure_built", lambda: None)()  # the tabs go after Data, Settings, Runs
    window.seed_groups = SeedGroups(window, dock)
    from designer.training.sweeps import install as install_sweeps

    install_sweeps(window, dock)  # the Sweep tab beside it
    return window.seed_groups
