"""The full-size library against its references, layer by layer.

Each template built from blocks has the reference's parameter tensors in the same order with
the same shapes (and torchvision's state-dict names, so a torchvision checkpoint loads as it
is; VGG's names differ because its convolutions sit inside VGG blocks), and with the
reference's weights loaded it gives the same output at its native input size. References are
torchvision's definitions with random weights (nothing is downloaded) and, for the published
AlexNet, ZFNet and LeNet-5, plain modules written here from the papers.
"""

from __future__ import annotations

import pytest
import torch
from reference_models import reference
from torch import nn

from backend.build import build_model
from backend.shapes import analyse
from backend.templates import CATALOG, make_template, sized_template
from backend.templates.catalog import FULL

PUBLISHED = {
    "lenet5": 61_706, "alexnet": 62_378_344, "alexnet-torchvision": 61_100_840,
    "zfnet": 62_357_608, "vgg11": 132_863_336, "vgg16": 138_357_544, "googlenet": 6_624_904,
    "resnet18": 11_689_512, "resnet50": 25_557_032, "resnext50": 25_028_904,
    "densenet121": 7_978_856, "squeezenet1.0": 1_248_424, "squeezenet1.1": 1_235_496,
}
TORCHVISION = {
    "alexnet-torchvision": "alexnet", "vgg11": "vgg11", "vgg16": "vgg16",
    "googlenet": "googlenet", "resnet18": "resnet18", "resnet50": "resnet50",
    "resnext50": "resnext50_32x4d", "densenet121": "densenet121",
    "squeezenet1.0": "squeezenet1_0", "squeezenet1.1": "squeezenet1_1",
}
OWN_NAMES = {"vgg11", "vgg16"}  # block1.0.0.weight for torchvision's features.0.weight
HEAVY = {"vgg11", "vgg16", "alexnet", "zfnet",  # the slowest to build and run at 224 px:
         "resnet50", "resnext50", "densenet121"}  # seconds each on a CPU


def test_every_full_size_template_is_listed_with_its_count():
    assert {t.name for t in CATALOG if t.group == FULL} == set(PUBLISHED)


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_counts_at_224_and_1000_classes_are_the_published_ones(name):
    analysis = analyse(make_template(name))
    assert analysis.problems == []
    assert analysis.total_params == PUBLISHED[name]


def test_running_statistics_reconcile_the_keras_counts():
    assert analyse(make_template("resnet50")).running_stats == 53_120
    assert analyse(make_template("densenet121")).running_stats == 83_648
    # the course's "7,033,282": a 1-channel, 2-class DenseNet-121 plus its running statistics
    small = analyse(make_template("densenet121", 2, (1, 224, 224)))
    assert small.total_params + small.running_stats == 7_033_282


def test_reads_as_a_handful_of_blocks_when_collapsed():
    for name in ("resnet18", "resnet50", "googlenet", "densenet121", "vgg16", "squeezenet1.0"):
        doc = make_template(name)
        blocks = [n for n in doc.nodes.values() if n.type == "Block"]
        assert blocks and len(doc.nodes) <= 25, (name, len(doc.nodes))


@pytest.mark.parametrize("name, classes, shape", [
    ("resnet18", 10, (3, 32, 32)), ("googlenet", 7, (3, 96, 96)),
    ("densenet121", 2, (1, 64, 64)), ("squeezenet1.1", 5, (3, 100, 100)),
    ("vgg16", 10, (3, 32, 32)), ("alexnet", 10, (3, 227, 227)),
])
def test_class_count_and_input_size_rederive_everything(name, classes, shape):
    doc = make_template(name, classes, shape)
    analysis = analyse(doc)
    assert analysis.ok, analysis.problems
    outputs = [s for nid, s in analysis.shapes.items() if not doc.out_edges(nid)]
    assert outputs == [(classes,)]
    assert doc.sections["dataset"]["resize"] == shape[-1]
    epochs = doc.sections["training"]["epochs"]
    assert epochs >= 5 if shape[-1] <= 64 else epochs == 1


