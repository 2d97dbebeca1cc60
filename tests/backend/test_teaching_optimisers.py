"""Optimiser trajectories on the teaching surfaces agree with torch.optim; the perceptron rule
learns separable sets and cycles on XOR."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from backend.teaching import perceptron
from backend.teaching.optimisers import OPTIMISERS, trajectory
from backend.teaching.surfaces import SURFACES
from backend.training.components import make_optimizer
from backend.training.config import TrainingConfig

HYPER_TO_CONFIG = {"lr": "lr", "momentum": "momentum", "weight_decay": "weight_decay",
                   "alpha": "rmsprop_alpha", "rho": "adadelta_rho"}


def torch_path(surface, key: str, hyper: dict, steps: int) -> np.ndarray:
    """The same run with the optimiser the trainer builds from the same settings."""
    section = {"optimizer": key, **{HYPER_TO_CONFIG[k]: v for k, v in hyper.items()
                                    if k in HYPER_TO_CONFIG}}
    if "beta1" in hyper:
        section["betas"] = [hyper["beta1"], hyper["beta2"]]
    theta = torch.tensor(surface.start, dtype=torch.float64, requires_grad=True)
    opt = make_optimizer(TrainingConfig.from_section(section), [theta])
    points = [theta.detach().clone()]
    for _ in range(steps):
        opt.zero_grad()
        surface.f(theta[0], theta[1]).backward()
        opt.step()
        points.append(theta.detach().clone())
    return torch.stack(points).numpy()


@pytest.mark.parametrize("surface", sorted(SURFACES))
@pytest.mark.parametrize("key", sorted(OPTIMISERS))
def test_trajectory_matches_torch(surface, key):
    s = SURFACES[surface]
    hyper = s.hyper(key, OPTIMISERS[key].defaults())
    ours = trajectory(s, key, hyper, steps=60)
    assert not ours.stopped
    ref = torch_path(s, key, hyper, 60)
    np.testing.assert_allclose(ours.points, ref, rtol=1e-7, atol=1e-9)


def test_saddle_point_traps_sgd_but_not_momentum_or_adam():
    s = SURFACES["saddle"]
    ends = {k: trajectory(s, k, s.hyper(k, OPTIMISERS[k].defaults()), steps=s.steps)
            for k in ("sgd", "sgd_momentum", "adam")}
    assert abs(ends["sgd"].points[-1, 1]) < 0.2  # still near the saddle's ridge
    for k in ("sgd_momentum", "adam"):
        assert min(ends[k].final_distance(m) for m in s.minima) < 0.05


def test_too_large_a_step_is_reported_not_drawn():
    s = SURFACES["rosenbrock"]
    t = trajectory(s, "sgd", {"lr": 0.05}, steps=100)
    assert "diverged" in t.stopped and "lower the learning rate" in t.stopped
    assert np.isfinite(t.points).all()


def test_out_of_range_hyper_parameter_is_refused():
    with pytest.raises(ValueError, match="RMSprop's decay α must be between 0 and 0.9999"):
        trajectory(SURFACES["bowl"], "rmsprop", {"alpha": 1.5})


# -- perceptron -------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["clouds", "and", "or"])
def test_perceptron_learns_separable_sets(kind):
    x, y = perceptron.dataset(kind)
    run = perceptron.train(x, y, epochs=100)
    assert run.converged and run.errors[-1] == 0
    assert (perceptron.predict(x, run.w, run.b) == y).all()
    assert perceptron.best_linear_accuracy(x, y) == 1.0


@pytest.mark.parametrize("kind", ["xor", "xor_clouds"])
def test_perceptron_never_learns_xor(kind):
    x, y = perceptron.dataset(kind)
    run = perceptron.train(x, y, epochs=200)
    assert not run.converged and min(run.errors) > 0
    assert perceptron.best_linear_accuracy(x, y) == 0.75
    if kind == "xor":
        assert run.cycle is not None  # the same weights come back: it would cycle forever


def test_perceptron_rule_moves_the_line_towards_the_mistake():
    x, y = np.array([[1.0, 2.0]]), np.array([1])
    run = perceptron.train(x, y, lr=0.5, epochs=3)
    first = run.updates[0]
    assert first.w.tolist() == [0.5, 1.0] and first.b == 0.5
    assert run.converged_epoch == 2


# -- the decay settings in training -----------------------------------------------------------
@pytest.mark.parametrize("key, setting, torch_name, value", [
    ("rmsprop", "rmsprop_alpha", "alpha", 0.9), ("adadelta", "adadelta_rho", "rho", 0.8)])
def test_decay_is_a_training_setting_the_app_and_train_py_share(key, setting, torch_name,
                                                                 value):
    from backend.codegen import train_runtime

    cfg = TrainingConfig.from_section({"optimizer": key, setting: value})
    w = torch.nn.Parameter(torch.zeros(2))
    app = make_optimizer(cfg, [w])
    exported = train_runtime.make_optimizer(cfg.to_section(), [w])
    assert app.defaults[torch_name] == exported.defaults[torch_name] == value
    default = make_optimizer(TrainingConfig.from_section({"optimizer": key}), [w])
    assert default.defaults[torch_name] == {"alpha": 0.99, "rho": 0.9}[torch_name]


def test_decay_out_of_range_is_one_sentence():
    from backend.training.config import ConfigError

    with pytest.raises(ConfigError, match="'rmsprop_alpha' must be a number of at least 0 and "
                                          "at most 0.9999, not 1.5"):
        TrainingConfig.from_section({"rmsprop_alpha": 1.5})
