"""Import coverage: how many models import exactly, and how many keep their structure.

Run: `.venv/bin/python bench/import_coverage.py [--hand] [--torchvision NAME ...]`
(no arguments: both sets, torchvision's classifiers from `DEFAULT_TORCHVISION`).

Each model is imported in its own child process with a time limit (a torchvision model that
takes too long counts as a failure with its reason). A model counts as exact when the
importer accepted it (same outputs as the original in evaluation and training mode on the
same weights, same parameter count) and the original's state_dict loads into the built
design with strict names. It is "blocks" when the author's modules became block
definitions, and "own names" when the built model's state_dict names equal the original's
without a mapping. The hand-written set is tests/backend/import_cases.py; torchvision's
models are built with random weights (nothing is downloaded).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "backend"))

# One or two of each torchvision classifier family, lightest first.
DEFAULT_TORCHVISION = [
    "alexnet", "vgg11", "vgg11_bn", "resnet18", "squeezenet1_0", "squeezenet1_1",
    "mobilenet_v2", "mobilenet_v3_small", "mobilenet_v3_large", "mnasnet0_5",
    "shufflenet_v2_x0_5", "efficientnet_b0", "regnet_x_400mf", "regnet_y_400mf",
    "googlenet", "densenet121", "resnet50", "resnext50_32x4d", "wide_resnet50_2",
    "convnext_tiny", "inception_v3", "swin_t", "maxvit_t", "vit_b_16",
]
SHAPES = {"inception_v3": [3, 299, 299], "vit_b_16": [3, 224, 224], "swin_t": [3, 224, 224],
          "maxvit_t": [3, 224, 224]}
TIMEOUT_S = 400


def _check(result, original, shape) -> dict:
    import torch

    from backend.build import build_model
    from backend.importer.names import state_prefixes

    built = build_model(result.doc).eval()
    prefixes = state_prefixes(result.doc)
    built.load_state_dict(original.state_dict())  # the original's names (mapped if need be)
    params = sum(p.numel() for p in original.parameters())
    return {"ok": sum(p.numel() for p in built.parameters()) == params,
            "blocks": len(result.doc.blocks), "own_names": not prefixes,
            "layers": len(result.doc.nodes), "params": params,
            "difference": result.max_difference, "warnings": result.warnings,
            "inputs": list(shape), "torch": torch.__version__}


def _hand(case) -> dict:
    from import_cases import MODELS

    from backend.importer.fx import import_file
    from backend.importer.user_code import instantiate, load_class, parse_args

    name, cls, args, shape = case
    result = import_file(MODELS / name, [shape], cls, args)
    pos, kw = parse_args(args)
    original = instantiate(load_class(MODELS / name, cls), pos, kw).eval()
    return _check(result, original, shape)


def _torchvision(name: str) -> dict:
    import torch
    from reference_models import torchvision_models

    from backend.importer.fx import import_module

    torch.manual_seed(0)
    kwargs = {"aux_logits": False, "init_weights": False} if name in (
        "googlenet", "inception_v3") else {}
    model = getattr(torchvision_models(), name)(weights=None, num_classes=10, **kwargs).eval()
    shape = SHAPES.get(name, [3, 64, 64])
    result = import_module(model, [shape], name)
    return _check(result, model, shape)


def _run(kind: str, item, out) -> None:
    try:
        out.put(_hand(item) if kind == "hand" else _torchvision(item))
    except BaseException as exc:  # a refusal is a figure, not a crash of the benchmark
        out.put({"ok": False, "error": " ".join(f"{type(exc).__name__}: {exc}".split())[:300]})


def measure(kind: str, item) -> dict:
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    start = time.monotonic()
    child = ctx.Process(target=_run, args=(kind, item, out))
    child.start()
    try:
        row = out.get(timeout=TIMEOUT_S)
    except Exception:
        row = {"ok": False, "error": f"no answer within {TIMEOUT_S} s"}
    child.join(5)
    if child.is_alive():
        child.kill()
    row["seconds"] = round(time.monotonic() - start, 1)
    return row


def _line(label: str, row: dict) -> str:
    if not row["ok"]:
        return f"  FAIL {label:42s} {row['seconds']:6.1f} s  {row.get('error', '')[:150]}"
    shape = f"{row['blocks']} blocks" if row["blocks"] else "flat"
    names = "own names" if row["own_names"] else "name mapping"
    return (f"  ok   {label:42s} {row['seconds']:6.1f} s  {row['layers']:4d} top-level, "
            f"{shape}, {names}, max diff {row['difference']:.1e}")


def _summary(title: str, rows: list[dict]) -> str:
    ok = [r for r in rows if r["ok"]]
    blocks = sum(1 for r in ok if r["blocks"])
    names = sum(1 for r in ok if r["own_names"])
    return (f"{title}: {len(ok)} of {len(rows)} import exactly; of those {blocks} keep their "
            f"modules as blocks, {len(ok) - blocks} are flat; {names} build with the "
            "original's state_dict names without a mapping")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hand", action="store_true")
    parser.add_argument("--torchvision", nargs="*")
    parser.add_argument("--json", metavar="FILE")
    args = parser.parse_args(argv)
    both = not args.hand and args.torchvision is None
    results = {}
    if args.hand or both:
        from import_cases import CASES

        rows = []
        for case in CASES:
            rows.append(measure("hand", case))
            print(_line(f"{case[0]}:{case[1]}", rows[-1]), flush=True)
        results["hand-written"] = rows
    if args.torchvision is not None or both:
        rows = []
        for name in args.torchvision or DEFAULT_TORCHVISION:
            rows.append(measure("torchvision", name) | {"model": name})
            print(_line(name, rows[-1]), flush=True)
        results["torchvision"] = rows
    for title, rows in results.items():
        print(_summary(title, rows))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
