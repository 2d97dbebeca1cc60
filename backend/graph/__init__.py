"""The design document: nodes, edges, invertible edit ops, traversal and validation."""

from backend.graph.document import EditError, GraphDocument
from backend.graph.model import Comment, Edge, Node
from backend.graph.ops import (
    AddComment,
    AddNode,
    Batch,
    Connect,
    Disconnect,
    EditComment,
    Move,
    RemoveComment,
    RemoveNode,
    Rename,
    SetParams,
    SetSection,
)
from backend.graph.problems import Fix, Problem

__all__ = [
    "AddComment", "AddNode", "Batch", "Comment", "Connect", "Disconnect", "Edge", "EditComment",
    "EditError", "Fix", "GraphDocument", "Move", "Node", "Problem", "RemoveComment",
    "RemoveNode", "Rename", "SetParams", "SetSection",
]
