"""Sweeps with Optuna: the parent process asks, trials train in child processes, runs are kept.

    sweep = Sweep(doc, space, project="lab.nwproj", trials=20, parallel=2)
    summary = sweep.run(on_trial)          # on_trial(TrialOutcome) as each trial ends

The study lives in Optuna storage: a SQLite file beside the project by default
(`lab.nwproj` -> `lab.optuna.db`), or any database URL Optuna accepts, so several machines
running `netwright sweep` with the same `--storage` and `--study` share one search. This
process samples (TPE) and prunes (median pruner on the validation metric after each epoch
from the second on);
each trial trains in its own `python -m backend.experiments.trial_worker` process, at most
`parallel` at once, each with its share of the CPU threads. A pruned trial is told "stop" and
ends after its step; a trial whose loss diverges is recorded as pruned; a worker that dies
(killed, out of memory) marks its trial failed and the sweep goes on. Every trial becomes a
run in the project, tagged `run["sweep"] = {"study", "trial", "params", "state"}`.
"""

from __future__ import annotations

import json
import os
import queue
import re
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from backend.experiments.seeds import keep_in_project
from backend.experiments.space import Param, SpaceError, apply_values, check_space
from backend.experiments.trial_process import TrialProcess
from backend.graph.document import GraphDocument
from backend.project.design import doc_to_dict

MAX_TRIALS = 10_000


@dataclass
class TrialOutcome:
    number: int
    params: dict
    state: str  # "complete" | "pruned" | "failed"
    value: float | None = None
    message: str = ""
    run_id: str | None = None
    epochs: int = 0


@dataclass
class SweepSummary:
    study: str
    storage: str
    metric: str
    direction: str
    outcomes: list[TrialOutcome] = field(default_factory=list)
    best: TrialOutcome | None = None
    importance: dict[str, float] = field(default_factory=dict)


def preload() -> None:
    """Import Optuna with everything it loads lazily (its database layer, importance), for a
    caller that runs the sweep in a thread: an import inside a Qt application's worker
    thread was seen to stall for good, so the GUI thread imports first."""
    import importlib

    for name in ("optuna", "optuna.importance", "optuna.samplers", "optuna.pruners",
                 "sqlalchemy", "sqlalchemy.orm", "alembic.command", "alembic.config",
                 "alembic.migration", "alembic.script"):
        importlib.import_module(name)


