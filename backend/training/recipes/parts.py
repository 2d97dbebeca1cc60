"""The networks and parts of a design, as its recipe sees them: what export writes.

A recipe names the networks it trains (`Recipe.networks`: a GAN's generator and
discriminator, otherwise the whole design) and, for autoencoders, where the network divides
into encoder and decoder (`Recipe.split`). From these, `design_parts` lists the parts that
ONNX export writes one file each for — the whole model, the encoder and the decoder; the
generator and the discriminator — each as a design of its own whose attribute names equal the
whole design's, so trained weights load into it by name (with the network's prefix).
Torch-free: the recipe comes from the design's training section, with task "auto" resolved
from the design alone (a Sampling layer means a VAE, two networks a GAN).
"""

from __future__ import annotations

from dataclasses import dataclass

from backend.graph.document import GraphDocument
from backend.graph.networks import split_at, subdesign, upstream, with_input


@dataclass(frozen=True)
class Split:
    """Where a network divides: encode() returns `encoder_outputs`, decode() takes `code`."""

    encoder_outputs: tuple[str, ...]
    code: str


@dataclass(frozen=True)
class Part:
    role: str  # model | encoder | decoder | generator | discriminator
    doc: GraphDocument
    prefix: str = ""  # key prefix of this part's weights in the design's trained weights


def design_recipe(doc: GraphDocument, analysis):
    """(recipe, training config) for a design; invalid settings fall back to defaults."""
    from backend.training.config import TrainingConfig
    from backend.training.recipes import recipe_for_task, resolve_task

    try:
        config = TrainingConfig.from_section(doc.sections.get("training"))
    except ValueError:
        config = TrainingConfig()
    try:
        recipe = recipe_for_task(resolve_task(config.task, "classification", doc, analysis))
    except ValueError:
        recipe = recipe_for_task("classification")
    return recipe, config


def design_networks(doc: GraphDocument, analysis) -> dict[str, GraphDocument]:
    recipe, _ = design_recipe(doc, analysis)
    try:
        return recipe.networks(doc, analysis)
    except (KeyError, TypeError, ValueError):  # a GAN whose roles cannot be told: one design
        return {"model": doc}


def design_split(doc: GraphDocument, analysis) -> Split | None:
    """The encoder/decoder split of a one-network design, when no wire bypasses it."""
    recipe, config = design_recipe(doc, analysis)
    split = recipe.split(doc, analysis, config)
    if split is None or split.code not in doc.nodes or split_at(doc, split.code) is None:
        return None
    before = set().union(*(upstream(doc, o) for o in split.encoder_outputs))
    if split.code not in before and not all(
            e.src in before for e in doc.in_edges(split.code)):
        return None
    return split


def design_parts(doc: GraphDocument, analysis) -> list[Part]:
    networks = design_networks(doc, analysis)
    if len(networks) > 1:
        return [Part(role, sub, f"{role}.") for role, sub in networks.items()]
    parts = [Part("model", doc)]
    split = design_split(doc, analysis)
    if split is not None:
        encoder = set().union(*(upstream(doc, o) for o in split.encoder_outputs))
        parts.append(Part("encoder", subdesign(doc, encoder, f"{doc.name} encoder")))
        parts.append(Part("decoder", with_input(doc, split.code, analysis.shapes[split.code],
                                                f"{doc.name} decoder")))
    return parts
