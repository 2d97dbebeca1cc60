"""Graph data: the karate club, stochastic block models, user files, masks and edge splits."""

import numpy as np
import pytest

from backend.data import DatasetError, load_dataset, make_splits
from backend.data.files import data_folder


def splits_of(section, val=0.15, test=0.15, seed=0):
    data = load_dataset(section)
    return data, make_splits(data, val, test, seed, "none")


def edge_set(pairs) -> set:
    return {tuple(sorted(p)) for p in np.asarray(pairs).tolist()}


def test_karate_club_has_the_two_factions_of_zacharys_study():
    data = load_dataset({"name": "karate"})
    assert (data.num_nodes, data.num_edges) == (34, 78)
    assert data.info.class_names == ("Mr. Hi", "Officer")
    assert data.y[0] == 0 and data.y[33] == 1  # the instructor and the administrator
    assert np.bincount(data.y).tolist() == [17, 17]
    np.testing.assert_array_equal(data.x, np.eye(34))  # one-hot identities: no features
    assert (data.edges[:, 0] < data.edges[:, 1]).all()


def test_sbm_follows_its_sizes_and_probabilities():
    complete = load_dataset({"name": "sbm", "sizes": [5, 7], "p_in": 1.0, "p_out": 0.0})
    assert complete.num_nodes == 12 and complete.num_edges == 10 + 21
    assert (complete.y[complete.edges[:, 0]] == complete.y[complete.edges[:, 1]]).all()
    matrix = load_dataset({"name": "sbm", "sizes": [4, 4], "probabilities": [[0, 1], [1, 0]]})
    assert matrix.num_edges == 16  # every pair across the two communities, none inside
    a = load_dataset({"name": "sbm", "seed": 3})
    b = load_dataset({"name": "sbm", "seed": 3})
    c = load_dataset({"name": "sbm", "seed": 4})
    np.testing.assert_array_equal(a.edges, b.edges)
    np.testing.assert_array_equal(a.x, b.x)
    assert edge_set(a.edges) != edge_set(c.edges)
    assert a.x.shape == (300, 16)
    identity = load_dataset({"name": "sbm", "sizes": [10, 10], "features": "identity"})
    assert identity.x.shape == (20, 20)


@pytest.mark.parametrize("options, words", [
    ({"sizes": [50]}, "2 to 20 community sizes"),
    ({"sizes": [3000, 3000]}, "more than 5,000"),
    ({"p_in": 1.5}, "probability from 0 to 1"),
    ({"sizes": [3, 3], "probabilities": [[0.1, 0.2], [0.3, 0.1]]}, "symmetric 2×2"),
    ({"features": "random"}, "gaussian or identity"),
])
def test_bad_sbm_settings_are_one_sentence(options, words):
    with pytest.raises(DatasetError, match=words):
        load_dataset({"name": "sbm", **options})


def test_node_masks_are_seeded_disjoint_and_cover_the_labelled_nodes():
    data, s = splits_of({"name": "sbm", "sizes": [30, 30]})
    parts = [set(p.x.tolist()) for p in (s.train, s.val, s.test)]
    assert not parts[0] & parts[1] and not parts[0] & parts[2] and not parts[1] & parts[2]
    assert set().union(*parts) == set(range(60))
    np.testing.assert_array_equal(s.train.y, data.y[s.train.x])
    _, again = splits_of({"name": "sbm", "sizes": [30, 30]})
    np.testing.assert_array_equal(again.train.x, s.train.x)
    _, other = splits_of({"name": "sbm", "sizes": [30, 30]}, seed=1)
    assert set(other.train.x.tolist()) != parts[0]


def test_train_per_class_labels_that_many_nodes_of_each_class():
    data, s = splits_of({"name": "karate", "train_per_class": 2})
    assert np.bincount(s.train.y).tolist() == [2, 2]
    assert len(s.val) + len(s.test) == 30 and len(s.val) == len(s.test)


def test_edge_split_holds_out_edges_and_samples_true_non_edges():
    data, s = splits_of({"name": "karate"})
    link = s.with_task("link_prediction")
    assert link.info.task == "link_prediction"
    everything = edge_set(data.edges)
    seen = edge_set(link.message_edges)
    for part in (link.val, link.test):
        pos, neg = part.x[part.y == 1], part.x[part.y == 0]
        assert len(pos) == len(neg) == 12  # 15 % of 78 edges, as many non-edges
        assert edge_set(pos) <= everything and not edge_set(pos) & seen  # hidden while training
        assert not edge_set(neg) & everything and (neg[:, 0] != neg[:, 1]).all()
    assert len(seen) == 78 - 24 and edge_set(link.train.x) == seen
    again = splits_of({"name": "karate"})[1].with_task("link_prediction")
    np.testing.assert_array_equal(again.val.x, link.val.x)


def write(path, text):
    path.write_text(text)
    return path.name


