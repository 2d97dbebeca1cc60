"""`netwright train FILE --nproc-per-node N`: one run trained by N processes.

The design, settings and output are those of `netwright train` (`--epochs`, `--device`,
`--out`, `--json`); N processes train it with DistributedDataParallel (gloo on the CPU, NCCL
on GPUs, see `backend.experiments.distributed`) and rank 0 prints the progress and writes the
weights or the run. Asking for more processes than CPU cores (or GPUs) is one sentence.
`--nproc-per-node 1` is a plain run.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from backend.cli import CliError


def train_distributed(args) -> int:
    from backend.experiments.distributed import check_processes, launch, resolve_device
    from backend.project import open_any
    from backend.project.design import doc_to_dict
    from backend.training import TrainingConfig

    n = args.nproc_per_node
    doc = open_any(args.file).doc
    section = dict(doc.sections.get("training") or {})
    if args.epochs is not None:
        if args.epochs < 1:
            raise CliError(f"--epochs must be at least 1, not {args.epochs}")
        section["epochs"] = args.epochs
    device = resolve_device(args.device or section.get("device", "auto"))
    try:
        check_processes(n, device)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    if n == 1:
        return _plain(args)
    section["device"] = device
    TrainingConfig.from_section(section)  # bad settings: one sentence before any process
    out = _out(args, doc)
    with tempfile.TemporaryDirectory(prefix="netwright-ddp-") as tmp:
        spec = Path(tmp) / "spec.json"
        spec.write_text(json.dumps({
            "design": doc_to_dict(doc), "training": section, "out": str(out.resolve()),
            "data_dir": str(Path(args.file).resolve().parent), "json": bool(args.json)}))
        try:
            launch(str(spec), n)
        except RuntimeError as exc:
            return _failed(exc)
    return 0


def _failed(exc: RuntimeError) -> int:
    import sys

    print(f"netwright: {exc}; see the message above", file=sys.stderr)
    return 1


def _plain(args) -> int:
    from backend.cli.train_cmd import cmd_train

    args.nproc_per_node = None
    return cmd_train(args)


def _out(args, doc) -> Path:
    """The output `netwright train` would choose, checked the same way (before training)."""
    from backend.cli.train_output import choose_output

    return choose_output(args, doc).path
