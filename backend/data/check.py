"""Does a design fit a dataset? Input shape, output size and task, as sentences with the fix.

`fit_problems(doc, data_config, info, task, loss)` returns a list of user messages (empty
when the design fits). The designer shows them before a run; the trainer refuses to start
with the first one.
"""

from __future__ import annotations

from backend.data.base import DatasetInfo
from backend.data.sources import DataConfig, get_source
from backend.graph.document import GraphDocument
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
        return [(k,), (1,)] if loss == "bce_with_logits" and k == 2 else [(k,)]
    return [info.target_shape or (1,)]


def fit_problems(doc: GraphDocument, config: DataConfig | None, info: DatasetInfo, task: str,
                 loss: str, analysis: Analysis | None = None) -> list[str]:
    """Errors that stop a run (empty when the design fits)."""
    return fit_report(doc, config, info, task, loss, analysis)[0]


def fit_report(doc: GraphDocument, config: DataConfig | None, info: DatasetInfo, task: str,
               loss: str, analysis: Analysis | None = None) -> tuple[list[str], list[str]]:
    """(errors, warnings): more output units than classes trains, but is worth a word."""
    analysis = analysis or analyse(doc)
    reconstructs = task in RECONSTRUCTING and loss in ("bce", "bce_with_logits")
    if task != "classification" and loss in CLASS_LOSSES and not reconstructs:
        return [f"the loss '{loss}' needs class labels but the task is {task}: choose mse, "
                "mae or huber"], []
    problems = _problems(doc, config, info, task, loss, analysis)
    warnings = _loss_warnings(doc, info, task, loss) if not problems else []
    outputs = model_outputs(doc)
    out = analysis.shapes.get(outputs[0]) if len(outputs) == 1 else None
    if not problems and task == "classification" and out is not None and len(out) == 1 \
            and out[0] > info.num_classes and loss != "bce_with_logits":
        warnings.append(f"the output layer '{_name(doc, outputs[0])}' gives {out[0]} scores "
                        f"but dataset '{info.name}' has {info.num_classes} classes: it trains, "
                        f"but set its units to {info.num_classes} to match")
    return problems, warnings


CLASS_LOSSES = ("cross_entropy", "categorical_cross_entropy", "bce_with_logits")
RECONSTRUCTING = ("autoencoding", "vae")  # binary cross-entropy compares pixels in 0..1
_SQUASH = ("Softmax", "LogSoftmax", "Sigmoid")


def _loss_warnings(doc, info, task, loss) -> list[str]:
    """Settings that train but probably not as meant (the course's classic mistakes)."""
    warnings = []
    outputs = model_outputs(doc)
    last = doc.nodes[outputs[0]] if len(outputs) == 1 else None
    if last is not None and loss in CLASS_LOSSES and last.type in _SQUASH:
        warnings.append(f"the network ends with {last.type} '{_name(doc, last.id)}' but the "
                        f"loss '{loss}' expects raw scores (logits) and applies it itself: "
                        f"remove the {last.type} layer")
    if task == "classification" and loss == "bce_with_logits" and info.num_classes > 2:
        warnings.append(f"bce_with_logits treats each of the {info.num_classes} outputs as a "
                        "separate yes/no question: for one class per sample use cross_entropy")
    return warnings


def _problems(doc, config, info, task, loss, analysis) -> list[str]:
    inputs, outputs = model_inputs(doc), model_outputs(doc)
    graph = _graph_problem(doc, inputs, info, task)
    if graph:
        return [graph]
    if len(inputs) != 1:
        return [f"training needs exactly one Input node but the design has {len(inputs)}: "
                "keep one Input"]
    if len(outputs) != 1:
        names = ", ".join(f"'{_name(doc, o)}'" for o in outputs) or "none"
        return [f"training needs exactly one output (a layer nothing else reads) but the "
                f"design has {len(outputs)} ({names}): connect or remove the extra ones"]
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


def _graph_problem(doc, inputs, info, task) -> str | None:
    """Graph designs and graph data train with the graph tasks, not with this one."""
    graphs = [n for n in inputs if doc.nodes[n].type == "GraphInput"]
    if graphs:
        return (f"the design starts with a Graph input ('{_name(doc, graphs[0])}'), which the "
                f"task {task} cannot feed: set the task to node_classification or "
                "link_prediction")
    if info.kind == "graph":
        return (f"dataset '{info.name}' is a graph, which the task {task} cannot use: start "
                "the design with a Graph input and set the task to node_classification or "
                "link_prediction")
    return None


def _name(doc: GraphDocument, nid: str) -> str:
    return doc.nodes[nid].title or nid


def _input_problem(doc, nid, got, config, info) -> str:
    want = list(info.input_shape)
    fix = f"set the Input shape to {want}"
    hint = _shape_hint(config)
    extra = hint(config.options, got) if hint else None
    if extra:
        fix += f" or {extra}"
    return (f"Input '{_name(doc, nid)}' has shape {shape_text(got)} but dataset "
            f"'{info.name}' gives {shape_text(info.input_shape)}: {fix}")


def _shape_hint(config: DataConfig | None):
    if config is None:
        return None
    try:
        return get_source(config.name).shape_hint
    except ValueError:
        return None


def _output_problem(doc, nid, got, want, info, task) -> str:
    node = doc.nodes[nid]
    where = f"the output layer '{_name(doc, nid)}' gives {shape_text(got)}"
    if task == "classification":
        fix = (f"set its units to {want[0]}" if node.type == "Dense" and len(got) == 1
               else f"end the network with a Dense layer of {want[0]} units")
        return f"{where} but dataset '{info.name}' has {info.num_classes} classes: {fix}"
    if task in RECONSTRUCTING:
        return (f"{where} but an autoencoder must reconstruct its input "
                f"{shape_text(info.input_shape)}: make the last layer output that shape")
    return (f"{where} but dataset '{info.name}' has targets of shape {shape_text(want)}: "
            f"end the network with a layer that outputs {shape_text(want)}")
