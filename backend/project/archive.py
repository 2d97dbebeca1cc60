"""The project zip: checked reading with limits, and atomic writing with a backup.

Reading never extracts anything to disk. Before `zipfile` parses the archive, the end record
is checked (entry count, central directory size), then every entry: its name (no absolute
paths, no `..`, no backslashes or drive letters, no duplicates), its compression (stored or
deflate only), its declared size and compression ratio (zip bombs), and while reading, the
bytes actually produced. Any problem becomes one `ProjectFileError` sentence.

Writing goes to a temp file in the target's folder, is fsynced, then renamed over the target;
the previous version is kept beside it as `NAME.bak`.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

from backend.project.design import plain_file_mode
from backend.project.safe import ProjectFileError

MAX_ARCHIVE_BYTES = 16 * 1024**3
MAX_ENTRIES = 1000
MAX_CENTRAL_DIRECTORY = 4 * 1024 * 1024
MAX_ENTRY_BYTES = 8 * 1024**3
MAX_TOTAL_BYTES = 16 * 1024**3
MAX_RATIO = 200
_CHUNK = 1024 * 1024
_DATE = (1980, 1, 1, 0, 0, 0)
_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError,
           NotImplementedError, RuntimeError, zlib.error, struct.error, KeyError,
           IndexError, OverflowError, UnicodeError)


def is_zip(head: bytes) -> bool:
    return head[:4] in (b"PK\x03\x04", b"PK\x05\x06")


class SafeZip:
    """A read-only project archive whose entries passed the checks; use as a context manager."""

    def __init__(self, path: Path) -> None:
        self.path, self.source = path, path.name
        _check_end_record(path)
        try:
            self._zip = zipfile.ZipFile(path, "r")
            self.entries = _checked_entries(self._zip, self.source)
        except ProjectFileError:
            self.close()
            raise
        except _ERRORS as exc:
            self.close()
            raise damaged(self.source, exc) from None

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        zf = getattr(self, "_zip", None)
        if zf is not None:
            zf.close()

    def names(self) -> list[str]:
        return list(self.entries)

    def read(self, name: str, limit: int) -> bytes:
        """An entry's bytes; refuses more than `limit` or more than the entry declares."""
        info = self.entries[name]
        if info.file_size > limit:
            raise ProjectFileError(f"{self.source}: entry {name} is too large "
                                   f"({info.file_size:,} bytes): the file is damaged")
        out = bytearray()
        try:
            with self._zip.open(info) as fh:
                while chunk := fh.read(_CHUNK):
                    out += chunk
                    if len(out) > info.file_size:
                        raise ProjectFileError(f"{self.source}: entry {name} holds more data "
                                               "than it declares: the file is damaged")
        except ProjectFileError:
            raise
        except _ERRORS as exc:
            raise damaged(self.source, exc) from None
        if len(out) != info.file_size:
            raise ProjectFileError(f"{self.source}: entry {name} is truncated: the file is "
                                   "damaged")
        return bytes(out)


def damaged(source: str, exc: BaseException) -> ProjectFileError:
    reason = str(exc).split("\n")[0][:100] or type(exc).__name__
    return ProjectFileError(f"{source} is damaged or not a Netwright project ({reason}): "
                            "open another copy or its .bak backup")


def _check_end_record(path: Path) -> None:
    """Check entry count and central directory size before zipfile parses the directory."""
    source = path.name
    try:
        size = path.stat().st_size
        if size > MAX_ARCHIVE_BYTES:
            raise ProjectFileError(f"{source} is larger than 16 GB: it is not a Netwright "
                                   "project")
        with open(path, "rb") as fh:
            fh.seek(max(0, size - 65557))
            tail = fh.read()
            at = tail.rfind(b"PK\x05\x06")
            if at < 0 or len(tail) - at < 22:
                raise ProjectFileError(f"{source} is damaged or not a Netwright project (no "
                                       "zip directory): open another copy or its .bak backup")
            _, _, _, _, count, cd_size, _, _ = struct.unpack("<4s4H2LH", tail[at:at + 22])
            if count == 0xFFFF or cd_size == 0xFFFFFFFF:
                count, cd_size = _zip64_counts(fh, size - len(tail) + at, source)
    except ProjectFileError:
        raise
    except _ERRORS as exc:
        raise damaged(source, exc) from None
    if count > MAX_ENTRIES or cd_size > MAX_CENTRAL_DIRECTORY:
        raise ProjectFileError(f"{source} lists {count:,} entries: a project holds at most "
                               f"{MAX_ENTRIES}; the file is damaged or hostile")


