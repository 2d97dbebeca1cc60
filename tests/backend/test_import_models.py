"""Hand-written models in the styles tutorials use import exactly: same parameter count,
same outputs on the same weights (evaluation and training mode, checked by the importer),
the author's state_dict loads into the built design and into its exported code, and the
exported code imports back as the same design."""

from __future__ import annotations

import pytest
import torch
from import_cases import CASES, MODELS, REFUSED

from backend.build import build_model
from backend.codegen import python_module
from backend.importer.fx import FxImportError, import_file
from backend.importer.names import to_original_keys
from backend.importer.user_code import instantiate, load_class, parse_args

ROUND_TRIP = {"lenet_sequential.py", "lstm_classifier.py", "seq_first_lstm.py",
              "denoising_autoencoder.py", "se_block.py", "cifar_cnn.py", "mlp_modulelist.py",
              "resnet_small.py", "unet_small.py", "text_lstm.py", "nested_sequential.py"}


def _original(name, cls, args):
    pos, kw = parse_args(args)
    torch.manual_seed(3)
    return instantiate(load_class(MODELS / name, cls), pos, kw).eval()


def _content(doc) -> tuple:
    nodes = [(n.type, n.params, n.title) for n in doc.nodes.values()]
    edges = [(doc.nodes[e.src].title, doc.nodes[e.dst].title, e.src_port, e.dst_port)
             for e in doc.edges]
    return nodes, edges


def _same(doc_a, doc_b) -> bool:
    """The same layers, wires and blocks (definitions with their parameters and bodies)."""
    def blocks(d):
        return [(b.id, b.title, b.params, b.sequential, _content(b.graph))
                for b in d.blocks.values()]
    return _content(doc_a) == _content(doc_b) and blocks(doc_a) == blocks(doc_b)


def _example(doc, shape, seed: int = 5):
    """A batch of two: random numbers, or token indices for an int64 Input."""
    gen = torch.Generator().manual_seed(seed)
    if next(iter(doc.nodes.values())).params.get("dtype") == "int64":
        return torch.randint(0, 10, (2, *shape), generator=gen)
    return torch.randn(2, *shape, generator=gen)


@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}:{c[1]}" for c in CASES])
def test_model_imports_exactly_and_round_trips(tmp_path, case):
    name, cls, args, shape = case
    result = import_file(MODELS / name, [shape], cls, args)
    original = _original(name, cls, args)
    x = _example(result.doc, shape)
    want = original(x)
    built = build_model(result.doc).eval()
    built.load_state_dict(original.state_dict())  # the author's names, as they are
    assert _close(built(x), want)
    assert sum(p.numel() for p in built.parameters()) == \
        sum(p.numel() for p in original.parameters())
    back = to_original_keys(result.doc, built.state_dict())
    assert sorted(back) == sorted(original.state_dict())  # the original names

    module = python_module(result.doc)
    path = tmp_path / "exported.py"
    path.write_text(module.code)
    namespace: dict = {}
    exec(compile(module.code, str(path), "exec"), namespace)
    exported = namespace[module.class_name]().eval()
    exported.load_state_dict(original.state_dict())
    assert _close(exported(x), want)
    if name in ROUND_TRIP:  # a representative few, to keep the suite fast
        again = import_file(path, [shape], module.class_name)
        assert _same(again.doc, result.doc)
        assert again.doc.sections["origin"]["modules"] == \
            result.doc.sections["origin"]["modules"]


def _close(got, want) -> bool:
    got = got if isinstance(got, tuple) else (got,)
    want = want if isinstance(want, tuple) else (want,)
    return all(torch.allclose(g, w, atol=1e-5) for g, w in zip(got, want, strict=True))


@pytest.mark.parametrize("case", list(REFUSED.items()), ids=[k[0] for k in REFUSED])
def test_models_without_layers_are_refused_with_the_operation(case):
    (name, cls, args, shape), phrase = case
    with pytest.raises(FxImportError) as info:
        import_file(MODELS / name, [list(shape)], cls, args)
    assert phrase in str(info.value) and "\n" not in str(info.value)
    assert all(line for line, _, _ in info.value.items)  # each with its source line


def test_train_only_noise_is_kept_and_its_training_behaviour_checked():
    result = import_file(MODELS / "denoising_autoencoder.py", [[64]], "DenoisingAE")
    noise = [n for n in result.doc.nodes.values() if n.type == "GaussianNoise"]
    assert len(noise) == 1 and noise[0].params == {"std": 0.2} and noise[0].title == "noise"
    model = build_model(result.doc).train()
    x = torch.zeros(4, 64)
    torch.manual_seed(0)
    first = model(x)
    torch.manual_seed(1)
    assert not torch.equal(first, model(x))  # noise while training
    model.eval()
    assert torch.equal(model(x), model(x))
