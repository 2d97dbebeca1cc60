"""Projects: one `.nwproj` zip holding the design, trained weights and the run history.

Layout: `project.json` ({"format", "version", "design", "meta", "weights", "runs"}),
`weights/NAME.safetensors` and `runs/NAME.json`. Plain design `.json` files and Python files
exported by Netwright open too (`open_any` looks at the content, not only the name).

Opening runs in phases (read with limits -> parse -> migrate -> build) and never executes,
unpickles or writes anything; any problem is one `ProjectFileError` sentence and changes
nothing. Trained weights are not read when a project opens: their safetensors headers are
checked (without torch) and the bytes stay in the file until used (`weights_store.py`); what
is read at once (project.json and the runs) must fit in the memory available. Saving is
atomic, keeps the previous version as `NAME.bak` and the file's permissions, and streams
weights from the old file to the new one. Temp files that killed saves left are removed at
the next save or open of the same file.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from backend.graph.document import GraphDocument
from backend.project.archive import SafeZip, damaged, is_zip, write_entries
from backend.project.atomic import atomic_save, remove_orphans
from backend.project.design import (
    DesignFileError,
    doc_to_dict,
    dumps,
    from_dict,
    loads,
    migrate,
)
from backend.project.migrations import PROJECT_FORMAT, PROJECT_VERSION, migrate_project
from backend.project.safe import (
    MAX_DESIGN_DEPTH,
    MAX_JSON_BYTES,
    ProjectFileError,
    check_safetensors,
    check_safetensors_head,
    check_structure,
    header_size,
    open_regular,
    parse_json,
    read_regular,
    safe_name,
)
from backend.project.weights_store import ArchiveEntry, WeightsStore, file_signature

PROJECT_SUFFIX = ".nwproj"
MAX_WEIGHTS_BYTES = 8 * 1024**3
MAX_DESIGN_BYTES = 64 * 1024 * 1024
JSON_MEMORY_FACTOR = 16  # bytes of Python objects per byte of JSON text, at worst about this


@dataclass
class Project:
    """What a file holds: the design plus (for projects) weights and runs."""

    doc: GraphDocument
    weights: WeightsStore = field(default_factory=WeightsStore)  # name -> safetensors bytes
    runs: list[dict] = field(default_factory=list)  # each has an "id"
    meta: dict = field(default_factory=dict)
    path: Path | None = None
    kind: str = "project"  # project | design | python | recovered
    warnings: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not isinstance(self.weights, WeightsStore):
            self.weights = WeightsStore(self.weights)

    def default_weights(self) -> str | None:
        """The weights to use by default: the best run's by validation metric, else 'best',
        else the latest run's, else any."""
        from backend.project.runs import best_run

        best = best_run(self.runs, among=set(self.weights))
        if best is not None:
            return best["id"]
        if "best" in self.weights:
            return "best"
        for run in reversed(self.runs):
            if run.get("id") in self.weights:
                return run["id"]
        return sorted(self.weights)[-1] if self.weights else None

    def next_run_id(self) -> str:
        """The id the next run gets: numbers continue after the highest ever stored, so a
        deleted run's number is not given to another run."""
        from backend.project.runs import run_number

        numbers = [run_number(name) for name in [*(r.get("id") for r in self.runs),
                                                 *self.weights]]
        counter = self.meta.get("next_run")
        if not isinstance(counter, int) or isinstance(counter, bool) or not 0 < counter < 10**9:
            counter = 1
        return f"run_{max([counter, *(n + 1 for n in numbers if n is not None)])}"

    def add_run(self, run: dict, weights: bytes | None = None) -> str:
        """Record a finished run (and its weights); returns the run's id."""
        from backend.project.runs import run_number

        taken = {r.get("id") for r in self.runs} | set(self.weights)
        run_id = run.get("id") if safe_name(run.get("id")) else None
        if run_id is None or run_id in taken:
            run_id = self.next_run_id()
        if weights is not None:
            check_safetensors(weights, f"weights of {run_id}")
            self.weights[run_id] = weights
        self.runs.append({**run, "id": run_id})
        self.meta["next_run"] = run_number(self.next_run_id())
        return run_id


