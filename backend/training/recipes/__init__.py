"""Task recipes: the registry the trainer, the CLI, the designer and the exporter share.

Each recipe is one declaration (torch-free, `base.Recipe`) plus one runtime class (torch,
`run.RecipeRun`). Adding a recipe is a new module pair and one entry in `RECIPES`; no other
recipe changes. See docs/recipes.md.
"""

from __future__ import annotations

from backend.training.recipes.autoencoding import AUTOENCODING
from backend.training.recipes.base import Recipe, Setting, Term
from backend.training.recipes.gan import GAN_RECIPE
from backend.training.recipes.link_prediction import LINK_PREDICTION
from backend.training.recipes.node_classification import NODE_CLASSIFICATION
from backend.training.recipes.supervised import SUPERVISED
from backend.training.recipes.vae import VAE_RECIPE

# with task "auto" the first recipe that claims a design trains it: a graph ending in an
# InnerProductDecoder predicts links, any other graph design classifies nodes
RECIPES: tuple[Recipe, ...] = (SUPERVISED, AUTOENCODING, VAE_RECIPE, GAN_RECIPE,
                               LINK_PREDICTION, NODE_CLASSIFICATION)

__all__ = ["RECIPES", "Recipe", "Setting", "Term", "recipe_for_task", "resolve_task",
           "setting_owners", "task_names", "loss_names"]


def task_names() -> tuple[str, ...]:
    """Every task some recipe trains, in registry order."""
    return tuple(task for recipe in RECIPES for task in recipe.tasks)


def loss_names() -> tuple[str, ...]:
    """Every loss some recipe accepts, first mention first."""
    return tuple(dict.fromkeys(loss for recipe in RECIPES for loss in recipe.losses))


def recipe_for_task(task: str) -> Recipe:
    for recipe in RECIPES:
        if task in recipe.tasks:
            return recipe
    raise ValueError(f"no recipe trains the task '{task}': choose one of "
                     f"{', '.join(task_names())}")


def setting_owners() -> dict[str, Setting]:
    """Recipe setting name -> its declaration (names are unique across recipes; recipes of
    one family may share a declaration, as the graph recipes share embedding_node)."""
    return {s.name: s for recipe in RECIPES for s in recipe.settings}


def resolve_task(task: str, data_task: str, doc=None, analysis=None) -> str:
    """The task a run trains: the setting, else the recipe that claims the design (a VAE,
    a GAN), else the dataset's own task."""
    if task != "auto":
        return task
    if doc is not None:
        for recipe in RECIPES:
            if recipe.claims(doc, analysis):
                return recipe.tasks[0]
    return data_task
