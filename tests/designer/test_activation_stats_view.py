"""The Activations view: shares, warnings and the histogram over time of a real run."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt

from backend.training import Trainer
from backend.training.events import Probes
from backend.training.teaching_events import ActivationStats
from designer.explore.activation_stats_view import ActivationStatsView, rebin

sys.path.insert(0, str(Path(__file__).parents[1] / "backend"))
from test_teaching_probes import mlp  # noqa: E402


@pytest.fixture(scope="module")
def dying_relus():
    """A run whose learning rate is far too high: most ReLUs die."""
    doc = mlp("ReLU", optimizer="sgd", lr=10.0, epochs=3)
    events = list(Trainer(doc, probes=Probes(teaching=True, feature_every_s=0.0)).events())
    spe = events[0].steps_per_epoch
    return [(e, e.step / spe) for e in events if isinstance(e, ActivationStats)]


def test_rebinning_keeps_the_count():
    counts, edges = np.array([4, 0, 6]), np.array([0.0, 1.0, 2.0, 3.0])
    out = rebin(counts, edges, np.linspace(-1, 4, 11))
    assert out.sum() == pytest.approx(10) and out[:2].sum() == 0


def test_dead_relus_are_shown_with_the_fix(qtbot, dying_relus):
    view = ActivationStatsView()
    qtbot.addWidget(view)
    view.show()
    for stats, x in dying_relus:
        view.add(stats, x)
    row = [view.layers.item(0, c).text() for c in range(4)]
    assert row[0] == "ReLU 'act'" and row[1] == "—" and row[2].endswith("%")
    assert int(row[2][:-1]) >= 50
    assert view.warnings.isVisibleTo(view) and "lower the learning rate" in view.warnings.text()
    assert view.image.image.shape[1] == len(dying_relus)  # one column per probe
    header, rows = view.table()
    assert header[:4] == ["epoch", "node", "saturated", "dead"] and len(rows) == len(
        dying_relus)
    rect = view.layers.visualItemRect(view.layers.item(0, 0))
    qtbot.mouseClick(view.layers.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert view.selected == "act_1"
    view.clear()
    assert view.layers.rowCount() == 0 and not view.warnings.isVisibleTo(view)
