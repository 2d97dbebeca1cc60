"""Opening Python files exported by Netwright again, as the design they came from.

The file is parsed with `ast`, never executed: the design comes from the
`NETWRIGHT_DESIGN = (...)` string block read with `ast.literal_eval`, then goes through the
same checks as a design file. The model class in the file is compared with the class the
exporter writes for that design; if someone edited it, the design still opens and a warning
says the edits are not part of it.

Importing an arbitrary `nn.Module` (which runs the user's code) lives in `backend.importer.fx`
and only happens when the user asks for it explicitly.
"""

from __future__ import annotations

import ast
from pathlib import Path

from backend.codegen.embed import MARKER, find_design
from backend.graph.document import GraphDocument
from backend.project.project import design_from_data
from backend.project.safe import ProjectFileError, parse_json

MAX_SOURCE_BYTES = 16 * 1024 * 1024


def import_python(path: str | Path) -> tuple[GraphDocument, list[str]]:
    """The design embedded in an exported Python file, and warnings (e.g. edited code)."""
    path = Path(path)
    return import_source(_read(path), path.name)


def import_source(source_text: str, source: str = "the file") -> tuple[GraphDocument, list[str]]:
    tree = _parse(source_text, source)
    text = find_design(tree)
    if text is None:
        raise ProjectFileError(f"{source} was not exported by Netwright (it has no readable "
                               f"{MARKER} block): export it from Netwright, or import its "
                               "nn.Module explicitly with torch.fx")
    where = f"{source} ({MARKER})"
    doc = design_from_data(parse_json(text.encode("utf-8", "replace"), where), where)
    return doc, _class_warnings(tree, doc, source)


def _read(path: Path) -> str:
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_SOURCE_BYTES + 1)
    except FileNotFoundError:
        raise ProjectFileError(f"{path} does not exist: check the path") from None
    except IsADirectoryError:
        raise ProjectFileError(f"{path} is a folder: choose a Python file") from None
    except OSError as exc:
        raise ProjectFileError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(raw) > MAX_SOURCE_BYTES:
        raise ProjectFileError(f"{path.name} is larger than 16 MB: it is not a file exported "
                               "by Netwright")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ProjectFileError(f"{path.name} is not UTF-8 text: it is not a file exported by "
                               "Netwright") from None


def _parse(text: str, source: str) -> ast.Module:
    try:
        return ast.parse(text, filename=source)
    except SyntaxError as exc:
        raise ProjectFileError(f"{source} is not valid Python (line {exc.lineno}: {exc.msg}): "
                               "export the design again") from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise ProjectFileError(f"{source} cannot be parsed as Python ({type(exc).__name__}): "
                               "export the design again") from None


def _class_warnings(tree: ast.Module, doc: GraphDocument, source: str) -> list[str]:
    """Compare the file's classes with what the exporter writes for the embedded design."""
    from backend.codegen.model import ExportError, model_source

    try:
        expected = model_source(doc)
    except ExportError:
        return [f"{source}: the embedded design has errors, so its model class was not "
                "checked"]
    wanted = _classes(ast.parse(expected.code))
    found = _classes(tree)
    if found.get(expected.class_name) is None:
        return [f"{source} no longer defines class {expected.class_name}: the design was "
                "opened from its embedded block"]
    changed = sorted(name for name, dump in wanted.items() if found.get(name) != dump)
    if changed:
        return [f"{source}: class {', '.join(changed)} was edited after export; Netwright "
                "opened the embedded design, so those code edits are not part of it"]
    return []


def _classes(tree: ast.Module) -> dict[str, str]:
    return {stmt.name: ast.dump(stmt) for stmt in tree.body if isinstance(stmt, ast.ClassDef)}
