"""Bad input to the PyTorch import is one sentence with the fix, never a traceback, and the
user's file only runs when an import is asked for."""

from __future__ import annotations

import textwrap

import pytest
import torch

from backend.importer.fx import FxImportError, import_file, import_module
from backend.importer.user_code import module_classes


def _write(tmp_path, text, name="net.py"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


NEEDS_ARGS = """
    from torch import nn

    class Net(nn.Module):
        def __init__(self, hidden, classes=10):
            super().__init__()
            self.fc = nn.Linear(4, hidden)
            self.out = nn.Linear(hidden, classes)

        def forward(self, x):
            return self.out(self.fc(x))
"""


def _message(path, *args, **kwargs) -> str:
    with pytest.raises(FxImportError) as info:
        import_file(path, *args, **kwargs)
    text = str(info.value)
    assert "\n" not in text and "Traceback" not in text
    return text


def test_classes_are_listed_without_running_the_file(tmp_path):
    marker = tmp_path / "ran"
    path = _write(tmp_path, f"open({str(marker)!r}, 'w').close()\n" + textwrap.dedent(
        NEEDS_ARGS) + "\nclass Helper:\n    pass\n\nclass Deeper(Net):\n    pass\n")
    found = module_classes(path)
    assert [(c.name, c.required) for c in found] == [("Net", ["hidden"]), ("Deeper", [])]
    assert found[0].args == [("hidden", None), ("classes", "10")]
    assert not marker.exists()


def test_a_file_that_does_not_parse_never_runs(tmp_path):
    path = _write(tmp_path, "import os\nos.mkdir('x')\ndef f(:\n")
    assert "not valid Python (line 3" in _message(path, [[4]])


def test_missing_class_and_missing_arguments(tmp_path):
    path = _write(tmp_path, NEEDS_ARGS)
    assert "defines no nn.Module named 'Nte' (it has: Net)" in _message(path, [[4]], "Nte")
    text = _message(path, [[4]], "Net")
    assert "missing 1 required positional argument: 'hidden'" in text
    assert "give hidden as JSON constructor arguments" in text
    assert "not valid JSON" in _message(path, [[4]], "Net", "{hidden: 3}")
    result = import_file(path, [[4]], "Net", '{"hidden": 3}')
    assert [n.params for n in result.doc.nodes.values()][1:] == [{"units": 3}, {"units": 10}]


def test_an_error_while_running_names_the_line(tmp_path):
    path = _write(tmp_path, "import torch\n\nraise RuntimeError('no GPU here')\n")
    assert "failed while running at line 3 (RuntimeError: no GPU here)" in \
        _message(path, [[4]])


def test_data_dependent_control_flow_names_the_line(tmp_path):
    path = _write(tmp_path, """
        from torch import nn

        class Gate(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 4)

            def forward(self, x):
                if x.mean() > 0:
                    return self.fc(x)
                return x
    """)
    text = _message(path, [[4]])
    assert "Gate.forward decides on tensor values at line 10 (`if x.mean() > 0:`)" in text


def test_an_input_shape_that_does_not_fit(tmp_path):
    path = _write(tmp_path, """
        from torch import nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv2d(1, 4, 3)

            def forward(self, x):
                return self.conv(x)
    """)
    text = _message(path, [[3, 28, 28]])
    assert text.startswith("the input shape 3,28,28 does not fit Net: its forward fails at "
                           "line 10 (`return self.conv(x)`)")
    assert "give the shape of one sample without the batch" in text


def test_unused_layers_and_shared_weights_are_refused():
    class Unused(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = torch.nn.Linear(4, 4)
            self.spare = torch.nn.Linear(4, 4)

        def forward(self, x):
            return self.fc(x)

    with pytest.raises(FxImportError, match="Unused has 40 parameters but the imported "
                                            "design 20"):
        import_module(Unused(), [[4]])

    class Shared(Unused):
        def forward(self, x):
            return self.fc(self.fc(x)) + self.spare(x)

    with pytest.raises(FxImportError) as info:
        import_module(Shared(), [[4]])
    assert "self.fc called a second time (shared weights)" in info.value.items[0][1]


def test_dropout_that_also_acts_in_evaluation_is_refused():
    class Leaky(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = torch.nn.Linear(8, 8)

        def forward(self, x):
            return torch.nn.functional.dropout(self.fc(x), 0.5)  # training defaults to True

    with pytest.raises(FxImportError, match="in evaluation mode"):
        import_module(Leaky(), [[8]])


def test_a_recurrent_layer_in_time_first_layout_says_how_to_fix_it():
    class TimeFirst(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = torch.nn.GRU(3, 5)

        def forward(self, x):
            out, _ = self.rnn(x)
            return out[-1]

    with pytest.raises(FxImportError) as info:
        import_module(TimeFirst(), [[6, 3]])
    (_, what, fix), = info.value.items
    assert "without batch_first=True" in what and "set batch_first=True" in fix
