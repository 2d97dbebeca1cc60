"""The template catalogue: every built-in template with its group, description and note.

A `Template` names the function that builds the design, a one-line description (what it is,
shown in lists and by `netwright templates`) and a two-line note (the idea the architecture
introduced, shown in the template dialog). Templates in `SIZED` groups take the number of
classes and the input shape, so changing either re-derives every shape and count.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from backend.templates.builder import DesignBuilder

BASICS = "Basics"
FULL = "Classic CNNs at full size"
MINI = "Teaching miniatures (8×8 digits)"
AUTOENCODERS = "Autoencoders"
GENERATIVE = "Generative models (VAEs and GANs)"
SEQUENCES = "Sequences"
GRAPHS = "Graph networks"
GROUPS = (BASICS, FULL, MINI, AUTOENCODERS, GENERATIVE, SEQUENCES, GRAPHS)


@dataclass(frozen=True)
class Template:
    name: str  # the command-line name
    title: str  # the name people know it by
    factory: Callable[..., DesignBuilder]
    description: str
    note: str
    group: str
    sized: bool = False  # the factory takes num_classes= and input_shape=

    def build(self, num_classes: int | None = None,
              input_shape: tuple[int, ...] | None = None) -> DesignBuilder:
        if not self.sized:
            if num_classes is not None or input_shape is not None:
                raise ValueError(f"template '{self.name}' has a fixed size: leave out the "
                                 "class count and input shape, or pick a full-size template")
            return self.factory()
        kwargs = {}
        if num_classes is not None:
            kwargs["num_classes"] = num_classes
        if input_shape is not None:
            kwargs["input_shape"] = tuple(input_shape)
        return self.factory(**kwargs)
