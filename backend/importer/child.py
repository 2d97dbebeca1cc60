"""The child process that runs a user's .py file for an import (`python -m` this module).

Started by backend.importer.isolated with the path of a request file (JSON: the module
file, input shapes, class, constructor arguments, weights, the folder for results and the
memory limit). It limits its own memory first, moves everything the user's code prints to
stderr, reports "ready" and each stage as JSON lines on the original stdout, and leaves the
design (design.json) and the weights (weights.safetensors) in the results folder.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

MEMORY_WORDS = ("can't allocate", "MemoryError", "out of memory", "std::bad_alloc")


def main(argv: list[str]) -> int:
    request = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    _limit(request.get("memory"))
    channel = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)  # the user's prints (Python and C level) go to stderr
    sys.stdout = sys.stderr

    def send(kind: str, **fields) -> None:
        channel.write(json.dumps({"kind": kind, **fields}) + "\n")
        channel.flush()

    try:
        send("stage", text="Loading torch")
        import torch  # noqa: F401  (before "ready": our start-up is not the user's time)

        from backend.importer.fx import import_file
        from backend.importer.user_code import FxImportError
        from backend.project import dumps

        send("ready")
        result = import_file(request["path"], request["shapes"], request["class_name"],
                             request["args"], _weights(request["weights"]),
                             progress=lambda text: send("stage", text=text))
        out = Path(request["out"])
        (out / "weights.safetensors").write_bytes(result.weights)
        (out / "design.json").write_text(dumps(result.doc), encoding="utf-8")
        send("done", warnings=result.warnings, max_difference=result.max_difference)
    except FxImportError as exc:
        send("error", message=_memory(str(exc), request.get("memory")),
             items=[list(i) for i in exc.items])
    except BaseException as exc:  # MemoryError, a SystemExit from a thread: one sentence
        text = " ".join(str(exc).split())[:200] or type(exc).__name__
        send("error", message=_memory(f"the import failed ({type(exc).__name__}: {text})",
                                      request.get("memory")), items=[])
    channel.close()
    return 0


def _limit(memory: int | None) -> None:
    if not memory:
        return
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    except (ImportError, ValueError, OSError):
        pass  # not on this OS: the time limit still holds


def _weights(path: str | None):
    if path is None:
        return None
    from backend.importer.weights_file import read_state_dict

    return read_state_dict(path)


def _memory(message: str, memory: int | None) -> str:
    """An allocation that failed under the limit becomes the sentence that says so."""
    if not memory or not any(w in message for w in MEMORY_WORDS):
        return message
    return (f"the import needs more memory than the {memory / 1024**3:.0f} GB it may use: "
            "give a smaller input shape, or smaller constructor arguments")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
