"""`netwright train FILE`: train a design headless with a progress bar, then save its weights.

Settings come from the design's `training` and `dataset` sections (`--epochs` and `--device`
override them). Bad settings or a design that does not fit its data are one line and exit 2;
a run that fails (a NaN loss, out of memory, a layer raising) is one line and exit 1, and
keeps what it had: the best weights so far go to the output (a project also gets the run,
marked failed, with its curves up to the fault). The progress bar (tqdm,
on stderr, only on a terminal) shows the epoch, loss, accuracy, speed and time left, with one
line per finished epoch above it. `--json` prints one JSON object per epoch on stdout and
nothing else (errors aside). Where the result goes is decided and checked before training
(`train_output.py`): an output that is the design or a data file, or an existing file without
`--force`, is refused; a result that cannot be written after training is kept in the recovery
folder and the run ends with exit 1, saying where.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def add_parser(sub) -> None:
    p = sub.add_parser("train", help="train a design on its dataset and save the weights")
    p.add_argument("file", help="design (.json) or project file")
    p.add_argument("--epochs", type=int, help="number of epochs (overrides the design)")
    p.add_argument("--device", choices=("auto", "cpu", "cuda"), help="where to train")
    p.add_argument("--out", help="weights file to write (default: FILE with .safetensors), or "
                   "a .nwproj project to add the run to")
    p.add_argument("--force", action="store_true",
                   help="replace an existing --out file (the old one is kept as NAME.bak)")
    p.add_argument("--json", action="store_true", help="one JSON object per epoch on stdout")
    from backend.cli.seeds_cmd import add_train_options

    add_train_options(p)  # --seeds N, --nproc-per-node N
    p.set_defaults(run=cmd_train)


def _load(file: str):
    from backend.project import open_any

    return open_any(file).doc


def cmd_train(args) -> int:
    from backend.cli.seeds_cmd import experiment_train

    code = experiment_train(args)  # --seeds or --nproc-per-node: handled there
    if code is not None:
        return code
    from backend.cli.seeds_cmd import training_section
    from backend.cli.train_output import RunNotSaved, choose_output, keep_result
    from backend.training import Trainer, TrainingConfig

    doc = _load(args.file)
    section = training_section(args, doc)
    output = choose_output(args, doc)  # refused before training, never after it
    trainer = Trainer(doc, config=TrainingConfig.from_section(section))
    from backend.data.files import data_folder

    with data_folder(Path(args.file).resolve().parent):  # dataset paths start there
        trainer.prepare()  # bad data, a design that does not fit it or memory: exit 2
    progress = Progress(json_lines=args.json)
    finished = trainer.run(progress.on_event)
    progress.close()
    if finished.reason == "error":
        kept = _keep_failed(output, doc, trainer, finished)
        print(f"netwright: training failed: {finished.message}; {kept}", file=sys.stderr)
        return 1
    from backend.project.runs import run_record

    record = run_record(doc, finished, training=trainer.config.to_section())
    try:
        where = keep_result(output, doc, record, _weights(doc, trainer, finished))
    except RunNotSaved as exc:
        print(f"netwright: error: {exc}", file=sys.stderr)
        return 1
    if not args.json:
        print(summary_line(finished, where))
    return 0


def _weights(doc, trainer, finished) -> bytes:
    from backend.export.weights import model_weights

    meta = {"design": doc.name, "epochs": str(finished.epochs_done),
            "best_epoch": str(finished.best_epoch)}
    return model_weights(trainer.model, meta)


def _keep_failed(output, doc, trainer, finished) -> str:
    """A failed run keeps what it had: into a project, the run marked failed with its curves
    up to the fault (and the best weights so far); into a weights file, those best weights.
    Returns the words saying what was kept where (or that nothing was)."""
    from backend.cli.train_output import RunNotSaved, keep_result
    from backend.project.runs import run_record

    weights = _weights(doc, trainer, finished) if finished.weights_kept else None
    best = f"the best weights so far (epoch {finished.best_epoch})"
    if weights is None and not output.project:
        why = "no epoch finished" if not finished.epochs_done else "no epoch was best yet"
        return f"{why}, so nothing was written to {output.path}"
    record = run_record(doc, finished, training=trainer.config.to_section())
    try:
        where = keep_result(output, doc, record, weights)
    except RunNotSaved as exc:
        return str(exc)
    if output.project:
        return (f"the failed run ({finished.epochs_done} epochs done) is in {where}"
                + (f", with {best}" if weights is not None else ", without weights"))
    return f"{best} are in {where}"


def summary_line(finished, out: Path | str) -> str:
    parts = [f"{finished.reason}: {finished.epochs_done} epochs, {finished.steps} steps"]
    best = next((h for h in finished.history if h["epoch"] == finished.best_epoch), None)
    if best and best.get("val_accuracy") is not None:
        parts.append(f"best validation accuracy {best['val_accuracy']:.1%} "
                     f"(epoch {finished.best_epoch})")
    elif best and best.get("val_loss") is not None:
        parts.append(f"best validation loss {best['val_loss']:.4g} (epoch {finished.best_epoch})")
    if finished.test_text():
        parts.append(finished.test_text())
    if finished.message:
        parts.append(finished.message)
    return "; ".join(parts) + f"; wrote {out}"


class Progress:
    """A tqdm progress bar on stderr (a terminal only) and a line per epoch; or JSON lines."""

    def __init__(self, json_lines: bool = False, stream=None) -> None:
        self.json_lines, self.stream = json_lines, stream or sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.epochs, self.steps = 1, 1
        self.bar = None
        self.labels: dict[str, str] = {}  # loss term -> its name (the recipe's)

    def on_event(self, event) -> None:
        kind = type(event).__name__
        if kind == "RunStarted":
            self._started(event)
        elif kind == "StepMetrics" and self.bar is not None:
            self._step(event)
        elif kind == "EpochEnd":
            self._epoch(event)
        elif kind == "Advice":  # posterior or mode collapse, a winning discriminator
            self._advice(event)

    def _started(self, event) -> None:
        self.epochs, self.steps = event.epochs, event.epochs * event.steps_per_epoch
        self.labels = _term_labels(event.recipe)
        nets = ", ".join(f"{role} {n:,}" for role, n in event.networks.items()) \
            if len(event.networks) > 1 else ""
        self._line(f"training ({event.task}) on {event.device}: {event.train_samples} samples, "
                   f"{event.parameters:,} parameters{f' ({nets})' if nets else ''}, "
                   f"loss {event.loss}")
        if self.tty and not self.json_lines:
            from tqdm import tqdm

            self.bar = tqdm(total=self.steps, unit="step", file=self.stream, leave=False,
                            dynamic_ncols=True, desc=f"epoch 1/{self.epochs}",
                            bar_format="{desc} {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} "
                                       "[{elapsed}<{remaining}{postfix}]")

    def _step(self, m) -> None:
        acc = "" if m.accuracy is None else f" acc {m.accuracy:.1%}"
        self.bar.set_description_str(f"epoch {m.epoch}/{self.epochs}", refresh=False)
        self.bar.set_postfix_str(f"loss {m.loss:.4f}{_terms(m.terms, self.labels)}{acc} "
                                 f"{m.samples_per_s:,.0f} samples/s", refresh=False)
        self.bar.update(max(0, m.step - self.bar.n))

    def _epoch(self, e) -> None:
        if self.json_lines:
            print(json.dumps({"epoch": e.epoch, "train_loss": e.train_loss,
                              "val_loss": e.val_loss, "val_accuracy": e.val_accuracy,
                              "terms": e.terms, "val_terms": e.val_terms,
                              "seconds": round(e.seconds, 4)}), flush=True)
        acc = "" if e.val_accuracy is None else f" val acc {e.val_accuracy:.1%}"
        val = "" if e.val_loss is None else f" val loss {e.val_loss:.4f}"
        terms = _terms(e.terms, self.labels)
        self._line(f"epoch {e.epoch}/{e.epochs} loss {e.train_loss:.4f}{terms}{val}{acc} "
                   f"{e.samples_per_s:,.0f} samples/s {e.seconds:.1f}s"
                   f"{' *' if e.best else ''}")

    def _advice(self, a) -> None:
        if self.json_lines:
            print(json.dumps({"epoch": a.epoch, "advice": a.kind, "active": a.active,
                              "message": a.message}), flush=True)
        self._line(f"{'warning' if a.active else 'note'}: epoch {a.epoch}: {a.message}")

    def _line(self, text: str) -> None:
        """A line above the bar (text lines go to stderr; none in JSON mode)."""
        if self.json_lines:
            return
        if self.bar is not None:
            self.bar.write(text, file=self.stream)
        else:
            self.stream.write(text + "\n")
            self.stream.flush()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _terms(terms: dict[str, float], labels: dict[str, str]) -> str:
    """A recipe's extra loss terms as text: " reconstruction 0.1234 KL divergence 3.21"."""
    return "".join(f" {labels.get(k, k.replace('_', ' '))} {v:.4g}" for k, v in terms.items())


def _term_labels(recipe: str) -> dict[str, str]:
    from backend.training.recipes import RECIPES

    found = next((r for r in RECIPES if r.name == recipe), None)
    return {} if found is None else {t.key: t.label for t in found.terms}
