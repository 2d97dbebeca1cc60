"""The GPU fast path's choices (pure logic, any machine) and the graphed step's dispatch: warm
up eagerly, capture one full-size step, replay it with new inputs, run odd sizes eagerly."""

import pytest
import torch

from backend.experiments.fastpath import GRAPH_MAX_STEP_FLOPS, GraphedStep, decide

SMALL = 100_000  # MACs per sample of an MLP


def test_cpu_runs_are_never_changed():
    path = decide("cpu", "adam", "none", SMALL, 64)
    assert path.plain and not path.reasons
    asked = decide("cpu", "adam", "none", SMALL, 64, compile_requested=True)
    assert asked.plain and "CUDA GPUs only" in asked.reasons[0]


def test_small_static_models_on_cuda_are_graphed():
    assert decide("cuda", "adam", "none", SMALL, 64).graph


@pytest.mark.parametrize("change, words", [
    ({"schedule": "cosine"}, "cosine schedule changes the learning rate"),
    ({"optimizer": "rmsprop"}, "rmsprop optimiser cannot be captured"),
    ({"macs": int(GRAPH_MAX_STEP_FLOPS)}, "kernel launches do not dominate"),
    ({"probing": True}, "gradient flow is probed"),
    ({"graphs": "off"}, "turned off"),
    ({"networks": 2}, "several networks"),
])
def test_what_keeps_a_cuda_run_off_graphs_is_said(change, words):
    args = {"optimizer": "adam", "schedule": "none", "macs": SMALL, "probing": False,
            "graphs": "auto", "networks": 1, **change}
    path = decide("cuda", args["optimizer"], args["schedule"], args["macs"], 64,
                  probing=args["probing"], graphs=args["graphs"], networks=args["networks"])
    assert not path.graph and any(words in r for r in path.reasons)


def test_compile_uses_reduce_overhead_for_small_models_and_replaces_our_graphs():
    small = decide("cuda", "adam", "none", SMALL, 64, compile_requested=True)
    big = decide("cuda", "adam", "none", 10**9, 256, compile_requested=True)
    assert (small.compile, small.graph) == ("reduce-overhead", False)
    assert big.compile == "default"


class _FakeGraph:
    """Records what a capture would: the step function, run again on replay."""

    def __init__(self):
        self.captures = 0

    def capture(self, fn):
        self.captures += 1
        box = {}

        def replay():
            box["out"] = fn()
            out[0].copy_(box["out"][0])

        out = [torch.zeros(())]
        return replay, out

    @staticmethod
    def warmup(fn):
        return fn()

    @staticmethod
    def copy(dst, src):
        dst.copy_(src)


def test_graphed_step_warms_up_captures_once_and_replays_with_new_batches():
    calls = []

    def step(xb, yb):
        calls.append(len(xb))
        return (xb.sum() + yb.sum(),)

    fake, probing = _FakeGraph(), [False]
    graphed = GraphedStep(step, fake.capture, fake.warmup, fake.copy,
                          is_probing=lambda: probing[0], warmup_steps=2)
    batches = [torch.full((4,), float(i)) for i in range(6)]
    results = [float(graphed(b, b)[0]) for b in batches[:5]]
    assert results == [0.0, 4 * 2.0, 8 * 2.0, 12 * 2.0, 16 * 2.0]  # each batch's own sum
    assert fake.captures == 1 and graphed.replays == 3
    odd = torch.ones(3)
    assert float(graphed(odd, odd)[0]) == 6.0 and calls[-1] == 3  # another size: eager
    probing[0] = True
    assert float(graphed(batches[5], batches[5])[0]) == 40.0 and graphed.replays == 3


def test_a_cpu_run_keeps_its_plain_step_and_says_why_compile_is_not_used():
    from backend.templates import make_template
    from backend.training import Trainer

    doc = make_template("mlp")
    doc.sections["training"].update(epochs=1, device="cpu", compile=True)
    trainer = Trainer(doc)
    setup = trainer.prepare()
    assert trainer.fast_path.plain
    assert not isinstance(trainer.runner.step, GraphedStep)
    assert any("torch.compile is not used: the run trains on the CPU" in w
               for w in setup.warnings)
    doc.sections["training"]["compile"] = "yes"
    with pytest.raises(ValueError, match="'compile' must be true or false"):
        Trainer(doc)


def test_several_processes_take_the_eager_step_back():
    from types import SimpleNamespace

    from backend.experiments.fastpath import uninstall_graph

    def step(xb, yb):
        return (xb,)

    runner = SimpleNamespace(step=GraphedStep(step, None, None, None))
    uninstall_graph(SimpleNamespace(runner=runner))
    assert runner.step is step