def open_any(path: str | Path) -> Project:
    """Open a project (.nwproj), a design (.json) or a Python file exported by Netwright."""
    path = Path(path)
    head = _head(path)
    remove_orphans(path)
    if is_zip(head):
        return open_project(path)
    if path.suffix.lower() == ".py":
        from backend.importer import import_python

        doc, warnings = import_python(path)
        return Project(doc, path=path, kind="python", warnings=warnings)
    if head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{" or path.suffix.lower() == ".json":
        return Project(_json_design(path), path=path, kind="design")
    raise ProjectFileError(f"{path.name} is not a Netwright file: open a {PROJECT_SUFFIX} "
                           "project, a .json design or a .py file exported by Netwright")


_WHAT = f"a {PROJECT_SUFFIX} project or a design file"


def _head(path: Path) -> bytes:
    """The first bytes of a regular file (a pipe, device or folder is refused at once)."""
    fd = open_regular(path, _WHAT)
    try:
        return os.read(fd, 512)
    except OSError as exc:
        raise ProjectFileError(f"cannot read {path}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def _json_design(path: Path) -> GraphDocument:
    """A plain design file, read exactly as design.load_design reads it (with a size cap)."""
    raw = read_regular(path, MAX_DESIGN_BYTES, "a design file")
    try:
        return loads(raw, path.name)
    except DesignFileError:
        raise
    except Exception as exc:  # a hostile design must not crash the caller
        raise damaged(path.name, exc) from None


def design_from_data(data: object, source: str) -> GraphDocument:
    """A parsed design dict -> GraphDocument (migrated, checked); one sentence on failure.

    The design's own nesting limit applies (not the project file's), so whatever opens here
    can be saved as a plain design too."""
    check_structure(data, source, MAX_DESIGN_DEPTH)
    try:
        return from_dict(migrate(data, source), source)
    except DesignFileError:
        raise
    except Exception as exc:  # a hostile design must not crash the caller
        raise damaged(source, exc) from None


def open_project(path: str | Path) -> Project:
    path = Path(path)
    source = path.name
    signature = file_signature(path)
    with SafeZip(path) as z:
        if "project.json" not in z.entries:
            raise ProjectFileError(f"{source} has no project.json: it is not a Netwright "
                                   "project")
        _fits_in_memory(z, ["project.json"], "its design")
        data = parse_json(z.read("project.json", MAX_JSON_BYTES), f"{source} (project.json)")
        data = migrate_project(data, z.names(), source)
        doc = design_from_data(data.get("design"), f"{source} (design)")
        meta = data.get("meta", {})
        if not isinstance(meta, dict):
            raise ProjectFileError(f"{source}: 'meta' must be an object: the file is damaged")
        weights = WeightsStore({name: _weights_entry(z, name, source, signature)
                                for name in _index(data, "weights", source)})
        run_names = _index(data, "runs", source)
        _fits_in_memory(z, [_entry(z, f"runs/{n}.json", source) for n in run_names],
                        "its runs")
        runs = [_run_entry(z, name, source) for name in run_names]
    return Project(doc, weights, runs, meta, path, "project")


def _fits_in_memory(z: SafeZip, entries: list[str], what: str) -> None:
    """Refuse JSON entries (read at once) that would not fit in memory once parsed."""
    from backend.memory import gb, require_memory

    text = sum(z.entries[e].file_size for e in entries)
    require_memory(text * JSON_MEMORY_FACTOR, f"{z.source}: {what} ({gb(text)} of text once "
                   "unpacked) would", ProjectFileError)


def _index(data: dict, key: str, source: str) -> list[str]:
    names = data.get(key, [])
    if not isinstance(names, list) or not all(safe_name(n) for n in names):
        raise ProjectFileError(f"{source}: the '{key}' index must list plain names: the file "
                               "is damaged")
    if len(set(names)) != len(names):
        raise ProjectFileError(f"{source}: the '{key}' index lists a name twice: the file "
                               "is damaged")
    return names


def _entry(z: SafeZip, entry: str, source: str) -> str:
    if entry not in z.entries:
        raise ProjectFileError(f"{source} lists {entry} but does not contain it: the file is "
                               "damaged; open its .bak backup")
    return entry


def _weights_entry(z: SafeZip, name: str, source: str, signature) -> ArchiveEntry:
    """The weights entry, its header checked; its data is read only when used."""
    entry = _entry(z, f"weights/{name}.safetensors", source)
    size = z.entries[entry].file_size
    if size > MAX_WEIGHTS_BYTES:
        raise ProjectFileError(f"{source}: entry {entry} is too large ({size:,} bytes): the "
                               "file is damaged")
    where = f"{source} ({entry})"
    head = z.read_head(entry, 8)
    check_safetensors_head(z.read_head(entry, 8 + header_size(head, size, where)), size, where)
    return ArchiveEntry(z.path.absolute(), signature, entry, size)


def _run_entry(z: SafeZip, name: str, source: str) -> dict:
    entry = _entry(z, f"runs/{name}.json", source)
    run = parse_json(z.read(entry, MAX_JSON_BYTES), f"{source} ({entry})")
    if not isinstance(run, dict):
        raise ProjectFileError(f"{source}: {entry} must hold an object: the file is damaged")
    from backend.project.runs import readable_run

    return {**readable_run(run), "id": name}


def save_project(path: str | Path, project: Project | GraphDocument, *,
                 weights: dict[str, bytes] | None = None, runs: list[dict] | None = None,
                 meta: dict | None = None, backup: bool = True) -> Path | None:
    """Save atomically (a `.json` path writes the plain design only); returns the backup path
    (the previous file, kept as NAME.bak unless `backup` is False).

    `project` may be a Project or just a GraphDocument; `weights`, `runs` and `meta`, when
    given, replace the Project's. Any failure is one `ProjectFileError` sentence and leaves the
    previous file as it was. After a save, the project's weights are read from the new file.
    """
    path = Path(path)
    if isinstance(project, GraphDocument):
        project = Project(project)
    own = weights is None
    weights = project.weights if weights is None else WeightsStore(weights)
    runs = project.runs if runs is None else runs
    meta = project.meta if meta is None else meta
    if path.suffix.lower() == ".json":
        data = dumps(project.doc).encode("utf-8")
        return atomic_save(path, lambda tmp: tmp.write_bytes(data), backup)
    entries = project_entries(project.doc, weights, runs, meta)
    kept = atomic_save(path, lambda tmp: _write_zip(tmp, entries), backup)
    if own and weights:
        _rebind(project.weights, path)
    return kept


def _rebind(weights: WeightsStore, path: Path) -> None:
    """Point the weights at the file just saved (its old version may be gone)."""
    signature = file_signature(path)
    for name in list(weights):
        entry = f"weights/{name}.safetensors"
        weights[name] = ArchiveEntry(path.absolute(), signature, entry, weights.size(name))


def project_entries(doc: GraphDocument, weights, runs: list[dict],
                    meta: dict) -> list[tuple[str, object, bool]]:
    """The archive's entries (name, bytes or stored weights, compress), checked before
    anything is written."""
    weights = weights if isinstance(weights, WeightsStore) else WeightsStore(weights)
    run_ids = [r.get("id") for r in runs]
    for name in [*weights, *run_ids]:
        if not safe_name(name):
            raise ProjectFileError(f"cannot save: {name!r} is not a valid weights or run name "
                                   "(use letters, digits, '_', '.', '-')")
    if len(set(run_ids)) != len(run_ids):
        raise ProjectFileError("cannot save: two runs share an id; give each run its own id")
    for name in weights:
        value = weights.source(name)
        if not isinstance(value, ArchiveEntry):  # entries were checked when opened
            check_safetensors(value, f"weights '{name}'")
    head = {"format": PROJECT_FORMAT, "version": PROJECT_VERSION, "design": doc_to_dict(doc),
            "meta": meta, "weights": sorted(weights), "runs": run_ids}
    dumps(doc)  # refuses a design the loader could not read back, with the reason
    entries = [("project.json", _json_bytes(head), True)]
    entries += [(f"runs/{r['id']}.json", _json_bytes(r), True) for r in runs]
    entries += [(f"weights/{n}.safetensors", weights.source(n), False) for n in sorted(weights)]
    return entries


def _json_bytes(data: object) -> bytes:
    """Sorted JSON that the loader reads back (finite numbers, valid text, bounded depth)."""
    try:
        check_structure(data, "the project")
        text = json.dumps(data, sort_keys=True, indent=1, ensure_ascii=False, allow_nan=False)
    except ProjectFileError as exc:
        raise ProjectFileError(f"cannot save: {exc}".replace(": the file is damaged",
                                                             ": change that value first")) from None
    except (TypeError, ValueError) as exc:
        raise ProjectFileError(f"cannot save: the project holds a value JSON cannot store "
                               f"({str(exc)[:100]}); change that value first") from None
    return (text + "\n").encode("utf-8")


def _write_zip(tmp: Path, entries: list[tuple[str, bytes, bool]]) -> None:
    import zipfile

    with zipfile.ZipFile(tmp, "w", allowZip64=True) as zf:
        write_entries(zf, entries)


def json_drops(project: Project) -> str | None:
    """A sentence if saving this project as plain .json would leave weights or runs out."""
    lost = []
    if project.weights:
        lost.append(f"{len(project.weights)} set(s) of trained weights")
    if project.runs:
        lost.append(f"{len(project.runs)} run(s)")
    if not lost:
        return None
    return (f"a .json design keeps only the design, so {' and '.join(lost)} would be left "
            f"out: save as {PROJECT_SUFFIX} to keep them")
