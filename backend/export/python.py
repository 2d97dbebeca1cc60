"""Writing a Python export to disk: the model module, train.py beside it, and the weights.

`python_outputs(out)` names the files an export writes (so a caller can ask before
overwriting them); `export_python(doc, out, weights)` writes them, each atomically.
"""

from __future__ import annotations

from pathlib import Path

from backend.codegen import ExportError, python_module, train_script
from backend.graph.document import GraphDocument
from backend.project.archive import atomic_save


def python_outputs(out: str | Path, with_weights: bool = False) -> list[Path]:
    """[model file, train.py, (weights)] for a model exported to `out`."""
    out = Path(out)
    if out.suffix != ".py":
        raise ExportError(f"'{out.name}' must end in .py so train.py can import it")
    if out.name == "train.py":
        raise ExportError("train.py is written beside the model: name the model file "
                          "otherwise, e.g. model.py")
    files = [out, out.with_name("train.py")]
    return files + [out.with_suffix(".safetensors")] if with_weights else files


def export_python(doc: GraphDocument, out: str | Path, weights: bytes | None = None,
                  backup: bool = False) -> tuple[list[Path], str]:
    """Write the model module, train.py and (if given) the weights; returns (files, class).
    With `backup`, files replaced are kept as NAME.bak."""
    from backend.export.weights import write_weights

    files = python_outputs(out, weights is not None)
    module = python_module(doc)
    script = train_script(doc, files[0].stem, module.classes)  # checks before writing
    for path, text in zip(files[:2], (module.code, script), strict=True):
        data = text.encode("utf-8")
        atomic_save(path, lambda tmp, data=data: tmp.write_bytes(data), backup=backup)
    if weights is not None:
        write_weights(files[2], weights, backup)
    return files, " and ".join(module.classes.values())
