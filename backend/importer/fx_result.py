"""From a converted module to the imported design: blocks, weights, names, the final check.

`finish(conv, model, shapes, name, vocab, arguments, report)` nests the flat design by the author's
modules (nesting.py), takes every tensor from the original module under the design's names,
records where each layer came from (names.py's `origin` section, keyed by the layer's id
path, `layer1/0/conv1`), and verifies the design against the original (verify.py). If the
nested design differs in anything, the flat one (already a faithful design on its own) is
checked and kept instead, with a warning.
"""

from __future__ import annotations

from backend.graph.document import GraphDocument
from backend.importer.names import SECTION, WRAPPED


def finish(conv, model, shapes, name: str, vocab, arguments: dict[str, dict], report):
    from backend.importer.fx import FxImport
    from backend.importer.layout import starting_settings

    starting_settings(conv.doc)
    from backend.importer.nesting import nest
    from backend.importer.verify import verify

    flat = conv.doc
    warnings: list[str] = []
    report("Keeping the modules as blocks")
    try:
        nested = nest(flat, conv.origins, conv.gm, arguments)
    except Exception as exc:  # grouping is a nicety: never worse than the flat design
        nested, warnings = None, [_flat_warning(name, exc)]
    if nested is not None:
        _lay_out(nested.doc)
        doc, weights = _with_weights(nested.doc, model, conv, nested.paths)
        report(f"Checking the design against {name}")
        try:
            diff = verify(doc, model.eval(), weights, shapes, name, vocab)
            return FxImport(doc, weights, max_difference=diff)
        except Exception as exc:
            warnings.append(_flat_warning(name, exc))
    doc, weights = _with_weights(flat, model, conv, None)
    report(f"Checking the design against {name}")
    diff = verify(doc, model.eval(), weights, shapes, name, vocab)
    return FxImport(doc, weights, warnings, max_difference=diff)


def _lay_out(doc: GraphDocument) -> None:
    """A first arrangement of the design and of every block's inside, so an opened block
    reads left to right like the top level."""
    from backend.importer.layout import layout

    layout(doc)
    for definition in doc.blocks.values():
        layout(definition.graph)


def _flat_warning(name: str, exc: Exception) -> str:
    text = " ".join(str(exc).split())[:160]
    return (f"{name}'s modules were not kept as blocks ({type(exc).__name__}: {text}); the "
            "design lists every layer instead")


def _with_weights(doc: GraphDocument, model, conv, paths: dict | None):
    """The design's tensors, taken from the original, and its `origin` section."""
    from backend.export.weights import encode_weights
    from backend.module_paths import layer_paths
    from backend.shapes import analyse

    where = layer_paths(doc, analyse(doc))
    state, modules = {}, {}
    for nid, source in conv.sources.items():
        key = "/".join(str(p) for p in paths[nid]) if paths is not None else nid
        inner = WRAPPED.get(conv.doc.nodes[nid].type)
        prefix = where[key] + (f".{inner}" if inner else "")
        for k, tensor in model.get_submodule(source).state_dict().items():
            state[f"{prefix}.{k}"] = tensor
        modules[key] = conv.original.get(source, source)
    doc.sections[SECTION] = {"framework": "pytorch", "modules": modules}
    return doc, encode_weights(state)
