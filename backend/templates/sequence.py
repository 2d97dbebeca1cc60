"""Recurrent templates: sine forecasting with an LSTM, a GRU stack and a plain RNN.

Each reads a window of T past values, shape [T, 1], and predicts the next value.
"""

from __future__ import annotations

from backend.templates.builder import DesignBuilder

WINDOW = 20


def lstm_sine() -> DesignBuilder:
    b = DesignBuilder("LSTM sine forecaster")
    b.add("Input", "window", after=None, shape=[WINDOW, 1])
    b.add("LSTM", "lstm", units=32)
    b.add("Dense", "next_value", units=1)
    return b


def gru_seq() -> DesignBuilder:
    b = DesignBuilder("Stacked GRU forecaster")
    b.add("Input", "window", after=None, shape=[WINDOW, 1])
    b.add("GRU", "gru1", units=32, return_sequences=True)
    b.add("Dropout", "dropout", p=0.2)
    b.add("GRU", "gru2", units=32)
    b.add("Dense", "next_value", units=1)
    return b


def rnn_sine() -> DesignBuilder:
    b = DesignBuilder("Simple RNN forecaster")
    b.add("Input", "window", after=None, shape=[WINDOW, 1])
    b.add("SimpleRNN", "rnn", units=32)
    b.add("Dense", "next_value", units=1)
    return b
