"""The training views' tab list: every view that applies to the run is one click away, even
when its tab has scrolled out of sight."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer

from designer.training.views import LiveViews


def test_the_tab_list_shows_the_runs_views_and_brings_the_chosen_one_forward(qtbot):
    views = LiveViews()
    qtbot.addWidget(views)
    views.resize(520, 400)
    views.show()
    qtbot.waitExposed(views)
    button = views.tabs.cornerWidget(Qt.Corner.TopRightCorner)
    shown = [views.tabs.tabText(i) for i in range(views.tabs.count())
             if views.tabs.isTabVisible(i)]
    target = shown[-1]
    listed: list[str] = []

    def choose() -> None:
        menu = button.menu()
        listed.extend(a.text() for a in menu.actions())
        next(a for a in menu.actions() if a.text() == target).trigger()
        menu.close()

    QTimer.singleShot(300, choose)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(listed))
    assert listed == shown  # the views of the run, none of the hidden ones
    assert views.tabs.tabText(views.tabs.currentIndex()) == target
