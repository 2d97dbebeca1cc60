"""Where `netwright train` puts its result, checked before training and never lost after it.

`choose_output(args, doc)` decides the output (`--out`, else the project itself for a
`.nwproj`, else `FILE.safetensors`) and refuses, before any training, one that would destroy
work: the design or a data file it reads, an existing file without `--force`, another project
(whose design would be replaced) without `--force`, a name too long, a folder missing or
read-only, a disk without room for the weights. `keep_result(...)` writes the result; when
that fails anyway (the disk filled up during training), the run and its weights go into the
recovery folder, which the designer offers at its next start, and the sentence says where.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from backend.cli import CliError
from backend.cli.outputs import check_output

_DATA_KEYS = ("path", "images", "label_file", "folder")


@dataclass(frozen=True)
class Output:
    path: Path
    project: bool  # the run goes into a .nwproj (else a plain weights file)
    replaces: bool  # an existing file is replaced (kept as .bak)


def choose_output(args, doc) -> Output:
    """The checked output of a training run (before anything is trained)."""
    source = Path(args.file)
    in_project = source.suffix.lower() == ".nwproj"
    out = Path(args.out) if args.out else source if in_project else \
        source.with_suffix(".safetensors")
    to_project = out.suffix.lower() == ".nwproj"
    inputs = [source, *data_files(doc, source.parent)]
    if to_project and _same(out, source):  # the run is added to the project being trained
        check_output(out, inputs[1:], force=True, flag="--out", needs=weight_bytes(doc))
        return Output(out, True, False)
    replaces = check_output(out, inputs, args.force, flag="--out", needs=weight_bytes(doc),
                            role="the design being trained")
    return Output(out, to_project, replaces)


def checked_project(args, doc, out: Path, runs: int = 1) -> Path:
    """The project that a group of runs (seeds, a sweep's trials) goes into, checked as
    `choose_output` checks one run's: the project being trained takes them; any other
    existing file needs --force (the file as it was is then kept as NAME.bak)."""
    source = Path(args.file)
    inputs = [source, *data_files(doc, source.parent)]
    needs = weight_bytes(doc) * max(1, runs)
    if _same(out, source):
        check_output(out, inputs[1:], force=True, flag="--out", needs=needs)
    else:
        check_output(out, inputs, bool(getattr(args, "force", False)), flag="--out",
                     needs=needs, role="the design being trained")
    return out


def _same(a: Path, b: Path) -> bool:
    from backend.cli.outputs import same_file

    return same_file(a, b)


def data_files(doc, folder: Path) -> list[Path]:
    """The files the design's dataset section names (relative ones from the design's folder)."""
    section = doc.sections.get("dataset") or {}
    out = []
    for key in _DATA_KEYS:
        value = section.get(key) if isinstance(section, dict) else None
        if isinstance(value, str) and value.strip() and "\x00" not in value:
            path = Path(value).expanduser()
            out.append(path if path.is_absolute() else folder / path)
    return out


def weight_bytes(doc) -> int:
    """About what the trained weights take on disk."""
    from backend.memory import estimate
    from backend.shapes import analyse

    return estimate(doc, analyse(doc)).weight_bytes


def keep_result(output: Output, doc, record: dict, weights: bytes | None) -> str:
    """Write the run; returns where it went ("out.nwproj as run 3", "out.safetensors").
    Raises CliError naming where the run was kept instead when writing fails."""
    from backend.project import DesignFileError

    try:
        return _write(output, doc, record, weights)
    except (DesignFileError, OSError) as exc:
        if weights is None:  # a failed run's record alone: nothing to rescue
            raise RunNotSaved(f"{exc}; the failed run was not kept") from None
        kept = _rescue(doc, record, weights, output.path)
        raise RunNotSaved(f"{exc}; the trained run {kept}") from None


class RunNotSaved(CliError):
    """Training finished but its result could not be written where asked (exit 1)."""


def _write(output: Output, doc, record: dict, weights: bytes | None) -> str:
    """`weights` None (a failed run without a best epoch) is only for a project."""
    if output.project:
        from backend.project.runs import default_name, store_run

        run_id = store_run(output.path, record, weights, doc)
        return f"{output.path} as {default_name(run_id)}"
    from backend.export.weights import write_weights

    write_weights(output.path, weights, backup=output.replaces)
    return str(output.path)


def _rescue(doc, record: dict, weights: bytes, target: Path) -> str:
    """Keep the run in the recovery folder (else the temp folder); says where."""
    from backend.project.autosave import RecoverySession, recovery_dir

    failures = []
    for root in (recovery_dir(), Path(tempfile.gettempdir()) / "netwright-runs"):
        session = RecoverySession(target, root=root)
        try:
            session.autosave(doc)
            path = session.save_best_weights(weights, "trained", run=record)
        except (OSError, ValueError) as exc:
            session.discard()
            failures.append(str(exc))
            continue
        offer = " (the designer offers to recover it at its next start)" \
            if root == recovery_dir() else ""
        return f"was kept in {path.parent.parent}{offer}; its weights are {path}"
    return f"could not be kept anywhere either ({failures[-1]})"
