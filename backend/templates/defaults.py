"""Default `dataset` and `training` sections per template, so every template trains as-is.

Templates listed in `EXPLICIT` get tuned settings. Any other template (new ones included)
gets settings inferred from its Input shape and its output: an output shaped like the input
means an autoencoder, (C, H, W) images train on the bundled digits resized to H×W with C
channels, (T, 1) series on sine forecasting, 2 features on the 2-D playground sets, and
4/13/30/10 features on iris/wine/breast cancer/diabetes. Inference never raises: a design it
cannot read falls back to the digits, and the training dock then shows any mismatch.
"""

from __future__ import annotations

from backend.graph import GraphDocument

_FAST = {"optimizer": "adam", "batch_size": 32, "schedule": "none"}

EXPLICIT: dict[str, tuple[dict, dict]] = {
    "mlp": ({"name": "digits", "normalise": "standard"},
            {**_FAST, "task": "classification", "loss": "cross_entropy", "lr": 0.003,
             "epochs": 15}),
    "lenet5": ({"name": "digits", "resize": 32, "normalise": "standard"},
               {**_FAST, "task": "classification", "loss": "cross_entropy", "lr": 0.002,
                "epochs": 15}),
    "course-cnn": ({"name": "digits", "resize": 28, "normalise": "standard"},
                   {**_FAST, "task": "classification", "loss": "cross_entropy", "lr": 0.001,
                    "epochs": 10}),
    # no BatchNorm: a larger step than the inferred 0.001 (which left them at 29 % / 86 %)
    "inception": ({"name": "digits"},
                  {**_FAST, "task": "classification", "loss": "cross_entropy", "lr": 0.003,
                   "epochs": 10}),
    "squeezenet": ({"name": "digits"},
                   {**_FAST, "task": "classification", "loss": "cross_entropy", "lr": 0.003,
                    "epochs": 15}),
}

_TABLES = {4: "iris", 13: "wine", 30: "breast_cancer", 10: "diabetes"}


# Full-size networks without BatchNorm need a smaller step from scratch: with Adam at 0.001
# SqueezeNet 1.1 (32 px) reached 41 % in its 10 epochs, at 0.003 its final ReLU died (10 %),
# at 0.0003 it reached 80 %.
SMALL_STEP = {"alexnet": 0.0001, "alexnet-torchvision": 0.0001, "zfnet": 0.0001,
              "vgg11": 0.0001, "vgg16": 0.0001, "squeezenet1.0": 0.0003,
              "squeezenet1.1": 0.0003}


def apply_defaults(name: str, doc: GraphDocument, full_size: bool = False) -> None:
    """Fill in 'dataset' and 'training' sections the template does not set itself."""
    if name in EXPLICIT and _fits(EXPLICIT[name][0], doc):
        dataset, training = EXPLICIT[name]
    elif full_size:
        dataset, training = full_size_sections(doc, name)
    else:
        dataset, training = infer_sections(doc, name)
    doc.sections.setdefault("dataset", dict(dataset))
    doc.sections.setdefault("training", dict(training))


def _input_shape(doc: GraphDocument) -> tuple[int, ...] | None:
    from backend.graph.traverse import model_inputs

    inputs = model_inputs(doc)
    shape = doc.nodes[inputs[0]].params.get("shape") if len(inputs) == 1 else None
    return tuple(shape) if isinstance(shape, list) else None


def _fits(dataset: dict, doc: GraphDocument) -> bool:
    """Whether tuned settings still fit: a resized template keeps its tuned data size."""
    shape = _input_shape(doc)
    return "resize" not in dataset or shape is None or shape[-1] == dataset["resize"]


def full_size_sections(doc: GraphDocument, name: str) -> tuple[dict, dict]:
    """Digits resized to the network's input, and as many epochs as finish in minutes on a
    CPU: 10 at 32 px or less, 5 up to 64 px, and 1 at ImageNet sizes (a full epoch of a
    224-px network on a CPU takes long; the template dialog offers smaller inputs)."""
    shape = _input_shape(doc) or (3, 224, 224)
    dataset = _dataset_for_input(shape, None) if len(shape) == 3 else {"name": "digits"}
    dataset["normalise"] = "standard"
    side = shape[-1]
    epochs = 10 if side <= 32 else 5 if side <= 64 else 1
    lr = SMALL_STEP.get(name, 0.001)
    return dataset, {**_FAST, "task": "classification", "loss": "cross_entropy", "lr": lr,
                     "epochs": epochs}


