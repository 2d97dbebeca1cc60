"""Does a design fit a dataset? Input shape, output size and task, as sentences with the fix.

`fit_check(doc, data_config, info, task, loss)` returns `Problem`s naming the node they are
about, with a mechanical `Fix` where there is one (set the dataset's resize, set the Input's
shape, set the output's units, choose a value loss); `fit_problems` / `fit_report` give the
same as sentences. The designer lists them with the design's problems; the trainer refuses to
start with the first error.
"""

from __future__ import annotations

from backend.data.base import DatasetInfo
from backend.data.sources import DataConfig, get_source
from backend.graph.document import GraphDocument
from backend.graph.ops import SetParams, SetSection
from backend.graph.problems import Fix, Problem
from backend.graph.traverse import model_inputs, model_outputs
from backend.shapes import Analysis, analyse


def shape_text(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(str(d) for d in shape) + (",)" if len(shape) == 1 else ")")


def expected_output(info: DatasetInfo, task: str, loss: str) -> list[tuple[int, ...]]:
    """The output shapes that fit this dataset, task and loss (first = preferred)."""
    if task in RECONSTRUCTING:
        return [info.input_shape]
    if task == "classification":
        k = info.num_classes
        if info.multi_label:
            return [(k,)]
        return [(k,), (1,)] if loss == "bce_with_logits" and k == 2 else [(k,)]
    return [info.target_shape or (1,)]


def fit_problems(doc: GraphDocument, config: DataConfig | None, info: DatasetInfo, task: str,
                 loss: str, analysis: Analysis | None = None) -> list[str]:
    """Errors that stop a run (empty when the design fits)."""
    return fit_report(doc, config, info, task, loss, analysis)[0]


def fit_report(doc: GraphDocument, config: DataConfig | None, info: DatasetInfo, task: str,
               loss: str, analysis: Analysis | None = None) -> tuple[list[str], list[str]]:
    """(errors, warnings) as sentences."""
    found = fit_check(doc, config, info, task, loss, analysis)
    return ([p.message for p in found if p.severity == "error"],
            [p.message for p in found if p.severity != "error"])


def fit_check(doc: GraphDocument, config: DataConfig | None, info: DatasetInfo, task: str,
              loss: str, analysis: Analysis | None = None) -> list[Problem]:
    """Errors and warnings (more output units than classes trains, but is worth a word)."""
    analysis = analysis or analyse(doc)
    reconstructs = task in RECONSTRUCTING and loss in ("bce", "bce_with_logits")
    if task != "classification" and loss in CLASS_LOSSES and not reconstructs:
        fix = Fix("Set the loss to MSE", _set_training("loss", "mse"))
        return [Problem(None, f"the loss '{loss}' needs class labels but the task is {task}: "
                              "choose mse, mae or huber", fix=fix)]
    if task == "classification" and info.multi_label and loss != "bce_with_logits":
        fix = Fix("Set the loss to auto", _set_training("loss", "auto"))
        return [Problem(None, f"dataset '{info.name}' has multi-hot labels (a sample may belong "
                              f"to several of its {info.num_classes} classes): that is "
                              f"multi-label classification, which '{loss}' cannot learn (it "
                              "would take one class per sample): set the loss to auto or "
                              "bce_with_logits (one sigmoid per class)", fix=fix)]
    outputs = model_outputs(doc)  # once: a design may have thousands of layers
    problems = _problems(doc, config, info, task, loss, analysis, outputs)
    warnings = _loss_warnings(doc, info, task, loss, outputs) if not problems else []
    out = analysis.shapes.get(outputs[0]) if len(outputs) == 1 else None
    if not problems and task == "classification" and out is not None and len(out) == 1 \
            and out[0] > info.num_classes and loss != "bce_with_logits":
        warnings.append(Problem(
            outputs[0], f"the output layer '{_name(doc, outputs[0])}' gives {out[0]} scores "
            f"but dataset '{info.name}' has {info.num_classes} classes: it trains, but set its "
            f"units to {info.num_classes} to match", "warning",
            fix=_units_fix(doc, outputs[0], info.num_classes)))
    return problems + warnings


def _set_training(key: str, value):
    def make(doc: GraphDocument) -> SetSection:
        return SetSection("training", {**(doc.sections.get("training") or {}), key: value})
    return make


def _set_dataset(changes: dict):
    def make(doc: GraphDocument) -> SetSection:
        return SetSection("dataset", {**(doc.sections.get("dataset") or {}), **changes})
    return make


def _set_param(nid: str, key: str, value):
    def make(doc: GraphDocument) -> SetParams:
        return SetParams(nid, {**doc.nodes[nid].params, key: value})
    return make


def _units_fix(doc: GraphDocument, nid: str, units: int) -> Fix | None:
    if doc.nodes[nid].type != "Dense":
        return None
    return Fix(f"Set the units of '{_name(doc, nid)}' to {units}", _set_param(nid, "units", units))


CLASS_LOSSES = ("cross_entropy", "categorical_cross_entropy", "bce_with_logits")
RECONSTRUCTING = ("autoencoding", "vae")  # binary cross-entropy compares pixels in 0..1
_SQUASH = ("Softmax", "LogSoftmax", "Sigmoid")


def _loss_warnings(doc, info, task, loss, outputs: list[str]) -> list[str]:
    """Settings that train but probably not as meant (the course's classic mistakes)."""
    warnings = []
    last = doc.nodes[outputs[0]] if len(outputs) == 1 else None
    if last is not None and loss in CLASS_LOSSES and last.type in _SQUASH:
        warnings.append(Problem(
            last.id, f"the network ends with {last.type} '{_name(doc, last.id)}' but the loss "
            f"'{loss}' expects raw scores (logits) and applies it itself: remove the "
            f"{last.type} layer", "warning"))
    if task == "classification" and loss == "bce_with_logits" and info.num_classes > 2 \
            and not info.multi_label:
        warnings.append(Problem(
            None, f"bce_with_logits treats each of the {info.num_classes} outputs as a separate "
            "yes/no question: for one class per sample use cross_entropy", "warning",
            fix=Fix("Set the loss to cross-entropy", _set_training("loss", "cross_entropy"))))
    return warnings


def _problems(doc, config, info, task, loss, analysis, outputs: list[str]) -> list[Problem]:
    inputs = model_inputs(doc)
    graph = _graph_problem(doc, inputs, info, task)
    if graph:
        return [graph]
    if len(inputs) != 1:
        return [Problem(None, f"training needs exactly one Input node but the design has "
                              f"{len(inputs)}: keep one Input")]
    if len(outputs) != 1:
        names = ", ".join(f"'{_name(doc, o)}'" for o in outputs) or "none"
        return [Problem(None, f"training needs exactly one output (a layer nothing else reads) "
                              f"but the design has {len(outputs)} ({names}): connect or remove "
                              "the extra ones")]
    problems = []
    got = analysis.shapes.get(inputs[0])
    if got is not None and tuple(got) != info.input_shape:
        problems.append(_input_problem(doc, inputs[0], tuple(got), config, info))
    out = analysis.shapes.get(outputs[0])
    if out is not None and not problems:
        wanted = expected_output(info, task, loss)
        spare = task == "classification" and len(out) == 1 and out[0] > info.num_classes \
            and loss != "bce_with_logits"
        if tuple(out) not in wanted and not spare:
            problems.append(_output_problem(doc, outputs[0], tuple(out), wanted[0], info,
                                            task))
    return problems


def _graph_problem(doc, inputs, info, task) -> Problem | None:
    """Graph designs and graph data train with the graph tasks, not with this one."""
    graphs = [n for n in inputs if doc.nodes[n].type == "GraphInput"]
    if graphs:
        return Problem(graphs[0], f"the design starts with a Graph input "
                                  f"('{_name(doc, graphs[0])}'), which the task {task} cannot "
                                  "feed: set the task to node_classification or link_prediction")
    if info.kind == "graph":
        return Problem(None, f"dataset '{info.name}' is a graph, which the task {task} cannot "
                             "use: start the design with a Graph input and set the task to "
                             "node_classification or link_prediction")
    return None


def _name(doc: GraphDocument, nid: str) -> str:
    return doc.nodes[nid].title or nid


def _input_problem(doc, nid, got, config, info) -> Problem:
    want = list(info.input_shape)
    words = f"set the Input shape to {want}"
    fix = Fix(f"Set the Input shape to {want}", _set_param(nid, "shape", want))
    changes, extra = _data_changes(config, got)
    if extra:
        words += f" or {extra}"
    if changes:  # fitting the data to the design keeps the design as drawn
        fix = Fix(extra[0].upper() + extra[1:], _set_dataset(changes))
    return Problem(nid, f"Input '{_name(doc, nid)}' has shape {shape_text(got)} but dataset "
                        f"'{info.name}' gives {shape_text(info.input_shape)}: {words}", fix=fix)


def _data_changes(config: DataConfig | None, want: tuple) -> tuple[dict | None, str | None]:
    """Dataset option changes that give inputs of shape `want`, and the words for them."""
    if config is None:
        return None, None
    try:
        source = get_source(config.name)
    except ValueError:
        return None, None
    if source.shape_fix is not None:
        changes = source.shape_fix(config.options, want)
        if changes:
            return changes, " and ".join(f"set the dataset's {k} to {_option_text(v)}"
                                         for k, v in changes.items())
    text = source.shape_hint(config.options, want) if source.shape_hint else None
    return None, text


def _option_text(value) -> str:
    return {True: "true", False: "false", None: "none"}.get(value, str(value)) \
        if isinstance(value, bool | None) else str(value)


def _output_problem(doc, nid, got, want, info, task) -> Problem:
    node = doc.nodes[nid]
    where = f"the output layer '{_name(doc, nid)}' gives {shape_text(got)}"
    if task == "classification":
        dense = node.type == "Dense" and len(got) == 1
        words = (f"set its units to {want[0]}" if dense
                 else f"end the network with a Dense layer of {want[0]} units")
        return Problem(nid, f"{where} but dataset '{info.name}' has {info.num_classes} "
                            f"classes{_odd_label(info, got, words)}",
                       fix=_units_fix(doc, nid, want[0]) if dense else None)
    if task in RECONSTRUCTING:
        return Problem(nid, f"{where} but an autoencoder must reconstruct its input "
                            f"{shape_text(info.input_shape)}: make the last layer output that "
                            "shape")
    fix = _units_fix(doc, nid, want[0]) if len(want) == 1 and len(got) == 1 else None
    return Problem(nid, f"{where} but dataset '{info.name}' has targets of shape "
                        f"{shape_text(want)}: end the network with a layer that outputs "
                        f"{shape_text(want)}", fix=fix)


def _odd_label(info: DatasetInfo, got: tuple, words: str) -> str:
    """Numeric labels that stray from 0..units-1 (a 12 among 0-9, a -1) are named with the
    row where the first one occurs: most often a typo in the data, not a class of its own."""
    units = got[0] if len(got) == 1 else 0
    try:
        values = [float(n) for n in info.class_names]
    except ValueError:
        values = []
    odd = [i for i, v in enumerate(values) if v < 0 or v >= units]
    if not units or not odd or len(odd) == len(values):
        return f": {words}"
    i = odd[0]
    row = f" ({info.class_rows[i]})" if i < len(info.class_rows) else ""
    return (f" because of the label {info.class_names[i]}{row}, outside 0 to {units - 1}: "
            f"correct that label if it is a mistake, or {words}")
