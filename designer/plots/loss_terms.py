"""A recipe's loss terms as separate curves: a VAE's reconstruction and KL, a GAN's D and G
losses beside D(x) and D(G(z)), a sparse autoencoder's reconstruction and L1 activity.

`set_terms(terms)` takes the recipe's `Term`s (key, label, plot); the "metric" ones (a GAN's
probabilities) get a plot of their own. Per term: a faint line of the step windows, the
training mean per epoch (dots) and the validation value per epoch (dashed, squares).
Buffers are the curves' preallocated ones; `refresh()` draws what changed.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QWidget

from designer.plots.base import PlotPanel, colour, style_plot, theme_colours
from designer.plots.curves import SeriesBuffer

KINDS = ("step", "train", "val")


class LossTermsPlot(PlotPanel):
    export_name = "loss-terms"

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Loss terms", parent)
        # one view per plot: hiding a view (not a plot inside one) leaves its legend intact
        self.views = {"loss": pg.GraphicsLayoutWidget(), "metric": pg.GraphicsLayoutWidget()}
        row = QHBoxLayout()
        for view in self.views.values():
            row.addWidget(view, 1)
        self.body.addLayout(row)
        self.plots = {"loss": self.views["loss"].addPlot(title="loss terms"),
                      "metric": self.views["metric"].addPlot(title="D(x) and D(G(z))")}
        self.legends = {}
        for plot in self.plots.values():
            plot.setLabel("bottom", "epoch")
            plot.setMenuEnabled(False)
            self.legends[plot] = plot.addLegend(offset=(-5, 5), labelTextSize="8pt")
        self.plots["metric"].setYRange(0, 1)
        self.series: dict[tuple[str, str], tuple[SeriesBuffer, pg.PlotDataItem]] = {}
        self.labels: dict[str, str] = {}
        self._dirty: set[tuple[str, str]] = set()
        self.warnings: dict[str, str] = {}

    def set_terms(self, terms) -> None:
        """Start over with these terms (`Term`s from the run's recipe)."""
        self.clear()
        uses_metric = any(t.plot == "metric" for t in terms)
        self.views["metric"].setVisible(uses_metric)
        for i, term in enumerate(terms):
            self.labels[term.key] = term.label
            for kind in KINDS:
                self._add(term, kind, i)

    def _add(self, term, kind: str, index: int) -> None:
        plot = self.plots[term.plot if term.plot in self.plots else "loss"]
        c = pg.mkColor(colour(index))
        if kind == "step":
            pen = pg.mkPen(c.lighter(150), width=1)
            item = pg.PlotDataItem(pen=pen)
        else:
            style = Qt.PenStyle.SolidLine if kind == "train" else Qt.PenStyle.DashLine
            item = pg.PlotDataItem(pen=pg.mkPen(c, width=2, style=style),
                                   symbol="o" if kind == "train" else "s", symbolSize=5,
                                   symbolBrush=colour(index), symbolPen=None,
                                   name=term.label if kind == "train" else
                                   f"{term.label} (validation)")
        item.setDownsampling(auto=True, method="peak")
        item.setClipToView(True)
        plot.addItem(item)
        self.series[(term.key, kind)] = (SeriesBuffer(), item)

    def add_step(self, x: float, values: dict[str, float]) -> None:
        for key, value in values.items():
            self._append(key, "step", x, value)

    def add_epoch(self, epoch: int, train: dict[str, float], val: dict[str, float]) -> None:
        for key, value in train.items():
            self._append(key, "train", float(epoch), value)
        for key, value in val.items():
            self._append(key, "val", float(epoch), value)

    def _append(self, key: str, kind: str, x: float, y: float) -> None:
        if (key, kind) in self.series:
            self.series[(key, kind)][0].extend([x], [y])
            self._dirty.add((key, kind))

    def refresh(self) -> None:
        for key in self._dirty:
            buffer, item = self.series[key]
            item.setData(buffer.x, buffer.y)
        self._dirty.clear()

    def set_warning(self, kind: str, text: str | None) -> None:
        """Show (or, with None, clear) the run's warning of this kind."""
        if text:
            self.warnings[kind] = text
        else:
            self.warnings.pop(kind, None)
        self.set_status(" · ".join(self.warnings.values()), warn=bool(self.warnings))

    def clear(self) -> None:
        for (_, _), (_, item) in self.series.items():
            for plot in self.plots.values():
                if item in plot.items:
                    plot.removeItem(item)
                    self.legends[plot].removeItem(item)
        self.series, self.labels, self._dirty, self.warnings = {}, {}, set(), {}
        self.set_status("")

    def apply_theme(self, dark: bool) -> None:
        bg, fg = theme_colours(dark)
        for view in self.views.values():
            view.setBackground(bg)
        for plot in self.plots.values():
            style_plot(plot, dark)
        for legend in self.legends.values():
            legend.setLabelTextColor(fg)

    def table(self) -> tuple[list[str], list[list]]:
        rows = []
        for (key, kind), (buffer, _) in self.series.items():
            rows += [[self.labels.get(key, key), kind, float(x), float(y)]
                     for x, y in zip(buffer.x, buffer.y, strict=True)]
        return ["term", "series", "epoch", "value"], rows
