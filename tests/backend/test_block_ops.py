"""Block edit ops, property-based: every block op undone gives back the identical document,
and grouping then ungrouping a selection gives back the design it came from.

The ops are drawn against the current document like the other ops' property test (which this
reuses): definitions added, edited and removed, edits inside a definition (`InBlock` around
any ordinary op), `Group` of a random selection and `Ungroup` of a random block.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_ops_property import draw_op

from backend.graph import (
    BLOCK,
    AddBlockDef,
    BlockDef,
    BlockParam,
    Edge,
    EditBlockDef,
    EditError,
    GraphDocument,
    Group,
    InBlock,
    Node,
    RemoveBlockDef,
    RemoveNode,
    Ungroup,
    group_op,
)
from backend.graph.block_builder import BlockBuilder, use_block_ops
from backend.project import dumps
from backend.shapes import analyse
from backend.templates import make_template


def residual(block_id: str = "basic") -> BlockDef:
    b = BlockBuilder(block_id, "Residual basic",
                     params=(BlockParam("channels", "int", 4, min=1),
                             BlockParam("stride", "int", 1, min=1)))
    x = b.input()
    b.add("Conv2d", "conv1", filters="{channels}", kernel_size=3, stride="{stride}", padding=1)
    b.add("ReLU", "relu")
    b.add("Conv2d", "conv2", filters="{channels}", kernel_size=3, padding=1)
    b.add("Add", "add", after=[b.last, x])
    b.output()
    return b.definition


def block_doc() -> GraphDocument:
    """A small valid design using one definition twice (once repeated) and a nested one."""
    doc = GraphDocument("blocks")
    doc.nodes["image"] = Node("image", "Input", {"shape": [4, 8, 8]}, "image")
    doc.apply(AddBlockDef(residual()))
    outer = BlockBuilder("stage", "Stage", params=(BlockParam("width", "int", 4),
                                                   BlockParam("blocks", "int", 2, min=1)))
    outer.input()
    outer.block("basic", "first", args={"channels": "{width}"})
    outer.block("basic", "rest", args={"channels": "{width}"}, repeat="{blocks}")
    outer.output()
    doc.apply(AddBlockDef(outer.definition))
    doc.apply(use_block_ops(doc, [doc.blocks["basic"]], "blk_1", "layer1", repeat=2))
    doc.apply(use_block_ops(doc, [doc.blocks["stage"]], "stage_1", "layer2"))
    doc.nodes["gap"] = Node("gap", "GlobalAvgPool", {}, "gap")
    doc.nodes["fc"] = Node("fc", "Dense", {"units": 3}, "fc")
    doc.edges += [Edge("image", "blk_1"), Edge("blk_1", "stage_1"), Edge("stage_1", "gap"),
                  Edge("gap", "fc")]
    return doc


def start(which: int) -> GraphDocument:
    return block_doc() if which == 0 else make_template(["lenet5", "resnet"][which - 1])


def draw_block_op(draw, doc: GraphDocument):
    defs = list(doc.blocks)
    blocks = [n for n, node in doc.nodes.items() if node.type == BLOCK]
    kind = draw(st.sampled_from(["add_def", "remove_def", "edit_def", "in_block", "in_block",
                                 "group", "ungroup", "plain"]))
    if kind == "add_def":
        return AddBlockDef(residual(draw(st.sampled_from(defs + ["fresh", "other"]))),
                           draw(st.none() | st.integers(0, len(defs))))
    if kind == "remove_def":
        return RemoveBlockDef(draw(st.sampled_from(defs + ["ghost"])))
    if kind == "edit_def" and defs:
        params = draw(st.lists(st.sampled_from(["channels", "width", "stride", "1bad"]),
                               max_size=3))
        return EditBlockDef(draw(st.sampled_from(defs)), draw(st.text(max_size=5)),
                            draw(st.text(max_size=5)),
                            tuple(BlockParam(p, "int", 2) for p in params),
                            draw(st.booleans()))
    if kind == "in_block" and defs:
        target = draw(st.sampled_from(defs))
        return InBlock(target, draw_op(draw, doc.blocks[target].graph))
    if kind == "group" and doc.nodes:
        ids = draw(st.lists(st.sampled_from(list(doc.nodes)), min_size=1, max_size=4))
        return group_op(doc, ids, draw(st.sampled_from(["block", "basic", "stage"])))
    if kind == "ungroup":
        return Ungroup(draw(st.sampled_from(blocks + ["ghost"] + list(doc.nodes)[:2])))
    return draw_op(draw, doc)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), st.integers(0, 2))
def test_block_ops_undone_in_reverse_restore_the_document(data, which):
    doc = start(which)
    before, before_text = doc.snapshot(), dumps(doc)
    applied, inverses = [], []
    for _ in range(data.draw(st.integers(1, 10))):
        op = draw_block_op(data.draw, doc)
        state = doc.snapshot()
        try:
            inverse = doc.apply(op)
        except EditError:
            assert doc.snapshot() == state, f"refused {op} still changed the document"
            continue
        applied.append(op)
        inverses.append(inverse)
    after = doc.snapshot()
    redo = [doc.apply(inv) for inv in reversed(inverses)]
    assert doc.snapshot() == before
    assert dumps(doc) == before_text
    for op in reversed(redo):
        doc.apply(op)
    assert doc.snapshot() == after
    for inv in reversed(inverses):
        doc.apply(inv)
    for op in applied:
        doc.apply(op)
    assert doc.snapshot() == after


TEMPLATES = ["lenet5", "resnet", "inception", "densenet", "squeezenet", "mlp"]


def _contiguous(doc: GraphDocument, rng: random.Random) -> list[str]:
    ids = [n for n, node in doc.nodes.items() if node.type != "Input"]
    start = rng.randrange(len(ids))
    return ids[start:start + rng.randint(1, 6)]


@pytest.mark.parametrize("name", TEMPLATES)
def test_group_then_ungroup_gives_back_the_identical_document(name):
    rng = random.Random(name)
    tried = 0
    for _ in range(40):
        doc = make_template(name)
        before, text = doc.snapshot(), dumps(doc)
        analysis = analyse(doc)
        op = group_op(doc, _contiguous(doc, rng))
        try:
            doc.apply(op)
        except EditError as exc:
            assert "lies between" in str(exc)
            continue
        tried += 1
        grouped = analyse(doc)
        assert grouped.problems == analysis.problems
        assert grouped.total_params == analysis.total_params
        assert grouped.running_stats == analysis.running_stats
        doc.apply(Ungroup(op.node_id))
        assert doc.snapshot() == before, (name, op.node_ids)
        assert dumps(doc) == text
    assert tried >= 10


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(TEMPLATES), st.randoms(use_true_random=False))
def test_any_selection_grouped_and_ungrouped_keeps_the_design(name, rng):
    """Non-contiguous selections come back with the same nodes, the same wires into every
    port in the same order, and the same analysis (only the node list order may differ)."""
    doc = make_template(name)
    ids = rng.sample(list(doc.nodes), rng.randint(1, min(5, len(doc.nodes))))
    before = analyse(doc)
    try:
        op = group_op(doc, ids)
        doc.apply(op)
    except EditError:
        return
    doc.apply(Ungroup(op.node_id))
    again = make_template(name)
    assert {n: (x.type, x.params, x.title, x.pos) for n, x in doc.nodes.items()} == \
        {n: (x.type, x.params, x.title, x.pos) for n, x in again.nodes.items()}
    assert _wires_by_port(doc) == _wires_by_port(again)
    after = analyse(doc)
    assert after.shapes == before.shapes and after.counts == before.counts
    assert not doc.blocks


def _wires_by_port(doc):
    out: dict = {}
    for e in doc.edges:
        out.setdefault((e.dst, e.dst_port), []).append((e.src, e.src_port))
    return out


def test_group_refuses_inputs_and_selections_with_something_between():
    doc = make_template("lenet5")
    ids = list(doc.nodes)
    with pytest.raises(EditError, match="Input"):
        doc.apply(group_op(doc, ids[:3]))
    with pytest.raises(EditError, match="lies between"):
        doc.apply(group_op(doc, [ids[1], ids[3]]))
    with pytest.raises(EditError, match="nothing is selected"):
        doc.apply(Group((), "b", "d"))


def test_block_doc_is_valid():
    analysis = analyse(block_doc())
    assert analysis.ok and not analysis.problems
    assert analysis.shapes["fc"] == (3,)
    assert len(analysis.instances["blk_1"]) == 2


def test_ungroup_substitutes_arguments_and_expands_repeats():
    doc = block_doc()
    first_in = next(e for e in doc.edges if e.dst == "blk_1")
    doc.nodes["blk_1"].params["args"] = {"channels": 6}
    doc.apply(Ungroup("blk_1"))
    convs = {n: x.params for n, x in doc.nodes.items() if x.type == "Conv2d"}
    assert set(convs) == {"conv1", "conv2", "conv1_2", "conv2_2"}
    assert convs["conv1"]["filters"] == 6 and convs["conv1"]["stride"] == 1
    assert any(e.src == first_in.src and e.dst == "conv1" for e in doc.edges)
    assert any(e.src == "add" and e.dst == "conv1_2" for e in doc.edges)  # copies chained
    assert "basic" in doc.blocks  # still used inside 'stage'


def test_ungroup_inside_a_block_keeps_expressions_over_the_outer_parameters():
    doc = block_doc()
    doc.apply(InBlock("stage", Ungroup("first")))
    body = doc.blocks["stage"].graph
    assert body.nodes["conv1"].params["filters"] == "{width}"
    with pytest.raises(EditError, match="repeat count"):
        doc.apply(InBlock("stage", Ungroup("rest")))


def test_grouping_inside_a_block_nests_a_new_definition():
    doc = block_doc()
    inverse = doc.apply(InBlock("basic", group_op(doc.blocks["basic"].graph,
                                                  ["conv1", "relu"], "pre")))
    assert "pre" in doc.blocks
    inner = doc.blocks["basic"].graph
    assert [n.type for n in inner.nodes.values()].count(BLOCK) == 1
    assert [p.name for p in doc.blocks["pre"].params] == ["channels", "stride"]
    doc.apply(use_block_ops(doc, [doc.blocks["basic"]], "b2", "b2"))
    doc.edges.append(Edge(next(iter(doc.nodes)), "b2"))
    assert not [p for p in analyse(doc).problems if p.severity == "error"]
    doc.apply(RemoveNode("b2"))
    doc.apply(inverse)
    assert "pre" not in doc.blocks


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_edited_block_design_is_checked_without_raising_and_exports_when_valid(data):
    """Whatever the edits, checking gives problems, never an exception; and a design the
    check accepts builds and exports (the export being the built model is tested elsewhere)."""
    from backend.build import build_model
    from backend.codegen import python_module

    doc = block_doc()
    for _ in range(data.draw(st.integers(1, 6))):
        try:
            doc.apply(draw_block_op(data.draw, doc))
        except EditError:
            pass
    analysis = analyse(doc)
    if analysis.ok and any(n.type == "Input" for n in doc.nodes.values()):
        try:
            build_model(doc, analysis)
        except Exception as exc:  # only "nothing to compute" may refuse a valid design
            assert "nothing to compute" in str(exc), exc
            return
        python_module(doc, analysis)


def test_make_unique_gives_one_use_its_own_copy_in_one_undoable_step():
    from backend.graph.block_builder import make_unique_op

    doc = block_doc()
    before = doc.snapshot()
    undo_unique = doc.apply(make_unique_op(doc, "blk_1"))
    own = doc.nodes["blk_1"].params["definition"]
    assert own != "basic" and own in doc.blocks
    assert analyse(doc).counts == analyse(block_doc()).counts
    undo_edit = doc.apply(InBlock(own, RemoveNode("relu")))
    assert "relu" in doc.blocks["basic"].graph.nodes  # the other uses keep theirs
    doc.apply(undo_edit)
    doc.apply(undo_unique)
    assert doc.snapshot() == before
    with pytest.raises(EditError, match="only blocks"):
        make_unique_op(doc, "fc")