def _zip64_counts(fh, eocd_at: int, source: str) -> tuple[int, int]:
    fh.seek(max(0, eocd_at - 20))
    locator = fh.read(20)
    if len(locator) != 20 or locator[:4] != b"PK\x06\x07":
        raise ProjectFileError(f"{source} has a broken zip64 directory: the file is damaged")
    _, _, record_at, _ = struct.unpack("<4sLQL", locator)
    fh.seek(record_at)
    record = fh.read(56)
    if len(record) != 56 or record[:4] != b"PK\x06\x06":
        raise ProjectFileError(f"{source} has a broken zip64 directory: the file is damaged")
    fields = struct.unpack("<4sQ2H2L4Q", record)
    return fields[7], fields[8]


_DRIVE = re.compile(r"^[A-Za-z]:")


def unsafe_name(name: str) -> bool:
    parts = name.split("/")
    return (not name or name.startswith("/") or "\\" in name or "\x00" in name
            or bool(_DRIVE.match(name)) or any(p in ("..", ".") for p in parts))


def _checked_entries(zf: zipfile.ZipFile, source: str) -> dict[str, zipfile.ZipInfo]:
    infos = zf.infolist()
    if len(infos) > MAX_ENTRIES:
        raise ProjectFileError(f"{source} holds {len(infos):,} entries: a project holds at "
                               f"most {MAX_ENTRIES}; the file is damaged or hostile")
    entries: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in infos:
        name = info.filename
        if unsafe_name(name):
            raise ProjectFileError(f"{source} contains an unsafe entry name {name[:80]!r}: "
                                   "it is not a Netwright project, do not open it")
        if name in entries:
            raise ProjectFileError(f"{source} contains {name[:80]!r} twice: the file is "
                                   "damaged or hostile")
        _check_entry(info, source)
        total += info.file_size
        entries[name] = info
    if total > MAX_TOTAL_BYTES:
        raise ProjectFileError(f"{source} would unpack to more than 16 GB: the file is "
                               "damaged or hostile")
    return entries


def _check_entry(info: zipfile.ZipInfo, source: str) -> None:
    name = info.filename[:80]
    if info.flag_bits & 0x1:
        raise ProjectFileError(f"{source}: entry {name!r} is encrypted; Netwright projects "
                               "never are")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise ProjectFileError(f"{source}: entry {name!r} uses an unsupported compression: "
                               "re-save it with Netwright")
    if info.file_size > MAX_ENTRY_BYTES:
        raise ProjectFileError(f"{source}: entry {name!r} is larger than 8 GB: the file is "
                               "damaged or hostile")
    if info.file_size > _CHUNK and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        raise ProjectFileError(f"{source}: entry {name!r} expands {info.file_size:,} bytes "
                               "from almost nothing (a zip bomb): do not open it")


def write_entries(zf: zipfile.ZipFile, entries: list[tuple[str, bytes, bool]]) -> None:
    """Write (name, data, compress) entries with fixed dates, so saves are reproducible."""
    for name, data, compress in entries:
        info = zipfile.ZipInfo(name, date_time=_DATE)
        info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        info.external_attr = 0o644 << 16
        zf.writestr(info, data)


def atomic_save(path: Path, write: Callable[[Path], None], backup: bool = True) -> Path | None:
    """Write via `write(tmp)` then rename over `path`; returns the backup's path, if any."""
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        plain_file_mode(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        saved = _keep_backup(path) if backup else None
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_folder(folder)
    return saved


def backup_path(path: Path) -> Path:
    return path.with_name(path.name + ".bak")


def _keep_backup(path: Path) -> Path | None:
    if not path.is_file():
        return None
    bak = backup_path(path)
    tmp = bak.with_name(f".{bak.name}.tmp")
    tmp.unlink(missing_ok=True)
    try:
        os.link(path, tmp)  # the old content survives the rename through this link
    except OSError:
        shutil.copy2(path, tmp)
    os.replace(tmp, bak)
    return bak


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
