"""Checking designs with blocks: shapes and counts through blocks, and every problem inside a
block named by the readable path to the inner node, with the fix."""

from __future__ import annotations

from block_designs import add_definitions, densenet, resnet18
from test_block_ops import block_doc, residual

from backend.graph import BLOCK, BlockParam, Edge, GraphDocument, Node
from backend.graph.block_builder import BlockBuilder
from backend.graph.definition import block_params
from backend.shapes import analyse


def shrinking(repeat: int) -> GraphDocument:
    """A 3×3 valid conv repeated on a 5×5 input: the third copy has nothing left to slide on."""
    b = BlockBuilder("shrink", "Shrink", params=(BlockParam("channels", "int", 2),))
    b.input()
    b.add("Conv2d", "conv", filters="{channels}", kernel_size=3)
    b.output()
    doc = GraphDocument("shrinking")
    doc.nodes["x"] = Node("x", "Input", {"shape": [2, 5, 5]}, "x")
    add_definitions(doc, b.definition)
    doc.nodes["stack"] = Node("stack", BLOCK, block_params("shrink", {}, repeat), "layer2")
    doc.edges.append(Edge("x", "stack"))
    return doc


def test_shapes_and_counts_flow_through_nested_repeated_blocks():
    analysis = analyse(densenet(size=16, growth=4, layers=(2, 3, 2)))
    assert analysis.ok, analysis.problems
    assert analysis.shapes["denseblock1_1"] == (16, 16, 16)  # 8 + 2 * 4 channels
    assert analysis.shapes["transition1_1"] == (8, 8, 8)
    inner = analysis.inner(("denseblock2_1",)).inner(("denselayer", 2))
    assert inner.in_shapes["conv1"] == [(16, 8, 8)]  # 8 + 2 * 4 channels reach the third
    total = sum(analysis.counts.values())
    assert total == analysis.total_params > 0


def test_a_shape_problem_inside_a_repeat_names_the_copy_and_the_inner_layer():
    assert analyse(shrinking(2)).ok
    analysis = analyse(shrinking(3))
    (problem,) = analysis.problems
    assert problem.node == "stack"
    assert problem.path == ("stack", 2, "conv")
    assert problem.message.startswith("Conv2d 'layer2 › block 2 › conv' kernel 3")
    assert "use a smaller kernel or more padding" in problem.message
    assert problem.to_json()["path"] == ["stack", 2, "conv"]


def test_a_wrong_parameter_name_is_one_problem_per_block_with_the_fix():
    doc = block_doc()
    doc.blocks["basic"].graph.nodes["conv2"].params["filters"] = "{chanels}"
    problems = analyse(doc).problems
    messages = {p.message for p in problems}
    assert len(messages) == 1
    (message,) = messages
    assert "'Residual basic › conv2'" in message and "'chanels'" in message
    assert "its parameters: channels, stride" in message and "correct the name" in message
    assert {p.node for p in problems} == {"blk_1", "stage_1"}


def test_arguments_are_checked_against_the_block_and_its_layers():
    doc = block_doc()
    doc.nodes["blk_1"].params["args"] = {"channels": 0}
    (problem,) = [p for p in analyse(doc).problems if p.node == "blk_1"]
    assert "'channels' must be at least 1" in problem.message  # the block's own minimum
    doc.nodes["blk_1"].params["args"] = {"width": 3}
    assert "has no parameter 'width' (it takes: channels, stride)" in \
        analyse(doc).problems[0].message
    doc.nodes["blk_1"].params["args"] = {"stride": "{2}"}
    message = analyse(doc).problems[0].message
    assert "not inside a block: give a number" in message


def test_a_layer_outside_any_block_cannot_use_an_expression():
    doc = block_doc()
    doc.nodes["fc"].params["units"] = "{classes}"
    (problem,) = analyse(doc).problems
    assert problem.node == "fc" and "not inside a block" in problem.message


def test_blocks_that_contain_themselves_are_a_problem_not_a_hang():
    doc = block_doc()
    inner = doc.blocks["basic"].graph
    inner.nodes["loop"] = Node("loop", BLOCK, block_params("stage"), "loop")
    inner.edges.append(Edge("conv1", "loop"))
    problems = analyse(doc).problems
    assert any("inside itself" in p.message for p in problems)


def test_missing_definitions_ports_and_mismatched_repeats_are_problems():
    doc = block_doc()
    doc.nodes["blk_1"].params["definition"] = "gone"
    assert "which this design does not define" in analyse(doc).problems[0].message
    doc = block_doc()
    two_out = residual("two")
    two_out.graph.nodes["out_2"] = Node("out_2", "BlockOutput", {}, "extra")
    two_out.graph.edges.append(Edge("relu", "out_2"))
    add_definitions(doc, two_out)
    doc.nodes["blk_1"].params["definition"] = "two"
    assert "needs as many outputs as inputs" in analyse(doc).problems[0].message
    no_out = residual("none")
    del no_out.graph.nodes["out"]
    no_out.graph.edges = [e for e in no_out.graph.edges if e.dst != "out"]
    add_definitions(doc, no_out)
    doc.nodes["blk_1"].params["definition"] = "none"
    assert any("has no BlockOutput" in p.message for p in analyse(doc).problems)


def test_sequential_needs_a_chain_and_ports_stay_where_they_belong():
    doc = block_doc()
    doc.blocks["basic"].sequential = True  # the skip connection is not a chain
    assert any("not one chain" in p.message for p in analyse(doc).problems)
    doc = block_doc()
    doc.nodes["stray"] = Node("stray", "BlockInput", {}, "stray")
    assert any(p.node == "stray" and "belongs inside a block" in p.message
               for p in analyse(doc).problems)


def test_resnet_counts_match_torchvision_and_state_is_counted_apart():
    analysis = analyse(resnet18())
    assert analysis.total_params == 11_689_512
    assert analysis.trainable_params == 11_689_512 and analysis.non_trainable_params == 0
    assert analysis.running_stats == 2 * (64 + 4 * 64 + 4 * 128 + 4 * 256 + 4 * 512 + 128 +
                                          256 + 512)
    assert analysis.batch_counters == 20


def test_hovering_a_block_explains_what_it_does_with_its_arguments():
    from backend.explain import explain_shape

    doc = resnet18()
    analysis = analyse(doc)
    text = explain_shape(doc, analysis, "layer2_1")
    assert text.splitlines()[:3] == ["Block 'ResNetStage'",
                                     "(B, 64, 56, 56) → (B, 128, 28, 28)",
                                     "with channels = 128, stride = 2, blocks = 2"]
    repeated = explain_shape(doc, analysis, "layer1_1")
    assert "×2" in repeated and "73,984, 73,984 per copy" in repeated
