"""Model diff: layers added, removed, changed (type, parameters), rewired; ids renamed;
nested graphs; settings; the short phrase a run's label uses."""

from __future__ import annotations

import copy

from backend.graph import Edge, Node, RemoveNode, SetParams
from backend.graph.diff import MISSING, diff_designs
from backend.graph.diff_text import counts_text, diff_lines, short_text
from backend.project import doc_to_dict
from backend.templates import make_template


def sigmoid_mlp() -> dict:
    return doc_to_dict(make_template("deep-sigmoid-mlp"))


def with_relu(data: dict, new_ids: bool) -> dict:
    """The same network with every Sigmoid replaced by ReLU (ids kept or all renamed)."""
    data = copy.deepcopy(data)
    rename = {}
    for node in data["nodes"]:
        if node["type"] == "Sigmoid":
            node["type"] = "ReLU"
            node["title"] = node["title"].replace("sigmoid", "relu")
        if new_ids:
            rename[node["id"]] = "x_" + node["id"]
            node["id"] = rename[node["id"]]
    for e in data["edges"]:
        e["from"], e["to"] = rename.get(e["from"], e["from"]), rename.get(e["to"], e["to"])
    return data


def test_identical_designs_have_no_difference_even_when_moved():
    a = sigmoid_mlp()
    b = copy.deepcopy(a)
    for node in b["nodes"]:
        node["pos"] = [node["pos"][0] + 100, 7]
    diff = diff_designs(a, b)
    assert diff.empty and not diff.model_changed
    assert diff.unchanged == len(a["nodes"])
    assert short_text(diff) == ""


def test_a_replaced_activation_is_a_changed_type_with_ids_kept_or_renamed():
    a = sigmoid_mlp()
    for new_ids in (False, True):
        diff = diff_designs(a, with_relu(a, new_ids))
        assert not diff.added and not diff.removed
        swaps = [c for c in diff.changed if c.type_changed]
        assert len(swaps) == 8
        assert {(c.old_type, c.new_type) for c in swaps} == {("Sigmoid", "ReLU")}
        assert not any(c.rewired for c in diff.changed)
        assert short_text(diff) == "ReLU ×8 instead of Sigmoid"
        assert [line.text for line in diff_lines(diff)] == [  # one line for one kind of swap
            "~ 8 layers Sigmoid → ReLU: relu1, relu2, … relu8"]
        assert short_text(diff_designs(with_relu(a, new_ids), a)) == "Sigmoid ×8 instead of ReLU"


def test_renamed_ids_match_by_structure_not_as_added_and_removed():
    a = sigmoid_mlp()
    b = copy.deepcopy(a)
    rename = {n["id"]: f"node{i}" for i, n in enumerate(b["nodes"])}
    for n in b["nodes"]:
        n["id"] = rename[n["id"]]
    for e in b["edges"]:
        e["from"], e["to"] = rename[e["from"]], rename[e["to"]]
    diff = diff_designs(a, b)
    assert not diff.model_changed
    assert diff.unchanged == len(a["nodes"])


def test_added_removed_and_changed_parameters_and_the_rewired_neighbour():
    doc = make_template("mlp")  # digits -> flatten -> hidden -> relu -> classes
    a = doc_to_dict(doc)
    ids = {n.title: nid for nid, n in doc.nodes.items()}
    doc.apply(SetParams(ids["hidden"], {"units": 128}))
    doc.nodes["drop"] = Node("drop", "Dropout", {"p": 0.3}, "drop", (0.0, 0.0))
    doc.edges = [e for e in doc.edges if e.src != ids["relu"]] + [
        Edge(ids["relu"], "drop"), Edge("drop", ids["classes"])]
    doc.apply(RemoveNode(ids["flatten"]))
    doc.edges.append(Edge(ids["digits"], ids["hidden"]))
    b = doc_to_dict(doc)
    diff = diff_designs(a, b)
    assert [(c.new_type, c.new_title) for c in diff.added] == [("Dropout", "drop")]
    assert [(c.old_type, c.old_title) for c in diff.removed] == [("Flatten", "flatten")]
    by_title = {c.title: c for c in diff.changed}
    hidden = by_title["hidden"]
    assert [(p.name, p.old, p.new) for p in hidden.params] == [("units", 64, 128)]
    assert hidden.old_inputs == ["flatten"] and hidden.new_inputs == ["digits"]
    classes = by_title["classes"]
    assert classes.rewired and classes.new_inputs == ["drop"] and not classes.params
    assert "relu" not in by_title  # it still reads from hidden, and nothing about it changed
    text = short_text(diff, limit=5)
    assert "+Dropout" in text and "−Flatten" in text and "hidden units 64→128" in text
    lines = [line.text for line in diff_lines(diff)]
    assert "+ drop (Dropout) added" in lines and "− flatten (Flatten) removed" in lines
    assert "units 64 → 128" in lines and "inputs flatten → digits" in lines
    assert counts_text(diff) == "layers: 1 added, 1 removed, 2 changed, 2 unchanged"


