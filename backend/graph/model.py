"""The design document's data: nodes, edges, comments and free-form sections.

Ids are stable strings chosen once (`conv2d_1`) and never reused within a document. Node and
edge order is meaningful and preserved: Input nodes are model inputs in document order, sink
nodes are model outputs in document order, and wires into a multi-input port (Concatenate)
are used in edge order.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field


@dataclass
class Node:
    id: str
    type: str
    params: dict = field(default_factory=dict)
    title: str = ""
    pos: tuple[float, float] = (0.0, 0.0)

    def copy(self) -> Node:
        return Node(self.id, self.type, copy.deepcopy(self.params), self.title, tuple(self.pos))


@dataclass(frozen=True)
class Edge:
    src: str
    dst: str
    src_port: str = "out"
    dst_port: str = "in"

    def __str__(self) -> str:
        return f"{self.src}:{self.src_port} -> {self.dst}:{self.dst_port}"


@dataclass
class Comment:
    id: str
    text: str = ""
    pos: tuple[float, float] = (0.0, 0.0)
    size: tuple[float, float] = (240.0, 120.0)

    def copy(self) -> Comment:
        return Comment(self.id, self.text, tuple(self.pos), tuple(self.size))
