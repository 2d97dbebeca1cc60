"""The training loop: every task learns, every optimiser/loss/schedule steps, failures are
messages, stop/pause work within a step, and runs repeat for a seed."""

import math
import queue
import threading

import numpy as np
import pytest

from backend.data import Dataset, DatasetInfo
from backend.templates import make_template
from backend.templates.builder import DesignBuilder
from backend.training import (
    OPTIMIZERS,
    SCHEDULES,
    ConfigError,
    EpochEnd,
    Paused,
    Resumed,
    RunFinished,
    RunStarted,
    StepMetrics,
    Trainer,
    TrainingConfig,
)
from backend.training.recipes.supervised import SUPERVISED


def chain(shape, *layers, name="net"):
    b = DesignBuilder(name)
    b.add("Input", "x", after=None, shape=shape)
    for kind, params in layers:
        b.add(kind, kind.lower(), **params)
    return b.doc


def moons_net(units=2, **training):
    doc = chain([2], ("Dense", {"units": 16}), ("Tanh", {}), ("Dense", {"units": units}))
    doc.sections["dataset"] = {"name": "moons", "samples": 240, "noise": 0.1}
    doc.sections["training"] = {"epochs": 2, "batch_size": 32, "lr": 0.01, **training}
    return doc


def losses(result: RunFinished) -> list[float]:
    return [h["train_loss"] for h in result.history]


TASKS = {
    "classification": lambda: moons_net(epochs=8),
    "regression": lambda: _with(chain([10], ("Dense", {"units": 16}), ("ReLU", {}),
                                      ("Dense", {"units": 1})),
                                {"name": "diabetes"}, {"epochs": 8, "lr": 0.01}),
    "autoencoding": lambda: _with(chain([1, 8, 8], ("Flatten", {}), ("Dense", {"units": 16}),
                                        ("ReLU", {}), ("Dense", {"units": 64}),
                                        ("Reshape", {"shape": [1, 8, 8]})),
                                  {"name": "digits"},
                                  {"epochs": 4, "task": "autoencoding", "lr": 0.003}),
    "sequence": lambda: _with(chain([12, 1], ("GRU", {"units": 8}), ("Dense", {"units": 1})),
                              {"name": "sine", "samples": 300, "window": 12},
                              {"epochs": 6, "lr": 0.01}),
}


def _with(doc, dataset, training):
    doc.sections["dataset"], doc.sections["training"] = dataset, {"batch_size": 32, **training}
    return doc


@pytest.mark.parametrize("task", list(TASKS))
def test_the_loss_falls_for_every_task(task):
    result = Trainer(TASKS[task]()).run()
    assert result.reason == "completed", result.message
    first, last = losses(result)[0], losses(result)[-1]
    assert last < 0.7 * first


def test_events_arrive_in_order_and_the_best_weights_are_kept():
    saved = []
    trainer = Trainer(moons_net(epochs=3), on_best=lambda state, epoch: saved.append(epoch))
    events = list(trainer.events())
    assert isinstance(events[0], RunStarted) and isinstance(events[-1], RunFinished)
    assert [e.epoch for e in events if isinstance(e, EpochEnd)] == [1, 2, 3]
    steps = [e for e in events if isinstance(e, StepMetrics)]
    assert sum(len(s.losses) for s in steps) == events[-1].steps == 3 * events[0].steps_per_epoch
    finished = events[-1]
    assert saved and saved[-1] == finished.best_epoch
    best = trainer.best_state
    assert all((best[k] == v).all() for k, v in trainer.model.state_dict().items())
    assert finished.test_accuracy is not None


def test_a_seed_repeats_a_run_exactly_and_another_seed_does_not():
    a = losses(Trainer(moons_net(seed=1)).run())
    b = losses(Trainer(moons_net(seed=1)).run())
    c = losses(Trainer(moons_net(seed=2)).run())
    assert a == b and a != c


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_every_optimiser_trains_a_step(optimizer):
    result = Trainer(moons_net(optimizer=optimizer, epochs=1)).run()
    assert result.reason == "completed", result.message
    assert all(math.isfinite(v) for v in losses(result))