def test_a_written_default_is_no_change_and_a_changed_default_names_both_values():
    a = doc_to_dict(make_template("mlp"))
    b = copy.deepcopy(a)
    hidden = next(n for n in b["nodes"] if n["title"] == "hidden")
    hidden["params"]["bias"] = True  # Dense's default
    assert diff_designs(a, b).empty
    hidden["params"]["bias"] = False
    (change,) = diff_designs(a, b).changed
    assert [(p.name, p.old, p.new) for p in change.params] == [("bias", True, False)]
    assert short_text(diff_designs(a, b)) == "hidden bias on→off"


def test_many_parameter_changes_are_summed_up_and_the_rest_counted():
    a = sigmoid_mlp()
    b = copy.deepcopy(a)
    for n in b["nodes"]:
        if n["type"] == "Dense" and n["title"] != "classes":
            n["params"]["units"] = 64
    b["nodes"].append({"id": "extra", "type": "Dropout", "title": "extra", "params": {},
                       "pos": [0, 0]})
    b["edges"].append({"from": "classes", "to": "extra", "from_port": "out", "to_port": "in"})
    b["nodes"].append({"id": "gone", "type": "Identity", "title": "gone", "params": {},
                       "pos": [0, 0]})
    diff = diff_designs(a, b)
    assert short_text(diff) == "+Dropout, +Identity +1 more"
    assert short_text(diff, 3) == "+Dropout, +Identity, units 32→64 ×8"


def test_settings_differences_are_listed_by_key():
    a = sigmoid_mlp()
    b = copy.deepcopy(a)
    a["training"] = {"optimizer": "adam", "lr": 0.001}
    b["training"] = {"optimizer": "sgd", "lr": 0.1, "seed": 3}
    diff = diff_designs(a, b)
    assert not diff.model_changed
    assert [(c.name, c.old, c.new) for c in diff.settings] == [
        ("training.optimizer", "adam", "sgd"), ("training.lr", 0.001, 0.1),
        ("training.seed", MISSING, 3)]
    assert diff.to_json()["settings"][2] == {"name": "training.seed", "from": None, "to": 3}


def block(units: int, act: str) -> dict:
    return {"nodes": [{"id": "in", "type": "Input", "params": {"shape": [4]}},
                      {"id": "fc", "type": "Dense", "params": {"units": units}},
                      {"id": "act", "type": act, "params": {}}],
            "edges": [{"from": "in", "to": "fc"}, {"from": "fc", "to": "act"}]}


def test_nested_graphs_in_params_and_block_definitions_are_diffed_recursively():
    a = sigmoid_mlp()
    b = copy.deepcopy(a)
    a["nodes"][2]["params"] = {"graph": block(8, "ReLU")}  # a node holding a sub-graph
    b["nodes"][2]["params"] = {"graph": block(16, "ReLU")}
    a["blocks"] = {"res": block(4, "ReLU"), "same": block(4, "Tanh")}
    b["blocks"] = {"res": block(4, "GELU"), "same": block(4, "Tanh")}
    diff = diff_designs(a, b)
    assert list(diff.nested) == ["blocks › res"]
    (swap,) = diff.nested["blocks › res"].changed
    assert (swap.old_type, swap.new_type) == ("ReLU", "GELU")
    (holder,) = diff.changed
    inner = holder.nested["graph"]
    assert [(p.name, p.old, p.new) for p in inner.changed[0].params] == [("units", 8, 16)]
    assert not diff.settings
    text = short_text(diff, 5)
    assert "res: GELU instead of ReLU" in text and "units 8→16" in text
    assert diff.to_json()["nested"]["blocks › res"]["changed"][0]["to_type"] == "GELU"


