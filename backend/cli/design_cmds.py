"""Design sub-commands: templates, new, summary, validate."""

from __future__ import annotations

import json
from pathlib import Path

from backend.project import load_design, open_any, save_design
from backend.shapes import analyse
from backend.summary import memory_summary_lines, rows, totals, totals_lines
from backend.templates import CATALOG, TEMPLATES, make_template, sized_template

EXAMPLE = Path(__file__).resolve().parents[2] / "resources" / "examples" / "mlp-digits.json"


def add_parser(sub) -> None:
    p = sub.add_parser("templates", help="list built-in templates")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(run=cmd_templates)
    p = sub.add_parser("new", help="write a design from a template")
    p.add_argument("--template", required=True, help="template name (see `templates`)")
    p.add_argument("-o", "--output", required=True, help="file to write")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p.add_argument("--classes", type=int, help="number of classes (full-size templates)")
    p.add_argument("--input-shape", help="input shape C,H,W (full-size templates), e.g. "
                   "3,64,64: shapes and training data follow")
    p.set_defaults(run=cmd_new)
    p = sub.add_parser("summary", help="per-layer shapes, parameters and problems")
    p.add_argument("file")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--expand", action="store_true",
                   help="also list the layers inside blocks, by module path (layer1.0.conv1)")
    p.set_defaults(run=cmd_summary)
    p = sub.add_parser("validate", help="exit 0 if the design is valid, 1 with problems")
    p.add_argument("file")
    p.set_defaults(run=cmd_validate)


def cmd_templates(args) -> int:
    if args.json:
        print(json.dumps([{"name": t.name, "description": t.description, "title": t.title,
                           "group": t.group, "note": t.note, "sized": t.sized}
                          for t in CATALOG], indent=2))
        return 0
    width = max(len(k) for k in TEMPLATES)
    for name, (_, desc) in TEMPLATES.items():
        print(f"{name:<{width}}  {desc}")
    return 0


def cmd_new(args) -> int:
    from backend.cli import CliError

    if args.template not in TEMPLATES:
        raise CliError(f"unknown template '{args.template}': choose one of "
                       f"{', '.join(TEMPLATES)}")
    from backend.cli.outputs import check_output

    out = Path(args.output)
    if not args.output.strip():
        raise CliError(f"'{args.output}' is not a file name: give one such as design.json")
    replaced = check_output(out, (), args.force, flag="the design")
    try:
        doc = sized_template(args.template, args.classes, args.input_shape)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    if out.suffix.lower() == ".nwproj":
        from backend.project import save_project

        save_project(out, doc)
    else:
        save_design(doc, out, backup=replaced)
    print(f"wrote {out}" + (f" (the old file is kept as {out.name}.bak)" if replaced else ""))
    return 0


def summary_json(doc, analysis, expand: bool = False) -> dict:
    out = {
        "nodes": [_node_json(doc, analysis, nid, n) for nid, n in doc.nodes.items()],
        **totals(analysis),
        "problems": [p.to_json() for p in analysis.problems],
        "networks": [{"role": role, "nodes": ids, "params": _params(analysis, ids)}
                     for role, ids in _networks(doc, analysis).items()],
    }
    if analysis.ok:
        from backend.memory import design_estimate, memory_json

        out["memory"] = memory_json(design_estimate(doc, analysis))
    if expand:
        out["layers"] = [{"path": r.name, "type": r.type, "output_shape": r.shape,
                          "params": r.params or 0, "state": r.state or 0, "node": r.node}
                         for r in rows(doc, analysis, expand=True) if r.depth > 0]
    return out


def _node_json(doc, analysis, nid, n) -> dict:
    out = {"id": nid, "title": n.title, "type": n.type,
           "output_shape": _shape_json(analysis.shapes.get(nid), analysis.kinds.get(nid, "")),
           "params": analysis.counts.get(nid, 0), "state": analysis.states.get(nid, 0)}
    if n.type == "Block":
        out["block"] = n.params.get("definition")
        out["repeat"] = analysis.params.get(nid, {}).get("repeat", n.params.get("repeat", 1))
    return out


def _networks(doc, analysis) -> dict[str, list[str]]:
    """role -> node ids: a GAN's generator and discriminator, else the whole design."""
    from backend.training.recipes.parts import design_networks

    if not analysis.ok:
        return {"model": list(doc.nodes)}
    return {role: list(sub.nodes) for role, sub in design_networks(doc, analysis).items()}


def _params(analysis, ids) -> int:
    return sum(analysis.counts.get(nid, 0) for nid in ids)


def _shape_json(shape, kind: str = ""):
    """["B", 6, 28, 28]; a graph's node features ["N", 16], its adjacency ["N", "N"]."""
    from backend.kinds import GRAPHS, NODES, SQUARE

    if shape is None:
        return None
    if kind in SQUARE:
        return ["N", "N"]
    return [{NODES: "N", GRAPHS: 1}.get(kind, "B"), *shape]


def cmd_summary(args) -> int:
    from backend.cli.run_cmds import runs_json, runs_text

    project = open_any(args.file)  # a project, a design or exported Python
    doc = project.doc
    analysis = analyse(doc)
    if args.json:
        data = summary_json(doc, analysis, args.expand)
        if project.kind == "project":
            data["runs"] = runs_json(project)
        print(json.dumps(data, indent=2))
        return 0
    print("\n".join([format_summary(doc, analysis, args.expand), *runs_text(project)]))
    return 0


def format_summary(doc, analysis, expand: bool = False) -> str:
    """The layer table; a design of several networks (a GAN) gets one block per network."""
    networks = _networks(doc, analysis)
    found = rows(doc, analysis, expand)
    blocks = {role: [("  " * r.depth + one_line(r.name), r.type, r.shape, f"{r.params or 0:,}")
                     for r in found if r.node in set(ids)] for role, ids in networks.items()}
    table = [("Layer", "Type", "Output shape", "Params")] + \
        [r for block in blocks.values() for r in block]
    widths = [max(len(r[i]) for r in table) for i in range(4)]
    line = lambda r: "  ".join(  # noqa: E731
        c.rjust(w) if i == 3 else c.ljust(w)
        for i, (c, w) in enumerate(zip(r, widths, strict=True)))
    out = [f"{doc.name}", line(table[0]), "-" * (sum(widths) + 6)]
    for role, block in blocks.items():
        if len(blocks) > 1:
            out.append(f"{role.capitalize()} ({_params(analysis, networks[role]):,} params)")
        out += [line(r) for r in block]
    out.append("-" * (sum(widths) + 6))
    out += totals_lines(analysis) + memory_summary_lines(doc, analysis)
    for p in analysis.problems:
        out.append(f"{p.severity}: {one_line(p.message)}")
    return "\n".join(out)


def one_line(text: str) -> str:
    """Messages print as one line each, whatever a title or id in them holds."""
    return " ".join(text.split())


def cmd_validate(args) -> int:
    import sys

    doc = open_any(args.file).doc  # a project, a design or exported Python
    analysis = analyse(doc)
    for p in analysis.problems:
        print(f"{p.severity}: {one_line(p.message)}", file=sys.stderr if p.severity == "error"
              else sys.stdout)
    if analysis.ok:
        print(f"{args.file}: valid ({analysis.total_params:,} parameters)")
        return 0
    return 1


def demo() -> int:
    """Headless stand-in for the designer: summarise the example design."""
    path = EXAMPLE if EXAMPLE.exists() else None
    doc = load_design(path) if path else make_template("mlp")
    print(format_summary(doc, analyse(doc)))
    return 0
