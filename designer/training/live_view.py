"""The contract of a live view of a training run, and what every view knows about the run.

A view is one class: subclass `LiveView`, set `name` (the tab's title), `events` (the event
types it draws) and, where it only makes sense for some runs, `applies(run)`; then add the
class to `designer.training.views.VIEWS`. The dock creates each view once, routes every batch
of worker events to the views whose types match (one `handle` call per view per batch,
events oldest first), tells them when a run begins and ends, when the user selects a node,
and when a different design is opened (`reset`); `prepare` comes before a run (its
axes set while the worker still loads the data). Views never steer the run themselves; a
view that needs something from the run (feature maps of another node) says so in `select`'s
return value.

`handle` only keeps what the view will show (cheap, every batch); `draw` puts it on screen.
The dock calls `draw` only while the view is visible, at most every DRAW_MS, one view per
turn of the event loop, so the GUI never freezes however many views there are.

`RunContext` is shared by all views of the dock: the run's `RunStarted`, node titles, and
helpers to place steps on the epoch axis.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtWidgets import QWidget

from backend.training.events import RunFinished, RunStarted


@dataclass
class RunPlan:
    """What a run will be, as far as the design's settings say before it starts."""

    epochs: int
    lr: float | None = None  # the settings' learning rate (a schedule moves from there)
    titles: dict[str, str] = field(default_factory=dict)  # node id -> title, when known

    @classmethod
    def from_section(cls, section: dict | None, titles: dict[str, str] | None = None
                     ) -> RunPlan:
        """The run a design's training settings ask for (the defaults where they say
        nothing, or nothing valid)."""
        from backend.training.config import TrainingConfig

        section = section or {}
        epochs = section.get("epochs", TrainingConfig.epochs)
        lr = section.get("lr", TrainingConfig.lr)
        if not (isinstance(epochs, int) and not isinstance(epochs, bool) and epochs > 0):
            epochs = TrainingConfig.epochs
        if not (isinstance(lr, int | float) and not isinstance(lr, bool) and 0 < lr < 1e3):
            lr = TrainingConfig.lr
        return cls(epochs, float(lr), dict(titles or {}))


@dataclass
class RunContext:
    started: RunStarted | None = None  # None before the first run (or after a reset)
    titles: dict[str, str] = field(default_factory=dict)  # node id -> title on the canvas

    @property
    def steps_per_epoch(self) -> int:
        return max(1, self.started.steps_per_epoch) if self.started else 1

    @property
    def task(self) -> str | None:
        return self.started.task if self.started else None

    @property
    def classification(self) -> bool:
        """Accuracy is the run's metric: classifying samples, or the nodes of a graph."""
        return self.task in (None, "classification", "node_classification")

    def epoch_of(self, step: float) -> float:
        """A global step as a (fractional) epoch: runs with other batch sizes line up."""
        return step / self.steps_per_epoch

    def title(self, node_id: str) -> str:
        return self.titles.get(node_id, node_id)


class LiveView:
    """One view of a run: a widget, the events it draws, and when it is shown."""

    name = ""  # the tab's title
    events: tuple[type, ...] = ()  # event classes routed to `handle`
    placement = "tab"  # "tab" (the views' tabs) or "main" (beside them, always visible)
    prominent = False  # brought to the front when a run it applies to starts

    def __init__(self) -> None:
        self.widget: QWidget = self.make_widget()

    def make_widget(self) -> QWidget:
        raise NotImplementedError

    def applies(self, run: RunStarted | None) -> bool:
        """Whether the view shows for this run (`None`: no run yet). Default: always."""
        return True

    def prepare(self, plan: RunPlan) -> None:
        """A run like `plan` is coming (Train was pressed, or no run is shown yet): set the
        axes the run will need now, so its first points redraw as little as they can.
        Default: nothing."""

    def begin(self, context: RunContext) -> None:
        """A new run starts: forget the previous one."""
        self.reset()

    def handle(self, events: list, context: RunContext) -> dict[str, float] | None:
        """This view's events from one batch, oldest first: keep what `draw` needs (no
        drawing here). May return canvas node colours (node id -> heat in [0, 1])."""
        return None

    def draw(self, context: RunContext) -> bool:
        """Show what `handle` kept (called while the view is visible). A view that draws in
        parts returns True while parts remain: it is called again at the next turn."""
        return False

    def finish(self, finished: RunFinished, context: RunContext) -> None:
        """The run ended; draw whatever is still pending."""

    def select(self, node_id: str, context: RunContext, live: bool) -> str | None:
        """The user selected `node_id` (`live`: during a run). Return the node whose feature
        maps the view needs probed, or None."""
        return None

    def reset(self) -> None:
        """A different design (or a new run): show nothing of the previous one."""
        clear = getattr(self.widget, "clear", None)
        if callable(clear):
            clear()