@pytest.mark.parametrize("args, words", [
    (("alexnet", None, "3,32,32"), "cannot take 3×32×32 inputs"),
    (("resnet18", None, "32,32"), "give 3 sizes"),
    (("resnet18", None, "3,-1,4"), "positive sizes"),
    (("resnet18", 0, None), "class count"),
    (("mlp", 3, None), "fixed size"),
])
def test_sizes_a_network_cannot_take_are_one_sentence(args, words):
    with pytest.raises(ValueError, match=words):
        sized_template(*args)


# -- layer by layer against the references ---------------------------------------------------
class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1, self.c3 = nn.Conv2d(1, 6, 5), nn.Conv2d(6, 16, 5)
        self.c5, self.f6, self.output = nn.Linear(400, 120), nn.Linear(120, 84), nn.Linear(84, 10)

    def forward(self, x):
        x = nn.functional.avg_pool2d(torch.tanh(self.c1(x)), 2)
        x = nn.functional.avg_pool2d(torch.tanh(self.c3(x)), 2).flatten(1)
        return self.output(torch.tanh(self.f6(torch.tanh(self.c5(x)))))


class PaperAlexNet(nn.Module):
    """AlexNet (2012) without the two-GPU split; ZFNet (2013) with its smaller first layers."""

    def __init__(self, zf: bool = False):
        super().__init__()
        lrn = nn.LocalResponseNorm(5, k=2.0)
        pool = nn.MaxPool2d(3, 2, padding=1 if zf else 0)
        first = [nn.Conv2d(3, 96, 7, 2, 1), nn.ReLU(), pool, lrn] if zf else \
            [nn.Conv2d(3, 96, 11, 4), nn.ReLU(), lrn, pool]
        second = [nn.Conv2d(96, 256, 5, 2), nn.ReLU(), pool, lrn] if zf else \
            [nn.Conv2d(96, 256, 5, padding=2), nn.ReLU(), lrn, pool]
        self.features = nn.Sequential(
            *first, *second, nn.Conv2d(256, 384, 3, padding=1), nn.ReLU(),
            nn.Conv2d(384, 384, 3, padding=1), nn.ReLU(), nn.Conv2d(384, 256, 3, padding=1),
            nn.ReLU(), nn.MaxPool2d(3, 2))
        self.classifier = nn.Sequential(
            nn.Linear(9216, 4096), nn.ReLU(), nn.Dropout(), nn.Linear(4096, 4096), nn.ReLU(),
            nn.Dropout(), nn.Linear(4096, 1000))

    def forward(self, x):
        return self.classifier(self.features(x).flatten(1))


HAND = {"lenet5": LeNet5, "alexnet": PaperAlexNet, "zfnet": lambda: PaperAlexNet(zf=True)}


def _reference(name: str) -> nn.Module:
    if name in HAND:
        return HAND[name]().eval()
    return reference(TORCHVISION[name])


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if n in HEAVY else n
                                  for n in sorted(PUBLISHED)])
def test_same_tensors_in_the_same_order_and_the_same_output(name):
    doc = make_template(name)
    analysis = analyse(doc)
    torch.manual_seed(0)
    ours, ref = build_model(doc, analysis).eval(), _reference(name)
    mine, theirs = ours.state_dict(), ref.state_dict()
    assert [tuple(v.shape) for v in mine.values()] == [tuple(v.shape) for v in theirs.values()]
    if name in TORCHVISION and name not in OWN_NAMES:
        assert list(mine) == list(theirs)  # a torchvision checkpoint loads as it is
    ours.load_state_dict(dict(zip(mine, theirs.values(), strict=True)))
    (inp,) = [nid for nid, n in doc.nodes.items() if n.type == "Input"]
    x = torch.randn(1, *analysis.shapes[inp], generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        torch.testing.assert_close(ours(x), ref(x), rtol=1e-4, atol=1e-5)
