"""The link prediction recipe: a graph autoencoder learns which node pairs are linked.

The encoder (graph layers) embeds every node from the features and the training edges; the
InnerProductDecoder scores every pair, σ(z_i · z_j). Each step scores the training edges
(targets 1) and as many node pairs drawn at random that are not training edges (targets 0,
drawn afresh every step), with binary cross-entropy on both halves. Held-out edges and as
many non-edges, fixed by the seed, measure ROC AUC and average precision per epoch. Live
views: the ROC curve and the highest-scored pairs that are no training edge.
"""

from __future__ import annotations

from backend.graph.problems import Problem
from backend.graph.traverse import model_outputs
from backend.graph.validate import label
from backend.kinds import PAIRS
from backend.training.recipes import graph_checks as checks
from backend.training.recipes.base import Recipe, Term


def decoder(doc) -> str | None:
    outputs = model_outputs(doc)
    if len(outputs) == 1 and doc.nodes[outputs[0]].type == "InnerProductDecoder":
        return outputs[0]
    return None


def decoder_sigmoid(doc, analysis) -> bool:
    node = decoder(doc)
    params = (analysis.params.get(node) if analysis is not None and node else None) or {}
    return bool(params.get("sigmoid", doc.nodes[node].params.get("sigmoid", True))
                if node else True)


class LinkPrediction(Recipe):
    name = "link_prediction"
    title = "Link prediction"
    tasks = ("link_prediction",)
    losses = ("bce", "bce_with_logits")
    terms = (Term("auc", "ROC AUC", "metric"), Term("ap", "average precision", "metric"))
    settings = (checks.EMBEDDING_NODE,)
    full_batch = True
    runtime = "backend.training.recipes.link_run:LinkPredictionRun"
    script = "backend.codegen.train_recipes.graph:LinkPredictionRun"

    def claims(self, doc, analysis) -> bool:
        return decoder(doc) is not None

    def default_loss(self, task, doc, analysis) -> str:
        return "bce" if doc is None or decoder_sigmoid(doc, analysis) else "bce_with_logits"

    def embedding_node(self, doc, analysis, config) -> str | None:
        return self.setting(config, "embedding_node") or checks.last_hidden(doc, analysis)

    def fit_check(self, doc, data_cfg, info, task, loss, config, analysis):
        found = checks.data_problems(doc, data_cfg, info, task, analysis)
        if found:
            return found
        out = model_outputs(doc)[0]
        if analysis.kinds.get(out) != PAIRS:
            return [Problem(out, f"link prediction scores node pairs but the network ends with "
                                 f"{label(doc, out)}: add an InnerProductDecoder after the layer "
                                 "that gives the node embeddings")]
        problem = checks.embedding_problem(doc, self.setting(config, "embedding_node"))
        return _loss_problems(doc, out, loss, decoder_sigmoid(doc, analysis)) + \
            ([problem] if problem else [])


def _loss_problems(doc, out: str, loss: str, sigmoid: bool) -> list[Problem]:
    """The decoder's sigmoid and the loss must agree (probabilities for bce, logits for
    bce_with_logits)."""
    if loss == "bce" and not sigmoid:
        return [Problem(out, f"{label(doc, out)} gives raw scores (sigmoid off) but the loss "
                             "bce needs probabilities: turn its sigmoid on, or use "
                             "bce_with_logits",
                        fix=checks.training_fix("Set the loss to bce_with_logits", "loss",
                                                "bce_with_logits"))]
    if loss == "bce_with_logits" and sigmoid:
        return [Problem(out, f"{label(doc, out)} gives probabilities (sigmoid on) but the loss "
                             "bce_with_logits applies σ itself: turn the decoder's sigmoid "
                             "off, or use bce",
                        fix=checks.training_fix("Set the loss to bce", "loss", "bce"))]
    return []


LINK_PREDICTION = LinkPrediction()
