"""Edit ops, property-based: any edit sequence undone in reverse gives the identical document.

Hypothesis draws ops against the current document (existing ids most of the time, missing ids
sometimes), applies them, and checks that (1) a refused op leaves the document untouched,
(2) applying all inverses in reverse order restores the exact snapshot and file text, and
(3) redoing (the inverses' inverses, or the original ops again) reaches the same state again.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.graph import (
    AddComment,
    AddNode,
    Batch,
    Comment,
    Connect,
    Disconnect,
    Edge,
    EditComment,
    EditError,
    GraphDocument,
    Move,
    Node,
    RemoveComment,
    RemoveNode,
    Rename,
    SetParams,
    SetSection,
)
from backend.project import dumps
from backend.templates import make_template

TYPES = ["Dense", "ReLU", "Conv2d", "Add", "Concatenate", "Input", "Flatten"]
IDS = st.sampled_from(["a", "b", "c", "dense_1", "ghost"])
POS = st.tuples(st.integers(-500, 500), st.integers(-500, 500)).map(
    lambda t: (float(t[0]), float(t[1])))
JSON = st.recursive(st.none() | st.booleans() | st.integers(-5, 100) | st.text(max_size=4),
                    lambda inner: st.lists(inner, max_size=3), max_leaves=4)
PARAMS = st.dictionaries(st.sampled_from(["units", "p", "kernel_size", "dim", "x"]), JSON,
                         max_size=3)


def _existing_or(draw, pool: list[str], other=IDS) -> str:
    if pool and draw(st.integers(0, 4)):
        return draw(st.sampled_from(pool))
    return draw(other)


def draw_op(draw, doc: GraphDocument, depth: int = 0):
    nodes, comments = list(doc.nodes), list(doc.comments)
    kind = draw(st.sampled_from(
        ["add", "add", "remove", "connect", "connect", "disconnect", "params", "rename", "move",
         "add_comment", "remove_comment", "edit_comment", "section"]
        + (["batch"] if depth == 0 else [])))
    if kind == "add":
        node = Node(draw(IDS) if draw(st.booleans()) else doc.new_id("n"),
                    draw(st.sampled_from(TYPES)), draw(PARAMS), draw(st.text(max_size=6)),
                    draw(POS))
        index = draw(st.none() | st.integers(0, len(nodes) + 1))
        return AddNode(node, index=index)
    if kind == "remove":
        return RemoveNode(_existing_or(draw, nodes))
    if kind == "connect":
        edge = Edge(_existing_or(draw, nodes), _existing_or(draw, nodes),
                    dst_port=draw(st.sampled_from(["in", "in", "other"])))
        return Connect(edge, draw(st.none() | st.integers(0, len(doc.edges) + 1)))
    if kind == "disconnect":
        edges = list(doc.edges)
        if edges and draw(st.integers(0, 4)):
            return Disconnect(draw(st.sampled_from(edges)))
        return Disconnect(Edge(draw(IDS), draw(IDS)))
    if kind == "params":
        return SetParams(_existing_or(draw, nodes), draw(PARAMS))
    if kind == "rename":
        return Rename(_existing_or(draw, nodes), draw(st.text(max_size=8)))
    if kind == "move":
        ids = [_existing_or(draw, nodes) for _ in range(draw(st.integers(1, 3)))]
        return Move(tuple((nid, draw(POS)) for nid in ids))
    if kind == "add_comment":
        cid = draw(st.sampled_from(comments + ["note_x"])) if draw(st.booleans()) \
            else doc.new_id("note")
        return AddComment(Comment(cid, draw(st.text(max_size=8)), draw(POS)),
                          draw(st.none() | st.integers(0, len(comments))))
    if kind == "remove_comment":
        return RemoveComment(_existing_or(draw, comments, st.just("nope")))
    if kind == "edit_comment":
        return EditComment(_existing_or(draw, comments, st.just("nope")),
                           draw(st.text(max_size=8)), draw(POS), draw(POS))
    if kind == "section":
        value = draw(st.none() | st.dictionaries(st.sampled_from(["epochs", "lr"]), JSON,
                                                 max_size=2))
        return SetSection(draw(st.sampled_from(["training", "dataset"])), value)
    return Batch(tuple(draw_op(draw, doc, depth + 1) for _ in range(draw(st.integers(0, 4)))))


def start_doc(which: int) -> GraphDocument:
    doc = make_template(["lenet5", "mlp"][which]) if which < 2 else GraphDocument("empty")
    if which == 0:
        doc.comments["note_1"] = Comment("note_1", "hello", (1.0, 2.0))
        doc.sections["training"] = {"epochs": 3}
    return doc


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), st.integers(0, 2))
def test_inverses_in_reverse_restore_the_document(data, which):
    doc = start_doc(which)
    before, before_text = doc.snapshot(), dumps(doc)
    applied, inverses = [], []
    for _ in range(data.draw(st.integers(1, 14))):
        op = draw_op(data.draw, doc)
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


def test_refused_move_moves_nothing():
    doc = start_doc(1)
    first = next(iter(doc.nodes))
    before = doc.snapshot()
    try:
        doc.apply(Move(((first, (999.0, 999.0)), ("ghost", (0.0, 0.0)))))
    except EditError as exc:
        assert "ghost" in str(exc)
    else:
        raise AssertionError("moving a missing node was accepted")
    assert doc.snapshot() == before


def test_events_report_only_real_changes():
    doc = start_doc(1)
    events = []
    doc.subscribe(lambda name, payload: events.append(name))
    nid = next(iter(doc.nodes))
    node = doc.nodes[nid]
    doc.apply(SetParams(nid, dict(node.params)))
    doc.apply(Rename(nid, node.title))
    doc.apply(Move(((nid, node.pos),)))
    assert events == []
    doc.apply(Rename(nid, "renamed"))
    inverse = doc.apply(RemoveNode(nid))
    doc.apply(inverse)
    assert events[0] == "node_renamed"
    assert events[1:3] == ["edge_removed", "node_removed"]
    assert events[-2:] == ["node_added", "edge_added"]
