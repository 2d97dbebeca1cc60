"""Cyclic garbage holding Qt objects is freed on the GUI thread, whatever thread allocates:
a training thread that crossed the collector's threshold once destroyed an old window's
objects while the GUI thread deleted a menu, and the two waited on each other forever."""

from __future__ import annotations

import gc
import threading
import weakref

from PySide6.QtCore import QObject

from designer import collector


def test_a_qt_object_in_a_cycle_is_freed_on_the_gui_thread_not_the_busy_one(qtbot, qapp):
    collector.install(qapp)
    assert not gc.isenabled()
    freed_on: list[int] = []
    obj = QObject()
    obj.cycle = obj  # only the cyclic collector can free it
    watch = weakref.ref(obj, lambda _: freed_on.append(threading.get_ident()))
    del obj

    def allocate() -> None:  # a thread making garbage, like a training run does
        for _ in range(50_000):
            a: list = []
            a.append(a)

    worker = threading.Thread(target=allocate)
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: bool(freed_on), timeout=5000)
    assert freed_on == [threading.get_ident()] and watch() is None


def test_installing_twice_keeps_one_collector(qapp):
    assert collector.install(qapp) is collector.install(qapp)