def test_broken_input_never_raises():
    assert diff_designs({}, {"nodes": "x", "edges": 3}).empty
    weird = {"nodes": [{"id": "a", "type": 5}, "junk", {"id": "b"}],
             "edges": [{"from": "a", "to": "b"}, {"from": "zz", "to": "a"}, 7]}
    diff = diff_designs(weird, {})
    assert len(diff.removed) == 2


def blocks_design(channels: int, repeat: int, act: str, title: str) -> dict:
    """A design in the block file format (design version 2): definitions listed with ids,
    a Block node using one with arguments and a repeat count."""
    body = {"id": "basic", "title": title, "params": [{"name": "channels", "kind": "int",
                                                       "default": 64}],
            "nodes": [{"id": "in", "type": "BlockInput", "params": {}},
                      {"id": "conv", "type": "Conv2d",
                       "params": {"filters": "{channels}", "kernel_size": 3}},
                      {"id": "act", "type": act, "params": {}},
                      {"id": "out", "type": "BlockOutput", "params": {}}],
            "edges": [{"from": "in", "to": "conv"}, {"from": "conv", "to": "act"},
                      {"from": "act", "to": "out"}]}
    return {"format": "netwright-design", "version": 2, "name": "net",
            "nodes": [{"id": "x", "type": "Input", "params": {"shape": [3, 8, 8]}},
                      {"id": "layer1", "type": "Block", "title": "layer1",
                       "params": {"definition": "basic", "args": {"channels": channels},
                                  "repeat": repeat}}],
            "edges": [{"from": "x", "to": "layer1"}], "blocks": [body]}


def test_block_definitions_in_the_file_format_and_block_arguments_are_diffed():
    diff = diff_designs(blocks_design(64, 2, "ReLU", "Residual basic"),
                        blocks_design(128, 3, "GELU", "Residual"))
    (layer1,) = diff.changed
    assert [(p.name, p.old, p.new) for p in layer1.params] == [
        ("args.channels", 64, 128), ("repeat", 2, 3)]
    inner = diff.nested["blocks › basic"]
    (swap,) = [c for c in inner.changed if c.type_changed]
    assert (swap.old_type, swap.new_type) == ("ReLU", "GELU")
    assert [(c.name, c.old, c.new) for c in inner.settings] == [
        ("title", "Residual basic", "Residual")]
    text = short_text(diff, 5)
    assert "basic: GELU instead of ReLU" in text and "layer1 args.channels 64→128" in text
    assert diff.model_changed
    same = diff_designs(blocks_design(64, 2, "ReLU", "A"), blocks_design(64, 2, "ReLU", "A"))
    assert same.empty
    lines = [line.text for line in diff_lines(diff)]
    assert "blocks › basic:" in lines and "title Residual basic → Residual" in lines


def test_a_design_built_from_blocks_diffs_inside_its_definitions():
    a = doc_to_dict(make_template("resnet18"))
    b = copy.deepcopy(a)
    for block in b["blocks"]:
        if block["id"] == "residual_basic":
            for node in block["nodes"]:
                if node["type"] == "ReLU":
                    node["type"] = "GELU"
    use = next(n for n in b["nodes"] if n["type"] == "Block")
    use["params"]["repeat"] = 3
    diff = diff_designs(a, b)
    assert list(diff.nested) == ["blocks › residual_basic"]
    assert {(c.old_type, c.new_type) for c in diff.nested["blocks › residual_basic"].changed} \
        == {("ReLU", "GELU")}
    (changed,) = diff.changed
    assert (changed.new_id, [(p.name, p.old, p.new) for p in changed.params]) == (
        use["id"], [("repeat", 2, 3)])
    assert "residual_basic: GELU ×2 instead of ReLU" in short_text(diff, 3)
