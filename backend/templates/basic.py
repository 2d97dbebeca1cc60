"""First templates: an MLP for the 8×8 digits, LeNet-5, and the course's example CNN."""

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


def lenet5() -> DesignBuilder:
    b = DesignBuilder("LeNet-5")
    b.add("Input", "image", after=None, shape=[1, 32, 32])
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
    b.add("Dense", "output", units=10)
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
