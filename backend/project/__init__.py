"""Versioned project and design files (JSON designs; weights and runs come with projects).

`open_any(path)` opens a `.nwproj` project, a `.json` design or a Python file exported by
Netwright and returns a `Project` (doc, weights, runs, meta); `save_project(path, project)`
saves atomically with a `.bak` backup. See project.py, archive.py and autosave.py.
"""

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
from backend.project.project import (
    PROJECT_SUFFIX,
    Project,
    json_drops,
    open_any,
    open_project,
    save_project,
)
from backend.project.safe import ProjectFileError

__all__ = ["PROJECT_SUFFIX", "DesignFileError", "Project", "ProjectFileError", "atomic_write",
           "doc_to_dict", "dumps", "from_dict", "json_drops", "load_design", "loads",
           "open_any", "open_project", "save_design", "save_project"]
