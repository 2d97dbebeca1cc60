"""Built-in templates: the course's architectures as designs.

Each template is a function returning a `DesignBuilder`; `TEMPLATES` maps the CLI name to
(function, one-line description). `make_template(name)` returns a fresh GraphDocument.
"""

from __future__ import annotations

from backend.graph import GraphDocument
from backend.templates import basic

TEMPLATES = {
    "mlp": (basic.mlp, "Multi-layer perceptron for the bundled 8×8 digits (64-64-10)."),
    "lenet5": (basic.lenet5, "LeNet-5 (1998) on 32×32×1 images: two conv/pool blocks, "
                             "three dense layers, 61,706 parameters."),
    "course-cnn": (basic.course_cnn, "The course's example CNN on 28×28×1: conv 5×5, pool, "
                                     "conv 5×5, pool, dense, dropout, 10 classes."),
}


def template_names() -> list[str]:
    return list(TEMPLATES)


def make_template(name: str) -> GraphDocument:
    try:
        factory, _ = TEMPLATES[name]
    except KeyError:
        raise KeyError(f"unknown template '{name}' (available: {', '.join(TEMPLATES)})") from None
    doc = factory().doc
    from backend.templates.defaults import apply_defaults

    apply_defaults(name, doc)
    return doc
