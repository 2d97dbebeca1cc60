"""The project zip: checked reading with limits, and atomic writing with a backup.

Reading never extracts anything to disk. Before `zipfile` parses the archive, the end record
is checked (entry count, central directory size), then every entry: its name (no absolute
paths, no `..`, no backslashes or drive letters, no duplicates), its compression (stored or
deflate only), its declared size and compression ratio (zip bombs), and while reading, the
bytes actually produced. Any problem becomes one `ProjectFileError` sentence.

Writing goes through `backend.project.atomic` (a temp file in the target's folder, fsynced,
renamed over the target; the previous version kept beside it as `NAME.bak`); entries are
written from bytes or streamed from another archive (`write_entries`).
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from pathlib import Path

from backend.project.atomic import atomic_save, backup_path  # noqa: F401 (their old home)
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
        for chunk in self.chunks(name):
            out += chunk
        return bytes(out)

    def read_head(self, name: str, size: int) -> bytes:
        """The first `size` bytes of an entry (fewer if it is shorter)."""
        try:
            with self._zip.open(self.entries[name]) as fh:
                return fh.read(size)
        except _ERRORS as exc:
            raise damaged(self.source, exc) from None

    def copy(self, name: str, out) -> None:
        """Stream an entry into the writable file object `out`, checking it as `read` does."""
        for chunk in self.chunks(name):
            out.write(chunk)

    def chunks(self, name: str):
        """An entry's bytes in chunks, refusing more or fewer bytes than it declares."""
        info = self.entries[name]
        done = 0
        try:
            with self._zip.open(info) as fh:
                while chunk := fh.read(_CHUNK):
                    done += len(chunk)
                    if done > info.file_size:
                        raise ProjectFileError(f"{self.source}: entry {name} holds more data "
                                               "than it declares: the file is damaged")
                    yield chunk
        except ProjectFileError:
            raise
        except _ERRORS as exc:
            raise damaged(self.source, exc) from None
        if done != info.file_size:
            raise ProjectFileError(f"{self.source}: entry {name} is truncated: the file is "
                                   "damaged")


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


def write_entries(zf: zipfile.ZipFile, entries: list[tuple[str, object, bool]]) -> None:
    """Write (name, data, compress) entries with fixed dates, so saves are reproducible.

    `data` is bytes, or stored weights (`weights_store.ArchiveEntry`) streamed from their
    archive without being held in memory."""
    from backend.project.weights_store import write_weights_value

    for name, data, compress in entries:
        info = zipfile.ZipInfo(name, date_time=_DATE)
        info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        info.external_attr = 0o644 << 16
        if isinstance(data, bytes | bytearray):
            zf.writestr(info, data)
        else:  # declared size first: the same bytes as writestr would write
            info.file_size = data.size
            with zf.open(info, "w") as out:
                write_weights_value(data, out)
