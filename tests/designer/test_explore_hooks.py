"""Explore is reachable where each concept lives: Help ▸ Explore, a layer's context menu,
and the inspector's activation plot."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from backend.templates import make_template
from backend.templates.builder import DesignBuilder


def node_menu_texts(window, node_id: str):
    from designer.canvas.menus import context_menu

    view = window.canvas
    menu = context_menu(view, view.canvas.nodes[node_id].sceneBoundingRect().center())
    actions = {a.text(): a for a in menu.actions() if a.text()}
    return menu, actions


def test_help_menu_lists_every_page(window):
    from designer.explore.window import PAGES

    menu = window.menus["explore"]
    texts = [a.text() for a in menu.actions()]
    assert texts == [f"{title}…" for _, title, *_ in PAGES]
    assert window.menus["help"].actions()[0].menu() is menu
    menu.actions()[1].trigger()
    explore = window.explore.explore_window
    assert explore.isVisible() and explore.current_key() == "backprop"


def test_conv_layer_opens_the_explorer_with_its_settings(window, qtbot):
    window.editor.replace_document(make_template("lenet5"), "")
    menu, actions = node_menu_texts(window, "c1_1")
    assert "Explore Convolution…" in actions
    actions["Explore Convolution…"].trigger()
    page = window.explore.explore_window.pages["convolution"]
    assert page.kernel_grid.values().shape == (5, 5)
    assert page.input_grid.values().shape == (16, 16)  # a corner of the 32×32 input
    assert "Conv2d 'c1'" in page.source_label.text() and "16 × 16 corner" in \
        page.source_label.text()
    assert page.conv.output_shape == (12, 12)
    menu.deleteLater()
    menu, actions = node_menu_texts(window, "s2_1")  # 2×2 average pooling, stride = window
    actions["Explore Convolution…"].trigger()
    assert page.mode.currentData() == "avg" and page.conv.stride == (2, 2)
    menu.deleteLater()


def test_recurrent_layer_opens_its_unrolling(window):
    window.editor.replace_document(make_template("lstm-sine"), "")
    lstm = next(n for n in window.editor.doc.nodes.values() if n.type == "LSTM")
    menu, actions = node_menu_texts(window, lstm.id)
    actions["Explore LSTM Unrolled…"].trigger()
    page = window.explore.explore_window.pages["recurrent"]
    assert page.result.kind == "LSTM" and page.result.h.shape[1] == 32
    assert "has 32 units" in page.source.text()
    menu.deleteLater()


def activation_doc():
    b = DesignBuilder("activations")
    b.add("Input", "x", after=None, shape=[4])
    b.add("Dense", "fc", units=3)
    b.add("LeakyReLU", "leaky", negative_slope=0.2)
    return b.doc


def test_inspector_plots_an_activation_and_follows_its_parameter(window, qtbot):
    from designer.explore.activation_plot import ActivationPlot

    window.editor.replace_document(activation_doc(), "")
    window.editor.set_selection(["leaky_1"])
    plots = window.inspector.findChildren(ActivationPlot)
    assert len(plots) == 1
    x, y = plots[0].f_curve.getData()
    assert y[0] == pytest.approx(0.2 * x[0])
    spin = window.inspector.fields["negative_slope"].widget
    spin.setFocus()
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), "0.5")
    qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_Return)
    x, y = plots[0].f_curve.getData()
    assert y[0] == pytest.approx(0.5 * x[0])
    window.editor.set_selection(["fc_1"])
    assert not [p for p in window.inspector.findChildren(ActivationPlot) if p.isVisibleTo(
        window.inspector)]


def test_every_activation_layer_gets_its_plot(window, qtbot):
    from backend.layers import all_specs
    from designer.explore.activation_plot import ActivationPlot

    b = DesignBuilder("every activation")
    b.add("Input", "x", after=None, shape=[4])
    kinds = sorted(s.type for s in all_specs() if s.category == "activation")
    for kind in kinds:
        b.add(kind, kind.lower(), **({"init_slope": 0.1} if kind == "PReLU" else {}))
    window.editor.replace_document(b.doc, "")
    for kind in kinds:
        window.editor.set_selection([f"{kind.lower()}_1"])
        shown = [p for p in window.inspector.findChildren(ActivationPlot)
                 if p.isVisibleTo(window.inspector)]
        assert len(shown) == 1, kind
        if kind == "PReLU":  # drawn with the slope it starts at
            x, y = shown[0].f_curve.getData()
            assert y[0] == pytest.approx(0.1 * x[0])


def test_inspector_button_and_menu_open_the_activation_page(window, qtbot):
    from designer.explore.hooks import ActivationSection

    window.editor.replace_document(activation_doc(), "")
    window.editor.set_selection(["leaky_1"])
    section = window.inspector.findChildren(ActivationSection)[0]
    qtbot.mouseClick(section.open_button, Qt.MouseButton.LeftButton)
    page = window.explore.explore_window.pages["activations"]
    assert page.current() == "LeakyReLU" and page.slope.value() == pytest.approx(0.2)
    menu, actions = node_menu_texts(window, "fc_1")
    assert "Explore Softmax and Cross-Entropy…" in actions
    menu.deleteLater()


def test_explore_window_goes_with_the_main_window(window, qtbot):
    window.explore.open("optimisers")
    explore = window.explore.explore_window
    with qtbot.waitSignal(explore.destroyed, timeout=2000):
        window.close()
    assert np.isfinite(1.0)
