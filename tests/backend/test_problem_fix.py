"""A problem's mechanical fix is one invertible op: applying it and undoing it is exact."""

from backend.graph import Edge, GraphDocument, Node, SetParams
from backend.graph.problems import Fix, Problem


def _doc() -> GraphDocument:
    doc = GraphDocument("d")
    doc.nodes["in"] = Node("in", "Input", {"shape": [1, 28, 28]}, "in", (0.0, 0.0))
    doc.nodes["fc"] = Node("fc", "Dense", {"units": 10}, "fc", (200.0, 0.0))
    doc.edges = [Edge("in", "fc")]
    return doc


def test_a_fix_applies_its_op_and_the_inverse_restores_the_design():
    doc = _doc()
    before = doc.snapshot()
    fix = Fix("Set the Input shape to [1, 8, 8]", SetParams("in", {"shape": [1, 8, 8]}))
    inverse = doc.apply(fix.make_op(doc))
    assert doc.nodes["in"].params["shape"] == [1, 8, 8]
    doc.apply(inverse)
    assert doc.snapshot() == before


def test_a_fix_may_build_its_op_when_asked():
    doc = _doc()
    fix = Fix("Set the units to 3", lambda d: SetParams("fc", {**d.nodes["fc"].params,
                                                               "units": 3}))
    doc.apply(fix.make_op(doc))
    assert doc.nodes["fc"].params["units"] == 3


def test_problems_compare_and_serialise_by_their_words():
    fix = Fix("Set the units to 3", SetParams("fc", {"units": 3}))
    with_fix = Problem("fc", "wrong units", fix=fix)
    assert with_fix == Problem("fc", "wrong units")
    assert with_fix.to_json()["fix"] == "Set the units to 3"
    assert "fix" not in Problem("fc", "wrong units").to_json()


# -- run problems: settings, data and the design's fit, each with its fix -----------------------
def _fixed(doc: GraphDocument, problem: Problem) -> GraphDocument:
    doc.apply(problem.fix.make_op(doc))
    return doc


def test_a_design_that_does_not_fit_the_data_gets_a_fix_that_makes_it_fit():
    from backend.templates import make_template
    from backend.training.preflight import run_problems

    doc = make_template("lenet5")
    doc.sections["dataset"] = {"name": "digits"}
    (problem,) = run_problems(doc)
    assert doc.nodes[problem.node].type == "Input" and problem.severity == "error"
    assert problem.fix.label == "Set the dataset's resize to 32"
    assert run_problems(_fixed(doc, problem)) == []
    assert doc.sections["dataset"] == {"name": "digits", "resize": 32}


def test_refused_settings_are_named_one_by_one_and_reset_to_their_default():
    from backend.templates import make_template
    from backend.training.preflight import preflight, run_problems

    doc = make_template("mlp")
    doc.sections["training"].update(batch_size=0, epochs=-1)
    doc.sections["dataset"]["samples"] = 5  # digits has no such setting
    problems = run_problems(doc)
    labels = [p.fix.label for p in problems]
    assert labels == ["Reset batch size to 32", "Reset epochs to 10",
                      "Remove the setting 'samples'"]
    assert "at least 1" in problems[0].message and "Training ▸ Settings" in problems[0].message
    for problem in problems:
        _fixed(doc, problem)
    assert run_problems(doc) == [] and preflight(doc) == ([], [])


def test_a_learning_rate_far_out_of_range_is_a_warning_that_does_not_stop_a_run():
    from backend.templates import make_template
    from backend.training.preflight import preflight, run_problems

    doc = make_template("mlp")
    doc.sections["training"]["lr"] = 1e6
    (problem,) = run_problems(doc)
    assert problem.severity == "warning" and "far above" in problem.message
    assert preflight(doc)[0] == []
    assert _fixed(doc, problem).sections["training"]["lr"] == 1e-3


def test_negative_dataset_numbers_are_refused_with_a_sentence():
    import pytest

    from backend.data import DataConfig, DatasetError

    with pytest.raises(DatasetError, match="must be at least 0"):
        DataConfig.from_section({"name": "moons", "samples": -5})
