"""The live plot views hold what they are fed and export it (PNG picture, CSV data)."""

from __future__ import annotations

import csv
import math

import numpy as np
import pytest
from PySide6.QtCore import Qt

from designer.plots.base import colour
from designer.plots.confusion import ConfusionMatrixView
from designer.plots.curves import Overlay, SeriesBuffer, TrainingCurves
from designer.plots.decision_boundary import DecisionBoundaryView
from designer.plots.feature_maps import FeatureMapView, mosaic
from designer.plots.gradient_flow import GradientFlowView, gradient_heat, gradient_warnings
from designer.plots.histograms import WeightHistogramView, histogram
from designer.plots.ranges import StickyRange


def test_series_buffer_grows_and_keeps_order():
    buf = SeriesBuffer(capacity=4)
    for i in range(10):
        buf.extend([i], [i * i])
    assert buf.n == 10
    assert list(buf.y) == [i * i for i in range(10)]


def test_curves_plot_points_and_overlays(qtbot, tmp_path):
    view = TrainingCurves()
    qtbot.addWidget(view)
    view.append("train_loss_step", np.linspace(0, 1, 50), np.linspace(2, 1, 50))
    view.append("val_loss", [1.0], [0.9])
    view.refresh()
    xs, ys = view.items["train_loss_step"].getData()
    assert len(xs) == 50 and ys[0] == pytest.approx(2.0)
    view.set_overlays([Overlay("run 1 · SGD", 1, {"val_loss": (np.array([1.0, 2.0]),
                                                                 np.array([1.5, 1.2]))})])
    (plot, item), = view._overlay_items
    assert plot == "loss" and item.name() is None  # not in the plot's legend, over the data
    assert item.opts["pen"].color().name().upper() == colour(1)
    assert view.overlay_legend.isVisibleTo(view) and "run 1 · SGD" in view.overlay_legend.text()
    assert view.save_csv(str(tmp_path / "c.csv")) == 53
    with open(tmp_path / "c.csv") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["run", "series", "epoch", "value"]
    assert rows[-1][0] == "run 1 · SGD"
    view.resize(600, 300)
    assert view.save_png(str(tmp_path / "c.png"))
    assert (tmp_path / "c.png").stat().st_size > 1000


def test_feature_map_mosaic_tiles_every_channel(qtbot):
    maps = np.random.default_rng(0).normal(size=(6, 5, 5)).astype(np.float32)
    image, shown = mosaic(maps, np.zeros((256, 4), np.uint8) + 255)
    assert shown == 6
    assert image.shape[2] == 4 and image[..., 3].sum() == 6 * 25 * 255  # gaps transparent
    view = FeatureMapView()
    qtbot.addWidget(view)
    view.set_maps("conv1", np.zeros((1, 8, 8)), maps)
    assert view.updates == 1 and "conv1: 6×5×5" in view.status_label.text()
    header, rows = view.table()
    assert len(rows) == 150 and header[-1] == "activation"


def test_gradient_heat_flags_vanishing_and_exploding():
    stats = {"a": (1e-9, 1e-8), "b": (1e-3, 1e-2), "c": (1e-2, 5e2)}
    heat = gradient_heat(stats)
    assert heat["a"] < 0.25 and heat["c"] > 0.75 and 0.25 <= heat["b"] <= 0.75
    words = " ".join(gradient_warnings(stats, {"a": "first", "c": "last"}))
    assert "Vanishing gradients in 'first'" in words
    assert "Exploding gradients in 'last'" in words
    healthy = {"a": (1e-3, 1e-2), "b": (2e-3, 3e-2)}
    assert gradient_warnings(healthy, {}) == []


def test_gradient_flow_view_keeps_history(qtbot):
    view = GradientFlowView()
    qtbot.addWidget(view)
    for k in range(70):  # past the first buffer doubling
        view.add_probe(k / 10, {"h1": (1e-9 * (k + 1), 1e-8), "h2": (1e-2, 1e-1)},
                       {"h1": "hidden1", "h2": "hidden2"})
    assert view.history.view().shape == (2, 70)
    assert "Vanishing gradients in 'hidden1'" in view.warning_label.text()
    assert len(view.table()[1]) == 140


def test_histograms_confusion_and_boundary(qtbot):
    hv = WeightHistogramView()
    qtbot.addWidget(hv)
    hv.set_histograms(1.0, {"d1": histogram(np.random.default_rng(1).normal(size=500))},
                      {"d1": "dense"})
    assert len(hv._curves) == 1 and hv.table()[1][0][1] == "dense"

    cm = ConfusionMatrixView()
    qtbot.addWidget(cm)
    cm.set_matrix(np.array([[5, 1], [0, 4]]), ["cat", "dog"])
    assert "accuracy 90.0%" in cm.status_label.text()
    assert cm.table()[1][0] == ["cat", 5, 1]

    db = DecisionBoundaryView()
    qtbot.addWidget(db)
    xs, ys = np.linspace(-1, 1, 20), np.linspace(-1, 1, 10)
    db.set_points(np.zeros((3, 2)), np.array([0, 1, 1]))
    db.set_boundary(xs, ys, (ys[:, None] > 0).astype(int) * np.ones((1, 20), int), epoch=2)
    assert len(db.table()[1]) == 200


def _scene_rect(item):
    return item.mapRectToScene(item.boundingRect())


