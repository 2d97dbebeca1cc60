"""Built-in templates: the course's architectures as designs.

`CATALOG` (backend/templates/entries.py) lists every template with its description and note;
`TEMPLATES` maps the command-line name to (function, one-line description).
`make_template(name)` returns a fresh GraphDocument with dataset and training settings that
fit it; full-size templates also take `num_classes` and `input_shape`.
"""

from __future__ import annotations

from backend.graph import GraphDocument
from backend.templates.catalog import GROUPS, Template
from backend.templates.entries import CATALOG

BY_NAME: dict[str, Template] = {t.name: t for t in CATALOG}
TEMPLATES = {t.name: (t.factory, t.description) for t in CATALOG}

__all__ = ["BY_NAME", "CATALOG", "GROUPS", "TEMPLATES", "Template", "make_template",
           "sized_template", "template_info", "template_names"]


def template_names() -> list[str]:
    return list(BY_NAME)


def template_info(name: str) -> Template:
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown template '{name}' (available: {', '.join(BY_NAME)})") from None


def make_template(name: str, num_classes: int | None = None,
                  input_shape: tuple[int, ...] | None = None) -> GraphDocument:
    """A fresh design from the named template; the class count and input shape apply to
    full-size templates only (others raise ValueError with the reason)."""
    template = template_info(name)
    doc = template.build(num_classes, input_shape).doc
    from backend.templates.defaults import apply_defaults

    apply_defaults(name, doc, full_size=template.sized)
    return doc


def parse_shape(text: str) -> tuple[int, ...]:
    """'3,64,64' (or '3x64x64') -> (3, 64, 64); ValueError with the expected form."""
    parts = text.replace("x", ",").replace("×", ",").split(",")
    try:
        shape = tuple(int(p) for p in parts)
    except ValueError:
        shape = ()
    if not shape or any(d < 1 or d > 100_000 for d in shape):
        raise ValueError(f"input shape '{text}' is not a list of positive sizes: give it as "
                         "channels,height,width, e.g. 3,64,64")
    return shape


def sized_template(name: str, num_classes: int | None = None,
                   input_shape: str | tuple[int, ...] | None = None) -> GraphDocument:
    """`make_template` for user-given sizes: a bad class count, a shape of the wrong rank or
    one the network cannot take raises ValueError with one sentence and the fix."""
    template = template_info(name)
    if isinstance(input_shape, str):
        input_shape = parse_shape(input_shape)
    if num_classes is not None and not 1 <= num_classes <= 1_000_000:
        raise ValueError(f"the class count must be from 1 to 1000000, not {num_classes}")
    if input_shape is not None and template.sized:
        default = template.factory().doc
        want = len(next(n for n in default.nodes.values() if n.type == "Input")
                   .params["shape"])
        if len(input_shape) != want:
            raise ValueError(f"{template.title} takes images as channels,height,width: give "
                             f"{want} sizes, e.g. 3,64,64")
    doc = make_template(name, num_classes, input_shape)
    if input_shape is not None:
        from backend.shapes import analyse

        errors = [p for p in analyse(doc).problems if p.severity == "error"]
        if errors:
            size = "×".join(str(d) for d in input_shape)
            raise ValueError(f"{template.title} cannot take {size} inputs ({errors[0].message})"
                             ": give a larger input")
    return doc
