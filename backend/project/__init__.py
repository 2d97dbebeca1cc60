"""Versioned project and design files (JSON designs; weights and runs come with projects)."""

from backend.project.design import (
    DesignFileError,
    atomic_write,
    doc_to_dict,
    dumps,
    from_dict,
    load_design,
    loads,
    save_design,
)

__all__ = ["DesignFileError", "atomic_write", "doc_to_dict", "dumps", "from_dict", "load_design",
           "loads", "save_design"]