@pytest.mark.parametrize("loss", SUPERVISED.losses)
def test_every_classification_loss_trains_a_step(loss):
    units = 1 if loss == "bce_with_logits" else 2
    result = Trainer(moons_net(units=units, loss=loss, epochs=1)).run()
    assert result.reason == "completed", result.message
    assert result.history[0]["val_accuracy"] is not None


def test_a_loss_the_task_cannot_use_is_one_sentence_before_training():
    result = Trainer(moons_net(loss="bce", epochs=1)).run()
    assert result.reason == "error" and result.steps == 0
    assert "cannot train with the loss 'bce'" in result.message
    assert "bce_with_logits" in result.message  # the fix lists the losses that work


def test_one_hot_labels_feed_cross_entropy():
    doc = moons_net(epochs=1)
    doc.sections["dataset"]["labels"] = "onehot"
    assert Trainer(doc).run().reason == "completed"


@pytest.mark.parametrize("schedule", SCHEDULES)
def test_every_schedule_steps_and_changes_the_rate_as_promised(schedule):
    result = Trainer(moons_net(schedule=schedule, epochs=3, step_size=1, gamma=0.5,
                               warmup_epochs=2)).run()
    assert result.reason == "completed", result.message
    rates = [h["lr"] for h in result.history]
    if schedule == "none":
        assert rates == [0.01] * 3
    elif schedule == "step":
        assert rates == pytest.approx([0.005, 0.0025, 0.00125])
    elif schedule in ("cosine", "onecycle"):
        assert rates[-1] < rates[0]
    elif schedule == "warmup":
        assert rates[0] < rates[1] == pytest.approx(0.01)


def test_clipping_weight_decay_and_topk_metrics_run():
    doc = moons_net(clip_norm=0.5, clip_value=0.1, weight_decay=0.01, metrics=["accuracy",
                                                                             "top_k"], top_k=1)
    result = Trainer(doc).run()
    assert result.reason == "completed"
    assert "top_1" in result.history[-1]["val_metrics"]


def test_early_stopping_ends_a_run_that_stops_improving():
    result = Trainer(moons_net(epochs=10, lr=1e-12, early_stopping=2)).run()
    assert result.reason == "early-stopped"
    assert result.epochs_done == 3 and "2 epochs" in result.message


def test_stop_takes_effect_before_the_next_step():
    trainer = Trainer(moons_net(epochs=50), metrics_interval=0)
    seen = []

    def on_event(event):
        if isinstance(event, StepMetrics):
            seen.append(event.step)
            if event.step == 3:
                trainer.control.stop()

    result = trainer.run(on_event)
    assert result.reason == "stopped" and result.steps == 3 and seen[-1] == 3


def test_pause_holds_the_run_until_resume():
    trainer = Trainer(moons_net(epochs=3), metrics_interval=0)
    events: queue.Queue = queue.Queue()

    def on_event(event):
        events.put(event)
        if isinstance(event, StepMetrics) and event.step == 2:
            trainer.control.pause()

    worker = threading.Thread(target=trainer.run, args=(on_event,))
    worker.start()
    while not isinstance(event := events.get(timeout=60), Paused):
        pass
    assert event.step == 2 and trainer.step == 2 and trainer.control.paused
    assert worker.is_alive()
    trainer.control.resume()
    worker.join(60)
    rest = []
    while not events.empty():
        rest.append(events.get())
    assert isinstance(rest[0], Resumed) and rest[1].step == 3
    assert rest[-1].reason == "completed"


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_a_diverging_run_stops_naming_the_step_and_the_fix(optimizer):
    doc = chain([2], ("Dense", {"units": 16}), ("ReLU", {}), ("Dense", {"units": 2}))
    doc.sections["dataset"] = {"name": "moons", "samples": 240}
    doc.sections["training"] = {"optimizer": optimizer, "lr": 1e6, "epochs": 5}
    result = Trainer(doc, metrics_interval=0).run()  # read back every step
    assert result.reason == "error"
    assert "the loss " in result.message and "at step" in result.message
    assert "lower the learning rate (now 1e+06)" in result.message
    assert "clip" in result.message
    step = int(result.message.split("at step ")[1].split(":")[0])
    assert step == result.steps  # the run stopped at the step that diverged


