"""The Explore pages driven as a student would: typing into grids and fields, pressing the
buttons, stepping and playing, with real key and mouse events."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QLineEdit

from designer.explore.window import ExploreWindow


@pytest.fixture
def explore(qtbot):
    win = ExploreWindow()
    qtbot.addWidget(win)
    win.show()
    return win


def type_into_cell(qtbot, grid, row: int, col: int, text: str) -> None:
    """Click a grid cell, type `text` and press Enter, as a user does."""
    item = grid.item(row + grid.pad[0], col + grid.pad[1])
    qtbot.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton,
                     pos=grid.visualItemRect(item).center())
    qtbot.keyClicks(grid, text[0])  # the first key opens the cell's editor
    editor = QApplication.focusWidget() or grid.viewport().findChild(QLineEdit)
    qtbot.keyClicks(editor, text[1:])
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    QApplication.processEvents()  # the view commits the typed text on its next turn


def type_into_spin(qtbot, spin, text: str) -> None:
    spin.setFocus()
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), text)
    qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_Return)


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


# -- convolution ------------------------------------------------------------------------------
def test_convolution_worked_example_step_by_step(explore, qtbot):
    page = explore.show_page("convolution")
    assert page.output_grid.values().tolist() == [[4, 3, 4], [2, 4, 3], [2, 3, 4]]
    assert "⌊(5 + 2·0 − 3) / 1⌋ + 1 = 3" in page.size_label.text()
    assert page.sum_label.text().endswith("= 4")
    click(qtbot, page.next_button)
    assert page.where.text() == "position 2 of 9"
    assert page.sum_label.text() == ("output[0, 1] = 1 + 0 + 0 + 0 + 1 + 0 + 0 + 0 + 1 = 3")
    cells = page.input_grid.findItems("", Qt.MatchFlag.MatchContains)
    marked = {(i.row(), i.column()) for i in cells if i.data(Qt.ItemDataRole.UserRole + 2)}
    assert marked == {(r, c) for r in range(3) for c in range(1, 4)}
    click(qtbot, page.last_button)
    assert page.where.text() == "position 9 of 9"


def test_typing_into_the_input_changes_the_feature_map(explore, qtbot):
    page = explore.show_page("convolution")
    type_into_cell(qtbot, page.input_grid, 0, 0, "5")
    assert page.input_grid.values()[0, 0] == 5
    assert page.output_grid.values()[0, 0] == 8  # the kernel's corner weight is 1
    type_into_cell(qtbot, page.kernel_grid, 1, 1, "-2")
    assert page.kernel_grid.values()[1, 1] == -2
    assert page.output_grid.values()[0, 0] == 8 - 3 * 1  # centre 1 now weighs −2, not 1
    type_into_cell(qtbot, page.input_grid, 2, 2, "abc")
    assert "'abc' is not a number" in page.error.text() and page.error.isVisibleTo(page)
    assert page.input_grid.values()[2, 2] == 1  # the old value stays


def test_stride_padding_and_pooling(explore, qtbot):
    page = explore.show_page("convolution")
    type_into_spin(qtbot, page.stride[0], "2")
    type_into_spin(qtbot, page.stride[1], "2")
    assert page.output_grid.values().shape == (2, 2)
    assert page.size_label.text().startswith("rows:    ⌊(5 + 2·0 − 3) / 2⌋ + 1 = 2")
    type_into_spin(qtbot, page.padding[0], "1")
    assert page.input_grid.rowCount() == 7  # a ring of padding rows is drawn
    assert page.output_grid.values().shape == (3, 2)
    page.mode.setFocus()
    qtbot.keyClick(page.mode, Qt.Key.Key_Down)  # max pooling
    assert page.mode.currentData() == "max"
    assert page.output_grid.values().max() == 1
    assert not page.kernel_grid.isEnabled()
    type_into_spin(qtbot, page.k_rows, "9")
    assert "kernel spans 9 rows" in page.error.text()
    click(qtbot, page.example_button)
    assert page.output_grid.values().tolist() == [[4, 3, 4], [2, 4, 3], [2, 3, 4]]


def test_play_slides_the_window_by_itself(explore, qtbot):
    page = explore.show_page("convolution")
    page.timer.setInterval(10)
    click(qtbot, page.play_button)
    assert page.play_button.text() == "Pause"
    qtbot.waitUntil(lambda: page.position == 8, timeout=3000)
    qtbot.waitUntil(lambda: page.play_button.text() == "Play", timeout=3000)


# -- backprop ---------------------------------------------------------------------------------
def test_backward_gives_the_course_gradients(explore, qtbot):
    page = explore.show_page("backprop")
    assert page.expression.text() == "(x + y) * z"
    assert page.status.text().startswith("f = -12")
    assert page.view.labels["x>q1"] == "−2"  # forward values only, so far
    click(qtbot, page.backward_button)
    assert page.view.labels["x>q1"] == "−2 / −4"
    assert page.view.labels["y>q1"] == "5 / −4"
    assert page.view.labels["z>f"] == "−4 / 3"
    assert "∂f/∂x = ∂f/∂q1 · 1 = −4 · 1 = −4" in page.chain.text()
    assert "add distributes" in page.rules.text() and "multiply swaps" in page.rules.text()


def test_step_back_one_gate_at_a_time(explore, qtbot):
    page = explore.show_page("backprop")
    click(qtbot, page.step_button)
    assert page.view.labels["z>f"] == "−4 / 3" and page.view.labels["x>q1"] == "−2"
    assert "1 of 2 gates" in page.status.text()
    click(qtbot, page.step_button)
    assert page.view.labels["x>q1"] == "−2 / −4"
    click(qtbot, page.clear_button)
    assert page.view.labels["z>f"] == "−4"


def test_typing_values_and_expressions(explore, qtbot):
    page = explore.show_page("backprop")
    type_into_spin(qtbot, page.spins["z"], "2")
    click(qtbot, page.backward_button)
    assert page.status.text().startswith("f = 6")
    assert page.view.labels["x>q1"] == "−2 / 2"
    page.expression.clear()
    qtbot.keyClicks(page.expression, "max(a, b) * c")
    qtbot.keyClick(page.expression, Qt.Key.Key_Return)
    assert set(page.spins) == {"a", "b", "c"}
    type_into_spin(qtbot, page.spins["a"], "3")
    click(qtbot, page.backward_button)
    assert page.view.labels["a>q1"] == "3 / 1" and page.view.labels["b>q1"] == "1 / 0"
    assert "max routes" in page.rules.text()
    page.expression.clear()
    qtbot.keyClicks(page.expression, "a +* b")
    qtbot.keyClick(page.expression, Qt.Key.Key_Return)
    assert "not valid arithmetic" in page.error.text()
    assert set(page.spins) == {"a", "b", "c"}  # the last good graph stays


def test_sigmoid_examples_agree(explore, qtbot):
    page = explore.show_page("backprop")
    grads = []
    for index in (1, 2):
        page.examples.setCurrentIndex(index)
        page.load_example(index)
        click(qtbot, page.backward_button)
        grads.append(page.view.labels["x0>q1"])
    assert grads[0] == grads[1] == "−1 / 0.3932"


# -- activations ------------------------------------------------------------------------------
def test_activation_list_and_depth_table(explore, qtbot):
    page = explore.show_page("activations")
    assert page.checked() == ["Sigmoid", "Tanh", "ReLU"]
    rows = {page.table.item(r, 0).text(): page.table.item(r, 2).text()
            for r in range(page.table.rowCount())}
    assert rows["Sigmoid"] == "9.54e-07" and rows["ReLU"] == "1"
    type_into_spin(qtbot, page.depth, "3")
    assert page.table.item(0, 2).text() == "0.0156"  # 0.25³
    item = page.item("GELU")
    rect = page.list.visualItemRect(item)
    qtbot.mouseClick(page.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert page.current() == "GELU"
    assert "x·Φ(x)" in page.detail.formulas.text()


# -- softmax ----------------------------------------------------------------------------------
def test_softmax_numbers_for_the_course_example(explore, qtbot):
    page = explore.show_page("softmax")
    probs = [page.table.item(r, 4).text() for r in range(3)]
    assert probs == ["0.2201", "0.7308", "0.0491"]
    assert "0.3136 nats" in page.loss.text() and "0.4525 bits" in page.loss.text()
    type_into_cell(qtbot, page.logits, 0, 2, "3")
    assert page.table.item(2, 4).text() == "0.6310"  # e³ / (e¹ + e²·² + e³)
    page.target.setFocus()
    qtbot.keyClick(page.target, Qt.Key.Key_Down)  # true class 2
    assert "−ln p[2]" in page.loss.text()
    type_into_spin(qtbot, page.temperature, "10")
    probs = [float(page.table.item(r, 4).text()) for r in range(3)]
    assert max(probs) - min(probs) < 0.2  # a high temperature flattens the distribution


def test_multilabel_mode_uses_a_sigmoid_per_class(explore, qtbot):
    page = explore.show_page("softmax")
    page.mode.setFocus()
    qtbot.keyClick(page.mode, Qt.Key.Key_Down)
    assert page.targets.isVisibleTo(page)
    type_into_cell(qtbot, page.targets, 0, 0, "1")
    header = [page.table.horizontalHeaderItem(c).text() for c in range(page.table.columnCount())]
    assert header == ["class", "z", "σ(z)", "target", "BCE (nats)"]
    assert page.table.item(0, 2).text() == "0.7311"
    assert "need not sum to 1" in page.loss.text()


# -- optimisers -------------------------------------------------------------------------------
def test_optimisers_race_and_hyper_parameters(explore, qtbot):
    page = explore.show_page("optimisers")
    assert page.surface.currentData() == "saddle"
    assert len(page.paths) == 9
    sgd_end = page.paths["sgd"][-1]
    assert abs(sgd_end[1]) < 0.2  # plain SGD is still at the saddle
    assert abs(page.paths["adam"][-1][1]) > 0.9
    before = page.paths["rmsprop"].copy()
    type_into_spin(qtbot, page.table.spins["rmsprop"]["alpha"], "0.5")
    assert not np.allclose(before, page.paths["rmsprop"])
    click(qtbot, page.table.checks["sgd"])
    assert "sgd" not in page.paths
    type_into_spin(qtbot, page.table.spins["sgd_momentum"]["lr"], "5")
    assert "diverged" in page.table.results["sgd_momentum"].text()
    page.surface.setFocus()
    qtbot.keyClick(page.surface, Qt.Key.Key_Down)
    assert page.surface.currentData() == "ravine" and page.steps.value() == 150
    assert page.table.spins["sgd"]["lr"].value() == pytest.approx(0.4)


def test_optimisers_animate_and_show_side_by_side(explore, qtbot):
    page = explore.show_page("optimisers")
    type_into_spin(qtbot, page.steps, "40")
    assert len(page.paths["adam"]) == 41
    page.timer.setInterval(5)
    click(qtbot, page.play_button)
    assert page.frame < page.steps.value()
    qtbot.waitUntil(lambda: page.play_button.text() == "Play", timeout=5000)
    assert page.frame == page.steps.value()
    click(qtbot, page.grid_box)
    assert len(page.plots) == 9
    vb = page.plots[0].plot.vb
    target = vb.mapViewToScene(pg_point(0.5, -0.5))
    qtbot.mouseClick(page.graphics.viewport(), Qt.MouseButton.LeftButton,
                     pos=page.graphics.mapFromScene(target))
    assert page.start_x.value() == pytest.approx(0.5, abs=0.05)
    assert page.start_y.value() == pytest.approx(-0.5, abs=0.05)


def pg_point(x: float, y: float):
    from PySide6.QtCore import QPointF

    return QPointF(x, y)


# -- perceptron -------------------------------------------------------------------------------
def test_perceptron_learns_clouds_and_fails_on_xor(explore, qtbot):
    page = explore.show_page("perceptron")
    click(qtbot, page.end_button)
    assert page.verdict.text().startswith("Converged")
    page.dataset.setFocus()
    for _ in range(3):
        qtbot.keyClick(page.dataset, Qt.Key.Key_Down)
    assert page.dataset.currentData() == "xor"
    click(qtbot, page.step_button)
    assert "w ← w + η·(t − y)·x" in page.update_text.text()
    assert "the verdict comes at the end" in page.verdict.text()
    click(qtbot, page.end_button)
    text = page.verdict.text()
    assert "Not converged" in text and "repeats itself forever" in text
    assert "75%" in text and "not linearly separable" in text
    assert page.bars.opts["height"].min() > 0  # every epoch made mistakes


def test_perceptron_epoch_and_reset(explore, qtbot):
    page = explore.show_page("perceptron")
    click(qtbot, page.epoch_button)
    first_epoch = sum(1 for u in page.run.updates if u.epoch == 1)
    assert page.shown == first_epoch
    click(qtbot, page.reset_button)
    assert page.shown == 0 and "every point starts on the 0 side" in page.update_text.text()


# -- recurrent --------------------------------------------------------------------------------
def test_recurrent_page_unrolls_with_gates(explore, qtbot):
    page = explore.show_page("recurrent")
    u = page.result
    assert u.kind == "LSTM" and u.h.shape == (24, 6) and len(u.gates) == 4
    assert len(page.view.shown_steps) == 12
    page.slider.setFocus()
    qtbot.keyClick(page.slider, Qt.Key.Key_End)
    assert page.where.text() == "24 of 24" and page.view.shown_steps[-1] == 23
    forget = page.result.gates["forget gate f"].mean()
    type_into_spin(qtbot, page.bias, "6")
    assert page.result.gates["forget gate f"].mean() > forget + 0.3
    page.kind.setFocus()
    qtbot.keyClick(page.kind, Qt.Key.Key_Down)
    assert page.result.kind == "GRU" and page.result.c is None
    assert page.bias_label.text() == "update-gate bias shift"
    assert list(page.result.gates) == ["reset gate r", "update gate z", "candidate n"]


def test_every_page_opens_in_both_themes(explore, qtbot):
    from designer.explore.window import PAGES

    for key, *_ in PAGES:
        page = explore.show_page(key)
        page.apply_theme(True)
        page.apply_theme(False)
        assert explore.stack.currentWidget() is page
        assert not page.error.isVisibleTo(page), (key, page.error.text())
    rect = explore.list.visualItemRect(explore.list.item(0))
    qtbot.mouseClick(explore.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert explore.current_key() == "convolution"
    assert QPoint(0, 0) is not None
