"""Plain templates: MLPs (digits, XOR, the deep sigmoid demo), LeNet-5 and the course CNN."""

from __future__ import annotations

from backend.templates.builder import DesignBuilder


def mlp() -> DesignBuilder:
    b = DesignBuilder("MLP for 8×8 digits")
    b.add("Input", "digits", after=None, shape=[1, 8, 8])
    b.add("Flatten", "flatten")
    b.add("Dense", "hidden", units=64)
    b.add("ReLU", "relu")
    b.add("Dense", "classes", units=10)
    return b


def lenet5(num_classes: int = 10, input_shape: tuple[int, ...] = (1, 32, 32)) -> DesignBuilder:
    b = DesignBuilder("LeNet-5")
    b.add("Input", "image", after=None, shape=list(input_shape))
    b.add("Conv2d", "c1", filters=6, kernel_size=5)
    b.add("Tanh", "tanh1")
    b.add("AvgPool2d", "s2", kernel_size=2)
    b.add("Conv2d", "c3", filters=16, kernel_size=5)
    b.add("Tanh", "tanh2")
    b.add("AvgPool2d", "s4", kernel_size=2)
    b.add("Flatten", "flatten")
    b.add("Dense", "c5", units=120)
    b.add("Tanh", "tanh3")
    b.add("Dense", "f6", units=84)
    b.add("Tanh", "tanh4")
    b.add("Dense", "output", units=num_classes)
    return b


def course_cnn() -> DesignBuilder:
    b = DesignBuilder("Course CNN (28×28)")
    b.add("Input", "image", after=None, shape=[1, 28, 28])
    b.add("Conv2d", "conv1", filters=32, kernel_size=5, padding="valid")
    b.add("ReLU", "relu1")
    b.add("MaxPool2d", "pool1", kernel_size=2)
    b.add("Conv2d", "conv2", filters=64, kernel_size=5, padding="valid")
    b.add("ReLU", "relu2")
    b.add("MaxPool2d", "pool2", kernel_size=2)
    b.add("Flatten", "flatten")
    b.add("Dense", "fc1", units=128)
    b.add("ReLU", "relu3")
    b.add("Dropout", "dropout", p=0.5)
    b.add("Dense", "fc2", units=10)
    return b


def xor_mlp() -> DesignBuilder:
    """The smallest network that solves XOR / two moons: one hidden tanh layer."""
    b = DesignBuilder("XOR / two-moons MLP")
    b.add("Input", "point", after=None, shape=[2])
    b.add("Dense", "hidden", units=8)
    b.add("Tanh", "tanh")
    b.add("Dense", "classes", units=2)
    return b


def deep_sigmoid_mlp(depth: int = 8) -> DesignBuilder:
    """Eight Dense+Sigmoid layers on the 8×8 digits: early layers barely learn (vanishing
    gradients); swap the Sigmoids for ReLU to compare."""
    b = DesignBuilder("Deep sigmoid MLP (vanishing gradients)")
    b.add("Input", "digits", after=None, shape=[1, 8, 8])
    b.add("Flatten", "flatten")
    for i in range(1, depth + 1):
        b.add("Dense", f"dense{i}", units=32)
        b.add("Sigmoid", f"sigmoid{i}")
    b.add("Dense", "classes", units=10)
    return b
