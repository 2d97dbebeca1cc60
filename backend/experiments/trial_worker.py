"""One sweep trial in its own process: `python -m backend.experiments.trial_worker SPEC.json`.

SPEC holds the design with the trial's values already applied (`design`), the folder its
dataset paths start from (`data_dir`) and where to write the result (`out`). The worker trains
it and prints JSON lines on stdout for the sweep (the parent): {"event": "started", "pid"},
{"event": "epoch", "epoch", "val_loss", "val_accuracy"} after every epoch, then {"event":
"finished", "reason", "message"} once `out`.json (the run record) and `out`.safetensors (its
weights, when it trained) are written. A line "stop" on stdin (the trial was pruned) ends the
run after the step in progress; it is still recorded, with the epochs it finished.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from pathlib import Path


def say(**fields) -> None:
    print(json.dumps(fields), flush=True)


def _listen(control) -> None:
    for line in sys.stdin:
        if line.strip() == "stop":
            control.stop()
            return


def main(spec_path: str) -> int:
    from backend.experiments.seeds import train_one, trained_record  # noqa: F401
    from backend.project.project import design_from_data
    from backend.training import Control

    spec = json.loads(Path(spec_path).read_text())
    doc = design_from_data(spec["design"], "the trial's design")
    control = Control()
    threading.Thread(target=_listen, args=(control,), daemon=True).start()
    say(event="started", pid=os.getpid())
    trainer, finished = _train(doc, spec.get("data_dir"), control)
    out = Path(spec["out"])
    if trainer is not None:
        record, weights = trained_record(doc, trainer, finished)
        if finished.reason != "error" and trainer.setup is not None:
            out.with_suffix(".safetensors").write_bytes(weights)
    else:
        from backend.project.runs import run_record

        record = run_record(doc, finished)
    out.with_suffix(".json").write_text(json.dumps(record))
    say(event="finished", reason=finished.reason, message=finished.message)
    return 0


def _train(doc, data_dir, control):
    from backend.data.files import data_folder
    from backend.training import RunFinished, Trainer
    from backend.training.subprocess_run import error_finish

    try:
        trainer = Trainer(doc, control=control)
        with data_folder(Path(data_dir or ".").resolve()):
            trainer.prepare()
    except Exception as exc:  # bad data or settings: the trial fails with the sentence
        return None, RunFinished("error", error_finish(exc).message)

    def on_event(event) -> None:
        if type(event).__name__ == "EpochEnd":
            say(event="epoch", epoch=event.epoch, epochs=event.epochs,
                val_loss=_finite(event.val_loss),
                val_accuracy=_finite(event.val_accuracy), train_loss=_finite(event.train_loss))

    return trainer, trainer.run(on_event)


def _finite(value):
    import math

    return value if isinstance(value, int | float) and math.isfinite(value) else None


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
