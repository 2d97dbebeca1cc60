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
           "template_info", "template_names"]


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
