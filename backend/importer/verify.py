"""Proof that an imported design is the original module: same parameters, same outputs.

`verify(doc, original, weights, shapes)` builds the design, loads the weights taken from the
original, and compares: the parameter count, then the outputs on the same random batch in
evaluation mode and in training mode (both seeded the same way before each forward, so
dropout and noise draw the same numbers; BatchNorm uses batch statistics). The original
module is never changed (training mode runs on copies). On a difference the sentence says
in which mode and by how much, and the usual cause.
"""

from __future__ import annotations

import copy

from backend.importer.user_code import FxImportError

ATOL, RTOL = 1e-5, 1e-4
VERIFY_BATCH = 3


def build(doc, weights: bytes):
    from backend.build import BuildError, build_model
    from backend.export.weights import WeightsError, load_into

    try:
        model = build_model(doc)
        if model.state_dict():  # a network of parameterless layers has no tensors to load
            load_into(model, weights, "the module's weights")
    except (BuildError, WeightsError) as exc:
        raise FxImportError(f"the imported design does not work: {exc}") from None
    return model


def check_counts(doc, original, name: str) -> None:
    from backend.shapes import analyse

    theirs = sum(p.numel() for p in original.parameters())
    ours = analyse(doc).total_params
    if theirs != ours:
        raise FxImportError(f"{name} has {theirs:,} parameters but the imported design "
                            f"{ours:,}: a layer defined in __init__ is never used in forward, "
                            "or one layer is called twice (shared weights); remove the unused "
                            "layer or give each call its own layer")


def verify(doc, original, weights: bytes, shapes: list[list[int]], name: str,
           vocab: list[int | None] | None = None) -> float:
    """Raise FxImportError unless the design computes what `original` computes; returns the
    largest difference seen. `vocab` gives the inputs that take token indices."""
    import torch

    from backend.importer.trace import example_batch

    built = build(doc, weights)
    check_counts(doc, original, name)
    xs = example_batch(shapes, VERIFY_BATCH, 1, vocab)
    worst = 0.0
    for mode in ("evaluation", "training"):
        theirs = copy.deepcopy(original).train(mode == "training")
        ours = copy.deepcopy(built).train(mode == "training")
        want, got = _run(theirs, xs, torch), _run(ours, xs, torch)
        diff = _difference(want, got, torch)
        if diff is None or diff > ATOL + RTOL * _scale(want, torch):
            raise FxImportError(_mismatch(mode, name, diff))
        worst = max(worst, diff)
    return worst


def _run(model, xs, torch):
    torch.manual_seed(1234)
    with torch.no_grad():
        out = model(*xs)
    return out if isinstance(out, tuple | list) else (out,)


def _difference(want, got, torch) -> float | None:
    if len(want) != len(got):
        return None
    worst = 0.0
    for w, g in zip(want, got, strict=True):
        if not isinstance(w, torch.Tensor) or w.shape != g.shape:
            return None
        worst = max(worst, float((w.float() - g.float()).abs().max()) if w.numel() else 0.0)
    return worst


def _scale(values, torch) -> float:
    return max((float(v.abs().max()) for v in values if v.numel()), default=0.0)


def _mismatch(mode: str, name: str, diff: float | None) -> str:
    what = "different shapes" if diff is None else f"outputs differing by {diff:.2g}"
    return (f"the imported design computes something else than {name} in {mode} mode "
            f"({what}): nothing was imported; a custom layer probably behaves differently "
            f"in {mode} mode than the operations it was read as (e.g. F.dropout without "
            "training=self.training), so write it with standard layers")