def shown_url(url: str) -> str:
    """A storage URL as it may be printed or kept in a project: without its password."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)


def default_storage(project: Path) -> str:
    return f"sqlite:///{project.with_suffix('.optuna.db').resolve()}"


def objective_of(doc: GraphDocument) -> tuple[str, str]:
    """("val_accuracy", "maximize") for classification data, else ("val_loss", "minimize")."""
    try:
        from backend.data import DataConfig

        task = DataConfig.from_section(doc.sections.get("dataset")).info().task
    except Exception:  # unknown data: the loss is always there
        task = ""
    training = doc.sections.get("training") or {}
    if task == "classification" and training.get("task", "auto") in ("auto", "classification"):
        return "val_accuracy", "maximize"
    return "val_loss", "minimize"


def _check_counts(trials: int, parallel: int) -> None:
    cpus = os.cpu_count() or 1
    if isinstance(trials, bool) or not isinstance(trials, int) or not 1 <= trials <= MAX_TRIALS:
        raise SpaceError(f"the number of trials must be a whole number from 1 to "
                         f"{MAX_TRIALS:,}, not {trials!r}")
    if isinstance(parallel, bool) or not isinstance(parallel, int) or parallel < 1:
        raise SpaceError(f"parallel workers must be a whole number of at least 1, not "
                         f"{parallel!r}")
    if parallel > cpus:
        raise SpaceError(f"{parallel} parallel workers were asked for but this machine has "
                         f"{cpus} CPU core{'s' if cpus != 1 else ''}: use --parallel {cpus} or "
                         f"fewer")


class Sweep:
    def __init__(self, doc: GraphDocument, space: list[Param], project: str | Path,
                 trials: int = 20, parallel: int = 1, storage: str | None = None,
                 study: str | None = None, data_dir: str | Path | None = None,
                 keep: Callable[[dict, bytes | None], str] | None = None) -> None:
        _check_counts(trials, parallel)
        check_space(doc, space)
        self.doc, self.space, self.trials, self.parallel = doc, space, trials, parallel
        self.project = Path(project)
        self.storage = storage or default_storage(self.project)
        self.study_name = study or f"{doc.name or 'design'} sweep"
        self.data_dir = str(Path(data_dir or self.project.parent).resolve())
        self.metric, self.direction = objective_of(doc)
        self.keep = keep or keep_in_project(self.project, doc)
        self.stopping = threading.Event()
        self.workers: dict[int, TrialProcess] = {}  # trial number -> its process

    def stop(self) -> None:
        """Start no more trials; those running finish."""
        self.stopping.set()

    def kill(self) -> None:
        """Start no more trials and end the running ones now (they are marked failed)."""
        self.stopping.set()
        for worker in list(self.workers.values()):
            worker.process.kill()

    # -- the loop -------------------------------------------------------------------------------
    def run(self, on_trial: Callable[[TrialOutcome], None] | None = None,
            on_epoch: Callable[[int, dict], None] | None = None,
            on_start: Callable[[int, dict, int], None] | None = None) -> SweepSummary:
        """Run the trials; `on_start(number, params, pid)`, `on_epoch(number, message)` and
        `on_trial(outcome)` follow them."""
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        study = self._study(optuna)
        summary = SweepSummary(self.study_name, shown_url(self.storage), self.metric,
                               self.direction)
        events: queue.Queue = queue.Queue()
        asked = 0
        with tempfile.TemporaryDirectory(prefix="netwright-sweep-") as tmp:
            try:
                while asked < self.trials or self.workers:
                    while (len(self.workers) < self.parallel and asked < self.trials
                           and not self.stopping.is_set()):
                        worker = self._launch(study, Path(tmp), events)
                        asked += 1
                        if on_start is not None:
                            on_start(worker.trial.number, dict(worker.trial.params), worker.pid)
                    if self.stopping.is_set() and not self.workers:
                        break
                    self._pump(study, events, summary, on_trial, on_epoch)
            finally:
                self._abandon(study)
        self._conclude(study, summary)
        return summary

    def _abandon(self, study) -> None:
        """Interrupted: end the workers still running and mark their trials failed."""
        import optuna

        for worker in list(self.workers.values()):
            worker.process.kill()
            worker.process.wait()
            try:
                study.tell(worker.trial, None, state=optuna.trial.TrialState.FAIL)
            except Exception:  # the storage is gone too: nothing more to record
                pass
        self.workers.clear()

    def _study(self, optuna):
        sampler = optuna.samplers.TPESampler(
            seed=0, n_startup_trials=min(10, max(2, self.trials // 4)),
            constant_liar=self.parallel > 1)
        # steps are epochs counted from 0: no trial is judged on its first epoch alone
        pruner = optuna.pruners.MedianPruner(n_startup_trials=min(5, max(2, self.trials // 4)),
                                             n_warmup_steps=1)
        try:
            return optuna.create_study(storage=self.storage, study_name=self.study_name,
                                       direction=self.direction, sampler=sampler,
                                       pruner=pruner, load_if_exists=True)
        except ImportError as exc:  # postgresql:// without its driver, and the like
            raise SpaceError(f"the storage {shown_url(self.storage)} needs a database "
                             f"driver that is not installed ({str(exc).splitlines()[0]}): "
                             f"install it, e.g. pip install psycopg2-binary for PostgreSQL"
                             ) from None
        except Exception as exc:  # a malformed URL, an unreachable server, another direction
            text = " ".join(str(exc).split())[:200]
            raise SpaceError(f"cannot use the study '{self.study_name}' in "
                             f"{shown_url(self.storage)} "
                             f"({text}): check the --storage URL (e.g. "
                             f"sqlite:///sweep.db or postgresql://user:pw@host/db)") from None

    def _launch(self, study, tmp: Path, events: queue.Queue) -> None:
        trial = study.ask({p.name: p.distribution() for p in self.space})
        doc = apply_values(self.doc, trial.params)
        training = dict(doc.sections.get("training") or {})
        if not training.get("cpu_threads"):
            training["cpu_threads"] = max(1, (os.cpu_count() or 1) // self.parallel)
        doc.sections["training"] = training
        out = tmp / f"trial_{trial.number}"
        spec = tmp / f"trial_{trial.number}.spec.json"
        spec.write_text(json.dumps({"design": doc_to_dict(doc), "data_dir": self.data_dir,
                                    "out": str(out)}))
        worker = TrialProcess(trial, doc, out, spec, events)
        self.workers[trial.number] = worker
        return worker

    def _pump(self, study, events: queue.Queue, summary: SweepSummary, on_trial, on_epoch):
        try:
            number, message = events.get(timeout=0.2)
        except queue.Empty:
            return
        worker = self.workers.get(number)
        if worker is None:
            return
        if message.get("event") == "epoch":
            worker.epochs += 1
            self._report(worker, message)
            if on_epoch is not None:
                on_epoch(number, message)
        elif message.get("event") == "finished":
            worker.finished = message
        elif message.get("event") == "closed":
            self._end(study, worker, summary, on_trial)

    def _report(self, worker: TrialProcess, message: dict) -> None:
        value = message.get(self.metric)
        if value is None:
            return
        epoch = int(message["epoch"])
        worker.trial.report(float(value), epoch - 1)
        last = epoch >= int(message.get("epochs") or 0)  # nothing left to save by stopping
        if not worker.pruned and not last and worker.trial.should_prune():
            worker.pruned = True
            worker.send("stop")

    # -- the end of a trial ---------------------------------------------------------------------
    def _end(self, study, worker: TrialProcess, summary: SweepSummary, on_trial) -> None:
        import optuna

        code = worker.process.wait()
        self.workers.pop(worker.trial.number, None)
        outcome = self._outcome(worker, code)
        state = {"complete": optuna.trial.TrialState.COMPLETE,
                 "pruned": optuna.trial.TrialState.PRUNED,
                 "failed": optuna.trial.TrialState.FAIL}[outcome.state]
        try:
            study.tell(worker.trial, outcome.value if outcome.state == "complete" else None,
                       state=state)
        except Exception as exc:  # the storage went away: the run is still kept
            outcome.message = outcome.message or f"the study could not record it ({exc})"
        outcome.run_id = self._record(worker, outcome)
        summary.outcomes.append(outcome)
        if on_trial is not None:
            on_trial(outcome)

    def _outcome(self, worker: TrialProcess, code: int) -> TrialOutcome:
        from backend.project.runs import run_score

        params = dict(worker.trial.params)
        finished = worker.finished
        if finished is None or not worker.out.with_suffix(".json").exists():
            how = f"killed by signal {-code}" if code < 0 else f"exit code {code}"
            last = worker.last_error()
            return TrialOutcome(worker.trial.number, params, "failed",
                                message=f"its worker process died ({how})"
                                + (f": {last}" if last else ""), epochs=worker.epochs)
        record = json.loads(worker.out.with_suffix(".json").read_text())
        score = run_score(record)
        value = score.value if score is not None and score.metric == self.metric else None
        if finished["reason"] == "error":
            return TrialOutcome(worker.trial.number, params, "pruned", value,
                                finished.get("message", ""), epochs=worker.epochs)
        if worker.pruned:
            return TrialOutcome(worker.trial.number, params, "pruned", value,
                                f"pruned after epoch {worker.epochs}: below the median of the "
                                f"trials before it", epochs=worker.epochs)
        if value is None:
            return TrialOutcome(worker.trial.number, params, "failed", None,
                                f"the run reported no {self.metric.replace('_', ' ')}",
                                epochs=worker.epochs)
        return TrialOutcome(worker.trial.number, params, "complete", value,
                            epochs=worker.epochs)

    def _record(self, worker: TrialProcess, outcome: TrialOutcome) -> str | None:
        from backend.project.runs import run_record
        from backend.training import RunFinished

        path = worker.out.with_suffix(".json")
        if path.exists():
            record = json.loads(path.read_text())
        else:
            record = run_record(worker.doc, RunFinished("error", outcome.message))
        record["sweep"] = {"study": self.study_name, "trial": outcome.number,
                           "params": outcome.params, "state": outcome.state,
                           "storage": shown_url(self.storage)}
        if outcome.message:
            final = record.setdefault("final", {})
            final["message"] = final.get("message") or outcome.message
        weights = worker.out.with_suffix(".safetensors")
        try:
            return self.keep(record, weights.read_bytes() if weights.exists() else None)
        except Exception as exc:  # the project could not be written: say so, go on
            outcome.message = f"{outcome.message}; not kept in the project: {exc}".lstrip("; ")
            return None

    def _conclude(self, study, summary: SweepSummary) -> None:
        done = [o for o in summary.outcomes if o.state == "complete"]
        if done:
            pick = max if self.direction == "maximize" else min
            summary.best = pick(done, key=lambda o: o.value)
        summary.importance = importance(study)


def importance(study) -> dict[str, float]:
    """Each parameter's share of the variation in the objective (fANOVA), when it can tell."""
    import optuna

    complete = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    if len(complete) < 3:
        return {}
    try:
        evaluator = optuna.importance.FanovaImportanceEvaluator(seed=0)
        return dict(optuna.importance.get_param_importances(study, evaluator=evaluator))
    except Exception:  # a single distinct value, a parameter never varied
        return {}
