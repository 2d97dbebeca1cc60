"""Format versions and the migrations that bring older project files up to date.

`migrate_project(data, entry_names, source)` runs one step per version, oldest first, until
the data has the current `PROJECT_VERSION`. Each step is a pure function from the previous
version's dict to the next one's; a file from a newer Netwright is refused with a sentence.

History of the project format (`project.json` inside the zip):
- 1: {"format", "version", "design"}; weights and runs were found by listing the archive.
- 2: adds "meta" (free-form project information) and explicit "weights" and "runs" indexes,
  so entries the format does not know are never read.
"""

from __future__ import annotations

from collections.abc import Callable

from backend.project.safe import ProjectFileError, safe_name

PROJECT_FORMAT = "netwright-project"
PROJECT_VERSION = 2


def _v1_to_v2(data: dict, entry_names: list[str]) -> dict:
    """Version 1 -> 2: add `meta` and the weights/runs indexes from the archive listing."""
    out = dict(data)
    out.setdefault("meta", {})
    out["weights"] = sorted(_stems(entry_names, "weights/", ".safetensors"))
    out["runs"] = sorted(_stems(entry_names, "runs/", ".json"))
    out["version"] = 2
    return out


def _stems(names: list[str], folder: str, suffix: str) -> list[str]:
    stems = []
    for name in names:
        if name.startswith(folder) and name.endswith(suffix):
            stem = name[len(folder):-len(suffix)]
            if safe_name(stem) and "/" not in stem:
                stems.append(stem)
    return stems


MIGRATIONS: dict[int, Callable[[dict, list[str]], dict]] = {1: _v1_to_v2}


def migrate_project(data: object, entry_names: list[str], source: str) -> dict:
    """Check format and version of a parsed project.json and migrate it to the current one."""
    if not isinstance(data, dict) or data.get("format") != PROJECT_FORMAT:
        raise ProjectFileError(f"{source} is not a Netwright project (project.json has no "
                               f"\"format\": \"{PROJECT_FORMAT}\"): open a file saved by "
                               "Netwright")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ProjectFileError(f"{source} has no valid format version: the file is damaged")
    if version > PROJECT_VERSION:
        raise ProjectFileError(f"{source} was saved by a newer Netwright (project format "
                               f"{version}, this one reads up to {PROJECT_VERSION}): update "
                               "Netwright to open it")
    while version < PROJECT_VERSION:
        data = MIGRATIONS[version](data, entry_names)
        version = data["version"]
    return data
