"""The teaching pages' numbers: the course's worked examples, and agreement with torch."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from backend.teaching import activations, compgraph, conv, softmax


# -- convolution ------------------------------------------------------------------------------
def test_course_worked_example_gives_the_slides_feature_map():
    c = conv.Convolution(conv.EXAMPLE_INPUT, conv.EXAMPLE_KERNEL)
    assert c.output().tolist() == [[4, 3, 4], [2, 4, 3], [2, 3, 4]]
    assert c.formulas() == ("⌊(5 + 2·0 − 3) / 1⌋ + 1 = 3",) * 2
    first = c.window(0)
    assert first.cells[:3] == ((0, 0), (0, 1), (0, 2))
    assert first.products.tolist() == [[1, 0, 1], [0, 1, 0], [0, 0, 1]]
    assert first.sum_text() == "1 + 0 + 1 + 0 + 1 + 0 + 0 + 0 + 1 = 4"


@pytest.mark.parametrize("seed", range(6))
def test_every_setting_matches_torch(seed):
    rng = np.random.default_rng(seed)
    x = rng.integers(-3, 4, size=(rng.integers(4, 9), rng.integers(4, 9))).astype(float)
    k = rng.integers(-2, 3, size=(rng.integers(1, 4), rng.integers(1, 4))).astype(float)
    stride, dil = tuple(rng.integers(1, 3, 2)), tuple(rng.integers(1, 3, 2))
    pad = tuple(int(min(p, (d * (n - 1) + 1) // 2)) for p, d, n in
                zip(rng.integers(0, 3, 2), dil, k.shape, strict=True))
    t = torch.tensor(x)[None, None]
    for mode in ("conv", "max", "avg"):
        c = conv.Convolution(x, k, stride, pad, dil, mode=mode,
                             bias=0.5 if mode == "conv" else 0)
        if mode == "conv":
            bias = torch.tensor([0.5], dtype=torch.float64)
            ref = F.conv2d(t, torch.tensor(k)[None, None], bias, stride, pad, dil)
        elif mode == "max":
            ref = F.max_pool2d(t, k.shape, stride, pad, dil)
        else:
            if dil != (1, 1):
                continue  # torch's average pooling has no dilation
            ref = F.avg_pool2d(t, k.shape, stride, pad)
        assert c.output_shape == tuple(ref.shape[2:])
        np.testing.assert_allclose(c.output(), ref[0, 0].numpy(), atol=1e-9)


def test_padding_cells_are_zero_and_marked():
    c = conv.Convolution(np.ones((3, 3)), np.ones((3, 3)), padding=1)
    corner = c.window(0)
    assert corner.inside.sum() == 4 and corner.result == 4
    assert c.output_shape == (3, 3)
    assert c.formulas()[0] == "⌊(3 + 2·1 − 3) / 1⌋ + 1 = 3"


def test_stride_and_dilation_in_the_formula():
    c = conv.Convolution(np.zeros((7, 9)), np.zeros((3, 2)), stride=(2, 3), dilation=(2, 1))
    assert c.formulas() == ("⌊(7 + 2·0 − 2·(3 − 1) − 1) / 2⌋ + 1 = 2",
                            "⌊(9 + 2·0 − 2) / 3⌋ + 1 = 3")


@pytest.mark.parametrize("kwargs, words", [
    ({"kernel": np.ones((6, 2))}, "kernel spans 6 rows"),
    ({"stride": 0}, "stride must be a whole number of at least 1"),
    ({"mode": "max", "padding": 3}, "more than half the window"),
    ({"input": [[1, float("nan")]]}, "finite number"),
])
def test_bad_settings_are_one_sentence(kwargs, words):
    args = {"input": np.ones((5, 5)), "kernel": np.ones((3, 3))} | kwargs
    with pytest.raises(ValueError, match=words):
        conv.Convolution(**args)


# -- computation graph ------------------------------------------------------------------------
def test_course_example_forward_and_backward():
    g = compgraph.parse("(x + y) * z", {"x": -2, "y": 5, "z": -4})
    values, back = g.forward(), g.backward()
    assert values[g.output] == -12
    grads = {g.nodes[n].name: back.grads[n] for n in g.nodes}
    assert grads == {"x": -4, "y": -4, "q1": -4, "z": 3, "f": 1}
    assert "∂f/∂z = ∂f/∂f · q1 = 1 · 3 = 3" in back.lines


def test_composed_sigmoid_gate_equals_the_gate_by_gate_chain_rule():
    gates, values = compgraph.EXAMPLES["sigmoid neuron, gate by gate"]
    one, _ = compgraph.EXAMPLES["sigmoid neuron, one σ gate"]
    a, b = compgraph.parse(gates, values), compgraph.parse(one, values)
    assert len(a.nodes) > len(b.nodes)
    ga = {a.nodes[n].name: v for n, v in a.backward().grads.items() if a.nodes[n].kind == "input"}
    gb = {b.nodes[n].name: v for n, v in b.backward().grads.items() if b.nodes[n].kind == "input"}
    assert ga.keys() == gb.keys()
    for name in ga:
        assert ga[name] == pytest.approx(gb[name], abs=1e-12)
    assert ga["x0"] == pytest.approx(0.3932, abs=1e-4) and ga["w0"] == pytest.approx(-0.1966,
                                                                                    abs=1e-4)


def _torch_grads(expr: str, values: dict[str, float]) -> tuple[float, dict[str, float]]:
    env = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in values.items()}
    funcs = {"exp": torch.exp, "log": torch.log, "sqrt": torch.sqrt, "sigmoid": torch.sigmoid,
             "tanh": torch.tanh, "relu": torch.relu, "abs": torch.abs, "max": torch.maximum,
             "min": torch.minimum}
    out = eval(expr.replace("^", "**"), {"__builtins__": {}}, env | funcs)  # test-only oracle
    out.backward()
    return float(out), {k: float(t.grad) for k, t in env.items() if t.grad is not None}


TERMS = ["x", "y", "z", "(x + y)", "(x * z)", "exp(y / 4)", "sigmoid(x)", "tanh(z)",
         "max(x, y)", "min(y, z)", "relu(x - z)", "(y ^ 2)", "(2 - x)", "(3 / (z + 7))",
         "log(y + 6)", "abs(x)", "sqrt(z + 6)", "-x"]


@pytest.mark.parametrize("seed", range(25))
def test_random_expressions_match_autograd(seed):
    rng = random.Random(seed)
    expr = rng.choice(TERMS)
    for _ in range(rng.randint(1, 4)):
        expr = f"({expr} {rng.choice('+-*')} {rng.choice(TERMS)})"
    values = {"x": rng.uniform(-2, 2), "y": rng.uniform(-2, 2), "z": rng.uniform(-2, 2)}
    graph = compgraph.parse(expr, values)
    back = graph.backward()
    f, grads = _torch_grads(expr, values)
    assert graph.forward()[graph.output] == pytest.approx(f, rel=1e-9, abs=1e-12)
    for nid, node in graph.nodes.items():
        if node.kind == "input":
            assert back.grads[nid] == pytest.approx(grads[node.name], rel=1e-9, abs=1e-12), expr


def test_ties_and_kinks_follow_torch():
    for expr in ("max(x, y) * z", "min(x, y) + relu(x - y)", "abs(x - y) * z"):
        values = {"x": 1.5, "y": 1.5, "z": 2.0}
        graph = compgraph.parse(expr, values)
        back = graph.backward()
        _, grads = _torch_grads(expr, values)
        got = {graph.nodes[n].name: back.grads[n] for n in graph.nodes
               if graph.nodes[n].kind == "input"}
        assert got == pytest.approx(grads)


def test_branching_gradients_add_up():
    g = compgraph.parse("x * x + x", {"x": 3})
    back = g.backward()
    x = next(n for n in g.nodes if g.nodes[n].name == "x")
    assert back.grads[x] == 7
    assert back.lines[-1] == "∂f/∂x = 1 + 3 + 3 = 7 (gradients add where a value branches)"
    assert sum(1 for w in g.wires() if w.src == x) == 3


def test_constants_fold_into_the_course_gates():
    g = compgraph.parse("1 / (1 + exp(-a))")
    assert [n.label for n in g.nodes.values()] == ["a", "×−1", "exp", "+1", "1/x"]


@pytest.mark.parametrize("expr, words", [
    ("", "type an expression"), ("x +", "not valid arithmetic"),
    ("__import__('os')", "unknown function"), ("x.real", "is not allowed"),
    ("2 + 3", "only numbers"), ("x ** y", "exponent must be a number"),
    ("max(x)", "takes 2 arguments"), ("log(x - 5)", "positive input"),
    ("1 / (x - x)", "divides by zero"), ("exp(1000 * x)", "too large"),
])
def test_bad_expressions_are_one_sentence(expr, words):
    with pytest.raises(ValueError, match=words):
        compgraph.parse(expr, {"x": 1.0}).forward()


# -- activations ------------------------------------------------------------------------------
TORCH_ACTS = {"ReLU": torch.relu, "LeakyReLU": lambda x: F.leaky_relu(x, 0.2),
              "Sigmoid": torch.sigmoid, "Tanh": torch.tanh, "ELU": lambda x: F.elu(x, 0.7),
              "GELU": F.gelu, "SiLU": F.silu, "Linear": lambda x: x * 1,
              "Softmax": lambda x: torch.softmax(torch.stack([x, torch.zeros_like(x)]), 0)[0],
              "LogSoftmax": lambda x: torch.log_softmax(
                  torch.stack([x, torch.zeros_like(x)]), 0)[0],
              "ReLU6": F.relu6, "Hardsigmoid": F.hardsigmoid, "Hardswish": F.hardswish,
              "Mish": F.mish, "Softplus": lambda x: F.softplus(x, beta=2.0, threshold=5.0),
              "PReLU": lambda x: F.prelu(x, torch.tensor([0.1], dtype=x.dtype))}


@pytest.mark.parametrize("kind", sorted(TORCH_ACTS))
def test_activation_and_derivative_match_autograd(kind):
    params = {"negative_slope": 0.2, "alpha": 0.7, "beta": 2.0, "threshold": 5.0,
              "init_slope": 0.1}
    x, y, dy = activations.curve(kind, params, -7, 7, 281)  # kinks at 0, ±3, 6 and 2.5 on it
    t = torch.tensor(x, requires_grad=True)
    out = TORCH_ACTS[kind](t)
    out.sum().backward()
    np.testing.assert_allclose(y, out.detach().numpy(), atol=1e-9)
    np.testing.assert_allclose(dy, t.grad.numpy(), atol=1e-9)


def test_every_activation_layer_has_its_curve():
    from backend.layers import all_specs

    kinds = {s.type for s in all_specs() if s.category == "activation"}
    assert kinds <= set(activations.ACTIVATIONS)  # the inspector plots each of them


def test_sigmoid_derivative_peaks_at_a_quarter_and_saturates():
    x, y, dy = activations.curve("Sigmoid")
    assert dy.max() == pytest.approx(0.25)
    sat = activations.saturated_inputs("Sigmoid", np.array([-6.0, 0.0, 6.0]))
    assert sat.tolist() == [True, False, True]
    assert not activations.saturated_inputs("ReLU", np.array([-100.0, 100.0])).any()


def test_step_is_the_perceptron_threshold():
    x, y, dy = activations.curve("Step", lo=-1, hi=1, n=5)
    assert y.tolist() == [0, 0, 0, 1, 1] and not dy.any()


# -- softmax ----------------------------------------------------------------------------------
def test_course_softmax_example():
    n = softmax.softmax_numbers([1.0, 2.2, -0.5], target=1)
    # the slide prints the first three decimals of 0.2201, 0.7308, 0.0491
    assert (np.floor(n.probs * 1000) / 1000).tolist() == [0.220, 0.730, 0.049]
    assert np.round(n.probs, 4).tolist() == [0.2201, 0.7308, 0.0491]
    assert n.loss_nats == pytest.approx(-math.log(n.probs[1]))
    assert n.loss_bits == pytest.approx(n.loss_nats / math.log(2))
    ref = F.cross_entropy(torch.tensor([[1.0, 2.2, -0.5]], dtype=torch.float64),
                          torch.tensor([1]))
    assert n.loss_nats == pytest.approx(float(ref))
    assert n.predicted == 1


def test_huge_logits_stay_finite():
    n = softmax.softmax_numbers([1000.0, 0.0, -1000.0], target=2)
    assert n.probs[0] == 1.0 and math.isfinite(n.loss_nats) and n.loss_nats == 2000.0


def test_sigmoid_bce_matches_torch():
    z, t = [2.0, -1.0, 30.0, -30.0], [1, 0, 0, 1]
    n = softmax.sigmoid_numbers(z, t)
    ref = F.binary_cross_entropy_with_logits(torch.tensor(z, dtype=torch.float64),
                                             torch.tensor(t, dtype=torch.float64))
    assert n.loss_nats == pytest.approx(float(ref))


@pytest.mark.parametrize("call, words", [
    (lambda: softmax.softmax_numbers([]), "at least one logit"),
    (lambda: softmax.softmax_numbers([1, 2], target=2), "between 0 and 1"),
    (lambda: softmax.softmax_numbers([1, float("inf")]), "finite"),
    (lambda: softmax.sigmoid_numbers([1, 2], [1]), "need 2 targets"),
])
def test_bad_softmax_input(call, words):
    with pytest.raises(ValueError, match=words):
        call()


# -- recurrent unrolling ----------------------------------------------------------------------
@pytest.mark.parametrize("kind, cls", [("SimpleRNN", torch.nn.RNN), ("LSTM", torch.nn.LSTM),
                                       ("GRU", torch.nn.GRU)])
def test_unrolled_states_match_torch(kind, cls):
    from backend.teaching.recurrent import GATE_NAMES, unroll

    torch.manual_seed(3)
    layer = cls(2, 5, batch_first=True).double()
    x = torch.randn(1, 9, 2, dtype=torch.float64)
    weights = {k: v.detach().numpy() for k, v in layer.state_dict().items()}
    out = unroll(kind, weights, x[0].numpy())
    with torch.no_grad():
        ref, state = layer(x)
    np.testing.assert_allclose(out.h, ref[0].numpy(), atol=1e-12)
    assert list(out.gates) == list(GATE_NAMES[kind])
    if kind == "LSTM":
        np.testing.assert_allclose(out.c[-1], state[1][0, 0].numpy(), atol=1e-12)
        f = out.gates["forget gate f"]
        assert ((f > 0) & (f < 1)).all()  # a gate is a sigmoid: it opens between 0 and 1


def test_unroll_refuses_a_sequence_of_the_wrong_width():
    from backend.teaching.recurrent import random_weights, unroll

    with pytest.raises(ValueError, match="expect 3 features per step, the sequence has 1"):
        unroll("GRU", random_weights("GRU", 3, 4), np.zeros((5, 1)))
