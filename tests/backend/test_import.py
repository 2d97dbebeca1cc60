"""Opening exported Python again: every template round-trips to the same design; edited code
is reported; files not exported by Netwright are refused without running them."""

from __future__ import annotations

import pytest

from backend.codegen import python_module
from backend.importer import import_python, import_source
from backend.project import DesignFileError, ProjectFileError, open_any, save_project
from backend.templates import TEMPLATES, make_template


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_every_exported_template_opens_as_the_same_design(tmp_path, name):
    doc = make_template(name)
    path = tmp_path / "model.py"
    path.write_text(python_module(doc).code)
    again, warnings = import_python(path)
    assert warnings == []
    assert again.snapshot() == doc.snapshot()  # nodes, params, titles, positions, sections


def test_open_any_opens_exported_python_and_it_saves_as_a_project(tmp_path):
    doc = make_template("resnet")
    path = tmp_path / "resnet.py"
    path.write_text(python_module(doc).code)
    project = open_any(path)
    assert project.kind == "python" and project.doc.snapshot() == doc.snapshot()
    save_project(tmp_path / "resnet.nwproj", project)
    assert open_any(tmp_path / "resnet.nwproj").doc.snapshot() == doc.snapshot()


def test_edited_model_code_opens_the_embedded_design_with_a_warning():
    code = python_module(make_template("lenet5")).code
    edited = code.replace("nn.Linear(84, 10)", "nn.Linear(84, 12)")
    doc, warnings = import_source(edited, "lenet.py")
    assert doc.nodes["output_1"].params["units"] == 10
    assert len(warnings) == 1 and "class LeNet5 was edited after export" in warnings[0]
    doc, warnings = import_source(code.replace("class LeNet5(", "class Other("), "lenet.py")
    assert "no longer defines class LeNet5" in warnings[0]


def test_formatting_and_comments_do_not_count_as_edits():
    code = python_module(make_template("mlp")).code
    reformatted = code.replace("  # (B, 64)", "  # my note").replace("\n\n\nclass", "\n\nclass")
    assert import_source(reformatted, "mlp.py")[1] == []


def test_a_plain_pytorch_file_is_refused_with_what_to_do(tmp_path):
    path = tmp_path / "net.py"
    path.write_text("import torch\nclass Net(torch.nn.Module):\n    pass\n")
    with pytest.raises(ProjectFileError, match="was not exported by Netwright"):
        import_python(path)


@pytest.mark.parametrize("block", [
    'NETWRIGHT_DESIGN = "not json"',
    'NETWRIGHT_DESIGN = ("{", "}")',
    "NETWRIGHT_DESIGN = 42",
    "NETWRIGHT_DESIGN = open('/etc/passwd').read()",
    'NETWRIGHT_DESIGN = "{\\"format\\": \\"netwright-design\\", \\"version\\": 7}"',
    "def f(:\n    pass",
])
def test_damaged_design_blocks_give_one_sentence(block):
    with pytest.raises(DesignFileError) as info:  # ProjectFileError is one too
        import_source(block, "broken.py")
    assert "\n" not in str(info.value) and "broken.py" in str(info.value)
