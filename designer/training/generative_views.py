"""Live views of the generative recipes: reconstructions, the latent space, a VAE's
traversal, a GAN's samples, and every recipe's separate loss terms.

Each is a `LiveView` (designer/training/live_view.py) that shows only for the runs it makes
sense for (`RunStarted.recipe`); `prominent` views come to the front when such a run starts.
The warnings a run gives (`Advice`: posterior collapse, mode collapse, a discriminator that
wins) appear in the view they concern and in the loss-terms view.
"""

from __future__ import annotations

from backend.training.events import (
    Advice,
    EpochEnd,
    LatentCodes,
    Reconstructions,
    RunStarted,
    SampleGrid,
    StepMetrics,
)
from designer.plots.latent import LatentScatterPlot
from designer.plots.loss_terms import LossTermsPlot
from designer.plots.reconstructions import ReconstructionPlot
from designer.plots.sample_grid import SampleGridPlot
from designer.training.live_view import LiveView, RunContext

RECONSTRUCTING = ("autoencoding", "vae")


def _recipe(run: RunStarted | None) -> str | None:
    return getattr(run, "recipe", None) if run is not None else None


def _advice_text(advice: Advice) -> str:
    return advice.message if advice.active else ""


class ReconstructionsView(LiveView):
    name = "Reconstructions"
    events = (Reconstructions,)
    prominent = True

    def make_widget(self) -> ReconstructionPlot:
        return ReconstructionPlot()

    def applies(self, run: RunStarted | None) -> bool:
        return _recipe(run) in RECONSTRUCTING

    def begin(self, context: RunContext) -> None:
        self.pending = None
        self.reset()

    def handle(self, events: list, context: RunContext) -> None:
        self.pending = events[-1]  # only the newest is worth drawing

    def draw(self, context: RunContext) -> bool:
        e, self.pending = getattr(self, "pending", None), None
        if e is not None:
            self.widget.set_images(e.inputs, e.noisy, e.outputs, e.epoch)
        return False


class LatentView(LiveView):
    name = "Latent space"
    events = (LatentCodes, Advice)

    def make_widget(self) -> LatentScatterPlot:
        return LatentScatterPlot()

    def applies(self, run: RunStarted | None) -> bool:
        return _recipe(run) in RECONSTRUCTING

    def begin(self, context: RunContext) -> None:
        self.pending, self.warning = None, None
        self.reset()

    def handle(self, events: list, context: RunContext) -> None:
        codes = [e for e in events if isinstance(e, LatentCodes)]
        if codes:
            self.pending = codes[-1]
        for a in events:
            if isinstance(a, Advice) and a.kind == "posterior-collapse":
                self.warning = _advice_text(a)

    def draw(self, context: RunContext) -> bool:
        e, self.pending = getattr(self, "pending", None), None
        if e is not None:
            self.widget.set_codes(e.points, e.labels, list(e.class_names), e.width,
                                  e.explained, context.title(e.node), e.epoch)
        if getattr(self, "warning", None) is not None:
            self.widget.set_warning(self.warning)
            self.warning = None
        return False


class TraversalView(LiveView):
    name = "Traversal"
    events = (SampleGrid,)

    def make_widget(self) -> SampleGridPlot:
        return SampleGridPlot("Latent traversal", "a grid of codes decoded into images appears "
                              "while training", "latent-traversal")

    def applies(self, run: RunStarted | None) -> bool:
        return _recipe(run) == "vae"

    def begin(self, context: RunContext) -> None:
        self.pending = None
        self.reset()

    def handle(self, events: list, context: RunContext) -> None:
        grids = [e for e in events if e.kind == "traversal"]
        if grids:
            self.pending = grids[-1]

    def draw(self, context: RunContext) -> bool:
        e, self.pending = getattr(self, "pending", None), None
        if e is not None:
            self.widget.set_grid(e.images, e.caption, e.epoch)
        return False


class GeneratedView(LiveView):
    name = "Samples"
    events = (SampleGrid, Advice)
    prominent = True

    def make_widget(self) -> SampleGridPlot:
        return SampleGridPlot("Generated samples", "the generator's samples from fixed noise "
                              "appear while training", "generated-samples")

    def applies(self, run: RunStarted | None) -> bool:
        return _recipe(run) == "gan"

    def begin(self, context: RunContext) -> None:
        self.pending, self.warning = None, None
        self.reset()

    def handle(self, events: list, context: RunContext) -> None:
        grids = [e for e in events if isinstance(e, SampleGrid) and e.kind == "generated"]
        if grids:
            self.pending = grids[-1]
        for a in events:
            if isinstance(a, Advice) and a.kind == "mode-collapse":
                self.warning = _advice_text(a)

    def draw(self, context: RunContext) -> bool:
        e, self.pending = getattr(self, "pending", None), None
        if e is not None:
            self.widget.set_grid(e.images, e.caption, e.epoch, e.diversity)
        if getattr(self, "warning", None) is not None:
            self.widget.set_warning(self.warning)
            self.warning = None
        return False


class LossTermsView(LiveView):
    name = "Loss terms"
    events = (StepMetrics, EpochEnd, Advice)

    def make_widget(self) -> LossTermsPlot:
        return LossTermsPlot()

    def applies(self, run: RunStarted | None) -> bool:
        # link prediction's terms are its metrics (ROC AUC on the curves, both in Links)
        return bool(getattr(run, "terms", None)) and _recipe(run) != "link_prediction"

    def begin(self, context: RunContext) -> None:
        from backend.training.recipes import RECIPES

        self.reset()
        run = context.started
        recipe = next((r for r in RECIPES if r.name == _recipe(run)), None)
        declared = {t.key: t for t in recipe.terms} if recipe else {}
        wanted = list(getattr(run, "terms", []) or [])
        self.widget.set_terms([declared[k] for k in wanted if k in declared])

    def handle(self, events: list, context: RunContext) -> None:
        for e in events:  # into the curves' buffers; drawn by `draw`
            if isinstance(e, StepMetrics) and e.terms:
                self.widget.add_step(context.epoch_of(e.step), e.terms)
            elif isinstance(e, EpochEnd):
                self.widget.add_epoch(e.epoch, e.terms, e.val_terms)
            elif isinstance(e, Advice):
                self.widget.set_warning(e.kind, _advice_text(e) or None)

    def draw(self, context: RunContext) -> bool:
        self.widget.refresh()
        return False

    def reset(self) -> None:
        self.widget.clear()


GENERATIVE_VIEWS: list[type[LiveView]] = [ReconstructionsView, GeneratedView, TraversalView,
                                          LatentView, LossTermsView]
