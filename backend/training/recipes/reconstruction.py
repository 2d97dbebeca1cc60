"""Checks shared by the recipes that reconstruct their input (autoencoders, VAEs).

Torch-free: the pre-run check calls them. Binary cross-entropy compares probabilities with
targets between 0 and 1, so it needs a network that ends in a Sigmoid (or the logits
version) and data normalised into 0..1. Each problem names its node and, where the fix is
mechanical, carries it.
"""

from __future__ import annotations

from backend.graph.document import GraphDocument
from backend.graph.networks import last_transform
from backend.graph.ops import SetSection
from backend.graph.problems import Fix, Problem
from backend.graph.traverse import model_outputs
from backend.graph.validate import label

RECONSTRUCTION_LOSSES = ("mse", "mae", "huber", "bce", "bce_with_logits")


def ends_in_sigmoid(doc: GraphDocument) -> bool:
    outputs = model_outputs(doc)
    return len(outputs) == 1 and doc.nodes[last_transform(doc, outputs[0])].type == "Sigmoid"


def _set(section: str, key: str, value):
    def make(doc: GraphDocument) -> SetSection:
        return SetSection(section, {**(doc.sections.get(section) or {}), key: value})
    return make


def loss_problems(doc: GraphDocument, data_cfg, loss: str) -> list[Problem]:
    """Errors for a reconstruction loss that cannot work with this output or data."""
    outputs = model_outputs(doc)
    if loss not in ("bce", "bce_with_logits") or len(outputs) != 1:
        return []
    if data_cfg is not None and data_cfg.normalise == "standard":
        return [Problem(None, f"the loss '{loss}' compares values between 0 and 1, but the "
                              "dataset is normalised to mean 0 and standard deviation 1 "
                              "(negative values): set the dataset's normalise to minmax",
                        fix=Fix("Set the dataset's normalise to minmax",
                                _set("dataset", "normalise", "minmax")))]
    last = last_transform(doc, outputs[0])
    if loss == "bce" and doc.nodes[last].type != "Sigmoid":
        return [Problem(last, f"{label(doc, last)} gives unbounded values but the loss 'bce' "
                              "needs probabilities between 0 and 1: end the network with a "
                              "Sigmoid, or use bce_with_logits",
                        fix=Fix("Use bce_with_logits", _set("training", "loss",
                                                            "bce_with_logits")))]
    return []


def node_problem(doc: GraphDocument, node_id: str | None, what: str,
                 setting: str) -> Problem | None:
    """A problem when a node-valued setting names no usable layer, else None."""
    if node_id is None:
        return None
    clear = Fix(f"Clear the {what}", _set("training", setting, None))
    if node_id not in doc.nodes:
        return Problem(None, f"the {what} '{node_id}' (training setting '{setting}') is not in "
                             "the design: choose a layer or clear the setting", fix=clear)
    if doc.nodes[node_id].type == "Input":
        return Problem(node_id, f"the {what} {label(doc, node_id)} is an Input: choose a layer "
                                f"after it (training setting '{setting}')", fix=clear)
    return None
