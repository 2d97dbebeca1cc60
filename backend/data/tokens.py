"""Token-index inputs: data for a design whose Input takes int64 (indices into an Embedding).

Data files hold numbers; an Input with dtype int64 wants whole token indices from 0, not
normalised floats. `token_input(design)` says whether the design asks for that and how many
entries the Embedding it feeds has; `as_token_indices` checks a dataset's inputs (whole,
from 0, below the Embedding's size: one sentence naming the sample otherwise) and returns
splits made without normalisation, with int64 inputs.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from backend.data.base import Dataset, DatasetError, Split, Splits


@dataclass(frozen=True)
class TokenInput:
    input_label: str  # "Input 'tokens'"
    limit: int | None  # the smallest num_embeddings among the Embeddings it feeds
    embedding_label: str = ""


def token_input(design) -> TokenInput | None:
    """The design's int64 Input and the Embedding it feeds, or None for a float input."""
    from backend.graph.validate import label

    nodes = getattr(design, "nodes", None) or {}
    for nid, node in nodes.items():
        if node.type != "Input" or node.params.get("dtype") != "int64":
            continue
        found = TokenInput(label(design, nid), None)
        for edge in design.out_edges(nid):
            dst = nodes.get(edge.dst)
            size = dst.params.get("num_embeddings") if dst and dst.type == "Embedding" else None
            if isinstance(size, int) and (found.limit is None or size < found.limit):
                found = TokenInput(found.input_label, size, label(design, edge.dst))
        return found
    return None


def check_token_indices(x: np.ndarray, tokens: TokenInput, name: str) -> None:
    """Whole numbers from 0 and below the Embedding's size, or one sentence naming a sample."""
    flat = x.reshape(len(x), -1)
    bad = ~np.isfinite(flat) | (flat != np.round(flat)) | (flat < 0)
    if bad.any():
        i, j = (int(v) for v in np.argwhere(bad)[0])
        raise DatasetError(f"the {name} data's sample {i} holds {flat[i, j]:g} where the int64 "
                           f"{tokens.input_label} takes token indices (whole numbers from 0): "
                           "correct the data, or set the Input's dtype to float32")
    if tokens.limit is not None and flat.size and flat.max() >= tokens.limit:
        i = int(np.argwhere(flat >= tokens.limit)[0][0])
        top = int(flat.max())
        raise DatasetError(f"the {name} data's sample {i} holds the token {int(flat[i].max())}, "
                           f"but {tokens.embedding_label} has {tokens.limit} entries (0 to "
                           f"{tokens.limit - 1}): set its num_embeddings to {top + 1} or more")


def as_token_indices(splits: Splits) -> Splits:
    """The same splits with int64 inputs (they were made without normalisation)."""
    def cast(s: Split) -> Split:
        return replace(s, x=np.ascontiguousarray(s.x.astype(np.int64)))

    return replace(splits, train=cast(splits.train), val=cast(splits.val), test=cast(splits.test))


def token_splits(data: Dataset, tokens: TokenInput, make) -> Splits:
    """Check `data` and split it with `make(data, normalise)` into int64 token splits."""
    check_token_indices(data.x, tokens, data.info.name)
    return as_token_indices(make(data, "none"))
