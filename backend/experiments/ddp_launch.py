"""The launcher of a multi-process run started by the designer: `python -m` this with a SPEC.

SPEC is the JSON file `backend.experiments.ddp_worker` reads (with `link` and `processes`).
The launcher resolves the device ("auto": several GPUs if there are, else the CPU), refuses
more processes than the machine has, and starts the ranks with torchrun's launcher; a
refusal or a rank that died is one line on stderr starting "netwright: ", which the designer
shows. The designer starts it in a session of its own, so ending that process group ends
every rank.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

FIX = "set processes to {have} or fewer in the training settings"


def main(spec_path: str) -> int:
    from backend.experiments.distributed import check_processes, launch, resolve_device

    spec = json.loads(Path(spec_path).read_text())
    section = spec["training"]
    n = int(section.get("processes", 1))
    device = resolve_device(section.get("device", "auto"))
    try:
        check_processes(n, device, FIX)
    except ValueError as exc:
        return _say(str(exc), 2)
    section["device"] = device
    Path(spec_path).write_text(json.dumps(spec))
    try:
        launch(spec_path, n)
    except RuntimeError as exc:
        return _say(str(exc), 1)
    return 0


def _say(text: str, code: int) -> int:
    print(f"netwright: {text}", file=sys.stderr, flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
