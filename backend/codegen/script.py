"""Design -> `train.py`: the design's training settings and data loading as a plain script.

The script imports the exported model module (every network class it holds), holds the
resolved `training` and `dataset` sections as literal dicts, copies the loader of the
design's dataset from train_data.py, the shared training code from train_runtime.py and the
task recipe's class from train_recipes/ (all standalone), and runs with torch, numpy and
(for most bundled sets) scikit-learn; under `torchrun --nproc_per_node=N` it trains with
DistributedDataParallel. All design text enters as `repr()` literals.
"""

from __future__ import annotations

import ast
import inspect

from backend.codegen import train_data, train_graphs, train_runtime
from backend.codegen.model import ExportError, docstring_text
from backend.graph.document import GraphDocument


def resolved_sections(doc: GraphDocument) -> tuple[dict, str, dict]:
    """(training settings, dataset name, dataset options), validated and with defaults."""
    from backend.data import DataConfig
    from backend.data.tokens import token_input
    from backend.training.config import TrainingConfig

    try:
        config = TrainingConfig.from_section(doc.sections.get("training"))
    except ValueError as exc:
        raise ExportError(f"the design's training settings are invalid ({exc}): fix them "
                          "before exporting train.py") from None
    settings = {**config.to_section(), **_recipe_settings(doc, config)}
    if token_input(doc) is not None:
        settings["input_dtype"] = "int64"  # the data are token indices, never normalised
    try:
        data = DataConfig.from_section(doc.sections.get("dataset"))
    except ValueError as exc:
        raise ExportError(f"the design's dataset settings are invalid ({exc}): fix them "
                          "before exporting train.py") from None
    return settings, data.name, dict(data.options)


def _recipe_settings(doc: GraphDocument, config) -> dict:
    """A recipe beyond supervised learning gets its task and loss written out (train.py
    cannot look at the design to resolve "auto") and whatever else its class needs."""
    from backend.shapes import analyse
    from backend.training.recipes import recipe_for_task, resolve_task

    analysis = analyse(doc)
    task = resolve_task(config.task, "", doc, analysis)
    if not task:
        return {}
    recipe = recipe_for_task(task)
    extra = recipe.script_settings(doc, analysis, config)
    if recipe.name == "supervised":
        return extra
    return {"task": task, "loss": recipe.resolve_loss(task, config.loss, doc, analysis),
            **extra}


def _script_class(doc: GraphDocument) -> tuple[str, str]:
    """(module, class) of the recipe's train.py class."""
    from backend.shapes import analyse
    from backend.training.recipes.parts import design_recipe

    recipe, _ = design_recipe(doc, analyse(doc))
    module, _, cls = recipe.script.partition(":")
    return module, cls


def train_script(doc: GraphDocument, module_name: str, classes: str | dict[str, str]) -> str:
    """The train.py source for the network class(es) exported in `module_name` (one class
    name, or {role: class name} for a design of several networks)."""
    if not module_name.isidentifier() or module_name in ("train", "torch", "numpy"):
        raise ExportError(f"'{module_name}' cannot be imported by train.py: name the model "
                          "file with letters, digits and underscores, e.g. model.py")
    classes = {"model": classes} if isinstance(classes, str) else dict(classes)
    settings, name, options = resolved_sections(doc)
    module, run_class = _script_class(doc)
    imports, body = _runtime_parts(module, copied=_GRAPH_CORE if name in train_graphs.LOADERS
                                   else ())
    imports += f"\n\nfrom {module_name} import {', '.join(classes.values())}"
    parts = [_docstring(doc, name, settings) + "\n\n" + imports,
             _literal("SETTINGS", settings), _literal("DATASET", {"name": name, **options}),
             _loader_source(name), *body,
             _entry(classes, run_class, f"{module_name}_trained.safetensors")]
    return "\n\n\n".join(p.rstrip("\n") for p in parts) + "\n"


def _docstring(doc: GraphDocument, dataset: str, s: dict) -> str:
    title = docstring_text(doc.name) or "the network"
    needs = "torch, numpy and scikit-learn" if dataset in train_data.SKLEARN else \
        "torch and numpy"
    return "\n".join([
        f'"""Train {title} with the settings it had in Netwright.',
        "",
        f"Dataset {dataset}; {s['optimizer']} (lr {s['lr']:g}), batch {s['batch_size']}, "
        f"{s['epochs']} epochs, schedule {s['schedule']}, seed {s['seed']}.",
        "",
        "    python train.py                           # one process (CPU or one GPU)",
        "    torchrun --nproc_per_node=2 train.py      # DistributedDataParallel, N processes",
        "    python train.py --epochs 5 --device cpu   # see --help for the options",
        "",
        f"Needs {needs}. In one process on the CPU the run draws the same",
        "initial weights and batches as Netwright, so it gives the same losses. Under torchrun",
        "only rank 0 prints and saves, and each of N processes takes batch/N samples of every",
        "batch, so the global batch size stays the same.",
        "Not reproduced here: mixed precision, channels-last and the app's live probes.",
        *_graph_note(dataset),
        '"""',
    ])


def _graph_note(dataset: str) -> list[str]:
    if dataset not in train_graphs.LOADERS:
        return []
    return ["A graph trains full-batch: the whole graph goes through the network at every",
            "step, one step per epoch, so --batch-size is not used."]


# standalone Netwright modules (numpy and torch only) that a recipe's train.py class may
# import: they are copied into train.py before the class
STANDALONE = ("backend.data.graph_core", "backend.training.ranking")
_GRAPH_CORE = ("backend.data.graph_core",)  # copied with a graph dataset's loader