def infer_sections(doc: GraphDocument, name: str = "") -> tuple[dict, dict]:
    """(dataset, training) sections that fit the design's Input and output shapes; a
    dataset named in the template's name (xor-mlp) wins when its shapes fit."""
    try:
        shapes = _io_shapes(doc)
    except Exception:  # a template under construction must still get usable settings
        shapes = None
    if shapes is None or shapes[0] is None:
        return {"name": "digits"}, {**_FAST, "lr": 0.001, "epochs": 10}
    in_shape, out_shape, last_type = shapes
    if _reconstructs(in_shape, out_shape, name):
        dataset = _dataset_for_input(in_shape, None)
        if last_type == "Sigmoid":
            dataset["normalise"] = "minmax"
        return dataset, {**_FAST, "task": "autoencoding", "loss": "mse", "lr": 0.001,
                         "epochs": 10}
    dataset = _dataset_for_input(in_shape, out_shape)
    hinted = next((d for d in _NAMED if d in name.lower().replace("-", "_")), None)
    if hinted and len(in_shape) == 1 and in_shape[0] == 2 and hinted in _POINT_SETS:
        dataset = {"name": hinted}
    return dataset, _training_for(dataset, out_shape)


_POINT_SETS = ("xor", "moons", "circles", "spirals")
_NAMED = _POINT_SETS


def _reconstructs(in_shape, out_shape, name: str) -> bool:
    """An autoencoder: named so, or an output shaped like a non-trivial input."""
    if out_shape is None or tuple(out_shape) != tuple(in_shape):
        return False
    return "autoencoder" in name.lower() or len(in_shape) > 1 or in_shape[0] > 4


def _io_shapes(doc: GraphDocument):
    from backend.graph.traverse import model_inputs, model_outputs
    from backend.shapes import analyse

    inputs, outputs = model_inputs(doc), model_outputs(doc)
    if len(inputs) != 1:
        return None
    analysis = analyse(doc)
    in_shape = analysis.shapes.get(inputs[0])
    out_shape = analysis.shapes.get(outputs[0]) if len(outputs) == 1 else None
    last_type = _last_transform(doc, outputs[0]) if len(outputs) == 1 else None
    return in_shape, out_shape, last_type


def _last_transform(doc: GraphDocument, nid: str) -> str:
    """The type of the last node that changes values (skipping Reshape/Flatten/Identity)."""
    seen = set()
    while doc.nodes[nid].type in ("Reshape", "Flatten", "Identity") and nid not in seen:
        seen.add(nid)
        sources = doc.in_edges(nid)
        if not sources:
            break
        nid = sources[0].src
    return doc.nodes[nid].type


def _dataset_for_input(shape, out_shape) -> dict:
    shape = tuple(shape)
    if len(shape) == 3:
        dataset = {"name": "digits"}
        if shape[1] == shape[2] and shape[1] != 8:
            dataset["resize"] = shape[1]
        if shape[0] == 3:
            dataset["channels"] = 3
        return dataset
    if len(shape) == 2:
        return {"name": "sine", "window": shape[0]}
    features = shape[0] if shape else 0
    if features == 2:
        classes = out_shape[0] if out_shape and len(out_shape) == 1 else 2
        return {"name": "spirals", "classes": classes} if classes > 2 else {"name": "moons"}
    if features in _TABLES:
        return {"name": _TABLES[features]}
    return {"name": "digits", "flatten": True}


def _training_for(dataset: dict, out_shape) -> dict:
    name = dataset["name"]
    if name == "sine":
        return {**_FAST, "task": "sequence", "loss": "mse", "lr": 0.003, "epochs": 20}
    if name == "diabetes":
        return {**_FAST, "task": "regression", "loss": "mse", "lr": 0.003, "epochs": 50}
    loss = "bce_with_logits" if out_shape is not None and tuple(out_shape) == (1,) \
        else "cross_entropy"
    if name in (*_POINT_SETS, "iris", "wine", "breast_cancer"):
        return {**_FAST, "task": "classification", "loss": loss, "lr": 0.01, "epochs": 50}
    big = name == "digits" and (dataset.get("resize") or 8) > 32
    return {**_FAST, "task": "classification", "loss": loss, "lr": 0.001,
            "epochs": 3 if big else 10}