def test_curve_legends_sit_under_the_plots_not_over_the_data(qtbot):
    view = TrainingCurves()
    qtbot.addWidget(view)
    view.resize(650, 330)
    view.show()
    view.append("train_loss", [1.0, 2.0], [1.0, 0.5])
    view.append("val_loss", [1.0, 2.0], [1.1, 0.6])
    view.refresh()
    qtbot.waitUntil(lambda: all(legend.isVisible() for legend in view.legends.values()))
    for key, legend in view.legends.items():
        assert "validation" in [label.text for _sample, label in legend.items]
        for plot in view.plots.values():
            assert not _scene_rect(legend).intersects(_scene_rect(plot.vb)), key


def test_a_double_click_brings_a_panned_plot_back_to_its_data(qtbot):
    view = TrainingCurves()
    qtbot.addWidget(view)
    view.resize(650, 330)
    view.show()
    view.append("val_loss", [1.0, 2.0, 3.0], [1.0, 0.5, 0.4])
    view.refresh()
    box = view.plots["loss"].vb
    box.setRange(xRange=(50, 60), yRange=(50, 60), padding=0)  # a stray drag lost the data
    qtbot.waitUntil(lambda: box.viewRange()[0][0] >= 50)
    centre = view.view.mapFromScene(_scene_rect(box).center())
    port, left = view.view.viewport(), Qt.MouseButton.LeftButton
    qtbot.mouseClick(port, left, pos=centre)  # press, release, double-click, release
    qtbot.mouseDClick(port, left, pos=centre)
    qtbot.mouseRelease(port, left, pos=centre)
    qtbot.waitUntil(lambda: box.viewRange()[0][0] <= 1.0 <= box.viewRange()[0][1])
    (x0, x1), (y0, y1) = box.viewRange()
    assert x1 >= 3.0 and y0 <= 0.4 and y1 >= 1.0


def test_gradient_flow_labels_twenty_layers_readably(qtbot):
    view = GradientFlowView()
    qtbot.addWidget(view)
    view.resize(560, 380)  # its size in the Training dock at 1440x900
    view.show()
    titles = {f"n{i}": f"encoder.block{i}.conv{i % 3}" for i in range(20)}
    view.add_probe(0.5, {n: (10.0 ** -(i / 3), 1.0) for i, n in enumerate(titles)}, titles)
    axis = view.bars_plot.getAxis("left")
    qtbot.waitUntil(lambda: axis._tickLevels is not None and len(axis._tickLevels[0]) == 20)
    labels = [text for _row, text in axis._tickLevels[0]]
    assert len(set(labels)) == 20 and all(len(text) <= 16 for text in labels)
    assert "…block13.conv1" in labels  # the distinguishing end of the module path
    assert view.bars_plot.vb.height() / 20 >= 12  # a row is a line of text high


def test_a_constant_learning_rate_shows_half_decades_with_sparse_labels(qtbot):
    view = TrainingCurves()
    qtbot.addWidget(view)
    view.append("lr", [0.0, 1.0, 2.0], [1e-3, 1e-3, 1e-3])
    view.refresh()
    plot = view.plots["lr"]
    StickyRange(plot).fit()
    assert plot.vb.viewRange()[1] == [-3.5, -2.5]  # 0.0005 .. 0.002 around 0.001
    values = [math.log10(v) for v in (1e-3, 2e-3, 9e-4, 5e-4, 2e-6)]
    assert plot.getAxis("left").logTickStrings(values, 1, 0.1) == [
        "0.001", "0.002", "", "5e-4", "2e-6"]  # no minor labels printed over each other


def test_a_runs_epoch_axis_stays_put_when_the_compared_runs_are_cleared(qtbot):
    """Clearing the compared runs as a run starts turns auto-range on; the epoch axis
    still spans the whole run instead of following (and redrawing with) every new point."""
    view = TrainingCurves()
    qtbot.addWidget(view)
    view.resize(650, 330)
    view.show()
    sticky = StickyRange(view.plots["loss"])
    sticky.pin_x(0.0, 10.0)
    view.set_overlays([])  # the Runs list's selection is cleared when the run starts
    spans = []
    for end in (0.2, 0.5, 1.0, 3.0):
        view.append("train_loss_step", np.linspace(end - 0.1, end, 5), np.linspace(2, 1, 5))
        view.refresh("loss")
        sticky.fit()
        spans.append(view.plots["loss"].vb.viewRange()[0])
    for x0, x1 in spans:
        assert x0 == pytest.approx(-0.2) and x1 == pytest.approx(10.2)


def test_an_axis_keeps_its_width_when_its_labels_get_shorter(qtbot):
    """A shorter tick label never re-lays out the plots (every axis would be redrawn)."""
    view = TrainingCurves()
    qtbot.addWidget(view)
    view.resize(650, 330)
    view.show()
    axis, box = view.plots["loss"].getAxis("left"), view.plots["loss"].vb

    def paint_and_lay_out() -> None:
        for _ in range(2):
            view.view.grab()  # the labels are measured when the axis paints
            qtbot.wait(10)  # the layout follows the new width

    box.setYRange(0.0125, 0.0135, padding=0)  # labels like 0.0128
    paint_and_lay_out()
    wide = axis.width()
    box.setYRange(0, 10, padding=0)  # labels like 4
    paint_and_lay_out()
    assert axis.textWidth > 30 and axis.width() == wide
