"""`netwright export FILE (--python OUT.py | --onnx OUT.onnx | --weights OUT.safetensors)`.

FILE may be a project, a design or an exported Python file. `--python` also writes
`train.py` beside OUT.py (and OUT.safetensors when the project holds trained weights);
`--onnx` uses the project's trained weights when it has some; `--weights` needs them.
Existing outputs are kept unless `--force` is given; the input file is never written.
"""

from __future__ import annotations

from pathlib import Path

from backend.cli import CliError


def add_parser(sub) -> None:
    p = sub.add_parser("export", help="export a design as Python, ONNX or safetensors weights")
    p.add_argument("file", help="project (.nwproj), design (.json) or exported Python file")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--python", metavar="OUT.py", help="model module; train.py goes beside")
    what.add_argument("--onnx", metavar="OUT.onnx", help="ONNX file (dynamic batch size)")
    what.add_argument("--weights", metavar="OUT.safetensors", help="trained weights")
    p.add_argument("--run", dest="weights_name", metavar="RUN",
                   help="whose trained weights to use: a run's id, number or name (default: "
                   "the run with the best validation metric)")
    p.add_argument("--force", action="store_true", help="overwrite existing output files")
    p.set_defaults(run=cmd_export)


def cmd_export(args) -> int:
    from backend.project import open_any

    source = Path(args.file)
    project = open_any(source)
    for warning in project.warnings:
        print(f"warning: {warning}")
    if args.python:
        return _python(project, Path(args.python), args)
    if args.onnx:
        return _onnx(project, Path(args.onnx), args)
    return _weights(project, Path(args.weights), args)


def _target(path: Path, args, source: Path) -> bool:
    """Refuse an output that would destroy the input or, without --force, any file; True
    when an existing file is replaced (it is then kept as NAME.bak)."""
    from backend.cli.outputs import check_output

    return check_output(path, [source], args.force, flag="the export",
                        role="the file being exported")


def _chosen_weights(project, args, required: bool) -> bytes | None:
    if args.weights_name:
        return project.weights[_weights_name(project, args.weights_name)]
    name = project.default_weights()
    if name is None and required:
        raise CliError(f"{Path(args.file).name} holds no trained weights: train it first "
                       "(netwright train FILE) or export --python / --onnx")
    return None if name is None else project.weights[name]


def _weights_name(project, key: str) -> str:
    """The weights entry for `key`: a run's id, number or name, or another weights entry."""
    from backend.project.runs import find_run, run_name

    if key in project.weights:
        return key
    try:
        run = find_run(project.runs, key)
    except ValueError:
        run = None
    if run is not None and run["id"] in project.weights:
        return run["id"]
    names = ", ".join(sorted(run_name(r) for r in project.runs if r["id"] in project.weights)
                      or sorted(project.weights)) or "none"
    what = f"{run_name(run)} kept no weights" if run is not None else \
        f"there are no weights named '{key}'"
    raise CliError(f"{what} (available: {names})")


def _python(project, out: Path, args) -> int:
    from backend.export.python import export_python, python_outputs

    weights = _chosen_weights(project, args, required=False)
    replaced = [_target(path, args, Path(args.file))
                for path in python_outputs(out, weights is not None)]
    files, class_name = export_python(project.doc, out, weights, backup=any(replaced))
    kind = "classes" if " and " in class_name else "class"
    print(f"wrote {', '.join(str(f) for f in files)} ({kind} {class_name})")
    return 0


def _onnx(project, out: Path, args) -> int:
    """One file per network and part: an autoencoder's encoder and decoder, a GAN's
    generator and discriminator (OUT-encoder.onnx, ...) beside the whole model."""
    from backend.export.onnx import TOLERANCE, export_onnx_parts, onnx_files

    replaced = _target(out, args, Path(args.file))
    for _, path in onnx_files(project.doc, out):
        replaced = _target(path, args, Path(args.file)) or replaced
    weights = _chosen_weights(project, args, required=False)
    origin = "trained weights" if weights is not None else "freshly initialised weights"
    failed = False
    for role, report in export_onnx_parts(project.doc, out, weights,
                                                  backup=replaced):
        part = "" if role == "model" else f"the {role}, "
        print(f"wrote {report.path} ({part}opset {report.opset}, dynamic batch, {origin}); "
              f"onnxruntime differs from torch by at most {report.max_abs_diff:.2e}")
        failed = failed or not report.ok
    if failed:
        print(f"netwright: error: the ONNX outputs differ by more than {TOLERANCE:g}: do not "
              "rely on these files")
        return 1
    return 0


def _weights(project, out: Path, args) -> int:
    from backend.export.weights import write_weights

    replaced = _target(out, args, Path(args.file))
    write_weights(out, _chosen_weights(project, args, required=True), replaced)
    print(f"wrote {out}")
    return 0
