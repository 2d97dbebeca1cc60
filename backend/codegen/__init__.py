"""Design -> readable standalone Python: the model module and a training script.

`python_module(doc)` returns the model module's source (the `nn.Module` class, the helpers it
uses and the embedded design, so Netwright can open the file again); `train_script(doc,
module_name, class_name)` returns a `train.py` that imports that module.
"""

from backend.codegen.model import ExportError, ModelSource, class_name, model_source
from backend.codegen.script import train_script


def python_module(doc, analysis=None) -> ModelSource:
    """The exported model module (with the design embedded for the round trip)."""
    from backend.codegen.embed import design_block

    return model_source(doc, analysis, design_block(doc))


__all__ = ["ExportError", "ModelSource", "class_name", "model_source", "python_module",
           "train_script"]