def _runtime_parts(recipe_module: str, copied: tuple[str, ...] = ()) -> tuple[str, list[str]]:
    """(import block, other top-level statements) of train_runtime.py, of the standalone
    modules the recipe's module imports (unless already `copied`) and of the recipe's
    module, verbatim; their imports of Netwright itself are left out."""
    import importlib

    recipe = importlib.import_module(recipe_module)
    needed = [m for m in _imported(recipe) if m in STANDALONE and m not in copied]
    imports, body = [], []
    modules = [train_runtime, *map(importlib.import_module, needed), recipe]
    for module in modules:
        source = inspect.getsource(module)
        for stmt in ast.parse(source).body:
            if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
                continue  # the module docstring
            text = ast.get_source_segment(source, stmt, padded=True)
            if isinstance(stmt, ast.Import | ast.ImportFrom):
                if not text.startswith("from backend") and text not in imports:
                    imports.append(text)
            else:
                body.append(text)
    return _import_block(imports), body


def _imported(module) -> list[str]:
    """The Netwright modules a module imports from (`from backend.x import ...`)."""
    tree = ast.parse(inspect.getsource(module))
    return [s.module for s in tree.body if isinstance(s, ast.ImportFrom) and s.module
            and s.module.startswith("backend.")]


def _import_block(imports: list[str]) -> str:
    plain = [i for i in imports if i.startswith("import ") and "numpy" not in i
             and "torch" not in i]
    rest = [i for i in imports if i not in plain]
    return "\n".join(plain) + "\n\n" + "\n".join(rest)


def _literal(name: str, value: dict) -> str:
    lines = [f"{name} = {{"]
    lines += [f"    {k!r}: {_value(v)}," for k, v in sorted(value.items())]
    return "\n".join(lines) + "\n}"


def _value(v) -> str:
    if isinstance(v, bool | int | float | str) or v is None:
        return repr(v)
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    raise ExportError(f"a setting holds {type(v).__name__}, which train.py cannot hold: "
                      "report this as a bug")


def _loader_source(name: str) -> str:
    from backend.data import export_loaders

    if name in train_graphs.LOADERS:
        return _graph_loader_source(name)
    if name in export_loaders.LOADERS:  # the user's data file, read with numpy
        return _file_loader_source(export_loaders, *export_loaders.LOADERS[name])
    if name not in train_data.LOADERS:
        return _stub_loader(name)
    func, extra = train_data.LOADERS[name]
    pieces = [inspect.getsource(getattr(train_data, n)).rstrip("\n")
              for n in (*train_data.NEEDS.get(func, ()), func)]
    call = f"{func}({{**options, **{_value_dict(extra)}}})" if extra else f"{func}(options)"
    pieces.append("\n".join([
        "def load_data(options):",
        '    """(x, y, info) of the design\'s dataset."""',
        f"    return {call}",
    ]))
    return "\n\n\n".join(pieces)


def _file_loader_source(module, func: str, needs: tuple[str, ...]) -> str:
    pieces = [inspect.getsource(getattr(module, n)).rstrip("\n") for n in (*needs, func)]
    pieces.append("\n".join([
        "def load_data(options):",
        '    """(x, y, info) of the design\'s data file."""',
        f"    return {func}(options)",
    ]))
    return "\n\n\n".join(pieces)


def _graph_loader_source(name: str) -> str:
    """graph_core.py (the app's graph algorithms), the helpers and the loader of a graph."""
    from backend.data import export_loaders, graph_core

    _, core = _runtime_parts_of(graph_core)
    func, needs = train_graphs.LOADERS[name]
    pieces = [*core]
    for n in (*needs, "graph_result", func):
        owner = train_graphs if hasattr(train_graphs, n) and n != "data_file" \
            else export_loaders
        pieces.append(inspect.getsource(getattr(owner, n)).rstrip("\n"))
    pieces.append("\n".join([
        "def load_data(options):",
        '    """(x, y, info) of the design\'s graph; info["graph"] holds its edges."""',
        f"    return {func}(options)",
    ]))
    return "\n\n\n".join(p.rstrip("\n") for p in pieces)


def _runtime_parts_of(module) -> tuple[list[str], list[str]]:
    """(imports, statements) of one standalone module, its docstring left out."""
    source = inspect.getsource(module)
    imports, body = [], []
    for stmt in ast.parse(source).body:
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue
        text = ast.get_source_segment(source, stmt, padded=True)
        (imports if isinstance(stmt, ast.Import | ast.ImportFrom) else body).append(text)
    return imports, body


def _value_dict(d: dict) -> str:
    return "{" + ", ".join(f"{k!r}: {_value(v)}" for k, v in sorted(d.items())) + "}"


def _stub_loader(name: str) -> str:
    message = (f"dataset {name!r} is not bundled with torch or scikit-learn: edit "
               "load_data() in train.py to return (x, y, info) for your data")
    return "\n".join([
        "def load_data(options):",
        '    """Return (x float32 (N, ...), y, {"task", "num_classes", "kind"})."""',
        f"    raise SystemExit({message!r})",
    ])


def _entry(classes: dict[str, str], run_class: str, default_out: str) -> str:
    networks = "{" + ", ".join(f"{role!r}: {cls}" for role, cls in classes.items()) + "}"
    return "\n".join([
        'if __name__ == "__main__":',
        f"    main({networks}, {run_class}, SETTINGS, DATASET, load_data, {default_out!r})",
    ])
