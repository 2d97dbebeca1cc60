"""`netwright import (FILE.py --class NAME [--args JSON] --input-shape S | FILE.onnx) -o OUT`.

A Python file is RUN to define the class (the command says so before it does), in a child
process limited in memory and in time (`--timeout`), so a file that crashes, hangs or exits
is one sentence; an ONNX file is only read. The import is written only when the design
reproduces the original: a `.json` design, or a `.nwproj` project that also keeps the
original's weights (as 'imported').
`--weights` loads the author's state_dict (.pt/.pth read with `weights_only=True`, or
.safetensors) into the module first. What does not map is printed as a list, one operation
per line with its source line and what to do; every other failure is one sentence.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from backend.cli import CliError


def add_parser(sub) -> None:
    p = sub.add_parser(
        "import", help="turn a PyTorch module (.py, runs the file) or an ONNX model into a design",
        description="Import a PyTorch nn.Module from a .py file (this RUNS the file's code: "
                    "import only files you trust) or an ONNX model (only read, never run).")
    p.add_argument("file", help="a .py file defining an nn.Module, or a .onnx model")
    p.add_argument("-o", "--output", required=True,
                   help="design to write: .json, or .nwproj to keep the weights too")
    p.add_argument("--class", dest="class_name", metavar="NAME",
                   help="the nn.Module class to import (needed when the file has several)")
    p.add_argument("--args", metavar="JSON",
                   help="constructor arguments: a JSON list or object, e.g. '[28, 128, 2, 10]'")
    p.add_argument("--input-shape", metavar="S",
                   help="one sample's shape without the batch, e.g. 1,28,28 (several inputs: "
                        "1,28,28;10)")
    p.add_argument("--weights", metavar="FILE",
                   help="the author's state_dict (.pt, .pth or .safetensors) to load first")
    p.add_argument("--timeout", type=float, default=300.0, metavar="SECONDS",
                   help="stop a .py import whose file runs longer than this (default 300)")
    p.add_argument("--force", action="store_true", help="overwrite an existing output file")
    p.add_argument("--json", action="store_true", help="machine-readable summary")
    p.set_defaults(run=cmd_import)


def parse_shapes(text: str | None) -> list[list[int]]:
    if not text or not text.strip():
        raise CliError("a Python import needs --input-shape: the shape of one sample without "
                       "the batch, e.g. --input-shape 1,28,28")
    shapes = []
    for part in text.split(";"):
        try:
            dims = [int(d) for d in part.replace("x", ",").replace(" ", "").split(",") if d]
        except ValueError:
            dims = []
        if not dims or any(d < 1 for d in dims) or len(dims) > 6:
            raise CliError(f"--input-shape '{part.strip()}' is not a shape: give 1 to 6 "
                           "positive sizes separated by commas, e.g. 1,28,28")
        shapes.append(dims)
    return shapes


def _output(args) -> Path:
    out = Path(args.output)
    if out.suffix.lower() not in (".json", ".nwproj"):
        raise CliError(f"'{out.name}' must end in .json (the design) or .nwproj (design and "
                       "weights)")
    from backend.cli.outputs import check_output

    inputs = [Path(args.file)] + ([Path(args.weights)] if args.weights else [])
    check_output(out, inputs, args.force, flag="the design", role="the file being imported")
    return out


def cmd_import(args) -> int:
    from backend.importer.user_code import FxImportError

    source, out = Path(args.file), _output(args)
    if not source.is_file():
        raise CliError(f"{source} does not exist: check the path")
    try:
        result = _import(source, args)
    except FxImportError as exc:
        return _refused(exc)
    _write(result, out, source)
    _report(result, out, source, args)
    return 0


def _import(source: Path, args):
    if source.suffix.lower() == ".onnx":
        if args.class_name or args.args or args.input_shape or args.weights:
            raise CliError("an ONNX file needs no --class, --args, --input-shape or --weights: "
                           "its shapes and weights are in the file")
        from backend.importer.onnx_import import import_onnx

        return import_onnx(source)
    if source.suffix.lower() != ".py":
        raise CliError(f"{source.name} is neither a .py file nor an .onnx model: import a "
                       "PyTorch module file or an ONNX model")
    shapes = parse_shapes(args.input_shape)
    if args.timeout <= 0:
        raise CliError(f"--timeout {args.timeout:g} is not a time: give the seconds the "
                       "file may run, e.g. --timeout 300")
    from backend.importer.isolated import import_file_isolated

    if args.weights and not Path(args.weights).is_file():
        raise CliError(f"weights file {args.weights} does not exist: check the path")
    print(f"netwright: running {source.name} to import its nn.Module (this executes the "
          "file's code, in a separate process)", file=sys.stderr)
    progress = _stage if sys.stderr.isatty() else None
    return import_file_isolated(source, shapes, args.class_name, args.args, args.weights,
                                timeout=args.timeout, progress=progress)


def _stage(text: str) -> None:
    print(f"netwright: {text}…", file=sys.stderr)


def _refused(exc) -> int:
    if exc.items:
        count = len(exc.items)
        what = "operation has no Netwright layer" if count == 1 else \
            "operations have no Netwright layer"
        print(f"netwright: error: {count} {what}; nothing was imported:", file=sys.stderr)
        for line, what, fix in exc.items:
            where = f"line {line}: " if line else ""
            print(f"  {where}{what} -> {fix}", file=sys.stderr)
    else:
        print("netwright: error: " + " ".join(str(exc).split()), file=sys.stderr)
    return 2


def _write(result, out: Path, source: Path) -> None:
    from backend.project import Project, save_design, save_project

    if out.suffix.lower() == ".nwproj":
        project = Project(result.doc)
        if _has_tensors(result.doc):
            project.weights["imported"] = result.weights
        save_project(out, project)
    else:
        save_design(result.doc, out)


def _has_tensors(doc) -> bool:
    from backend.shapes import analyse

    return analyse(doc).total_params > 0 or any(
        n.type.startswith("BatchNorm") for n in doc.nodes.values())


def _report(result, out: Path, source: Path, args) -> None:
    from backend.shapes import analyse

    analysis = analyse(result.doc)
    layers = sum(1 for n in result.doc.nodes.values() if n.type != "Input")
    kept = out.suffix.lower() == ".nwproj"
    if args.json:
        print(json.dumps({"output": str(out), "layers": layers,
                          "blocks": sorted(d.title for d in result.doc.blocks.values()),
                          "total_params": analysis.total_params, "weights_kept": kept,
                          "max_difference": result.max_difference}, indent=2))
        return
    origin = "onnxruntime" if source.suffix.lower() == ".onnx" else "the module"
    modes = "" if source.suffix.lower() == ".onnx" else " in evaluation and training mode"
    print(f"imported {result.doc.name} from {source.name}: {layers} layers{_blocks(result)}, "
          f"{analysis.total_params:,} parameters; outputs equal {origin}'s{modes} (largest "
          f"difference {result.max_difference:.1e})")
    for warning in getattr(result, "warnings", None) or []:
        print(f"netwright: note: {warning}", file=sys.stderr)
    weights = ("with the original's weights (as 'imported')" if kept else
               "without weights (write a .nwproj to keep them)")
    print(f"wrote {out} {weights}")


def _blocks(result) -> str:
    """', 2 block definitions (BasicBlock, Layer)' where the author's modules became blocks."""
    titles = sorted({d.title for d in result.doc.blocks.values()})
    if not titles:
        return ""
    shown = ", ".join(titles[:5]) + (", ..." if len(titles) > 5 else "")
    count = len(result.doc.blocks)
    return f" in {count} block definition{'s' if count != 1 else ''} ({shown})"
