"""Training graph networks: node classification and link prediction recipes, their checks
and their live views."""

import numpy as np
import pytest

from backend.templates import make_template
from backend.training import Trainer
from backend.training.events import Probes
from backend.training.graph_events import (
    GraphLayout,
    LinkScores,
    NodeEmbeddings,
    NodePredictions,
)
from backend.training.preflight import preflight


def trained(name: str, epochs: int, probes: Probes | None = None, **dataset):
    doc = make_template(name)
    doc.sections["training"].update(epochs=epochs, device="cpu")
    doc.sections["dataset"].update(dataset)
    events = []
    finished = Trainer(doc, probes=probes).run(events.append)
    assert finished.reason == "completed", finished.message
    return finished, events


def test_gcn_learns_the_karate_club_factions_from_four_labels_each():
    finished, events = trained("gcn-karate", 100)
    assert events[0].recipe == "node_classification" and events[0].train_samples == 8
    assert finished.test_accuracy >= 0.75  # 13 held-out members; chance is 0.5
    assert finished.history[-1]["train_loss"] < finished.history[0]["train_loss"]


def test_gcn_beats_an_mlp_that_ignores_the_edges_on_a_block_model():
    gcn, _ = trained("gcn-sbm", 100)
    mlp, _ = trained("mlp-sbm", 100)
    assert gcn.test_accuracy >= 0.9
    assert gcn.test_accuracy > mlp.test_accuracy + 0.3


def test_graph_autoencoder_ranks_held_out_edges_above_non_edges():
    finished, events = trained("graph-autoencoder", 60)
    assert events[0].recipe == "link_prediction" and events[0].terms == ["auc", "ap"]
    val = [h["val_terms"]["auc"] for h in finished.history]
    assert val[-1] > 0.8 and val[-1] > val[0]
    assert finished.test_terms["auc"] > 0.8 and 0 < finished.test_terms["ap"] <= 1


def test_labels_of_held_out_nodes_never_reach_the_loss():
    from backend.data import load_dataset, make_splits

    data = load_dataset({"name": "karate", "train_per_class": 4})
    splits = make_splits(data, 0.15, 0.15, 0, "none")
    flipped = make_splits(load_dataset({"name": "karate", "train_per_class": 4}), 0.15,
                          0.15, 0, "none")
    held = np.concatenate([flipped.val.x, flipped.test.x])
    flipped.graph.y[held] = 1 - flipped.graph.y[held]  # every held-out label wrong
    losses = []
    for s in (splits, flipped):
        doc = make_template("gcn-karate")
        doc.sections["training"].update(epochs=5, device="cpu")
        losses.append([h["train_loss"] for h in Trainer(doc, s).run().history])
    assert losses[0] == losses[1]


def test_link_prediction_hides_held_out_edges_from_the_network():
    doc = make_template("graph-autoencoder")
    doc.sections["training"].update(epochs=1, device="cpu")
    trainer = Trainer(doc)
    trainer.prepare()
    adjacency = trainer.runner.adjacency.numpy()
    s = trainer.setup.splits
    for part in (s.val, s.test):
        pos = part.x[part.y == 1]
        assert not adjacency[pos[:, 0], pos[:, 1]].any()
    assert adjacency[s.train.x[:, 0], s.train.x[:, 1]].all()


def test_live_views_send_the_graph_predictions_and_embeddings():
    _, events = trained("gcn-karate", 3, Probes(samples_every_s=0.01))
    layout = next(e for e in events if isinstance(e, GraphLayout))
    assert layout.positions.shape == (34, 2) and np.abs(layout.positions).max() <= 1.0
    assert len(layout.edges) == 78 and layout.class_names == ("Mr. Hi", "Officer")
    assert set(np.unique(layout.split)) == {0, 1, 2}
    preds = [e for e in events if isinstance(e, NodePredictions)]
    assert preds and preds[-1].predicted.shape == (34,) and set(preds[-1].accuracy) == {
        "train", "val", "test"}
    embedded = [e for e in events if isinstance(e, NodeEmbeddings)]
    assert embedded[-1].node == "relu_1" and embedded[-1].points.shape == (34, 2)
    assert embedded[-1].width == 16 and sum(embedded[-1].explained) <= 1.0


def test_link_view_lists_best_scored_pairs_that_are_no_training_edge():
    _, events = trained("graph-autoencoder", 3, Probes(samples_every_s=0.01))
    layout = next(e for e in events if isinstance(e, GraphLayout))
    scores = [e for e in events if isinstance(e, LinkScores)][-1]
    seen = {tuple(p) for p in layout.edges.tolist()}
    assert len(scores.top_pairs) == 10
    assert not {tuple(p) for p in scores.top_pairs.tolist()} & seen
    assert (np.diff(scores.top_scores) <= 0).all()
    hidden = {tuple(p) for p in layout.hidden_edges.tolist()}
    assert [tuple(p) in hidden for p in scores.top_pairs.tolist()] == scores.top_hidden.tolist()
    assert scores.fpr[0] == 0 and scores.tpr[-1] == 1 and 0.5 < scores.auc <= 1


def problems_of(doc) -> list[str]:
    return preflight(doc)[0]


@pytest.mark.parametrize("change, words", [
    (lambda d: d.sections.update(dataset={"name": "digits"}),
     "needs a graph dataset but 'digits' is not one: choose karate, sbm"),
    (lambda d: d.nodes["graph_1"].params.update(features=20),
     "has 20 features per node but dataset 'sbm' gives 16: set its features to 16 or set "
     "the dataset's feature_dim to 20"),
    (lambda d: d.nodes["gcn2_1"].params.update(units=2),
     "gives (N, 2) but dataset 'sbm' has 3 classes: set its units to 3"),
    (lambda d: d.sections["training"].update(embedding_node="nothing"),
     "the embedding layer 'nothing'"),
])
def test_node_classification_problems_name_the_fix(change, words):
    doc = make_template("gcn-sbm")
    change(doc)
    errors = problems_of(doc)
    assert errors and words in errors[0], errors


def test_link_prediction_problems_name_the_fix():
    doc = make_template("graph-autoencoder")
    doc.sections["training"]["loss"] = "bce_with_logits"
    assert "gives probabilities (sigmoid on) but the loss bce_with_logits" in \
        problems_of(doc)[0]
    doc = make_template("gcn-sbm")
    doc.sections["training"].update(task="link_prediction")
    assert "add an InnerProductDecoder" in problems_of(doc)[0]
    doc = make_template("gcn-karate")
    doc.sections["training"]["task"] = "classification"
    assert "starts with a Graph input ('graph'), which the task classification cannot feed: " \
        "set the task to node_classification" in problems_of(doc)[0]
    doc = make_template("xor-mlp")
    doc.sections.update(dataset={"name": "karate"})
    doc.sections["training"].update(task="node_classification")
    assert "needs a Graph input (node features and adjacency) but the design starts with " \
        "Input" in problems_of(doc)[0]
