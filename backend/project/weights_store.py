"""A project's trained weights, read only when used: opening a project never loads them.

`WeightsStore` maps a name to safetensors bytes. Weights that came from a project file are
`ArchiveEntry` references (the file, its identity when opened, the entry): their headers were
checked when the project was opened, and their bytes are read when someone asks for them
(`store[name]`), each time, after checking that they fit in the memory available. `summary`,
`validate` and the designer's Open never read them. Saving copies them from the old archive to
the new one in chunks, so no set of weights ever needs to fit in memory twice.

If the file changed on disk since it was opened, reading refuses with a sentence, except when
the change was our own save: the previous version, kept as `NAME.bak` by a hard link, is the
same file and is read instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass
from pathlib import Path

from backend.project.safe import ProjectFileError

_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class ArchiveEntry:
    """One weights entry of a project file, as it was when the project was opened."""

    path: Path
    signature: tuple[int, int, int, int]  # device, inode, size, mtime_ns of the archive
    entry: str
    size: int  # bytes once read

    def read(self) -> bytes:
        from backend.memory import require_memory

        require_memory(self.size, f"the weights {self.entry} of {self.path.name}",
                       ProjectFileError)
        with self.open_zip() as z:
            return z.read(self.entry, self.size)

    def open_zip(self):
        """The archive this entry lives in (a SafeZip), whichever name it now has."""
        from backend.project.archive import SafeZip
        from backend.project.atomic import backup_path

        for candidate in (self.path, backup_path(self.path)):
            if file_signature(candidate) == self.signature:
                return SafeZip(candidate)
        raise ProjectFileError(f"{self.path.name} changed on disk since it was opened, so its "
                               f"trained weights cannot be read: open it again")

    def copy_to(self, out) -> None:
        """Stream the entry's bytes into the writable file object `out`."""
        with self.open_zip() as z:
            z.copy(self.entry, out)


def file_signature(path: Path) -> tuple[int, int, int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)


class WeightsStore(MutableMapping):
    """name -> safetensors bytes; entries of a project file stay on disk until used."""

    def __init__(self, items=None) -> None:
        self._items: dict[str, bytes | ArchiveEntry] = {}
        if isinstance(items, WeightsStore):
            self._items.update(items._items)
        elif items:
            self._items.update(items)

    def __getitem__(self, name: str) -> bytes:
        value = self._items[name]
        return value.read() if isinstance(value, ArchiveEntry) else value

    def __setitem__(self, name: str, value: bytes | ArchiveEntry) -> None:
        self._items[name] = value

    def __delitem__(self, name: str) -> None:
        del self._items[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, name: object) -> bool:  # the mixin's version would read the entry
        return name in self._items

    def __eq__(self, other) -> bool:
        if isinstance(other, WeightsStore) and other._items == self._items:
            return True
        return isinstance(other, MutableMapping | dict) and dict(self.items()) == dict(other)

    __hash__ = None

    def __repr__(self) -> str:
        return f"WeightsStore({sorted(self._items)})"

    def source(self, name: str) -> bytes | ArchiveEntry:
        """The stored value itself (bytes, or the entry it will be read from): stable identity,
        nothing read."""
        return self._items[name]

    def size(self, name: str) -> int:
        value = self._items[name]
        return value.size if isinstance(value, ArchiveEntry) else len(value)

    def copy(self) -> WeightsStore:
        return WeightsStore(self)


def weights_source(weights: MutableMapping, name: str):
    """`weights.source(name)` for a store, the bytes for a plain dict."""
    return weights.source(name) if isinstance(weights, WeightsStore) else weights[name]


def write_weights_value(value: bytes | ArchiveEntry, out) -> None:
    """Write stored weights (bytes, or an entry streamed from its archive) to `out`."""
    if isinstance(value, ArchiveEntry):
        value.copy_to(out)
    else:
        out.write(value)
