"""The design document: nodes, edges, blocks, invertible edit ops, traversal and validation."""

from backend.graph.block_ops import AddBlockDef, EditBlockDef, InBlock, RemoveBlockDef
from backend.graph.definition import BLOCK, BLOCK_INPUT, BLOCK_OUTPUT, BlockDef, BlockParam
from backend.graph.document import EditError, GraphDocument
from backend.graph.grouping import Group, Ungroup, group_op
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
    "BLOCK", "BLOCK_INPUT", "BLOCK_OUTPUT", "AddBlockDef", "AddComment", "AddNode", "Batch",
    "BlockDef", "BlockParam", "Comment", "Connect", "Disconnect", "Edge", "EditBlockDef",
    "EditComment", "EditError", "Fix", "GraphDocument", "Group", "InBlock", "Move", "Node",
    "Problem", "RemoveBlockDef", "RemoveComment", "RemoveNode", "Rename", "SetParams",
    "SetSection", "Ungroup", "group_op",
]
