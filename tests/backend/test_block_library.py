"""The block library: every entry analyses inside a design with its defaults, lays out left
to right, and its parameters change what it computes."""

from __future__ import annotations

import pytest

from backend.graph import Edge, GraphDocument, Node
from backend.graph.block_builder import use_block_ops
from backend.shapes import analyse
from backend.templates.blocks_library import LIBRARY


def design_with(entry, shape=(64, 16, 16), args=None) -> GraphDocument:
    doc = GraphDocument("library")
    doc.nodes["x"] = Node("x", "Input", {"shape": list(shape)}, "x")
    doc.apply(use_block_ops(doc, entry.make(), "blk", "blk", args=args or {}))
    doc.edges.append(Edge("x", "blk"))
    return doc


ENTRIES = {e.name: e for e in LIBRARY}
INPUTS = {"residual_bottleneck": (256, 16, 16)}  # an identity shortcut needs 4 × planes in


@pytest.mark.parametrize("entry", LIBRARY, ids=lambda e: e.name)
def test_entry_analyses_and_reads_left_to_right(entry):
    doc = design_with(entry, INPUTS.get(entry.name, (64, 16, 16)))
    analysis = analyse(doc)
    assert analysis.ok, analysis.problems
    assert analysis.total_params > 0 and entry.description and entry.title
    for d in doc.blocks.values():
        positions = [n.pos for n in d.graph.nodes.values()]
        assert len(set(positions)) == len(positions), d.id
        assert all(d.graph.nodes[e.src].pos[0] < d.graph.nodes[e.dst].pos[0]
                   for e in d.graph.edges), d.id
        assert d.note and all(p.doc for p in d.params), d.id


@pytest.mark.parametrize("name, args, shape, out, count", [
    ("vgg_block", {"channels": 32, "convs": 3}, (3, 8, 8), (32, 4, 4),
     3 * 32 * 9 + 32 + 2 * (32 * 32 * 9 + 32)),
    ("residual_basic_projection", {"channels": 128, "stride": 2}, (64, 8, 8), (128, 4, 4),
     64 * 128 * 9 + 128 * 128 * 9 + 64 * 128 + 3 * 2 * 128),
    ("residual_bottleneck_projection", {"planes": 16, "groups": 4, "width_per_group": 8,
                                        "stride": 2}, (32, 8, 8), (64, 4, 4),
     # width 16 · 8 / 64 · 4 groups = 8 channels; the grouped 3×3 sees 8 / 4 = 2 each
     32 * 8 + 8 * 2 * 9 + 8 * 64 + 32 * 64 + 2 * (8 + 8 + 64 + 64)),
    ("dense_block", {"layers": 3, "growth_rate": 8, "bn_size": 2}, (4, 6, 6), (28, 6, 6),
     sum(2 * c + c * 16 + 2 * 16 + 16 * 8 * 9 for c in (4, 12, 20))),
    ("fire", {"squeeze": 4, "expand1x1": 6, "expand3x3": 10}, (8, 5, 5), (16, 5, 5),
     8 * 4 + 4 + 4 * 6 + 6 + 4 * 10 * 9 + 10),
    ("squeeze_excitation", {"channels": 12, "reduction": 4}, (12, 5, 5), (12, 5, 5),
     12 * 3 + 3 + 3 * 12 + 12),
    ("inception", {"ch1x1": 2, "ch3x3red": 3, "ch3x3": 4, "ch5x5red": 1, "ch5x5": 5,
                   "pool_proj": 6}, (7, 5, 5), (17, 5, 5),
     7 * 2 + 7 * 3 + 3 * 4 * 9 + 7 * 1 + 1 * 5 * 9 + 7 * 6 + 2 * (2 + 3 + 4 + 1 + 5 + 6)),
])
def test_arguments_flow_into_the_block(name, args, shape, out, count):
    doc = design_with(ENTRIES[name], shape, args)
    analysis = analyse(doc)
    assert analysis.ok, analysis.problems
    assert analysis.shapes["blk"] == out
    assert analysis.total_params == count


def test_a_shortcut_that_cannot_match_names_the_inner_add_and_the_fix():
    doc = design_with(ENTRIES["residual_basic"], (32, 8, 8), {"channels": 64})
    (problem,) = analyse(doc).problems
    assert "'blk › add' cannot broadcast (B, 64, 8, 8) with (B, 32, 8, 8)" in problem.message