def test_the_tensor_path_and_the_dataloader_path_draw_the_same_batches():
    a = Trainer(moons_net(epochs=1), data_path="tensors", metrics_interval=0)
    b = Trainer(moons_net(epochs=1), data_path="dataloader", metrics_interval=0)
    ra, rb = a.run(), b.run()
    assert a.setup.train.name == "tensors" and b.setup.train.name == "dataloader"
    assert ra.history[0]["train_loss"] == pytest.approx(rb.history[0]["train_loss"], rel=1e-6)


def test_bad_settings_are_one_sentence_naming_the_allowed_values():
    with pytest.raises(ConfigError, match="'batch_size' must be a whole number of at least 1 "
                                          r"and at most 1,048,576, not 0$"):
        TrainingConfig.from_section({"batch_size": 0})
    with pytest.raises(ConfigError) as err:
        TrainingConfig.from_section({"optimizer": "adamm"})
    assert "unknown optimizer 'adamm'" in str(err.value) and "nadam" in str(err.value)
    with pytest.raises(ConfigError, match="unknown training setting 'lrate'"):
        TrainingConfig.from_section({"lrate": 0.1})
    with pytest.raises(ConfigError, match="'lr' must be a number above 0"):
        TrainingConfig.from_section({"lr": -1})
    assert TrainingConfig.from_section({"lr": 1e6}).lr == 1e6


def test_config_round_trips_through_the_design_section():
    config = TrainingConfig.from_section({"optimizer": "Nesterov", "schedule": "cosine"})
    assert config.nesterov and TrainingConfig.from_section(config.to_section()) == config


def test_a_design_that_does_not_fit_its_data_finishes_with_the_fix():
    doc = make_template("lenet5")
    doc.sections["dataset"] = {"name": "digits"}
    result = Trainer(doc).run()
    assert result.reason == "error"
    assert result.message.endswith("set the dataset's resize to 32")


def test_a_failing_layer_is_named_in_the_message():
    trainer = Trainer(moons_net())

    def broken(x):
        raise RuntimeError("mat1 and mat2 shapes cannot be multiplied")

    trainer.model.tanh.forward = broken
    result = trainer.run()
    assert result.reason == "error" and result.node == "tanh_1"
    assert "Tanh 'tanh'" in result.message and "mat1 and mat2" in result.message


def test_out_of_memory_suggests_a_smaller_batch():
    import torch

    trainer = Trainer(moons_net(batch_size=64))

    def hungry(x):
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 20.00 GiB")

    trainer.model.tanh.forward = hungry
    result = trainer.run()
    assert result.reason == "error"
    assert "ran out of" in result.message and "batch size 64" in result.message
    assert "smaller batch" in result.message


def test_a_plain_module_and_an_in_memory_dataset_train_too():
    import torch

    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 3)).astype(np.float32)
    y = (x.sum(axis=1) > 0).astype(np.int64)
    data = Dataset(DatasetInfo("toy", "classification", (3,), 2, ("no", "yes")), x, y)
    model = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
    result = Trainer(model, data, {"epochs": 5, "lr": 0.05}).run()
    assert result.reason == "completed" and result.history[-1]["val_accuracy"] > 0.8


def test_preflight_reports_what_would_stop_a_run_without_training():
    from backend.training import preflight

    assert preflight(make_template("lenet5")) == ([], [])
    doc = make_template("lenet5")
    doc.sections["dataset"] = {"name": "digits"}
    errors, _ = preflight(doc)
    assert errors[0].endswith("set the dataset's resize to 32")
    doc.sections["training"] = {"optimizer": "adamm"}
    assert "unknown optimizer" in preflight(doc)[0][0]
