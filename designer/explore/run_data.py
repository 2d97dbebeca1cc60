"""The newest teaching-probe results of the current run, kept for the Explore pages.

`RunData.add(events)` keeps, per kind, the latest `OutputNumbers`, `ActivationStats`, and per
node the latest `RecurrentStates` and `KernelProbe` (from backend.training.teaching_probes),
and says which kinds changed; `clear()` forgets the run (a new run or a new design).
`LearnedKernel` is one filter and one input channel of a `KernelProbe`, in the shape the
convolution explorer reads.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from backend.training.teaching_events import (
    ActivationStats,
    KernelProbe,
    OutputNumbers,
    RecurrentStates,
)


class RunData:
    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        self.outputs: OutputNumbers | None = None
        self.activations: ActivationStats | None = None
        self.recurrent: dict[str, RecurrentStates] = {}
        self.kernels: dict[str, KernelProbe] = {}

    def add(self, events: list) -> set[str]:
        changed = set()
        for e in events:
            if isinstance(e, OutputNumbers):
                self.outputs = e
                changed.add("outputs")
            elif isinstance(e, ActivationStats):
                self.activations = e
                changed.add("activations")
            elif isinstance(e, RecurrentStates):
                self.recurrent[e.node] = e
                changed.add("recurrent")
            elif isinstance(e, KernelProbe):
                self.kernels[e.node] = e
                changed.add("kernels")
        return changed


@dataclass
class LearnedKernel:
    """Filter `out` applied to input channel `channel` of a KernelProbe (2-D arrays)."""

    probe: KernelProbe
    out: int = 0
    channel: int = 0

    @property
    def input(self) -> np.ndarray:
        return self.probe.input[min(self.channel, len(self.probe.input) - 1)]

    @property
    def kernel(self) -> np.ndarray:
        k = self.probe.kernels
        if k is None:
            return np.ones((2, 2))
        return k[min(self.out, len(k) - 1), min(self.channel, k.shape[1] - 1)]

    @property
    def bias(self) -> float:
        b = self.probe.bias
        return 0.0 if b is None else float(b[min(self.out, len(b) - 1)])

    @property
    def epoch(self) -> int:
        return self.probe.epoch

    @property
    def filters(self) -> int:
        return 0 if self.probe.kernels is None else len(self.probe.kernels)

    @property
    def channels(self) -> int:
        return len(self.probe.input)
