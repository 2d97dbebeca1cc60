"""Generative models in the designer: a VAE run fills its reconstructions, traversal, latent
and loss-term views; a GAN shows its samples and warnings; the recipe's settings are a form
of their own; the canvas frames a GAN's two networks and an autoencoder's parts."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from backend.templates import make_template
from backend.training.events import (
    Advice,
    EpochEnd,
    LatentCodes,
    Reconstructions,
    RunStarted,
    SampleGrid,
    StepMetrics,
)
from designer.canvas.view import CanvasView
from designer.editor import DocumentEditor
from designer.training.dock import TrainingDock
from designer.training.generative_views import (
    GENERATIVE_VIEWS,
    GeneratedView,
    LatentView,
    LossTermsView,
    ReconstructionsView,
    TraversalView,
)
from designer.training.live_view import LiveView
from designer.training.recipe_settings import RecipeSettings
from designer.training.views import VIEWS, LiveViews

RUN_TIMEOUT = 180_000


def started(recipe: str, terms: list[str], task: str) -> RunStarted:
    return RunStarted(2, 10, 300, 100, 100, "cpu", 1000, task, "bce", recipe=recipe,
                      terms=terms)


def visible_tabs(views: LiveViews) -> set[str]:
    return {views.tabs.tabText(i) for i in range(views.tabs.count())
            if views.tabs.isTabVisible(i)}


def test_each_recipe_shows_its_own_views(qtbot):
    assert all(issubclass(v, LiveView) and v in VIEWS for v in GENERATIVE_VIEWS)
    views = LiveViews()
    qtbot.addWidget(views)
    views.begin(started("vae", ["reconstruction", "kl"], "vae"), {})
    assert {"Reconstructions", "Traversal", "Latent space", "Loss terms"} <= visible_tabs(views)
    assert "Samples" not in visible_tabs(views) and "Confusion" not in visible_tabs(views)
    assert views.tabs.currentWidget() is views.view(ReconstructionsView).widget
    views.begin(started("gan", ["d_loss", "g_loss", "d_real", "d_fake"], "gan"), {})
    assert {"Samples", "Loss terms"} <= visible_tabs(views)
    assert "Reconstructions" not in visible_tabs(views)
    assert views.tabs.currentWidget() is views.view(GeneratedView).widget
    views.begin(started("supervised", [], "classification"), {})
    assert not {"Samples", "Reconstructions", "Loss terms"} & visible_tabs(views)


def test_views_draw_what_the_run_sends_and_say_its_warnings(qtbot):
    views = LiveViews()
    qtbot.addWidget(views)
    views.resize(1200, 500)
    views.show()
    views.begin(started("vae", ["reconstruction", "kl"], "vae"), {"mu_1": "mu"})
    x = np.random.default_rng(0).random((8, 1, 8, 8)).astype(np.float32)
    views.handle([
        StepMetrics(1, 5, 20, [30.0] * 5, 30.0, None, 1e-3, 100.0, 1.0,
                    {"reconstruction": 28.0, "kl": 2.0}),
        Reconstructions(5, 1, x, x + 0.1, x * 0.5),
        LatentCodes(5, 1, "mu_1", np.zeros((20, 2), np.float32), np.arange(20) % 10, 2,
                    (), tuple(str(i) for i in range(10))),
        SampleGrid(5, 1, "traversal", np.zeros((8, 8, 1, 8, 8), np.float32), "dims 0 and 1"),
        EpochEnd(1, 2, 10, 30.0, None, 29.0, None, {}, 1e-3, 1.0, 100.0, True,
                 {"reconstruction": 28.0, "kl": 2.0}, {"reconstruction": 27.0, "kl": 2.0}),
        Advice(10, 1, "posterior-collapse", "posterior collapse: latent dimension 1 of 2 "
                                            "carries almost no information", True),
    ])
    views.draw_now()
    recon = views.view(ReconstructionsView).widget
    assert recon.updates == 1 and recon.panes["noisy"].isVisible()
    assert "noisy inputs" in recon.status_label.text()
    latent = views.view(LatentView).widget
    assert len(latent.items) == 10 and "posterior collapse" in latent.status_label.text()
    assert views.view(TraversalView).widget.updates == 1
    terms = views.view(LossTermsView).widget
    header, rows = terms.table()
    labels = {r[0] for r in rows}
    assert labels == {"reconstruction", "KL divergence"}
    assert {r[1] for r in rows} == {"step", "train", "val"}
    assert "posterior collapse" in terms.status_label.text()


def test_recipe_settings_are_a_form_of_their_own(qtbot):
    doc = make_template("gan")
    editor = DocumentEditor(doc)
    form = RecipeSettings(editor)
    qtbot.addWidget(form)
    form.show()
    assert form.groups["gan"].isVisible() and not form.groups["vae"].isVisible()
    box = form.fields["d_lr"]
    box.setFocus()
    box.lineEdit().selectAll()
    qtbot.keyClicks(box.lineEdit(), "0.0003")
    qtbot.keyClick(box.lineEdit(), Qt.Key.Key_Return)
    assert doc.sections["training"]["d_lr"] == pytest.approx(3e-4)
    box.lineEdit().selectAll()
    qtbot.keyClicks(box.lineEdit(), "-1")
    qtbot.keyClick(box.lineEdit(), Qt.Key.Key_Return)
    assert doc.sections["training"]["d_lr"] == pytest.approx(3e-4)  # refused, not stored
    assert "above 0" in form.notes["d_lr"].text()
    combo = form.fields["d_optimizer"]
    combo.setCurrentIndex(combo.findData("rmsprop"))
    assert doc.sections["training"]["d_optimizer"] == "rmsprop"
    editor.undo_stack.undo()
    assert doc.sections["training"].get("d_optimizer", "adam") == "adam"
    assert combo.currentData() == "adam"  # the form follows the document
    editor.replace_document(make_template("vae"))
    assert form.groups["vae"].isVisible() and not form.groups["gan"].isVisible()


def test_node_settings_list_the_layers(qtbot):
    doc = make_template("sparse-autoencoder")
    editor = DocumentEditor(doc)
    form = RecipeSettings(editor)
    qtbot.addWidget(form)
    combo = form.fields["sparsity_node"]
    assert combo.currentData() == "code_relu_1"
    assert combo.itemText(0) == "(automatic)"
    combo.setCurrentIndex(combo.findData("code_1"))
    assert doc.sections["training"]["sparsity_node"] == "code_1"


def test_the_canvas_frames_the_generator_and_the_discriminator(qtbot):
    doc = make_template("gan")
    editor = DocumentEditor(doc)
    canvas = CanvasView(editor)
    qtbot.addWidget(canvas)
    frames = canvas.scene().frames.items
    assert set(frames) == {"generator", "discriminator"}
    gen = frames["generator"]
    for nid in gen.node_ids:
        assert gen.boundingRect().contains(canvas.scene().nodes[nid].sceneBoundingRect())
    assert not gen.boundingRect().intersects(frames["discriminator"].boundingRect())
    canvas.scene().frames.swap_roles()
    assert doc.sections["networks"] == {"generator": "image_1", "discriminator": "noise_1"}
    editor.undo_stack.undo()
    assert doc.sections["networks"] == {"generator": "noise_1", "discriminator": "image_1"}
    vae = CanvasView(DocumentEditor(make_template("vae")))
    qtbot.addWidget(vae)
    assert set(vae.scene().frames.items) == {"encoder", "decoder"}
    mlp = CanvasView(DocumentEditor(make_template("mlp")))
    qtbot.addWidget(mlp)
    assert mlp.scene().frames.items == {}


def test_frames_asked_for_while_the_window_opens_come_once_it_has(qtbot):
    from designer.canvas import network_frames

    with network_frames.held():
        canvas = CanvasView(DocumentEditor(make_template("gan")))
        qtbot.addWidget(canvas)
        assert canvas.scene().frames.items == {}  # the recipes are not imported yet
    assert set(canvas.scene().frames.items) == {"generator", "discriminator"}


def test_a_vae_trains_in_the_dock_and_fills_its_views(qtbot):
    doc = make_template("vae")
    doc.sections["training"].update(epochs=1, val_fraction=0.4, test_fraction=0.4,
                                    cpu_threads=1, device="cpu")
    editor = DocumentEditor(doc)
    canvas = CanvasView(editor)
    dock = TrainingDock(editor, canvas)
    qtbot.addWidget(canvas)
    qtbot.addWidget(dock)
    try:
        with qtbot.waitSignal(dock.run_finished, timeout=RUN_TIMEOUT) as blocker:
            assert dock.start()
        assert blocker.args[0].reason == "completed", blocker.args[0].message
        QApplication.processEvents()
        dock.views.draw_now()  # the dock is not shown: draw what the run sent
        assert dock.views.view(ReconstructionsView).widget.updates >= 1
        assert dock.views.view(TraversalView).widget.updates >= 1
        assert dock.views.view(LatentView).widget.points is not None
        _, rows = dock.views.view(LossTermsView).widget.table()
        assert any(r[0] == "KL divergence" and r[1] == "val" and r[3] > 0 for r in rows)
    finally:
        dock.shutdown()



def test_the_gan_settings_build_under_the_app_theme(qtbot):
    """With the app's style sheet a number box asks its check while it is laid out."""
    from designer import theme

    app = QApplication.instance()
    before = app.styleSheet()
    theme.apply(app, dark=True)
    try:
        form = RecipeSettings(DocumentEditor(make_template("gan")))
        qtbot.addWidget(form)
        form.show()
        first, second = form.fields["d_betas"]
        assert first.isVisible() and second.isVisible()
    finally:
        app.setStyleSheet(before)
