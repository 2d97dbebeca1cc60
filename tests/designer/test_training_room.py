"""Room to see: Train on the toolbar and F5 bring the Training dock forward with room for its
plots at 1440x900, and the height the user gives the dock is what the next run gets."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTabBar

from designer import settings
from designer.files import DISCARD
from designer.main_window import MainWindow
from designer.training import PLOT_MIN_PX, DockHeight

EXAMPLE = Path(__file__).resolve().parents[2] / "resources" / "examples" / "mlp-digits.json"


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("NETWRIGHT_SETTINGS", str(tmp_path / "settings.ini"))
    monkeypatch.setenv("NETWRIGHT_RECOVERY_DIR", str(tmp_path / "recovery"))
    monkeypatch.setenv("NETWRIGHT_TRAIN_IN_THREAD", "1")
    win = MainWindow()
    qtbot.addWidget(win)
    win.files.ask_save_changes = lambda: DISCARD
    win.resize(1440, 900)
    win.show()
    win.install_extensions()
    assert win.files.open_path(str(EXAMPLE))
    yield win
    win.training.stop()
    win.training.shutdown()


def press_f5_and_stop(qtbot, win) -> None:
    dock = win.training
    win.canvas.setFocus()
    with qtbot.waitSignal(dock.run_requested, timeout=10_000):
        qtbot.keyClick(win.canvas, Qt.Key_F5)
    with qtbot.waitSignal(dock.run_finished, timeout=120_000):
        dock.stop()


def test_train_is_on_the_toolbar_and_f5_makes_room_for_300_px_plots(qtbot, window):
    dock = window.training
    button = window.toolbar.widgetForAction(dock.train_action)
    assert button is not None and button.isVisible() and "Train" in button.text()
    assert window.toolbar.widgetForAction(dock.stop_action) is not None
    window.problems_dock.raise_()  # the Training dock starts behind the Problems list
    press_f5_and_stop(qtbot, window)
    assert window.training_dock.isVisible()  # brought forward
    qtbot.waitUntil(lambda: min(p.height() for p in dock.views.curves.plots.values())
                    >= PLOT_MIN_PX)
    assert window.canvas.height() >= 150  # the design stays in sight above it


def test_the_height_the_user_gives_the_dock_is_kept_for_the_next_run(qtbot, window):
    dock_widget = window.training_dock
    press_f5_and_stop(qtbot, window)
    taller = dock_widget.height() + 60
    window.resizeDocks([dock_widget], [taller], Qt.Orientation.Vertical)  # a drag of its edge
    qtbot.waitUntil(lambda: dock_widget.height() > taller - 60)
    chosen = dock_widget.height()
    qtbot.waitUntil(lambda: settings.settings().value(DockHeight.KEY) is not None
                    and int(settings.settings().value(DockHeight.KEY)) == chosen)
    window.problems_dock.raise_()
    press_f5_and_stop(qtbot, window)
    assert dock_widget.height() == chosen
    assert window.training_height.wanted() == chosen  # what the next session starts with


def test_every_side_tab_is_readable_at_1440x900_without_scrolling(qtbot, window):
    dock = window.training
    dock.ensure_built()
    window.training_dock.raise_()
    bar = dock.side.tabBar()
    wanted = {"Data", "Settings", "Runs", "Seeds", "Sweep"}
    qtbot.waitUntil(lambda: bar.isVisible() and wanted <= {bar.tabText(i)
                                                           for i in range(bar.count())})

    def all_in_sight() -> bool:
        return all(bar.rect().contains(bar.tabRect(i)) for i in range(bar.count()))

    qtbot.waitUntil(all_in_sight)
    dock.split.setSizes([60, 1380])  # the user drags the panel's edge far to the left
    qtbot.waitUntil(lambda: dock.side.width() >= bar.sizeHint().width())
    assert all_in_sight()


def test_the_design_keeps_half_the_window_until_train_asks_for_room(qtbot, window):
    """The tallest side panel (Sweep) scrolls instead of making the whole dock tall; the
    Training tab, brought forward, gets room for its plots as Train does."""
    window.training.ensure_built()
    qtbot.waitUntil(lambda: window.training.is_built())
    qtbot.wait(50)  # the docks settle
    assert window.canvas.height() >= window.height() // 2
    bar = next(b for b in window.findChildren(QTabBar)
               if "Training" in [b.tabText(i) for i in range(b.count())])
    index = [bar.tabText(i) for i in range(bar.count())].index("Training")
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    plots = window.training.views.curves.plots.values()
    qtbot.waitUntil(lambda: min(p.height() for p in plots) >= PLOT_MIN_PX)  # room to see
    assert window.canvas.height() >= 150


@pytest.fixture
def themed(qapp):
    """The app's own style and font (the theme sets 10 pt), before the window is built:
    switching the theme of a built window takes many seconds."""
    from designer import theme

    theme.apply(qapp, False)


def test_every_loss_name_reads_in_full_in_its_box_at_1440x900(qtbot, themed, window):
    """The loss box shows the whole name of every loss (a long one was cut to "cross-entropy
    (class in"), in the app's own style and font; what a short name stands for is the item's
    tooltip."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QStyle, QStyleOptionComboBox

    dock = window.training
    dock.ensure_built()
    window.training_dock.raise_()
    bar = dock.side.tabBar()
    qtbot.waitUntil(lambda: bar.isVisible())
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton,
                     pos=bar.tabRect(next(i for i in range(bar.count())
                                          if bar.tabText(i) == "Settings")).center())
    box = dock.settings_form.fields["loss"]
    qtbot.waitUntil(box.isVisible)
    assert box.font().pointSizeF() >= 10.0
    option = QStyleOptionComboBox()
    box.initStyleOption(option)
    text_area = box.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                           QStyle.SubControl.SC_ComboBoxEditField, box)
    cut = [box.itemText(i) for i in range(box.count())
           if box.fontMetrics().horizontalAdvance(box.itemText(i)) > text_area.width()]
    assert not cut, f"{cut} in {text_area.width()} px"
    assert all(box.itemData(i, Qt.ItemDataRole.ToolTipRole) for i in range(box.count()))