def test_edge_list_and_node_table_make_a_graph(tmp_path):
    write(tmp_path / "edges.csv", "source,target\nann,bob\nbob,cy\ncy,ann\ndan,ann\n")
    write(tmp_path / "nodes.csv", "id,age,label\nann,31,red\nbob,25,blue\ncy,40,red\n"
                                  "dan,19,\n")
    with data_folder(tmp_path):
        data = load_dataset({"name": "graph_csv", "path": "edges.csv", "nodes": "nodes.csv"})
    assert data.names == ("ann", "bob", "cy", "dan") and data.num_edges == 4
    assert data.x[:, 0].tolist() == [31, 25, 40, 19]
    assert data.info.class_names == ("blue", "red")
    assert data.y.tolist() == [1, 0, 1, -1]  # dan has no label: in no split
    s = make_splits(data, 0.25, 0.25, 0, "none")
    assert -1 not in s.train.y and len(s.train) + len(s.val) + len(s.test) == 3


def test_edge_list_alone_is_a_graph_for_link_prediction(tmp_path):
    write(tmp_path / "e.txt", "# a comment\n1 2\n2 3\n3 10\n")
    with data_folder(tmp_path):
        data = load_dataset({"name": "graph_csv", "path": "e.txt"})
    assert data.names == ("1", "2", "3", "10")
    np.testing.assert_array_equal(data.x, np.eye(4))
    s = make_splits(data, 0.0, 0.0, 0, "none")
    assert "no node labels" in s.problem and "link_prediction" in s.problem


@pytest.mark.parametrize("edges, nodes, options, words", [
    ("a,b\nb,zed\n", "id,label\na,1\nb,2\n", {}, "line 2 joins 'b' and 'zed', but 'zed' is "
     "not in the node table"),
    ("1,2\n2,2\n", "", {}, "line 2 joins node 1 to itself"),
    ("1,2\n2\n", "", {}, "line 2 holds '2': each line needs the two node ids"),
    ("a,b\nb,c\n", "id,label,split\na,x,train\nb,,val\nc,y,test\n", {},
     "line 3 puts node 'b' in the val split but gives it no label"),
    ("a,b\n", "id,label\na,1\na,2\n", {}, "lists node 'a' twice"),
    ("a,b\n", "id,size,label\na,big,1\nb,2,1\n", {}, "column 'size' holds 'big', not a number"),
    ("# nothing\n", "", {}, "holds no edges"),
])
def test_bad_graph_files_are_one_sentence(tmp_path, edges, nodes, options, words):
    write(tmp_path / "e.csv", edges)
    section = {"name": "graph_csv", "path": "e.csv", **options}
    if nodes:
        section["nodes"] = write(tmp_path / "n.csv", nodes)
    with data_folder(tmp_path), pytest.raises(DatasetError) as err:
        load_dataset(section)
    assert words in str(err.value)
    assert "\n" not in str(err.value) and ":" in str(err.value)


def test_self_loops_can_be_dropped(tmp_path):
    write(tmp_path / "e.csv", "1,2\n2,2\n2,3\n")
    with data_folder(tmp_path):
        data = load_dataset({"name": "graph_csv", "path": "e.csv", "self_loops": "drop"})
    assert edge_set(data.edges) == {(0, 1), (1, 2)}


def test_npz_graph_with_masks(tmp_path):
    path = tmp_path / "g.npz"
    edge_index = np.array([[0, 1, 2, 3, 1], [1, 2, 3, 0, 0]])  # (1, 0) repeats (0, 1)
    y = np.array([0, 1, 0, -1])
    train = np.array([True, True, False, False])
    np.savez(path, edge_index=edge_index, x=np.ones((4, 3)), y=y, train_mask=train,
             test_mask=np.array([False, False, True, False]))
    data = load_dataset({"name": "graph_npz", "path": str(path)})
    assert data.num_edges == 4 and data.x.shape == (4, 3)
    s = make_splits(data, 0.15, 0.15, 0, "none")
    assert s.train.x.tolist() == [0, 1] and s.test.x.tolist() == [2] and len(s.val) == 0


@pytest.mark.parametrize("arrays, words", [
    ({"edge_index": np.array([[0, 1], [1, 5]]), "x": np.ones((3, 2))},
     "edge_index column 1 joins node 5, but the graph has only 3 nodes"),
    ({"edges": np.array([[0, 1], [1, 2]])}, "no array 'edge_index'"),
    ({"edge_index": np.array([0, 1, 2])}, "shape (2, E)"),
    ({"edge_index": np.array([[0, 1], [1, 2]]), "y": np.array([0, -1, 1]),
      "train_mask": np.array([True, True, False])},
     "train_mask includes node 1, whose label y is -1"),
    ({"edge_index": np.array([[0, 0], [1, 0]]), "y": np.array([0, 1])},
     "edge_index column 1 joins node 0 to itself"),
    ({"edge_index": np.array([[0, 1], [1, 2]]), "x": np.ones((3, 1)), "y": np.array([0, 1])},
     "y has shape (2,)"),
])
def test_bad_npz_graphs_are_one_sentence(tmp_path, arrays, words):
    path = tmp_path / "g.npz"
    np.savez(path, **arrays)
    with pytest.raises(DatasetError) as err:
        load_dataset({"name": "graph_npz", "path": str(path)})
    assert words in str(err.value), str(err.value)
