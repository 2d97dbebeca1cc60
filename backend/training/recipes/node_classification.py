"""The node classification recipe: a graph network labels the nodes of one graph.

The whole graph goes through the network at every step (full batch: the node features and
the adjacency); the cross-entropy and the accuracy count only the training nodes (the masks
of backend/data/graph_splits.py), validation and test only theirs, so the labels of held-out
nodes never reach the loss (semi-supervised, as in Kipf & Welling's GCN). Live views: the
graph drawn with each node's predicted class, and the embedding layer's output in 2-D.
"""

from __future__ import annotations

from backend.graph.problems import Problem
from backend.training.recipes import graph_checks as checks
from backend.training.recipes.base import Recipe


class NodeClassification(Recipe):
    name = "node_classification"
    title = "Node classification"
    tasks = ("node_classification",)
    losses = ("cross_entropy",)
    settings = (checks.EMBEDDING_NODE,)
    full_batch = True
    runtime = "backend.training.recipes.graph_run:NodeClassificationRun"
    script = "backend.codegen.train_recipes.graph:NodeClassificationRun"

    def claims(self, doc, analysis) -> bool:
        return checks.is_graph_design(doc)

    def default_loss(self, task, doc, analysis) -> str:
        return "cross_entropy"

    def embedding_node(self, doc, analysis, config) -> str | None:
        return self.setting(config, "embedding_node") or checks.last_hidden(doc, analysis)

    def script_settings(self, doc, analysis, config) -> dict:
        return {}

    def fit_check(self, doc, data_cfg, info, task, loss, config, analysis):
        found = checks.data_problems(doc, data_cfg, info, task, analysis)
        if not found and info.num_classes == 0:
            found = [Problem(None, "the graph has no node labels: give the nodes labels (a "
                                   "label column in the node table, y in the .npz) or set the "
                                   "task to link_prediction")]
        if not found:
            found = checks.node_output_problems(doc, info, analysis)
        problem = checks.embedding_problem(doc, self.setting(config, "embedding_node"))
        if problem and not found:
            found.append(problem)
        return found or _softmax_warning(doc)


def _softmax_warning(doc) -> list[Problem]:
    from backend.graph.traverse import model_outputs
    from backend.graph.validate import label

    out = model_outputs(doc)[0]
    if doc.nodes[out].type in ("Softmax", "LogSoftmax", "Sigmoid"):
        return [Problem(out, f"the network ends with {label(doc, out)} but the loss "
                             "cross_entropy expects raw scores (logits) and applies softmax "
                             "itself: remove that layer", "warning")]
    return []


NODE_CLASSIFICATION = NodeClassification()
